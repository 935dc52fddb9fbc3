"""The release page: its layout (which table and chart goes where, written once), the values the
templates show, and the atomic write.

``templates/release.html.j2`` is the page, ``release_parts.html.j2`` its tables and figures and
``release_charts.svg.j2`` the SVG; they are rendered with autoescape, so every value from a table
or its metadata is escaped there, and only the message catalogues' own markup is trusted.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from orchestration.lib import atomic, html_templates, locale_format, paths

from . import charts
from .data import (
    NBSP,
    NOT_APPLICABLE_MARK,
    SUPPRESSED,
    SUPPRESSED_MARK,
    Labels,
    PublishedTable,
    ReleaseStatus,
    Words,
    format_cell,
    format_date,
    format_number,
    format_percent,
    load_published,
    load_revisions,
    reference_years,
    release_status,
    report_figure_descriptions,
    revision_value,
    table_description,
)

RELEASE_FILE = "index.html"
# Each language's page under published/release/: bokmål is the default page, English beside it in en/.
PAGES = {"nb": Path(RELEASE_FILE), "en": Path("en") / RELEASE_FILE}
MAX_REVISIONS_SHOWN = 200


# -- the layout -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """A run of the page inside a section, under an optional ``<h3>`` (a message key, and an anchor).

    Items, in order: ``table:<name>``, ``diagram:<n>``, ``figure:<key>``, ``text:<message>`` (a
    paragraph), ``note:<message>`` (a small note) and ``html:<message>`` (a message that is markup)."""

    items: tuple[str, ...]
    heading: str | None = None
    anchor: str | None = None


@dataclass(frozen=True)
class Section:
    anchor: str
    number: int
    parts: tuple[Part, ...]


SECTIONS = (
    Section("petitions", 1, (
        Part(("text:petitions.intro", "table:petitions_evictions_by_year", "diagram:1")),
        Part(("text:petitions.targets_intro", "table:national_targets"), heading="petitions.targets"),
    )),
    Section("project", 2, (
        Part(("text:project.intro",)),
        Part(("diagram:2", "table:cases_by_district"), "project.districts", "districts"),
        Part(("diagram:3", "table:cases_by_household_type"), "project.households", "households"),
        Part(("diagram:4", "table:cases_by_sex_and_age_band", "diagram:5", "table:cases_by_sex"), "project.sex_age", "sex-age"),
        Part(("diagram:6", "diagram:7", "table:cases_by_income_source"), "project.income", "income"),
        Part(("diagram:8", "table:case_outcomes_summary"), "project.outcomes", "outcomes"),
        Part(("diagram:9", "table:cases_by_solution"), "project.solutions", "solutions"),
        Part(("diagram:10", "table:cases_by_action"), "project.actions", "actions"),
        Part(("diagram:11", "diagram:12", "table:cases_by_claim_band"), "project.claims", "claims"),
        Part(("diagram:13", "diagram:14", "diagram:15", "table:cases_by_social_service_involvement"),
             "project.social_service", "social-service"),
        Part(("diagram:16", "diagram:17", "note:project.district_shares_note"), "project.district_shares", "district-shares"),
    )),
    Section("accounts", 3, (Part(("text:accounts.intro", "table:project_accounts_summary")),)),
    Section("forced-sales", 4, (
        Part(("text:forced_sales.intro",)),
        Part(("table:forced_sales_by_year", "figure:F1"), "forced_sales.by_year", "forced-sales-by-year"),
        Part(("table:forced_sale_notice_coverage", "figure:F2"), "forced_sales.notices", "forced-sale-notices"),
        Part(("table:co_op_arrears_by_stage", "figure:F3"), "forced_sales.co_op_arrears", "co-op-arrears"),
        Part(("html:forced_sales.definitions",), "definitions"),
    )),
    Section("comparison", 5, (Part(("comparison:report_comparison",)),)),
)  # fmt: skip
REVISIONS_SECTION = Section("revisions", 6, ())
FILES_SECTION = Section("files", 7, ())

# The tables in the order the page presents them (from the layout); any other published table follows.
TABLE_ORDER = tuple(
    item.partition(":")[2]
    for section in SECTIONS
    for part in section.parts
    for item in part.items
    if item.startswith(("table:", "comparison:"))
)


# -- what the templates show ------------------------------------------------------------------


def table_view(table: PublishedTable, labels: Labels) -> dict:
    """A published table's caption, header and cells, formatted, and the notes its symbols need."""
    words = labels.words
    view: dict = {"name": table.name, "title": labels.table(table.name), "not_yet_delivered": table.not_yet_delivered}
    if table.not_yet_delivered:
        return view
    frame = table.frame
    shown = [c for c in frame.columns if c != SUPPRESSED]
    numeric_column = {c: frame.schema[c].is_numeric() or c.endswith("_nok") for c in shown}
    view["header"] = [
        {
            "column": c,
            "label": labels.column(c),
            "numeric": numeric_column[c],
            # The columns' descriptions are the Parquet metadata's, in English: a tooltip on the English page only.
            "description": table.column_description(c) if labels.language == "en" else None,
        }
        for c in shown
    ]
    rows, any_suppressed = [], False
    for row in range(frame.height):
        cells = []
        for position, column in enumerate(shown):
            value = frame[column][row]
            if value is None and table.is_suppressed(row, column):
                text, css = SUPPRESSED_MARK, "num suppressed"
                any_suppressed = True
            else:
                text, numeric = format_cell(column, value, labels)
                css = "num" if numeric and numeric_column[column] else "text"
            cells.append({"text": text, "css": css, "row_header": position == 0 and not numeric_column[column]})
        rows.append(cells)
    view["rows"] = rows
    notes = []
    if any_suppressed:
        threshold = table.threshold
        rule = words.text("table.rule_threshold", threshold=threshold) if threshold else words.text("table.rule_small")
        notes.append(words.text("table.suppressed_note", mark=SUPPRESSED_MARK, rule=rule))
    if any(v is None for c in shown for i, v in enumerate(frame[c].to_list()) if not table.is_suppressed(i, c)):
        notes.append(words.text("table.not_applicable_note", mark=NOT_APPLICABLE_MARK))
    view["notes"] = notes
    view["description"], view["description_lang"] = table_description(table, words)
    return view


