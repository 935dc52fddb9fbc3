"""``kemner``: the collector's petitions and notices (``petitions.csv``, ``notifications.csv``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from sample.files import (
    _amount_plain,
    _csv_bytes,
    _delivery_dir,
    _iso,
    _text,
    _write_bytes,
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


def _petitions_csv(world: World, day: np.datetime64) -> tuple[bytes, int]:
    p = world.petitions
    present = p.filed <= day
    decided = ~np.isnat(p.decided) & (p.decided <= day) & np.isin(p.fate, list(COLLECTOR_STATUS))
    status = np.array([COLLECTOR_STATUS.get(f, "SENDT") for f in p.fate])
    status = np.where(decided, status, "SENDT")
    case_by_petition = np.full(len(p.filed), None, dtype=object)
    kommune = world.bailiff.petition >= 0
    case_by_petition[world.bailiff.petition[kommune]] = world.case_number[kommune]
    known = ~np.isnat(p.received) & (p.received <= day)
    tenancy = world.tenancies
    frame = pl.DataFrame(
        {
            "begjaering_id": _text(world.petition_id[present]),
            "leieforhold_id": tenancy.tenancy_id[p.episode[present]],
            "fodselsnummer": world.national_id[tenancy.person[p.episode[present]]],
            "innsendt_dato": p.filed[present],
            "krav_belop": world.episodes.arrears(p.episode[present], p.filed[present]),
            "namsfogd_saksnr": _text(np.where(known, case_by_petition, None)[present]),
            "status": status[present],
            "status_dato": np.where(decided, p.decided, p.filed)[present],
        },
    ).sort("begjaering_id")
    frame = frame.select(
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
    return _csv_bytes(frame, ",", "utf-8"), frame.height


def _notifications_csv(world: World, ids: np.ndarray, day: np.datetime64) -> tuple[bytes, int]:
    n = world.notices
    present = n.day <= day
    tenant = n.episode >= 0
    person = np.where(tenant, world.tenancies.person[np.maximum(n.episode, 0)], n.owner)
    frame = pl.DataFrame(
        {
            "varsel_id": _text(ids[present]),
            "leieforhold_id": np.where(tenant, world.tenancies.tenancy_id[np.maximum(n.episode, 0)], -1)[present],
            "fodselsnummer": world.national_id[person[present]],
            "varsel_dato": n.day[present],
            "restanse_belop": n.amount[present],
            "bydel": _DISTRICT_TEXT[world.notice_district[present], world.notice_spelling[present]],
            "varseltype": np.where(tenant, "RESTANSE", "TVANGSSALG")[present],
        },
    ).sort("varsel_id")
    frame = frame.select(
        "varsel_id",
        pl.when(pl.col("leieforhold_id") >= 0).then(pl.col("leieforhold_id")).alias("leieforhold_id"),
        "fodselsnummer",
        _iso(pl.col("varsel_dato")).alias("varsel_dato"),
        _amount_plain(pl.col("restanse_belop"), ".").alias("restanse_belop"),
        "bydel",
        "varseltype",
    ).select(NOTIFICATION_COLUMNS)
    return _csv_bytes(frame, ",", "utf-8"), frame.height


def _write_kemner(landing_dir: Path, world: World, progress: Progress) -> None:
    notice_ids = _sequence_ids(world.notices.day, np.arange(len(world.notices.day)), lambda y, i: f"VAR-{y}-{i:05d}")
    for day in DELIVERY_DATES:
        folder = _delivery_dir(landing_dir, "kemner", day)
        petitions, petition_rows = _petitions_csv(world, day)
        notices, notice_rows = _notifications_csv(world, notice_ids, day)
        files = [
            _write_bytes(folder / "petitions.csv", petitions, petition_rows),
            _write_bytes(folder / "notifications.csv", notices, notice_rows),
        ]
        _write_manifest(folder, "kemner", day, files)
        progress(f"kemner/{day}: {petition_rows:,} petitions, {notice_rows:,} notices")
