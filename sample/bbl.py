"""``bbl``: the housing co-operatives' management companies' arrears cases (``arrears.csv``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from sample.files import _delivery_dir, _write_csv, _write_manifest
from sample.forced_sales import (
    BBL_COLUMNS,
    BBL_DELIVERY_DATES,
    BBL_HISTORY_FROM,
    MAX_MONTHS_UNPAID,
    CoOpCase,
    ForcedSaleWorld,
)
from sample.shared import NAME_TABLE, Progress


def _co_op_state(c: CoOpCase, day: dt.date) -> tuple[str, dt.date] | None:
    """The case's stage on ``day``; None before the case began."""
    reached = [(s, d) for s, d in c.stages if d <= day]
    return reached[-1] if reached else None


def _bbl_cases(fs: ForcedSaleWorld, day: dt.date, previous: dt.date | None) -> list[tuple[CoOpCase, str, dt.date]]:
    """The delivery of ``day``: the open cases and the cases closed since the previous delivery,
    each with its stage on ``day``, by ``sak_id``."""
    closed_since = previous or BBL_HISTORY_FROM
    cases = []
    for c in fs.co_op_cases:
        state = _co_op_state(c, day)
        if state is None:
            continue
        stage, reached = state
        if stage in _CLOSED and reached <= closed_since:
            continue
        cases.append((c, stage, reached))
    cases.sort(key=lambda case: case[0].case_id)
    return cases


_CLOSED = ("LOST", "SOLGT_FRIVILLIG", "TVANGSSOLGT")


def _bbl_frame(fs: ForcedSaleWorld, day: dt.date, cases: list[tuple[CoOpCase, str, dt.date]]) -> pl.DataFrame:
    """The rows of some cases of the delivery of ``day``."""
    rows = []
    for c, stage, reached in cases:
        # Open: the common costs of every month since the oldest unpaid one (capped); closed: paid or sold.
        months = (day.year - c.overdue_since.year) * 12 + day.month - c.overdue_since.month + 1
        ore = 0 if stage in _CLOSED else c.monthly_ore * min(months, MAX_MONTHS_UNPAID)
        name = int(fs.name[c.person])
        rows.append(
            (
                c.case_id,
                c.company,
                c.co_operative,
                c.share_no,
                f"{fs.national_id[c.person]:011d}",
                NAME_TABLE[name] if name >= 0 else "",
                c.district,
                str(c.children),
                f"{ore // 100},{ore % 100:02d}",
                c.overdue_since.strftime("%d.%m.%Y"),
                stage,
                reached.strftime("%d.%m.%Y"),
                c.notified.strftime("%d.%m.%Y") if c.notified and c.notified <= day else None,
                c.petitioned.strftime("%d.%m.%Y") if c.petitioned and c.petitioned <= day else None,
            )
        )
    return pl.DataFrame(rows, schema={c: pl.String for c in BBL_COLUMNS}, orient="row")


def _write_bbl(landing_dir: Path, fs: ForcedSaleWorld, progress: Progress) -> None:
    previous = None
    for day in BBL_DELIVERY_DATES:
        folder = _delivery_dir(landing_dir, "bbl", np.datetime64(day))
        cases = _bbl_cases(fs, day, previous)
        written = _write_csv(
            folder / "arrears.csv",
            np.arange(len(cases)),
            lambda rows, cases=cases, day=day: _bbl_frame(fs, day, [cases[i] for i in rows]),
            ";",
            "utf-8",
        )
        _write_manifest(folder, "bbl", np.datetime64(day), [written])
        progress(f"bbl/{day}/arrears.csv: {written['rows']:,} arrears cases")
        previous = day