COMPARISON_STATUSES = ("agrees", "report_arithmetic", "differs", "not_computed")
# Where the report prints a figure (the seed's ``figure``: "Table 1", "Diagram 16", "Chapter 2.1", "Chapter 2 text"),
# worded by the message comparison.where.<kind>.
FIGURE_REFERENCE = re.compile(r"(?P<kind>Table|Diagram|Chapter) (?P<number>\S+?)(?P<text> text)?")
# The published column of petitions_evictions_by_year a change the report computed its own way is a change of.
REPORT_METHOD_COLUMN = {
    "petitions_change_pct": "petitions",
    "evictions_change_pct": "evictions",
    "eviction_share_change_pct": "eviction_share_pct",
}


def figure_reference(figure: str, words: Words) -> tuple[str, str | None]:
    """Where the report prints a figure, in the page's language (``Tabell 1``); unknown forms stay English."""
    match = FIGURE_REFERENCE.fullmatch(figure or "")
    if match is None:
        return figure or "", None if words.language == "en" else "en"
    kind = match["kind"].lower() + ("_text" if match["text"] else "")
    return words.text(f"comparison.where.{kind}", number=match["number"]), None


def _comparison_figure(value: float, measure: str, decimals: int, words: Words, *, signed: bool) -> str:
    """A figure of the comparison's explanation: a percentage with its unit, an amount in kroner, a count."""
    language = words.language
    if measure.endswith("_pct"):
        return format_percent(value, language, signed=signed, unit=True, decimals=decimals)
    text = format_number(value, language, decimals, signed=signed)
    return words.text("comparison.amount", amount=text) if measure.endswith("_nok") else text


def _previous_and_this(tables: dict[str, PublishedTable], column: str, source: str, year: int) -> tuple | None:
    """A series' values in the earlier and the later year from published petitions_evictions_by_year (the
    figures the comparison's report arithmetic is computed from; published report_comparison does not carry
    them), or None if either is not published."""
    by_year = tables.get("petitions_evictions_by_year")
    if by_year is None or column not in by_year.frame.columns:
        return None
    values = {
        row["year"]: row[column]
        for row in by_year.frame.filter(pl.col("source") == source).iter_rows(named=True)
        if row["year"] in (year - 1, year)
    }
    earlier, later = values.get(year - 1), values.get(year)
    return None if earlier is None or later is None else (earlier, later)


