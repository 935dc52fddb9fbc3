"""Identified notification lists for the district social services (``restricted/``).

published.md, "restricted/": tenants on the collector's notification list or with a
filed petition, with name and national id, one list per district
(``restricted/notification_lists/<district>.csv``), prioritised as the 2008 report
prescribes: households with children, tenants of a service or social-security
dwelling, and elderly tenants (head of household 67 or over) first.

- Only tenants: a notice without a tenancy (an owner-occupier with a municipal loan,
  at risk of a forced sale) is not on these lists. A petition counts while it is
  filed and still standing (status ``SENDT``).
- Written only when ``EVICTIONS_WRITE_RESTRICTED=1`` (``write_notification_lists``
  checks the setting itself); the folders are created owner-only (0700) and the files
  owner read/write (0600), with no moment at which they are readable by others.
- For spreadsheets: ``;``-separated UTF-8 with a byte-order mark (so Excel reads
  æ ø å), and a value beginning with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
  return, which some spreadsheets skip before such a sign) gets a leading ``'`` so it
  cannot run as a formula.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import polars as pl

from orchestration.lib.atomic import write_text_atomic
from orchestration.lib.delivery import Scratch
from orchestration.lib.ingest import read_identified

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BYTE_ORDER_MARK = "\ufeff"
PETITION_FILED = "SENDT"
FOLDER = "notification_lists"
COLUMNS = [
    "priority", "priority_reasons", "reason", "district", "tenancy_id", "national_id", "name",
    "amount_nok", "event_date",
]  # fmt: skip


def neutralise(value: object) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe."""
    text = _text(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def to_csv(frame: pl.DataFrame) -> str:
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(frame.columns)
    for row in frame.iter_rows():
        writer.writerow([neutralise(v) for v in row])
    return buffer.getvalue()


def build_lists(landing_dir: Path, households: pl.DataFrame, scratch_dir: Path) -> dict[str, pl.DataFrame]:
    """District → its list, priority households first, then the oldest notice or petition.

    ``scratch_dir`` (owner-only) holds the nameless decoded copies of Windows-1252 files.
    """
    with Scratch(scratch_dir) as scratch:
        notifications = read_identified(landing_dir, "kemner", "notifications.csv", scratch)
        petitions = read_identified(landing_dir, "kemner", "petitions.csv", scratch)
        tenancies = read_identified(landing_dir, "boei", "tenancies.csv", scratch)
    return lists_from_frames(notifications, petitions, tenancies, households)


def lists_from_frames(
    notifications: pl.DataFrame, petitions: pl.DataFrame, tenancies: pl.DataFrame, households: pl.DataFrame
) -> dict[str, pl.DataFrame]:
    """The lists from the identified latest deliveries and the curated households."""
    if tenancies.height:
        names = tenancies.select(
            pl.col("leieforhold_id").alias("tenancy_id"),
            pl.col("navn").alias("name"),
            pl.col("bydel").alias("tenancy_district"),
        )
    else:
        names = pl.DataFrame(schema={"tenancy_id": pl.Int64, "name": pl.String, "tenancy_district": pl.String})
    rows = []
    if notifications.height:
        tenants = notifications.filter(pl.col("leieforhold_id").is_not_null())
        rows.append(
            tenants.select(
                pl.lit("notification").alias("reason"),
                pl.col("bydel").cast(pl.String).alias("district"),
                pl.col("leieforhold_id").cast(pl.Int64).alias("tenancy_id"),
                pl.col("fodselsnummer").alias("national_id"),
                pl.col("restanse_belop").cast(pl.Float64).alias("amount_nok"),
                pl.col("varsel_dato").alias("event_date"),
            )
        )
    if petitions.height:
        filed = petitions.filter(pl.col("status") == PETITION_FILED)
        rows.append(
            filed.select(
                pl.lit("petition_filed").alias("reason"),
                pl.lit(None, pl.String).alias("district"),
                pl.col("leieforhold_id").cast(pl.Int64).alias("tenancy_id"),
                pl.col("fodselsnummer").alias("national_id"),
                pl.col("krav_belop").cast(pl.Float64).alias("amount_nok"),
                pl.col("innsendt_dato").alias("event_date"),
            )
        )
    if not rows:
        return {}
    priority = households.select(
        pl.col("tenancy_id").cast(pl.Int64),
        pl.col("priority"),
        pl.concat_str(
            [
                pl.when(pl.col("children_count") > 0).then(pl.lit("children")),
                pl.when(pl.col("dwelling_type").is_in(["service", "social_security"])).then(
                    pl.col("dwelling_type") + pl.lit("_dwelling")
                ),
                pl.when(pl.col("head_age_band") == "67+").then(pl.lit("aged_67_plus")),
            ],
            separator=",",
            ignore_nulls=True,
        ).alias("priority_reasons"),
    )
    listed = (
        pl.concat(rows)
        .join(names.with_columns(pl.col("tenancy_id").cast(pl.Int64)), on="tenancy_id", how="left")
        .with_columns(pl.coalesce("district", "tenancy_district").alias("district"))
        .join(priority, on="tenancy_id", how="left")
        .with_columns(pl.col("priority").fill_null(False), pl.col("priority_reasons").fill_null(""))
        .filter(pl.col("district").is_not_null())
        .sort(["priority", "event_date", "tenancy_id"], descending=[True, False, False], nulls_last=True)
        .select(COLUMNS)
    )
    return {district: frame for (district,), frame in listed.group_by(["district"], maintain_order=True)}


@contextmanager
def _owner_only() -> Iterator[None]:
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def write_lists(restricted_dir: Path, lists: dict[str, pl.DataFrame], folder_name: str = FOLDER) -> list[Path]:
    """Write one CSV per district into ``restricted/<folder_name>/``, owner-only; a district no
    longer listed loses its old file."""
    folder = restricted_dir / folder_name
    written = []
    with _owner_only():
        for path in (restricted_dir, folder):
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(path, 0o700)  # also when it existed with wider permissions
        for district, frame in sorted(lists.items()):
            if not district or "/" in district or district.startswith("."):
                raise ValueError(f"not a district name for a file: {district!r}")
            target = write_text_atomic(to_csv(frame), folder / f"{district}.csv")
            os.chmod(target, 0o600)
            written.append(target)
    for stale in set(folder.glob("*.csv")) - set(written):
        stale.unlink()
    return written


def write_notification_lists(settings, households: pl.DataFrame) -> dict[str, pl.DataFrame] | None:
    """Build and write the lists when ``EVICTIONS_WRITE_RESTRICTED=1`` (the lists written);
    otherwise write nothing and return None."""
    if not settings.write_restricted:
        return None
    lists = build_lists(settings.landing_dir, households, settings.state_dir / "scratch")
    write_lists(settings.restricted_dir, lists)
    return lists
