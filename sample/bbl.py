"""``bbl``: the housing co-operatives' management companies' arrears cases (``arrears.csv``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from sample.files import _csv_bytes, _delivery_dir, _write_bytes, _write_manifest
from sample.forced_sales import (
    BBL_COLUMNS,
    BBL_DELIVERY_DATES,
    BBL_HISTORY_FROM,
    MAX_MONTHS_UNPAID,
    CoOpCase,
    ForcedSaleWorld,
)
from sample.shared import Progress


def _co_op_state(c: CoOpCase, day: dt.date) -> tuple[str, dt.date] | None:
    """The case's stage on ``day``; None before the case began."""
    reached = [(s, d) for s, d in c.stages if d <= day]
    return reached[-1] if reached else None


def _bbl_rows(fs: ForcedSaleWorld, day: dt.date, previous: dt.date | None) -> list[dict]:
    """The delivery of ``day``: the open cases and the cases closed since the previous delivery."""
    closed_since = previous or BBL_HISTORY_FROM
    rows = []
    for c in fs.co_op_cases:
        state = _co_op_state(c, day)
        if state is None:
            continue
        stage, reached = state
        closed = stage in ("LOST", "SOLGT_FRIVILLIG", "TVANGSSOLGT")
        if closed and reached <= closed_since:
            continue
        # Open: the common costs of every month since the oldest unpaid one (capped); closed: paid or sold.
        months = (day.year - c.overdue_since.year) * 12 + day.month - c.overdue_since.month + 1
        ore = 0 if closed else c.monthly_ore * min(months, MAX_MONTHS_UNPAID)
        rows.append(
            {
                "sak_id": c.case_id,
                "boligbyggelag": c.company,
                "borettslag": c.co_operative,
                "andel_nr": c.share_no,
                "fodselsnummer": fs.national_id[c.person],
                "navn": fs.name[c.person],
                "bydel": c.district,
                "barn_i_husstand": str(c.children),
                "restanse_belop": f"{ore // 100},{ore % 100:02d}",
                "forfalt_siden": c.overdue_since.strftime("%d.%m.%Y"),
                "trinn": stage,
                "trinn_dato": reached.strftime("%d.%m.%Y"),
                "sosialtjeneste_varslet": c.notified.strftime("%d.%m.%Y") if c.notified and c.notified <= day else None,
                "begjaert_dato": c.petitioned.strftime("%d.%m.%Y") if c.petitioned and c.petitioned <= day else None,
            }
        )
    rows.sort(key=lambda r: r["sak_id"])
    return rows


def _write_bbl(landing_dir: Path, fs: ForcedSaleWorld, progress: Progress) -> None:
    previous = None
    for day in BBL_DELIVERY_DATES:
        folder = _delivery_dir(landing_dir, "bbl", np.datetime64(day))
        rows = _bbl_rows(fs, day, previous)
        frame = pl.DataFrame(rows, schema={c: pl.String for c in BBL_COLUMNS})
        data = _csv_bytes(frame, ";", "utf-8")
        _write_manifest(folder, "bbl", np.datetime64(day), [_write_bytes(folder / "arrears.csv", data, frame.height)])
        progress(f"bbl/{day}/arrears.csv: {frame.height:,} arrears cases")
        previous = day
