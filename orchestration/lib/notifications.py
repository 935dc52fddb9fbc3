"""Identified notification lists for the district social services (``restricted/``).

Tenants on the collector's notification list, or with a petition filed and still
pending, with name and national id, one CSV per district, priority households first
(children, a service or social-security dwelling, or a head aged 67 or over, as the
2008 report prescribes). Written only when ``EVICTIONS_WRITE_RESTRICTED=1``.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

import polars as pl

from orchestration.lib.atomic import write_text_atomic
from orchestration.lib.ingest import read_identified

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = [
    "priority", "priority_reasons", "reason", "district", "tenancy_id", "national_id", "name",
    "amount_nok", "event_date",
]


def neutralise(value: object) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def to_csv(frame: pl.DataFrame) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(frame.columns)
    for row in frame.iter_rows():
        writer.writerow([neutralise(v) for v in row])
    return buffer.getvalue()


def build_lists(landing_dir: Path, households: pl.DataFrame) -> dict[str, pl.DataFrame]:
    with tempfile.TemporaryDirectory(prefix="evictions-restricted-") as scratch:
        notifications = read_identified(landing_dir, "kemner", "notifications.csv", Path(scratch))
        petitions = read_identified(landing_dir, "kemner", "petitions.csv", Path(scratch))
        tenancies = read_identified(landing_dir, "boei", "tenancies.csv", Path(scratch))

    names = tenancies.select(pl.col("leieforhold_id").alias("tenancy_id"), pl.col("navn").alias("name"), pl.col("bydel").alias("tenancy_district")) if tenancies.height else pl.DataFrame(schema={"tenancy_id": pl.Int64, "name": pl.String, "tenancy_district": pl.String})
    rows = []
    if notifications.height:
        rows.append(
            notifications.select(
                pl.lit("notification").alias("reason"),
                pl.col("bydel").alias("district"),
                pl.col("leieforhold_id").alias("tenancy_id"),
                pl.col("fodselsnummer").alias("national_id"),
                pl.col("restanse_belop").cast(pl.Float64).alias("amount_nok"),
                pl.col("varsel_dato").alias("event_date"),
            )
        )
    if petitions.height:
        pending = petitions.filter(pl.col("status") == "SENDT")
        rows.append(
            pending.select(
                pl.lit("petition_filed").alias("reason"),
                pl.lit(None, pl.String).alias("district"),
                pl.col("leieforhold_id").alias("tenancy_id"),
                pl.col("fodselsnummer").alias("national_id"),
                pl.col("krav_belop").cast(pl.Float64).alias("amount_nok"),
                pl.col("innsendt_dato").alias("event_date"),
            )
        )
    if not rows:
        return {}
    priority = households.select(
        "tenancy_id",
        pl.col("priority"),
        pl.concat_str(
            [
                pl.when(pl.col("children_count") > 0).then(pl.lit("children")),
                pl.when(pl.col("dwelling_type").is_in(["service", "social_security"])).then(pl.col("dwelling_type") + pl.lit("_dwelling")),
                pl.when(pl.col("head_age_band") == "67+").then(pl.lit("aged_67_plus")),
            ],
            separator=",",
            ignore_nulls=True,
        ).alias("priority_reasons"),
    )
    listed = (
        pl.concat(rows)
        .join(names, on="tenancy_id", how="left")
        .with_columns(pl.coalesce("district", "tenancy_district").alias("district"))
        .join(priority, on="tenancy_id", how="left")
        .with_columns(pl.col("priority").fill_null(False))
        .filter(pl.col("district").is_not_null())
        .sort(["priority", "event_date", "tenancy_id"], descending=[True, False, False], nulls_last=True)
        .select(COLUMNS)
    )
    return {district: frame for (district,), frame in listed.group_by(["district"], maintain_order=True)}


def write_lists(restricted_dir: Path, lists: dict[str, pl.DataFrame]) -> list[Path]:
    folder = restricted_dir / "notification_lists"
    for path in (restricted_dir, folder):
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, 0o700)
    written = []
    old_umask = os.umask(0o077)
    try:
        for district, frame in sorted(lists.items()):
            target = write_text_atomic(to_csv(frame), folder / f"{district}.csv")
            os.chmod(target, 0o600)
            written.append(target)
    finally:
        os.umask(old_umask)
    for stale in set(folder.glob("*.csv")) - set(written):
        stale.unlink()
    return written
