"""The release's data: the published Parquet tables, the release's status and cut-off, the page's
words (the message catalogues), display labels for codes, and the formatting of values.

Nothing here writes HTML: ``charts`` lays out the SVG charts and ``page`` renders the templates.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

import polars as pl
import yaml
from markupsafe import Markup

from orchestration.lib import atomic, locale_format
from orchestration.lib.reference import SEEDS_DIR, code_lists
from orchestration.lib.revisions import REVISIONS_NAME, log_path

SUPPRESSED = "suppressed"
SUPPRESSED_MARK = "–"  # en dash: a suppressed cell
NOT_APPLICABLE_MARK = "."  # a value that does not exist (a first year's change, a share without cases)
NBSP = "\u00a0"
MESSAGES_DIR = Path(__file__).with_name("messages")
# The page's languages: bokmål (the default page) and English. The same codes as locale_format's.
LANGUAGES = ("nb", "en")

# Which code list of dbt_project/seeds/code_lists.csv labels a column's values (its label_nb, label_en).
CODE_LIST_OF_COLUMN = {
    "income_source": "income_source",
    "outcome": "project_outcome",
    "solution": "solution",
    "action": "action",
    "known_to_social_service": "known_to_social_service",
    "stage": "co_op_stage",
    "petitioner_type": "forced_sale_petitioner_type",
    "housing_association": "housing_association",
}
PLAIN_INTEGER_COLUMNS = {"year", "baseline_year", "target_year"}
# A published table's description in bokmål: ``table_description.<table>`` in messages/nb.yaml. Its English is the
# dbt model's description (dbt_project/models/published/*.yml, carried in the Parquet metadata), so en.yaml has none.
TABLE_DESCRIPTION = "table_description."
# The figures of the 2008 report the comparison sets the warehouse's beside, with their descriptions in bokmål.
REPORT_FIGURES_SEED = SEEDS_DIR / "report_figures_2008.csv"


# -- the page's words -------------------------------------------------------------------------


@cache
def catalogue(language: str) -> Mapping[str, str]:
    """The messages of one language (``messages/<language>.yaml``), keyed by message id.

    A message is trusted HTML written by us (it may hold ``<em>`` or ``<span lang>``); its
    ``{placeholders}`` are filled with escaped values by :meth:`Words.__call__`."""
    if language not in LANGUAGES:
        raise ValueError(f"no messages for language {language!r}; one of {', '.join(LANGUAGES)}")
    messages = yaml.safe_load((MESSAGES_DIR / f"{language}.yaml").read_text(encoding="utf-8"))
    return {str(key): str(value) for key, value in messages.items()}


class Words:
    """The messages of one language: ``words("key", name=value)`` is the message as markup, its
    placeholders filled with escaped values; a missing key is an error, never an English fallback."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.messages = catalogue(language)

    def __call__(self, key: str, /, **params: object) -> Markup:
        if key not in self.messages:
            raise KeyError(f"message {key!r} is missing in messages/{self.language}.yaml")
        return Markup(self.messages[key]).format(**params) if params else Markup(self.messages[key])

    def text(self, key: str, /, **params: object) -> str:
        """The message as plain text, for a context the template escapes (an attribute, an SVG
        title, a value passed into another message): markup removed, values not escaped."""
        if key not in self.messages:
            raise KeyError(f"message {key!r} is missing in messages/{self.language}.yaml")
        message = self.messages[key]
        if "<" in message:
            return Markup(message).format(**params).striptags()
        return message.format(**params) if params else message

    def has(self, key: str) -> bool:
        return key in self.messages


def table_description(table: PublishedTable, words: Words) -> tuple[str, str | None]:
    """A published table's description in the page's language, and the language to mark it with when it is
    not the page's: the Parquet metadata's (the dbt yml's) on the English page, ``table_description.<table>`` of
    the catalogue on another; a table without one there keeps the English, marked ``en``."""
    key = TABLE_DESCRIPTION + table.name
    if words.language == "en":
        return table.description, None
    if words.has(key):
        return words(key), None
    return table.description, "en"


@cache
def report_figure_descriptions() -> dict[tuple[object, ...], str]:
    """The report's figures in bokmål (the seed ``report_figures_2008``'s ``description_nb``: the seed is the
    one home of the report's figures), by the comparison's row key (measure, source, year, category)."""
    seed = pl.read_csv(REPORT_FIGURES_SEED, schema_overrides={"year": pl.Int64, "category": pl.String})
    return {
        (row["measure"], row["source"], row["year"], row["category"]): row["description_nb"]
        for row in seed.iter_rows(named=True)
    }


# -- reading ----------------------------------------------------------------------------------


