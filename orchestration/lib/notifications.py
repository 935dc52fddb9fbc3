"""Identified notification lists for the district social services (``restricted/``).

published.md, "restricted/": tenants on the collector's notification list or with a
filed petition, with name and national id, one list per district
(``restricted/notification_lists/<district>.csv`` and ``.xlsx``), prioritised as the 2008
report prescribes: households with children, tenants of a service or social-security
dwelling, and elderly tenants (head of household 67 or over) first.

- Only tenants: a notice without a tenancy (an owner-occupier with a municipal loan,
  at risk of a forced sale) is not on these lists. A petition counts while it is
  filed and still standing (status ``SENDT``).
- In Norwegian, as a district social service reads them: the headers of ``COLUMNS``, the
  reasons of ``REASONS`` and ``PRIORITY_REASONS``, ``ja``/``nei``, dates ``dd.mm.yyyy``,
  amounts with a decimal comma (``orchestration.lib.locale_format``).
- Written only when ``EVICTIONS_WRITE_RESTRICTED=1`` (``write_notification_lists``
  checks the setting itself); the folders are created owner-only (0700) and the files
  owner read/write (0600), with no moment at which they are readable by others.
- Two files per list, written by ``write_lists`` (which the forced-sale warning lists use too):
  a CSV, ``;``-separated UTF-8 with a byte-order mark (so a spreadsheet reads æ ø å, and in
  the Norwegian locale the amounts and dates as numbers and dates), and an ``.xlsx`` with typed
  cells (numbers, dates, text), a frozen header row with a filter and column widths that fit.
  A text value beginning with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which
  some spreadsheets skip before such a sign) gets a leading ``'`` in both, so it cannot run as
  a formula; the ``.xlsx`` is built in memory (no temporary file anywhere) and holds no formula.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from orchestration.lib import locale_format, paths
from orchestration.lib.atomic import write_bytes_atomic, write_text_atomic
from orchestration.lib.delivery import Scratch
from orchestration.lib.ingest import read_identified

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BYTE_ORDER_MARK = "\ufeff"
LANGUAGE = "nb"
PETITION_FILED = "SENDT"
FOLDER = paths.NOTIFICATION_LISTS_FOLDER
# Column → the header a district social service reads, in the lists' order.
COLUMNS = {
    "priority": "prioritet",
    "priority_reasons": "prioriteringsgrunn",
    "reason": "årsak",
    "district": "bydel",
    "tenancy_id": "leieforhold",
    "national_id": "fødselsnummer",
    "name": "navn",
    "amount_nok": "beløp (kr)",
    "event_date": "dato",
}
# Why a household is listed (årsak).
REASONS = {
    "notification": "varsel fra kemneren",
    "petition_filed": "begjæring om fravikelse sendt",
}
# Why a household comes first (prioriteringsgrunn, several joined by PRIORITY_SEPARATOR);
# the forced-sale warning lists use the same words.
PRIORITY_REASONS = {
    "children": "barn i husstanden",
    "service_dwelling": "servicebolig",
    "social_security_dwelling": "trygdebolig",
    "aged_67_plus": "67 år eller eldre",
}
PRIORITY_SEPARATOR = ", "
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_MAX_COLUMN_WIDTH = 60
_AMOUNT_FORMAT = "#,##0.00"  # Excel shows it with the reader's separators: 1 234,50 in nb
_DATE_FORMAT = "dd.mm.yyyy"


def neutralise(text: str | None) -> str:
    """A text a spreadsheet would run as a formula gets a leading apostrophe."""
    if text is None:
        return ""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _kind(dtype: pl.DataType) -> str:
    """What a list column holds, from its type: the one place that decides how the CSV and the
    .xlsx write it. A float is an amount in kroner (the lists have no other)."""
    if dtype == pl.Boolean:
        return "yes_no"
    if dtype.is_float() or dtype.is_decimal():
        return "amount"
    if dtype.is_integer():
        return "whole_number"
    if dtype in (pl.Date, pl.Datetime):
        return "date"
    return "text"


# Only text is neutralised: numbers and dates are written from typed values (digits, a decimal
# comma, an ASCII minus) and cannot hold a formula; an apostrophe before a negative amount would
# turn it into text that no longer sums.
_CSV_CELL: dict[str, Callable[[object], str]] = {
    "yes_no": lambda v: locale_format.yes_no(v, LANGUAGE),
    "amount": lambda v: locale_format.list_amount(v, LANGUAGE),
    "whole_number": lambda v: "" if v is None else str(v),
    "date": lambda v: locale_format.short_date(v, LANGUAGE),
    "text": lambda v: neutralise(None if v is None else str(v)),
}


def to_csv(frame: pl.DataFrame) -> str:
    """The list as CSV: UTF-8 with a byte-order mark, ``;``, CRLF, a header row, cells as a
    spreadsheet in the Norwegian locale reads them (``ja``/``nei``, ``-1234,50``, ``31.12.2007``)."""
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(neutralise(c) for c in frame.columns)
    cells = [_CSV_CELL[_kind(dtype)] for dtype in frame.dtypes]
    for row in frame.iter_rows():
        writer.writerow([cell(v) for cell, v in zip(cells, row, strict=True)])
    return buffer.getvalue()


def _displayed(kind: str, value: object) -> str:
    """The text a spreadsheet shows for a cell of the .xlsx: what its column's width must fit."""
    if kind == "amount" and value is not None:
        return locale_format.amount(value, LANGUAGE)  # with group separators
    return _CSV_CELL[kind](value)


