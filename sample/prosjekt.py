"""``prosjekt``: the project's case register, ``cases.csv`` in every delivery."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from sample.files import (
    _amount_plain,
    _delivery_dir,
    _dmy,
    _national_ids,
    _text,
    _write_csv,
    _write_manifest,
)
from sample.shared import ACTIONS, DELIVERY_DATES, NOT_A_DATE, PROJECT_COLUMNS, Progress
from sample.world import _DISTRICT_TEXT, World, _sequence_ids


def _write_project_csv(path: Path, world: World, case_ids: np.ndarray, day: np.datetime64) -> dict:
    """``cases.csv`` on ``day``: the cases opened by then, by ``sak_id``."""
    c = world.project
    present = np.flatnonzero(c.opened <= day)
    rows = present[np.argsort(case_ids[present].astype(str), kind="stable")]
    done = ~np.isnat(c.closed) & (c.closed <= day)
    # While a case is open only its first action is recorded.
    actions = np.where(done, c.actions, c.actions & -c.actions)
    tenancy = world.tenancies

    def frame_of(rows: np.ndarray) -> pl.DataFrame:
        episode = c.episode[rows]
        frame = pl.DataFrame(
            {
                "sak_id": _text(case_ids[rows]),
                "leieforhold_id": tenancy.tenancy_id[episode],
                "fodselsnummer": _national_ids(world.national_id[tenancy.person[episode]]),
                "opprettet": c.opened[rows],
                "sosialtjeneste": _DISTRICT_TEXT[world.episodes.district[episode], world.project_spelling[rows]],
                "kjent_sosialtjenesten": c.known[rows],
                "barn_i_husstand": c.children[rows],
                "inntektskilde": c.income[rows],
                "krav_belop": c.claim[rows],
                "utfall": np.where(done[rows], c.outcome[rows], "FORTSATT_I_ARBEID"),
                "losning": _text(np.where(done[rows] & (c.solution[rows] != ""), c.solution[rows], None)),
                "tiltak": _text(_ACTION_TEXT[actions[rows]]),
                "avsluttet": np.where(done[rows], c.closed[rows], NOT_A_DATE),
            },
        )
        return frame.with_columns(
            _dmy(pl.col("opprettet")).alias("opprettet"),
            _amount_plain(pl.col("krav_belop"), ",").alias("krav_belop"),
            _dmy(pl.col("avsluttet")).alias("avsluttet"),
        ).select(PROJECT_COLUMNS)

    return _write_csv(path, rows, frame_of, ";", "utf-8", bom=True)


_ACTION_TEXT = np.array(
    ["|".join(a for bit, a in enumerate(ACTIONS) if mask >> bit & 1) or None for mask in range(1 << len(ACTIONS))],
    dtype=object,
)


def _write_prosjekt(landing_dir: Path, world: World, progress: Progress) -> None:
    c = world.project
    case_ids = _sequence_ids(c.opened, np.arange(len(c.opened)), lambda y, i: f"{y}-{i:05d}")
    for day in DELIVERY_DATES:
        folder = _delivery_dir(landing_dir, "prosjekt", day)
        written = _write_project_csv(folder / "cases.csv", world, case_ids, day)
        _write_manifest(folder, "prosjekt", day, [written])
        progress(f"prosjekt/{day}/cases.csv: {written['rows']:,} cases")