@dataclass
class PublishedTable:
    name: str
    frame: pl.DataFrame
    document: dict = field(default_factory=dict)

    @property
    def description(self) -> str:
        return self.document.get("description", "")

    def column_description(self, column: str) -> str:
        return self.document.get("columns", {}).get(column, "")

    @property
    def deliveries(self) -> list[str]:
        return list(self.document.get("deliveries", []))

    def is_suppressed(self, row: int, column: str) -> bool:
        """Whether disclosure control hid this cell (from the file's metadata, else from the row's flag)."""
        disclosure = self.document.get("disclosure") or {}
        cells = disclosure.get("suppressed_cells")
        if cells is not None:
            return row in cells.get(column, ())
        if SUPPRESSED not in self.frame.columns or not self.frame[SUPPRESSED][row]:
            return False
        guarded = (
            set(disclosure.get("counts", ()))
            | set(disclosure.get("derived", {}))
            | set(disclosure.get("derived_from_previous", {}))
        )
        return self.frame[column][row] is None and (column in guarded or not guarded)

    @property
    def not_yet_delivered(self) -> list[str]:
        """The files the table is built from that have no delivery yet (then it holds no row)."""
        return list(self.document.get("not_yet_delivered") or [])

    @property
    def threshold(self) -> int | None:
        return (self.document.get("disclosure") or {}).get("threshold")


def load_published(published_dir: Path) -> dict[str, PublishedTable]:
    """Every statistics table in ``published/`` (not the revision log), with its metadata."""
    tables = {}
    for path in sorted(published_dir.glob("*.parquet")):
        name = path.stem
        if name == REVISIONS_NAME:
            continue
        table = atomic.read_table(path)
        document = json.loads((table.schema.metadata or {}).get(atomic.METADATA_KEY, b"{}"))
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        tables[name] = PublishedTable(name, frame, document)
    return tables


def load_revisions(published_dir: Path) -> pl.DataFrame | None:
    path = log_path(published_dir)
    return atomic.read_frame(path) if path.exists() else None


def reference_years(tables: Mapping[str, PublishedTable]) -> tuple[int, int] | None:
    """The first and last year of ``petitions_evictions_by_year`` (the last is the reference year)."""
    by_year = tables.get("petitions_evictions_by_year")
    if by_year is None or by_year.frame.is_empty():
        return None
    years = [y for y in by_year.frame["year"].to_list() if y is not None]
    return (min(years), max(years)) if years else None


# -- status and cut-off -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseStatus:
    status: str  # "final" or "provisional"
    cut_off: dt.date | None
    reference_year: int | None
    latest_by_source: dict[str, dt.date | None]
    reason: str  # in English, for the run's metadata and the evidence site
    # The same reason for the page to word in its language: "no_years", "missing", "behind" or "complete".
    reason_code: str = ""
    missing: tuple[str, ...] = ()
    behind: tuple[str, ...] = ()


def latest_deliveries(deliveries: Iterable[str], sources: Sequence[str]) -> dict[str, dt.date | None]:
    """Each source's latest delivery date, from ``source/YYYY-MM-DD`` entries."""
    latest: dict[str, dt.date | None] = {source: None for source in sources}
    for entry in deliveries:
        source, _, date_text = entry.partition("/")
        try:
            date = dt.date.fromisoformat(date_text)
        except ValueError:
            continue
        if source in latest and (latest[source] is None or date > latest[source]):  # type: ignore[operator]
            latest[source] = date
    return latest


def release_status(deliveries: Iterable[str], reference_year: int | None, sources: Sequence[str]) -> ReleaseStatus:
    latest = latest_deliveries(deliveries, sources)
    known = [d for d in latest.values() if d is not None]
    cut_off = min(known) if len(known) == len(latest) and known else None
    missing = tuple(s for s, d in latest.items() if d is None)
    if reference_year is None:
        return ReleaseStatus("provisional", cut_off, None, latest, "there are no yearly figures yet", "no_years")
    year_end = dt.date(reference_year, 12, 31)
    if missing:
        return ReleaseStatus(
            "provisional", cut_off, reference_year, latest,
            f"no data has been delivered yet by {', '.join(missing)}", "missing", missing=missing,
        )  # fmt: skip
    behind = tuple(s for s, d in latest.items() if d is not None and d < year_end)
    if behind:
        return ReleaseStatus(
            "provisional",
            cut_off,
            reference_year,
            latest,
            f"not every source has delivered data up to the end of {reference_year} yet ("
            + ", ".join(f"{s} up to {latest[s].isoformat()}" for s in behind)  # type: ignore[union-attr]
            + ")",
            "behind",
            behind=behind,
        )
    return ReleaseStatus(
        "final", cut_off, reference_year, latest, f"every source has delivered data up to the end of {reference_year}",
        "complete",
    )  # fmt: skip