def comparison_explanation(row: dict, tables: dict[str, PublishedTable], words: Words) -> tuple[str, str | None] | None:
    """Why a figure agrees or differs, in the page's language: one message per case, filled from the row's
    columns (status, printed and warehouse value, difference, report_method), with the same cases as the
    English ``explanation`` report_comparison.sql writes. None when the row's verdict is suppressed; the
    Parquet's English explanation (marked ``en``) when a figure the message needs is not published."""
    status, measure = row.get("status"), row.get("measure") or ""
    warehouse, printed_as = row.get("warehouse_value"), row.get("printed_as") or ""
    if status is None:
        return None
    if status == "not_computed" or warehouse is None:
        return words.text("comparison.explanation.not_computed"), None
    percentage = measure.endswith("_pct")
    decimals = max(row.get("decimals") or 0, 1) if percentage else (row.get("decimals") or 0)
    signed = "change" in measure
    value = _comparison_figure(warehouse, measure, decimals, words, signed=signed)
    more_than = row.get("printed_relation") == "more_than"
    if status == "agrees":
        if more_than:
            case = "agrees_more_than"
        elif abs(warehouse - (row.get("printed_value") or 0)) < 1e-9:
            case = "agrees_same"
        else:
            case = "agrees_rounded"
        return words.text(f"comparison.explanation.{case}", value=value, printed=printed_as), None
    if status == "differs":
        if more_than:
            return words.text("comparison.explanation.differs_more_than", value=value, printed=printed_as), None
        difference = row.get("difference")
        if difference is None:
            return None
        points = f"{NBSP}{words.text('comparison.points')}" if percentage else ""
        difference_text = (
            format_number(difference, words.language, decimals, signed=True) + points
            if percentage or not measure.endswith("_nok")
            else words.text("comparison.amount", amount=format_number(difference, words.language, 2, signed=True))
        )
        return words.text(
            "comparison.explanation.differs", value=value, printed=printed_as, difference=difference_text
        ), None
    method, report_value = row.get("report_method"), row.get("report_method_value")
    column, year = REPORT_METHOD_COLUMN.get(measure), row.get("year")
    pair = _previous_and_this(tables, column, row.get("source") or "", year) if column and year else None
    english = row.get("explanation") or ""
    if status != "report_arithmetic" or pair is None or report_value is None:
        return (english, None if words.language == "en" else "en") if english else None
    earlier, later = pair
    language = words.language
    if method == "change_over_later_year":
        return words.text(
            "comparison.explanation.change_over_later_year",
            change=format_number(later - earlier, language, 0, signed=True),
            later=format_number(later, language, 0),
            earlier=format_number(earlier, language, 0),
            report_value=format_percent(report_value, language, signed=True, unit=True),
            printed=printed_as,
            value=value,
        ), None
    if method == "difference_of_rounded_shares":
        return words.text(
            "comparison.explanation.difference_of_rounded_shares",
            earlier_rounded=format_percent(earlier, language, unit=True, decimals=0),
            later_rounded=format_percent(later, language, unit=True, decimals=0),
            points=format_number(abs(report_value), language, 0),
            percent=format_percent(abs(report_value), language, unit=True, decimals=0),
            printed=printed_as,
            earlier=format_percent(earlier, language, unit=True),
            later=format_percent(later, language, unit=True),
            change=format_number(later - earlier, language, 1, signed=True),
            value=value,
        ), None
    return (english, None if language == "en" else "en") if english else None


def comparison_view(table: PublishedTable, labels: Labels, tables: dict[str, PublishedTable] | None = None) -> dict:
    words, language = labels.words, labels.language
    frame = table.frame
    descriptions = report_figure_descriptions() if language == "nb" else {}
    rows = []
    for i in range(frame.height):
        row = {c: frame[c][i] for c in frame.columns}
        measure = row.get("measure") or ""
        decimals = 1 if measure.endswith("_pct") else (2 if measure.endswith("_nok") else 0)
        signed = "change" in measure

        percentage = measure.endswith("_pct")
        warehouse, difference = row.get("warehouse_value"), row.get("difference")
        if warehouse is None:
            warehouse_text = SUPPRESSED_MARK if table.is_suppressed(i, "warehouse_value") else NOT_APPLICABLE_MARK
        elif percentage:
            warehouse_text = format_percent(warehouse, language, signed=signed, unit=True)
        else:
            warehouse_text = format_number(warehouse, language, decimals, signed=signed)
        if difference is None:
            difference_text = SUPPRESSED_MARK if table.is_suppressed(i, "difference") else NOT_APPLICABLE_MARK
        else:
            # The difference of two percentages is in percentage points.
            points = f"{NBSP}{words.text('comparison.points')}" if percentage else ""
            difference_text = format_number(difference, language, decimals, signed=True) + points

        status = row.get("status")
        if status in COMPARISON_STATUSES:
            status_text = words.text(f"comparison.status.{status}")
        else:
            status_text = SUPPRESSED_MARK if status is None else str(status)
        figure, figure_lang = figure_reference(row.get("figure") or "", words)
        description, description_lang = row.get("description") or "", None
        if language != "en":
            key = (measure, row.get("source"), row.get("year"), row.get("category"))
            description, description_lang = (descriptions[key], None) if key in descriptions else (description, "en")
        explanation, explanation_lang = comparison_explanation(row, tables or {}, words) or (SUPPRESSED_MARK, None)
        rows.append({
            "figure": figure,
            "figure_lang": figure_lang,
            "description": description,
            "description_lang": description_lang,
            "printed_as": row.get("printed_as", ""),
            "warehouse": warehouse_text,
            "difference": difference_text,
            "status": status or "suppressed",
            "status_text": status_text,
            "explanation": explanation,
            "explanation_lang": explanation_lang,
        })  # fmt: skip
    differing = frame.filter(pl.col("status") != "agrees").height if "status" in frame.columns else 0
    description, description_lang = table_description(table, words)
    return {"rows": rows, "count": frame.height, "differing": differing, "title": labels.table(table.name),
            "description": description, "description_lang": description_lang}  # fmt: skip


