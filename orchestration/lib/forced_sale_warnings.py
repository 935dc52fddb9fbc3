"""Identified early-warning lists on forced sales for the district social services (``restricted/``).

published.md, "restricted/": per district (``restricted/forced_sale_warnings/<district>.csv``),

- co-operative members whose arrears case (latest ``bbl`` delivery) is at stage ``VARSEL``
  (warning sent) or ``PALEGG_SALG`` (ordered to sell) and whose social service has not yet
  been notified (``sosialtjeneste_varslet`` empty), and
- owners on a collector notice of type ``TVANGSSALG`` (latest ``kemner`` delivery),

with name, national id, housing association, co-operative, arrears and months overdue;
households with children or a member 67 or over first, then the largest arrears.

The same form and protections as the notification lists (``orchestration.lib.notifications``,
whose writer, priority reasons and words this reuses): Norwegian headers (``COLUMNS``) and
reasons (``REASONS``), a CSV and an ``.xlsx`` per district, written only when
``EVICTIONS_WRITE_RESTRICTED=1``; folders 0700 and files 0600 with no moment at which they are
readable by others; ``;``-separated UTF-8 with a byte-order mark; text cells that a spreadsheet
would run as a formula get a leading ``'``. The stage (``trinn``) is the stage's bokmål label
from the seed ``code_lists`` (``co_op_stage``, and ``notification_type`` for the collector's
notice): "Varsel sendt", "Pålegg om salg", "Fare for begjæring om tvangssalg".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from orchestration.lib import paths
from orchestration.lib.delivery import Scratch
from orchestration.lib.ingest import read_identified
from orchestration.lib.notifications import COLUMNS as NOTIFICATION_COLUMNS
from orchestration.lib.notifications import (
    PRIORITY_REASONS,
    PRIORITY_SEPARATOR,
    by_district,
    write_lists,
)
from orchestration.lib.reference import display_labels

FOLDER = paths.FORCED_SALE_WARNINGS_FOLDER
WARNED_STAGES = ("VARSEL", "PALEGG_SALG")
FORCED_SALE_NOTICE = "TVANGSSALG"
ELDERLY_BAND = "67+"
# Column → the header a district social service reads, in the lists' order; the columns the
# notification lists have too under the same header.
_SHARED = ("priority", "priority_reasons", "reason", "district", "national_id", "name")
COLUMNS = {
    **{column: NOTIFICATION_COLUMNS[column] for column in _SHARED},
    "housing_association": "boligbyggelag",
    "co_operative": "borettslag",
    "arrears_nok": "restanse (kr)",
    "months_overdue": "måneder forfalt",
    "overdue_since": "forfalt siden",
    "stage": "trinn",
    "stage_date": "dato",
    "case_id": "saksnummer",
}
# Why a household is listed (årsak).
REASONS = {
    "co_op_arrears": "restanse til borettslaget",
    "forced_sale_notice": "varsel om tvangssalg fra kemneren",
}
_SCHEMA = {
    "reason": pl.String, "district": pl.String, "national_id": pl.String, "name": pl.String,
    "housing_association": pl.String, "co_operative": pl.String, "arrears_nok": pl.Float64,
    "months_overdue": pl.Int64, "overdue_since": pl.Date, "stage": pl.String, "stage_date": pl.Date,
    "case_id": pl.String, "children": pl.Int64, "elderly": pl.Boolean,
}  # fmt: skip


def whole_months(start: dt.date, end: dt.date) -> int:
    """Complete months from ``start`` to ``end`` (2007-01-15 -> 2007-03-14 is 1)."""
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def build_warning_lists(landing_dir: Path, scratch_dir: Path) -> dict[str, pl.DataFrame]:
    """District → its list, from the identified latest deliveries of bbl and kemner.

    ``scratch_dir`` (owner-only) holds the nameless decoded copies of Windows-1252 files.
    """
    with Scratch(scratch_dir) as scratch:
        arrears = read_identified(landing_dir, "bbl", "arrears.csv", scratch)
        notifications = read_identified(landing_dir, "kemner", "notifications.csv", scratch)
    return warning_lists_from_frames(arrears, notifications)


def _delivery_date(frame: pl.DataFrame) -> dt.date | None:
    if "delivery_date" in frame.columns and frame.height:
        return frame["delivery_date"].max()
    return None


def warning_lists_from_frames(arrears: pl.DataFrame, notifications: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The lists from the identified rows of the latest ``bbl/arrears.csv`` and ``kemner/notifications.csv``."""
    parts = [pl.DataFrame(schema=_SCHEMA)]
    members = pl.DataFrame()
    if arrears.height:
        delivered = _delivery_date(arrears)
        members = arrears.select(
            pl.col("fodselsnummer").alias("national_id"),
            pl.col("navn").alias("name"),
            pl.col("barn_i_husstand").cast(pl.Int64).alias("children"),
        ).unique("national_id", keep="first", maintain_order=True)
        warned = arrears.filter(pl.col("trinn").is_in(WARNED_STAGES) & pl.col("sosialtjeneste_varslet").is_null())
        parts.append(
            warned.select(
                pl.lit(REASONS["co_op_arrears"]).alias("reason"),
                pl.col("bydel").cast(pl.String).alias("district"),
                pl.col("fodselsnummer").alias("national_id"),
                pl.col("navn").alias("name"),
                pl.col("boligbyggelag").cast(pl.String).alias("housing_association"),
                pl.col("borettslag").alias("co_operative"),
                pl.col("restanse_belop").cast(pl.Float64).alias("arrears_nok"),
                pl.col("forfalt_siden")
                .map_elements(lambda d: whole_months(d, delivered) if d and delivered else None, return_dtype=pl.Int64)
                .alias("months_overdue"),
                pl.col("forfalt_siden").alias("overdue_since"),
                pl.col("trinn").cast(pl.String).alias("stage"),
                pl.col("trinn_dato").alias("stage_date"),
                pl.col("sak_id").alias("case_id"),
                pl.col("barn_i_husstand").cast(pl.Int64).alias("children"),
                (pl.col("age_band") == ELDERLY_BAND).alias("elderly"),
            )
        )
    if notifications.height:
        owners = notifications.filter(pl.col("varseltype") == FORCED_SALE_NOTICE)
        listed = owners.select(
            pl.lit(REASONS["forced_sale_notice"]).alias("reason"),
            pl.col("bydel").cast(pl.String).alias("district"),
            pl.col("fodselsnummer").alias("national_id"),
            pl.lit(None, pl.String).alias("name"),
            pl.lit(None, pl.String).alias("housing_association"),
            pl.lit(None, pl.String).alias("co_operative"),
            pl.col("restanse_belop").cast(pl.Float64).alias("arrears_nok"),
            pl.lit(None, pl.Int64).alias("months_overdue"),
            pl.lit(None, pl.Date).alias("overdue_since"),
            pl.lit(FORCED_SALE_NOTICE).alias("stage"),
            pl.col("varsel_dato").alias("stage_date"),
            pl.col("varsel_id").alias("case_id"),
            pl.lit(None, pl.Int64).alias("children"),
            (pl.col("age_band") == ELDERLY_BAND).alias("elderly"),
        )
        if members.height:
            # the member's name and children, when the owner is also a co-operative member
            listed = (
                listed.join(
                    members.rename({"name": "member_name", "children": "member_children"}), on="national_id", how="left"
                )
                .with_columns(pl.col("member_name").alias("name"), pl.col("member_children").alias("children"))
                .drop("member_name", "member_children")
            )
        parts.append(listed)
    rows = pl.concat([p.select(list(_SCHEMA)).cast(_SCHEMA) for p in parts])
    if not rows.height:
        return {}
    stages = {**display_labels("co_op_stage", "nb"), **display_labels("notification_type", "nb")}
    rows = rows.with_columns(
        pl.col("stage").replace_strict(stages, default=pl.col("stage")),
        pl.col("elderly").fill_null(False),
        pl.concat_str(
            [
                pl.when(pl.col("children") > 0).then(pl.lit(PRIORITY_REASONS["children"])),
                pl.when(pl.col("elderly")).then(pl.lit(PRIORITY_REASONS["aged_67_plus"])),
            ],
            separator=PRIORITY_SEPARATOR,
            ignore_nulls=True,
        )
        .fill_null("")
        .alias("priority_reasons"),
    ).with_columns(((pl.col("children").fill_null(0) > 0) | pl.col("elderly")).alias("priority"))
    ordered = (
        rows.filter(pl.col("district").is_not_null())
        .sort(["priority", "arrears_nok", "case_id"], descending=[True, True, False], nulls_last=True)
        .select(list(COLUMNS))
        .rename(COLUMNS)
    )
    return by_district(ordered, COLUMNS["district"])


def write_forced_sale_warnings(settings) -> dict[str, pl.DataFrame] | None:
    """Build and write the lists when ``EVICTIONS_WRITE_RESTRICTED=1`` (the lists written);
    otherwise write nothing and return None."""
    if not settings.write_restricted:
        return None
    lists = build_warning_lists(settings.landing_dir, settings.paths.scratch_dir)
    write_lists(settings.restricted_dir, lists, FOLDER)
    return lists