# -- formatting -------------------------------------------------------------------------------
# Through orchestration.lib.locale_format (Babel): 1 234,5 and 26,4 % in nb, 1,234.5 and 26.4% in en.


def format_number(value: float | Decimal, language: str, decimals: int = 0, *, signed: bool = False) -> str:
    """A count, amount or share in the language's digits, grouping and minus (a change ``signed``)."""
    return locale_format.number(value, language, decimals, signed=signed)


def format_percent(value: float, language: str, *, signed: bool = False, unit: bool = False, decimals: int = 1) -> str:
    """A 0–100 percentage: with its unit (``26,4 %``) in running text and charts, without it in a
    table column already headed "%"."""
    if unit:
        return locale_format.percent(value, language, decimals, signed=signed)
    return locale_format.number(value, language, decimals, signed=signed)


def format_date(value: dt.date, language: str) -> str:
    return locale_format.long_date(value, language)


class Labels:
    """Display labels in the page's language: a code list's values from the seed ``code_lists``
    (``label_nb``, ``label_en``: the one home of the codes), the page's other words (sources, sex,
    age and claim bands, column headings, table titles) from the messages."""

    def __init__(self, words: Words) -> None:
        self.words = words
        self.language = words.language
        display = f"label_{words.language}"
        self._codes = {(row["code_list"], row["label"]): row[display] for row in code_lists().iter_rows(named=True)}

    def value(self, column: str, value: object) -> str:
        if value is None:
            return ""
        text = str(value)
        code_list = CODE_LIST_OF_COLUMN.get(column)
        if code_list and (code_list, text) in self._codes:
            return str(self._codes[(code_list, text)])
        key = f"value.{column}.{text}"
        if self.words.has(key):
            return self.words.text(key)
        if column == "measure" and self.words.has(f"column.{text}"):  # a measure that is a published column
            return self.words.text(f"column.{text}")
        if column == "status" and self.words.has(
            f"comparison.status.{text}"
        ):  # report_comparison's, in the revision log
            return self.words.text(f"comparison.status.{text}")
        return (self.claim_band(text) if column == "claim_band" else None) or text

    def claim_band(self, band: str) -> str | None:
        """A claim band (``under 5000``, ``5000-9999``, ``30000+``: dbt's codes, also the column names of
        ``co_op_arrears_by_stage``) in words, its amounts in the language's digits; None if it is none."""
        if band.startswith("under "):
            key, amounts = "claim_band.under", {"low": band.removeprefix("under ")}
        elif band.endswith("+"):
            key, amounts = "claim_band.over", {"low": band.removesuffix("+")}
        else:
            low, _, high = band.partition("-")
            key, amounts = "claim_band.between", {"low": low, "high": high}
        if not all(a.isdigit() for a in amounts.values()):
            return None
        return self.words.text(key, **{k: format_number(int(a), self.language) for k, a in amounts.items()})

    def column(self, column: str) -> str:
        key = f"column.{column}"
        if self.words.has(key):
            return self.words.text(key)
        return self.claim_band(column) or column.replace("_", " ").capitalize()

    def table(self, name: str) -> str:
        key = f"table.{name}"
        return self.words.text(key) if self.words.has(key) else name.replace("_", " ").capitalize()


def format_cell(column: str, value: object, labels: Labels) -> tuple[str, bool]:
    """(text, numeric) of a value for a table cell; a null is the not-applicable mark."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NOT_APPLICABLE_MARK, True
    if isinstance(value, bool):
        return labels.words.text("yes" if value else "no"), False
    language = labels.language
    if isinstance(value, Decimal) or column.endswith("_nok"):
        return locale_format.amount(value, language), True  # type: ignore[arg-type]
    if isinstance(value, int):
        if column in PLAIN_INTEGER_COLUMNS:
            return str(value), True
        return format_number(value, language, 0, signed=column.endswith("_change")), True
    if isinstance(value, float):
        if column.endswith("_pct"):
            return format_percent(value, language, signed="change" in column or column == "target_pct"), True
        return format_number(value, language, 1), True
    return labels.value(column, value), False


def revision_value(column: str, text: str | None, labels: Labels) -> str:
    """A value of the revision log (stored as text) formatted as its table shows it."""
    if text is None:
        return SUPPRESSED_MARK
    if text in ("true", "false"):
        return labels.words.text("yes" if text == "true" else "no")
    try:
        if column.endswith("_nok"):
            return locale_format.amount(Decimal(text), labels.language)
        number = float(text)
    except ValueError:
        return labels.value(column, text)
    if number.is_integer() and "." not in text:
        return format_cell(column, int(number), labels)[0]
    return format_cell(column, number, labels)[0]


def as_float(value: object) -> float | None:
    if value is None:
        return None
    return float(value)  # type: ignore[arg-type]