def revisions_view(log: pl.DataFrame | None, labels: Labels) -> dict:
    words = labels.words
    if log is None or log.is_empty():
        return {"rows": [], "count": 0, "more": 0}
    ordered = log.sort("revised_at", descending=True, maintain_order=True)
    shown = ordered.head(MAX_REVISIONS_SHOWN)
    rows = []
    for row in shown.iter_rows(named=True):
        try:
            key = json.loads(row["row_key"] or "{}")
        except ValueError:
            key = {}
        where = ", ".join(f"{labels.column(k).lower()} {labels.value(k, v)}" for k, v in key.items() if v is not None)
        revised = row["revised_at"]
        date = row.get("revision_date") or (revised.date() if revised else None)
        rows.append({
            "date": locale_format.short_date(date, labels.language),
            "table": row["table"],
            "where": where or words.text("revisions.whole_table"),
            "column": labels.column(row["column"]),
            "old": revision_value(row["column"], row["old_value"], labels),
            "new": revision_value(row["column"], row["new_value"], labels),
            "run_id": row["run_id"] or "",
        })  # fmt: skip
    return {"rows": rows, "count": ordered.height, "more": ordered.height - shown.height}


def key_facts(tables: dict[str, PublishedTable], words: Words) -> list[tuple[str, str]]:
    """The headline figures: the last year's petitions and evictions per source, the project's households."""
    language = words.language
    facts = []
    by_year = tables.get("petitions_evictions_by_year")
    if by_year is not None and by_year.frame.height:
        frame = by_year.frame
        last = max(frame["year"].to_list())
        for i in range(frame.height):
            if frame["year"][i] != last:
                continue
            source = "collector" if frame["source"][i] == "collector" else "bailiff"
            petitions = frame["petitions"][i]
            change = frame["petitions_change_pct"][i]
            change_text = (
                words.text("facts.change", change=format_percent(change, language, signed=True, unit=True), year=last - 1)
                if change is not None else ""
            )  # fmt: skip
            facts.append((format_number(petitions, language) if petitions is not None else SUPPRESSED_MARK,
                          words.text(f"facts.petitions.{source}", year=last, change=change_text)))  # fmt: skip
            evictions = frame["evictions"][i]
            share = frame["eviction_share_pct"][i]
            share_text = (
                words.text("facts.share", share=format_percent(share, language, unit=True)) if share is not None else ""
            )
            facts.append((format_number(evictions, language) if evictions is not None else SUPPRESSED_MARK,
                          words.text(f"facts.evictions.{source}", year=last, share=share_text)))  # fmt: skip
    outcomes = tables.get("case_outcomes_summary")
    if outcomes is not None and outcomes.frame.height:
        frame = outcomes.frame
        total = sum(v for v in frame["cases"].to_list() if v is not None)
        facts.append((format_number(total, language), words.text("facts.households")))
        for i in range(frame.height):
            if frame["outcome"][i] == "evicted":
                value = frame["cases"][i]
                facts.append(
                    (
                        format_number(value, language) if value is not None else SUPPRESSED_MARK,
                        words.text("facts.evicted"),
                    )
                )
    return facts


def status_reason(status: ReleaseStatus, words: Words) -> str:
    """Why the release is final or provisional, in the page's language (``status.reason`` is English)."""
    if status.reason_code == "behind":
        behind = ", ".join(
            words.text(
                "status.reason.behind_source", source=s, date=format_date(status.latest_by_source[s], words.language)
            )  # type: ignore[arg-type]
            for s in status.behind
        )
        return words.text("status.reason.behind", year=status.reference_year, sources=behind)
    if status.reason_code == "missing":
        return words.text("status.reason.missing", sources=", ".join(status.missing))
    if status.reason_code == "complete":
        return words.text("status.reason.complete", year=status.reference_year)
    return words.text("status.reason.no_years")