def to_xlsx(frame: pl.DataFrame, sheet_name: str) -> bytes:
    """The list as an .xlsx workbook, built in memory: one sheet, a bold frozen header row with a
    filter, amounts as numbers (``#,##0.00``), dates as dates (``dd.mm.yyyy``), whole numbers as
    numbers, ``ja``/``nei`` and text as text (neutralised as in the CSV), widths that fit.

    ``ja``/``nei`` rather than boolean cells: a spreadsheet in the Norwegian locale shows a
    boolean as SANN/USANN, and the CSV says ``ja``/``nei``; the filter works on either.
    """
    import xlsxwriter  # only where a list is written

    buffer = io.BytesIO()
    # in_memory: xlsxwriter would otherwise stage each part of the workbook as a temporary
    # file in the system's temporary folder, with names and national ids in it.
    # strings_to_*: False, so that a text is always a text cell, never a formula, link or number.
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    header = workbook.add_format({"bold": True, "bottom": 1})
    number_formats = {
        "amount": workbook.add_format({"num_format": _AMOUNT_FORMAT}),
        "whole_number": workbook.add_format({"num_format": "0"}),
        "date": workbook.add_format({"num_format": _DATE_FORMAT}),
    }
    sheet = workbook.add_worksheet(_SHEET_NAME_FORBIDDEN.sub("_", sheet_name)[:31] or "liste")
    for column, name in enumerate(frame.columns):
        sheet.write_string(0, column, neutralise(name), header)
    for column, (name, dtype) in enumerate(frame.schema.items()):
        kind = _kind(dtype)
        values = frame[name].to_list()
        for row, value in enumerate(values, start=1):
            if value is None:
                continue  # an empty cell
            if kind in ("amount", "whole_number"):
                sheet.write_number(row, column, float(value), number_formats[kind])
            elif kind == "date":
                sheet.write_datetime(row, column, value, number_formats[kind])
            else:
                sheet.write_string(row, column, _CSV_CELL[kind](value))
        width = max([len(name), *(len(_displayed(kind, v)) for v in values)])
        sheet.set_column(column, column, min(width + 2, _MAX_COLUMN_WIDTH))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(frame.height, 1), max(frame.width - 1, 0))
    workbook.close()
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
                pl.lit(REASONS["notification"]).alias("reason"),
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
                pl.lit(REASONS["petition_filed"]).alias("reason"),
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
                pl.when(pl.col("children_count") > 0).then(pl.lit(PRIORITY_REASONS["children"])),
                pl.when(pl.col("dwelling_type") == "service").then(pl.lit(PRIORITY_REASONS["service_dwelling"])),
                pl.when(pl.col("dwelling_type") == "social_security").then(
                    pl.lit(PRIORITY_REASONS["social_security_dwelling"])
                ),
                pl.when(pl.col("head_age_band") == "67+").then(pl.lit(PRIORITY_REASONS["aged_67_plus"])),
            ],
            separator=PRIORITY_SEPARATOR,
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
        .select(list(COLUMNS))
        .rename(COLUMNS)
    )
    return by_district(listed, COLUMNS["district"])


def by_district(listed: pl.DataFrame, district_column: str) -> dict[str, pl.DataFrame]:
    """District → its rows, in the order of ``listed``."""
    return {district: frame for (district,), frame in listed.group_by([district_column], maintain_order=True)}


@contextmanager
def _owner_only() -> Iterator[None]:
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def write_lists(restricted_dir: Path, lists: dict[str, pl.DataFrame], folder_name: str = FOLDER) -> list[Path]:
    """Write each district's list as ``<district>.csv`` and ``<district>.xlsx`` into
    ``restricted/<folder_name>/``, owner-only, each file atomically; a district no longer listed
    loses its old files."""
    folder = restricted_dir / folder_name
    written = []
    with _owner_only():
        for path in (restricted_dir, folder):
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(path, 0o700)  # also when it existed with wider permissions
        for district, frame in sorted(lists.items()):
            if not district or "/" in district or district.startswith("."):
                raise ValueError(f"not a district name for a file: {district!r}")
            for target in (
                write_text_atomic(to_csv(frame), folder / f"{district}.csv"),
                write_bytes_atomic(to_xlsx(frame, district), folder / f"{district}.xlsx"),
            ):
                os.chmod(target, 0o600)
                written.append(target)
    for stale in {*folder.glob("*.csv"), *folder.glob("*.xlsx")} - set(written):
        stale.unlink()
    return written


def write_notification_lists(settings, households: pl.DataFrame) -> dict[str, pl.DataFrame] | None:
    """Build and write the lists when ``EVICTIONS_WRITE_RESTRICTED=1`` (the lists written);
    otherwise write nothing and return None."""
    if not settings.write_restricted:
        return None
    lists = build_lists(settings.landing_dir, households, settings.paths.scratch_dir)
    write_lists(settings.restricted_dir, lists)
    return lists
