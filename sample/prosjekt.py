"""``prosjekt``: the project's case register, ``cases.csv`` in every delivery."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from sample.files import (
    _amount_plain,
    _csv_bytes,
    _delivery_dir,
    _dmy,
    _text,
    _write_bytes,
    _write_manifest,
)
from sample.shared import ACTIONS, DELIVERY_DATES, NOT_A_DATE, PROJECT_COLUMNS, Progress
from sample.world import _DISTRICT_TEXT, World, _sequence_ids


def _project_csv(world: World, case_ids: np.ndarray, day: np.datetime64) -> tuple[bytes, int]:
    c = world.project
    present = c.opened <= day
    done = ~np.isnat(c.closed) & (c.closed <= day)
    # While a case is open only its first action is recorded.
    actions = np.where(done, c.actions, c.actions & -c.actions)
    tenancy = world.tenancies
    frame = pl.DataFrame(
        {
            "sak_id": _text(case_ids[present]),
            "leieforhold_id": tenancy.tenancy_id[c.episode[present]],
            "fodselsnummer": world.national_id[tenancy.person[c.episode[present]]],
            "opprettet": c.opened[present],
            "sosialtjeneste": _DISTRICT_TEXT[world.episodes.district[c.episode], world.project_spelling][present],
            "kjent_sosialtjenesten": c.known[present],
            "barn_i_husstand": c.children[present],
            "inntektskilde": c.income[present],
            "krav_belop": c.claim[present],
            "utfall": np.where(done, c.outcome, "FORTSATT_I_ARBEID")[present],
            "losning": _text(np.where(done & (c.solution != ""), c.solution, None)[present]),
            "tiltak": _text(_ACTION_TEXT[actions[present]]),
            "avsluttet": np.where(done, c.closed, NOT_A_DATE)[present],
        },
    ).sort("sak_id")
    frame = frame.with_columns(
        _dmy(pl.col("opprettet")).alias("opprettet"),
        _amount_plain(pl.col("krav_belop"), ",").alias("krav_belop"),
        _dmy(pl.col("avsluttet")).alias("avsluttet"),
    ).select(PROJECT_COLUMNS)
    return _csv_bytes(frame, ";", "utf-8", bom=True), frame.height


_ACTION_TEXT = np.array(
    ["|".join(a for bit, a in enumerate(ACTIONS) if mask >> bit & 1) or None for mask in range(1 << len(ACTIONS))],
    dtype=object,
)


def _write_prosjekt(landing_dir: Path, world: World, progress: Progress) -> None:
    c = world.project
    case_ids = _sequence_ids(c.opened, np.arange(len(c.opened)), lambda y, i: f"{y}-{i:05d}")
    for day in DELIVERY_DATES:
        folder = _delivery_dir(landing_dir, "prosjekt", day)
        data, rows = _project_csv(world, case_ids, day)
        _write_manifest(folder, "prosjekt", day, [_write_bytes(folder / "cases.csv", data, rows)])
        progress(f"prosjekt/{day}/cases.csv: {rows:,} cases")