# -- rendering --------------------------------------------------------------------------------


def _published_at(moment: dt.datetime, language: str) -> str:
    """``1. februar 2008, 07:00`` (nb), ``1 February 2008, 07:00`` (en): the date as the page's dates."""
    return f"{locale_format.long_date(moment.date(), language)}, {moment:%H:%M}"


def _in_oslo(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(ZoneInfo("Europe/Oslo"))


def render_release(
    tables: dict[str, PublishedTable],
    revisions_log: pl.DataFrame | None,
    status: ReleaseStatus,
    *,
    generated_at: dt.datetime,
    run_id: str | None = None,
    threshold: int | None = None,
    language: str = "nb",
) -> str:
    """The page in one language (``nb`` or ``en``), linking to its counterpart in the other."""
    words = Words(language)
    labels = Labels(words)
    years = reference_years(tables)
    period = f"{years[0]}–{years[1]}" if years and years[0] != years[1] else (str(years[0]) if years else "")
    ordered = [n for n in TABLE_ORDER if n in tables] + sorted(n for n in tables if n not in TABLE_ORDER)
    views = {n: table_view(t, labels) for n, t in tables.items()}
    figures = {}
    for section in SECTIONS:
        for part in section.parts:
            for item in part.items:
                kind, _, key = item.partition(":")
                if kind == "diagram":
                    figures[item] = charts.diagram(int(key), tables, labels)
                elif kind == "figure":
                    figures[item] = charts.grouped_figure(key, tables, labels)
    comparison = comparison_view(tables["report_comparison"], labels, tables) if "report_comparison" in tables else None
    other = next(lang for lang in PAGES if lang != language)
    return (
        html_templates.environment(keep_trailing_newline=True)
        .get_template("release.html.j2")
        .render(
            t=words,
            language=language,
            other_language={
                "code": other,
                "name": Words(other).text("language.name"),
                "href": os.path.relpath(PAGES[other], PAGES[language].parent),
            },
            period=period,
            status=status,
            reason=status_reason(status, words),
            cut_off=format_date(status.cut_off, language) if status.cut_off else None,
            published_at=_published_at(_in_oslo(generated_at), language),
            short_date=lambda value: locale_format.short_date(value, language),
            run_id=run_id,
            threshold=threshold or next((t.threshold for t in tables.values() if t.threshold), None) or 4,
            sections=SECTIONS,
            revisions_section=REVISIONS_SECTION,
            files_section=FILES_SECTION,
            tables=views,
            figures=figures,
            comparison=comparison,
            others=[n for n in ordered if n not in TABLE_ORDER],
            files=[(n, *table_description(tables[n], words)) for n in ordered],
            facts=key_facts(tables, words),
            revisions=revisions_view(revisions_log, labels),
            suppressed_mark=SUPPRESSED_MARK,
            not_applicable_mark=NOT_APPLICABLE_MARK,
        )
    )


@dataclass(frozen=True)
class Release:
    path: Path  # the default (bokmål) page
    pages: dict[str, Path]  # every language's page
    status: ReleaseStatus
    tables: tuple[str, ...]
    diagrams: int
    revisions: int


def release_path(published_dir: Path, language: str = "nb") -> Path:
    return paths.release_dir(published_dir) / PAGES[language]


def write_release(
    published_dir: Path,
    *,
    sources: Sequence[str] | None = None,
    run_id: str | None = None,
    generated_at: dt.datetime | None = None,
    threshold: int | None = None,
) -> Release:
    """Build the pages (bokmål and English) from the Parquet files in ``published_dir`` and write each atomically."""
    if sources is None:
        from orchestration.lib.contract import EVICTION_SOURCES

        sources = EVICTION_SOURCES
    tables = load_published(published_dir)
    log = load_revisions(published_dir)
    deliveries = sorted({d for t in tables.values() for d in t.deliveries})
    years = reference_years(tables)
    status = release_status(deliveries, years[1] if years else None, sources)
    generated_at = generated_at or dt.datetime.now(dt.UTC)
    pages = {}
    for language in PAGES:
        page = render_release(
            tables, log, status, generated_at=generated_at, run_id=run_id, threshold=threshold, language=language
        )
        pages[language] = atomic.write_text_atomic(page, release_path(published_dir, language))
    return Release(pages["nb"], pages, status, tuple(tables), len(charts.DIAGRAMS), 0 if log is None else log.height)
