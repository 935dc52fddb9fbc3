"""``kemner``: the collector's petitions and notices (``petitions.csv``, ``notifications.csv``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from sample.files import (
    _amount_plain,
    _delivery_dir,
    _iso,
    _national_ids,
    _text,
    _write_csv,
    _write_manifest,
)
from sample.shared import (
    COLLECTOR_STATUS,
    DELIVERY_DATES,
    NOTIFICATION_COLUMNS,
    PETITION_COLUMNS,
    Progress,
)
from sample.world import _DISTRICT_TEXT, World, _sequence_ids


def _write_petitions(path: Path, world: World, day: np.datetime64) -> dict:
    """``petitions.csv`` on ``day``: the petitions filed by then, by ``begjaering_id``."""
    p = world.petitions
    present = np.flatnonzero(p.filed <= day)
    rows = present[np.argsort(world.petition_id[present].astype(str), kind="stable")]
    decided = ~np.isnat(p.decided) & (p.decided <= day) & np.isin(p.fate, list(COLLECTOR_STATUS))
    status = np.array([COLLECTOR_STATUS.get(f, "SENDT") for f in p.fate])
    status = np.where(decided, status, "SENDT")
    case_by_petition = np.full(len(p.filed), None, dtype=object)
    kommune = world.bailiff.petition >= 0
    case_by_petition[world.bailiff.petition[kommune]] = world.case_number[kommune]
    known = ~np.isnat(p.received) & (p.received <= day)
    case_number = np.where(known, case_by_petition, None)
    status_day = np.where(decided, p.decided, p.filed)
    tenancy = world.tenancies

    def frame_of(rows: np.ndarray) -> pl.DataFrame:
        episode = p.episode[rows]
        frame = pl.DataFrame(
            {
                "begjaering_id": _text(world.petition_id[rows]),
                "leieforhold_id": tenancy.tenancy_id[episode],
                "fodselsnummer": _national_ids(world.national_id[tenancy.person[episode]]),
                "innsendt_dato": p.filed[rows],
                "krav_belop": world.episodes.arrears(episode, p.filed[rows]),
                "namsfogd_saksnr": _text(case_number[rows]),
                "status": status[rows],
                "status_dato": status_day[rows],
            },
        )
        return frame.select(
            "begjaering_id",
            "leieforhold_id",
            "fodselsnummer",
            _iso(pl.col("innsendt_dato")).alias("innsendt_dato"),
            _amount_plain(pl.col("krav_belop"), ".").alias("krav_belop"),
            "namsfogd_saksnr",
            "status",
            _iso(pl.col("status_dato")).alias("status_dato"),
            # Board approval is required only from March 2008; nothing here is that late.
            pl.lit(None, dtype=pl.String).alias("nemnd_godkjent_dato"),
        ).select(PETITION_COLUMNS)

    return _write_csv(path, rows, frame_of, ",", "utf-8")


def _write_notifications(path: Path, world: World, ids: np.ndarray, day: np.datetime64) -> dict:
    """``notifications.csv`` on ``day``: the notices sent by then, by ``varsel_id``."""
    n = world.notices
    present = np.flatnonzero(n.day <= day)
    rows = present[np.argsort(ids[present].astype(str), kind="stable")]
    tenant = n.episode >= 0
    person = np.where(tenant, world.tenancies.person[np.maximum(n.episode, 0)], n.owner)
    tenancy_id = np.where(tenant, world.tenancies.tenancy_id[np.maximum(n.episode, 0)], -1)

    def frame_of(rows: np.ndarray) -> pl.DataFrame:
        frame = pl.DataFrame(
            {
                "varsel_id": _text(ids[rows]),
                "leieforhold_id": tenancy_id[rows],
                "fodselsnummer": _national_ids(world.national_id[person[rows]]),
                "varsel_dato": n.day[rows],
                "restanse_belop": n.amount[rows],
                "bydel": _DISTRICT_TEXT[world.notice_district[rows], world.notice_spelling[rows]],
                "varseltype": np.where(tenant[rows], "RESTANSE", "TVANGSSALG"),
            },
        )
        return frame.select(
            "varsel_id",
            pl.when(pl.col("leieforhold_id") >= 0).then(pl.col("leieforhold_id")).alias("leieforhold_id"),
            "fodselsnummer",
            _iso(pl.col("varsel_dato")).alias("varsel_dato"),
            _amount_plain(pl.col("restanse_belop"), ".").alias("restanse_belop"),
            "bydel",
            "varseltype",
        ).select(NOTIFICATION_COLUMNS)

    return _write_csv(path, rows, frame_of, ",", "utf-8")


def _write_kemner(landing_dir: Path, world: World, progress: Progress) -> None:
    notice_ids = _sequence_ids(world.notices.day, np.arange(len(world.notices.day)), lambda y, i: f"VAR-{y}-{i:05d}")
    for day in DELIVERY_DATES:
        folder = _delivery_dir(landing_dir, "kemner", day)
        files = [
            _write_petitions(folder / "petitions.csv", world, day),
            _write_notifications(folder / "notifications.csv", world, notice_ids, day),
        ]
        _write_manifest(folder, "kemner", day, files)
        progress(f"kemner/{day}: {files[0]['rows']:,} petitions, {files[1]['rows']:,} notices")
