"""The statistics release: one self-contained HTML page built from ``published/``.

``write_release(published_dir)`` reads the disclosure-controlled Parquet tables that
the publishing step has just written (never ``curated/`` or the database), and writes
``published/release/index.html`` atomically: a title and introduction, the data's
cut-off date and status, definitions, every published table as an HTML table
(suppressed cells shown as "–"), an SVG bar chart for each of Diagrams 1–17 of the
2008 report, the comparison with the report and the revision log. The page has inline
CSS and inline SVG only: no script, no font, no image or style sheet from elsewhere.

Status and cut-off (README, "The statistics release"):

- the *cut-off date* is the earliest of the sources' latest delivery dates, read from
  the deliveries the published tables were built from: every source has delivered
  data up to that date;
- the release is *final* when every source of the contract has delivered data up to
  31 December of the last year in ``petitions_evictions_by_year`` (the reference
  year), and *provisional* otherwise (a source is missing, or the last year is not
  complete in every source).

No Dagster here; ``orchestration/defs/publish/release.py`` is the asset.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from orchestration.lib import atomic

RELEASE_DIR = "release"
RELEASE_FILE = "index.html"
REVISIONS_NAME = "revisions"
SUPPRESSED = "suppressed"
SUPPRESSED_MARK = "–"  # en dash: a suppressed cell
NOT_APPLICABLE_MARK = "."  # a value that does not exist (a first year's change, a share without cases)
NBSP = "\u00a0"
MINUS = "\u2212"
MAX_REVISIONS_SHOWN = 200

SOURCE_SYSTEMS = {
    "boei": "Housing register (BOEI)",
    "kemner": "Collector (Kemneren)",
    "namsfogd": "Bailiff (Namsfogden)",
    "prosjekt": "The project's case register",
    "regnskap": "Municipal accounts (the project's ledger)",
}

# The tables in the order the page presents them; any other published table follows.
TABLE_ORDER = (
    "petitions_evictions_by_year",
    "national_targets",
    "cases_by_district",
    "cases_by_household_type",
    "cases_by_sex_and_age_band",
    "cases_by_sex",
    "cases_by_income_source",
    "case_outcomes_summary",
    "cases_by_solution",
    "cases_by_action",
    "cases_by_claim_band",
    "cases_by_social_service_involvement",
    "project_accounts_summary",
    "report_comparison",
)

TABLE_TITLES = {
    "petitions_evictions_by_year": "Petitions for eviction and evictions, by year and source (Tables 1 and 2)",
    "national_targets": "The national targets of «På vei til egen bolig»",
    "cases_by_district": "Project cases by district social service",
    "cases_by_household_type": "Project cases by household type",
    "cases_by_sex_and_age_band": "Project cases by sex and age band",
    "cases_by_sex": "Project cases by sex",
    "cases_by_income_source": "Project cases by main income source, all and resolved",
    "case_outcomes_summary": "Project cases by outcome",
    "cases_by_solution": "Project cases by solution",
    "cases_by_action": "What the project did: cases per action",
    "cases_by_claim_band": "Project cases by claim size",
    "cases_by_social_service_involvement": "Project cases by the social service's involvement",
    "project_accounts_summary": "The project's accounts",
    "report_comparison": "The warehouse's figures beside the 2008 report's",
    "forced_sales_by_year": "Petitions for forced sale and forced sales, by year and petitioner (the follow-up project's Table 1)",
    "forced_sale_notice_coverage": "Petitions for forced sale the social service was notified of first, by year and petitioner",
    "co_op_arrears_by_stage": "The housing associations' arrears cases by stage, latest delivery",
}

COLUMN_LABELS = {
    "year": "Year",
    "source": "Source",
    "petitions": "Petitions",
    "evictions": "Evictions",
    "petitions_change": "Change in petitions",
    "petitions_change_pct": "Change in petitions, %",
    "evictions_change": "Change in evictions",
    "evictions_change_pct": "Change in evictions, %",
    "eviction_share_pct": "Eviction share, %",
    "measure": "Measure",
    "baseline_year": "Baseline year",
    "baseline": "Baseline",
    "target_year": "Target year",
    "actual": "Target year's figure",
    "change_pct": "Change, %",
    "target_pct": "Target, %",
    "met": "Target met",
    "district": "District",
    "cases": "Cases",
    "share_pct": "Share, %",
    "social_service_paid": "Arrears paid by the social service",
    "social_service_paid_pct": "Paid by the social service, %",
    "household_type": "Household",
    "sex": "Sex",
    "age_band": "Age band",
    "income_source": "Main income source",
    "resolved_cases": "Resolved cases",
    "resolved_share_pct": "Share of resolved cases, %",
    "resolved_pct": "Resolved, %",
    "outcome": "Outcome",
    "solution": "Solution",
    "action": "Action",
    "share_of_cases_pct": "Share of all cases, %",
    "claim_band": "Claim, NOK",
    "known_to_social_service": "Known to the social service",
    "total_income_nok": "Income, NOK",
    "total_expenses_nok": "Expenses, NOK",
    "balance_nok": "Balance, NOK",
    "petitioner_type": "Petitioner",
    "forced_sales": "Forced sales",
    "lapsed_or_withdrawn": "Lapsed or withdrawn",
    "forced_sales_change": "Change in forced sales",
    "forced_sales_change_pct": "Change in forced sales, %",
    "forced_sale_share_pct": "Forced-sale share, %",
    "notified_before": "Social service notified first",
    "notified_before_pct": "Notified first, %",
    "median_notice_days": "Median days' notice",
    "housing_association": "Housing association",
    "stage": "Stage",
    "with_children": "With children",
    "arrears_nok_total": "Arrears, NOK",
    "under 5000": f"Under 5{NBSP}000",
    "5000-9999": f"5{NBSP}000–9{NBSP}999",
    "10000-19999": f"10{NBSP}000–19{NBSP}999",
    "20000-29999": f"20{NBSP}000–29{NBSP}999",
    "30000+": f"30{NBSP}000 or more",
}

# Which code list labels a column's values (dbt_project/seeds/code_lists.csv, "description").
CODE_LIST_OF_COLUMN = {
    "income_source": "income_source",
    "outcome": "project_outcome",
    "solution": "solution",
    "action": "action",
    "known_to_social_service": "known_to_social_service",
    "stage": "co_op_stage",
}
VALUE_LABELS = {
    "source": {"collector": "Collector", "bailiff": "Bailiff (all landlords)"},
    "measure": {"petitions": "Petitions", "evictions": "Evictions"},
    "household_type": {"with_children": "With children", "without_children": "Without children"},
    "sex": {"F": "Women", "M": "Men"},
    "solution": {"not_recorded": "Not recorded"},
    "petitioner_type": {
        "cooperative": "Housing co-operatives",
        "municipality": "The municipality (housing loans)",
        "bank": "Banks and lenders",
        "other": "Other petitioners",
    },
    "claim_band": {
        "under 5000": f"Under 5{NBSP}000",
        "5000-9999": f"5{NBSP}000–9{NBSP}999",
        "10000-19999": f"10{NBSP}000–19{NBSP}999",
        "20000-29999": f"20{NBSP}000–29{NBSP}999",
        "30000+": f"30{NBSP}000 or more",
    },
    "age_band": {"under 30": "Under 30", "30-39": "30–39", "40-49": "40–49", "50-59": "50–59", "60-66": "60–66", "67+": "67 and over"},
}
PLAIN_INTEGER_COLUMNS = {"year", "baseline_year", "target_year"}


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
        guarded = set(disclosure.get("counts", ())) | set(disclosure.get("derived", {})) | set(
            disclosure.get("derived_from_previous", {})
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
        table = pq.read_table(path)
        document = json.loads((table.schema.metadata or {}).get(atomic.METADATA_KEY, b"{}"))
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        tables[name] = PublishedTable(name, frame, document)
    return tables


def load_revisions(published_dir: Path) -> pl.DataFrame | None:
    path = published_dir / f"{REVISIONS_NAME}.parquet"
    return pl.read_parquet(path) if path.exists() else None


# -- status and cut-off -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseStatus:
    status: str  # "final" or "provisional"
    cut_off: dt.date | None
    reference_year: int | None
    latest_by_source: dict[str, dt.date | None]
    reason: str


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
    missing = [s for s, d in latest.items() if d is None]
    if reference_year is None:
        return ReleaseStatus("provisional", cut_off, None, latest, "there are no yearly figures yet")
    year_end = dt.date(reference_year, 12, 31)
    if missing:
        return ReleaseStatus(
            "provisional", cut_off, reference_year, latest, f"no data has been delivered yet by {', '.join(missing)}"
        )
    behind = [s for s, d in latest.items() if d is not None and d < year_end]
    if behind:
        return ReleaseStatus(
            "provisional",
            cut_off,
            reference_year,
            latest,
            f"not every source has delivered data up to the end of {reference_year} yet ("
            + ", ".join(f"{s} up to {latest[s].isoformat()}" for s in behind)  # type: ignore[union-attr]
            + ")",
        )
    return ReleaseStatus(
        "final", cut_off, reference_year, latest, f"every source has delivered data up to the end of {reference_year}"
    )


# -- formatting -------------------------------------------------------------------------------


def _group(digits: str) -> str:
    head, _, tail = digits.partition(".")
    grouped = f"{int(head):,}".replace(",", NBSP)
    return grouped + ("." + tail if tail else "")


def format_number(value: float | int | Decimal, decimals: int = 0, *, signed: bool = False) -> str:
    """Thousands separated by a no-break space, a decimal point, a real minus sign."""
    number = float(value) if not isinstance(value, Decimal) else value
    text = f"{abs(number):.{decimals}f}"
    rounded_zero = float(text) == 0
    sign = "" if rounded_zero else (MINUS if number < 0 else ("+" if signed else ""))
    return sign + _group(text)


def format_percent(value: float, *, signed: bool = False, unit: bool = False) -> str:
    return format_number(value, 1, signed=signed) + (f"{NBSP}%" if unit else "")


def format_date(value: dt.date | None) -> str:
    if value is None:
        return "not delivered"
    return f"{value.day} {value.strftime('%B')} {value.year}"


class Labels:
    """Display labels for codes: the code lists' descriptions, and a few of the page's own."""

    def __init__(self) -> None:
        try:
            from orchestration.lib.reference import code_lists

            lists = code_lists()
            self._codes = {
                (row["code_list"], row["label"]): row["description"] for row in lists.iter_rows(named=True)
            }
        except Exception:  # the page still renders with the codes themselves
            self._codes = {}

    def value(self, column: str, value: object) -> str:
        if value is None:
            return ""
        text = str(value)
        if text in VALUE_LABELS.get(column, {}):
            return VALUE_LABELS[column][text]
        code_list = CODE_LIST_OF_COLUMN.get(column)
        if code_list and (code_list, text) in self._codes:
            return str(self._codes[(code_list, text)])
        return text


def column_label(column: str) -> str:
    return COLUMN_LABELS.get(column, column.replace("_", " ").capitalize())


def format_cell(column: str, value: object, labels: Labels) -> tuple[str, bool]:
    """(text, numeric) of a value for a table cell; a null is the not-applicable mark."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NOT_APPLICABLE_MARK, True
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, Decimal) or column.endswith("_nok"):
        return format_number(value, 2), True  # type: ignore[arg-type]
    if isinstance(value, int):
        if column in PLAIN_INTEGER_COLUMNS:
            return str(value), True
        return format_number(value, 0, signed=column.endswith("_change")), True
    if isinstance(value, float):
        if column.endswith("_pct"):
            return format_percent(value, signed="change" in column or column == "target_pct"), True
        return format_number(value, 1), True
    return labels.value(column, value), False


def e(text: object) -> str:
    return html.escape(str(text), quote=True)


# -- charts -----------------------------------------------------------------------------------

CHART_WIDTH = 760
SERIES_COLOURS = ("#1f5f8b", "#d55e00", "#6a8d2f")
LINE_COLOUR = "#b8432f"


@dataclass
class Bar:
    label: str
    values: list[float | None]
    suppressed: list[bool]


def _nice_step(maximum: float, ticks: int = 5) -> float:
    if maximum <= 0:
        return 1.0
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _axis_text(value: float, percent: bool) -> str:
    decimals = 0 if float(value).is_integer() else 1
    return format_number(value, decimals) + (f"{NBSP}%" if percent else "")


def bar_chart(bars: Sequence[Bar], *, percent: bool, series: Sequence[str] = (), title: str) -> str:
    """A horizontal bar chart in SVG (one bar per category and series)."""
    n_series = max(1, len(series))
    label_width = min(280, 14 + 7.4 * max((len(b.label) for b in bars), default=4))
    value_room = 86
    plot_left = label_width
    plot_width = CHART_WIDTH - label_width - value_room
    bar_height = 18 if n_series == 1 else 15
    group_gap = 10
    legend_height = 26 if n_series > 1 else 0
    top = 8 + legend_height
    group_height = n_series * bar_height + group_gap
    plot_height = len(bars) * group_height
    height = top + plot_height + 30
    shown = [v for b in bars for v in b.values if v is not None]
    maximum = max(shown, default=0.0)
    if percent:
        maximum = max(maximum, 1.0)
    step = _nice_step(maximum)
    axis_max = step * math.ceil(maximum / step) if maximum > 0 else step * 5
    scale = plot_width / axis_max
    parts = [
        f'<svg viewBox="0 0 {CHART_WIDTH} {height:.0f}" width="100%" role="img" aria-label="{e(title)}" '
        f'class="bar-chart" preserveAspectRatio="xMinYMin meet">',
        f"<title>{e(title)}</title>",
    ]
    if n_series > 1:
        x = plot_left
        for index, name in enumerate(series):
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            parts.append(f'<rect x="{x:.1f}" y="6" width="12" height="12" fill="{colour}"/>')
            parts.append(f'<text x="{x + 17:.1f}" y="16.5" class="legend">{e(name)}</text>')
            x += 40 + 7.6 * len(name)
    tick = 0.0
    while tick <= axis_max + 1e-9:
        x = plot_left + tick * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{top + plot_height:.1f}" class="grid"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_height + 18:.1f}" text-anchor="middle" class="tick">'
            f"{e(_axis_text(tick, percent))}</text>"
        )
        tick += step
    for row, bar in enumerate(bars):
        y0 = top + row * group_height
        middle = y0 + n_series * bar_height / 2
        parts.append(
            f'<text x="{plot_left - 8:.1f}" y="{middle + 4.5:.1f}" text-anchor="end" class="category">{e(bar.label)}</text>'
        )
        for index, value in enumerate(bar.values):
            y = y0 + index * bar_height
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            name = series[index] if series else ""
            if value is None:
                mark = SUPPRESSED_MARK if bar.suppressed[index] else NOT_APPLICABLE_MARK
                what = "suppressed" if bar.suppressed[index] else "not applicable"
                parts.append(
                    f'<text x="{plot_left + 6:.1f}" y="{y + bar_height - 4:.1f}" class="value muted">'
                    f"<title>{e(bar.label)} {e(name)}: {what}</title>{mark}</text>"
                )
                continue
            width = max(0.0, value * scale)
            text = format_percent(value, unit=True) if percent else format_number(value)
            parts.append(
                f'<rect x="{plot_left:.1f}" y="{y + 1:.1f}" width="{width:.1f}" height="{bar_height - 3}" fill="{colour}">'
                f"<title>{e(bar.label)} {e(name)}: {e(text)}</title></rect>"
            )
            parts.append(f'<text x="{plot_left + width + 5:.1f}" y="{y + bar_height - 4:.1f}" class="value">{e(text)}</text>')
    parts.append(
        f'<line x1="{plot_left:.1f}" y1="{top - 4}" x2="{plot_left:.1f}" y2="{top + plot_height:.1f}" class="axis"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def petitions_and_share_chart(
    years: Sequence[int], petitions: Sequence[int | None], shares: Sequence[float | None], *, title: str
) -> str:
    """Diagram 1: the collector's petitions (bars, left axis) and the eviction share (line, right axis)."""
    height, top, bottom, left, right = 330, 40, 40, 70, 70
    plot_width = CHART_WIDTH - left - right
    plot_height = height - top - bottom
    counts = [p for p in petitions if p is not None]
    count_step = _nice_step(max(counts, default=1))
    count_max = count_step * math.ceil(max(counts, default=1) / count_step) or count_step
    # The right axis shares the left axis's gridlines: as many intervals, each a round number of percent.
    intervals = max(1, round(count_max / count_step))
    share_values = [s for s in shares if s is not None]
    share_max = _nice_step(max(share_values, default=10.0) * 1.1, intervals) * intervals
    slot = plot_width / max(1, len(years))
    bar_width = min(90.0, slot * 0.5)
    parts = [
        f'<svg viewBox="0 0 {CHART_WIDTH} {height}" width="100%" role="img" aria-label="{e(title)}" class="combo-chart">',
        f"<title>{e(title)}</title>",
        f'<rect x="{left}" y="10" width="12" height="12" fill="{SERIES_COLOURS[0]}"/>',
        f'<text x="{left + 17}" y="20.5" class="legend">Petitions from the collector (left axis)</text>',
        f'<line x1="{left + 300}" y1="16" x2="{left + 324}" y2="16" stroke="{LINE_COLOUR}" stroke-width="2.5"/>',
        f'<circle cx="{left + 312}" cy="16" r="4" fill="{LINE_COLOUR}"/>',
        f'<text x="{left + 330}" y="20.5" class="legend">Eviction share, % (right axis)</text>',
    ]
    tick = 0.0
    while tick <= count_max + 1e-9:
        y = top + plot_height - tick / count_max * plot_height
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_width}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" class="tick">{e(_axis_text(tick, False))}</text>')
        share_tick = tick / count_max * share_max
        parts.append(
            f'<text x="{left + plot_width + 8}" y="{y + 4:.1f}" class="tick">{e(_axis_text(share_tick, True))}</text>'
        )
        tick += count_step
    points = []
    for index, year in enumerate(years):
        centre = left + slot * (index + 0.5)
        count = petitions[index]
        if count is None:
            parts.append(f'<text x="{centre:.1f}" y="{top + plot_height - 6}" text-anchor="middle" class="value muted">{SUPPRESSED_MARK}</text>')
        else:
            bar_height = count / count_max * plot_height
            y = top + plot_height - bar_height
            parts.append(
                f'<rect x="{centre - bar_width / 2:.1f}" y="{y:.1f}" width="{bar_width:.1f}" height="{bar_height:.1f}" '
                f'fill="{SERIES_COLOURS[0]}"><title>{year}: {e(format_number(count))} petitions</title></rect>'
            )
            parts.append(
                f'<text x="{centre:.1f}" y="{y + 16:.1f}" text-anchor="middle" class="value inverse">{e(format_number(count))}</text>'
            )
        parts.append(f'<text x="{centre:.1f}" y="{top + plot_height + 20}" text-anchor="middle" class="category">{year}</text>')
        share = shares[index]
        if share is not None:
            y = top + plot_height - share / share_max * plot_height
            points.append((centre, y, share, year))
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2.5"/>')
    for x, y, share, year in points:
        text = format_percent(share, unit=True)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{LINE_COLOUR}"><title>{year}: eviction share {e(text)}</title></circle>')
        parts.append(f'<text x="{x + bar_width / 2 + 8:.1f}" y="{y + 4.5:.1f}" class="value line-label">{e(text)}</text>')
    parts.append(f'<line x1="{left}" y1="{top + plot_height}" x2="{left + plot_width}" y2="{top + plot_height}" class="axis"/>')
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Diagram:
    number: int
    title: str
    table: str
    column: str
    percent: bool = False
    report_title: str = ""
    series_column: str | None = None  # grouped bars (Diagram 4)
    note: str = ""


DIAGRAMS = (
    Diagram(2, "Project cases per district social service", "cases_by_district", "cases", report_title="Antall saker pr sosialtjeneste"),
    Diagram(3, "Project cases by household type", "cases_by_household_type", "cases"),
    Diagram(4, "Project cases by sex and age band", "cases_by_sex_and_age_band", "cases", series_column="sex"),
    Diagram(5, "Project cases by sex", "cases_by_sex", "cases"),
    Diagram(6, "Main income source, all project cases", "cases_by_income_source", "cases"),
    Diagram(7, "Main income source, cases resolved before eviction", "cases_by_income_source", "resolved_cases"),
    Diagram(8, "Outcome of the project cases", "case_outcomes_summary", "cases"),
    Diagram(9, "How the cases were resolved", "cases_by_solution", "cases"),
    Diagram(10, "What the project did: cases per action", "cases_by_action", "cases", report_title="Hva har prosjektet gjort?",
            note="A case can have several actions."),
    Diagram(11, "Size of the claim when the case opened", "cases_by_claim_band", "cases", report_title="Kravets størrelse"),
    Diagram(12, "Share of cases resolved before eviction, by claim size", "cases_by_claim_band", "resolved_pct", percent=True),
    Diagram(13, "Project cases by whether the social service knew the household", "cases_by_social_service_involvement", "cases"),
    Diagram(14, "Share resolved before eviction, by the social service's involvement", "cases_by_social_service_involvement",
            "resolved_pct", percent=True),
    Diagram(15, "Share evicted, by the social service's involvement", "cases_by_social_service_involvement",
            "eviction_share_pct", percent=True),
    Diagram(16, "Share of cases where the social service paid the arrears, by district", "cases_by_district",
            "social_service_paid_pct", percent=True),
    Diagram(17, "Share of cases that ended in eviction, by district", "cases_by_district", "eviction_share_pct", percent=True),
)


def _figure(number: int, title: str, svg: str, *, source: str, report_title: str = "", footnotes: Sequence[str] = ()) -> str:
    heading = f"<strong>Diagram {number}.</strong> {e(title)}"
    if report_title:
        heading += f' <span class="report-title" lang="nb">(report: «{e(report_title)}»)</span>'
    notes = "".join(f"<p class=\"note\">{e(n)}</p>" for n in footnotes)
    return (
        f'<figure class="chart" id="diagram-{number}"><figcaption>{heading}</figcaption>{svg}'
        f'<p class="note">Source: <code>published/{e(source)}.parquet</code>.</p>{notes}</figure>'
    )


def diagram_html(diagram: Diagram, tables: dict[str, PublishedTable], labels: Labels) -> str:
    table = tables.get(diagram.table)
    if table is None or diagram.column not in table.frame.columns:
        return (
            f'<figure class="chart missing" id="diagram-{diagram.number}"><figcaption><strong>Diagram {diagram.number}.</strong> '
            f"{e(diagram.title)}</figcaption><p class=\"note\">Not available: <code>published/{e(diagram.table)}.parquet</code> "
            "has not been published.</p></figure>"
        )
    frame = table.frame
    category = next(c for c in frame.columns if c not in (diagram.series_column,))
    if diagram.series_column:
        category = next(c for c in frame.columns if c != diagram.series_column)
        series_values = list(dict.fromkeys(frame[diagram.series_column].to_list()))
        bars = []
        for value in dict.fromkeys(frame[category].to_list()):
            values, hidden = [], []
            for series_value in series_values:
                index = next(
                    i for i, (c, s) in enumerate(zip(frame[category], frame[diagram.series_column])) if c == value and s == series_value
                )
                values.append(_as_float(frame[diagram.column][index]))
                hidden.append(table.is_suppressed(index, diagram.column))
            bars.append(Bar(labels.value(category, value), values, hidden))
        series = [labels.value(diagram.series_column, s) for s in series_values]
    else:
        bars = [
            Bar(labels.value(category, frame[category][i]), [_as_float(frame[diagram.column][i])], [table.is_suppressed(i, diagram.column)])
            for i in range(frame.height)
        ]
        series = []
    svg = bar_chart(bars, percent=diagram.percent, series=series, title=f"Diagram {diagram.number}: {diagram.title}")
    footnotes = [diagram.note] if diagram.note else []
    if any(any(b.suppressed) for b in bars):
        footnotes.append(f"{SUPPRESSED_MARK} Suppressed (disclosure control).")
    return _figure(diagram.number, diagram.title, svg, source=diagram.table, report_title=diagram.report_title, footnotes=footnotes)


def diagram_1_html(tables: dict[str, PublishedTable]) -> str:
    title = "Petitions from the collector and the share of them that ended in eviction"
    table = tables.get("petitions_evictions_by_year")
    if table is None:
        return diagram_html(Diagram(1, title, "petitions_evictions_by_year", "petitions"), tables, Labels())
    collector = [i for i, s in enumerate(table.frame["source"].to_list()) if s == "collector"]
    years = [table.frame["year"][i] for i in collector]
    petitions = [table.frame["petitions"][i] for i in collector]
    shares = [table.frame["eviction_share_pct"][i] for i in collector]
    svg = petitions_and_share_chart(years, petitions, shares, title=f"Diagram 1: {title}")
    footnotes = ["The eviction share is the evictions executed in a year on the collector's petitions, as a percentage of the petitions it filed that year."]
    if any(table.is_suppressed(i, c) for i in collector for c in ("petitions", "eviction_share_pct")):
        footnotes.append(f"{SUPPRESSED_MARK} Suppressed (disclosure control).")
    return _figure(1, title, svg, source="petitions_evictions_by_year",
                   report_title="Antall begjæringer vs andel fravikelser fra kemneren", footnotes=footnotes)


def _as_float(value: object) -> float | None:
    if value is None:
        return None
    return float(value)  # type: ignore[arg-type]


# -- the forced-sale follow-up project --------------------------------------------------------

FORCED_SALE_TABLES = ("forced_sales_by_year", "forced_sale_notice_coverage", "co_op_arrears_by_stage")


def grouped_chart_html(
    key: str, title: str, tables: dict[str, PublishedTable], labels: Labels, *, table: str, column: str,
    category: str, series: str, percent: bool = False, note: str = "",
) -> str:
    """A bar chart of one column of a published table, one bar group per ``category`` value and one bar
    per ``series`` value (figures of the forced-sale section: numbered, and classed ``graph``, apart from the
    report's diagrams)."""
    heading = f"<strong>Figure {e(key)}.</strong> {e(title)}"
    published = tables.get(table)
    if published is None or column not in published.frame.columns or published.not_yet_delivered:
        why = (
            f"not yet known: it is built from {e(', '.join(published.not_yet_delivered))}, which has not been delivered yet"
            if published is not None and published.not_yet_delivered
            else "not available: the table has not been published"
        )
        return (
            f'<figure class="graph missing" id="figure-{e(key)}"><figcaption>{heading}</figcaption>'
            f'<p class="note unknown">{why.capitalize()} (<code>published/{e(table)}.parquet</code>).</p></figure>'
        )
    frame = published.frame
    series_values = list(dict.fromkeys(frame[series].to_list()))
    bars = []
    for value in dict.fromkeys(frame[category].to_list()):
        values, hidden = [], []
        for series_value in series_values:
            index = next(
                (i for i, (c, s) in enumerate(zip(frame[category], frame[series])) if c == value and s == series_value), None
            )
            values.append(None if index is None else _as_float(frame[column][index]))
            hidden.append(False if index is None else published.is_suppressed(index, column))
        bars.append(Bar(labels.value(category, value), values, hidden))
    svg = bar_chart(bars, percent=percent, series=[labels.value(series, v) for v in series_values], title=f"Figure {key}: {title}")
    notes = [note] if note else []
    if any(any(b.suppressed) for b in bars):
        notes.append(f"{SUPPRESSED_MARK} Suppressed (disclosure control).")
    footnotes = "".join(f'<p class="note">{e(n)}</p>' for n in notes)
    return (
        f'<figure class="graph" id="figure-{e(key)}"><figcaption>{heading}</figcaption>{svg}'
        f'<p class="note">Source: <code>published/{e(table)}.parquet</code>.</p>{footnotes}</figure>'
    )


FORCED_SALE_DEFINITIONS = """
<dl class="definitions">
<dt>Petition for forced sale (<span lang="nb">begjæring om tvangssalg</span>)</dt>
<dd>A creditor's request to the bailiff to have a home sold: a housing co-operative for unpaid common costs
(<span lang="nb">felleskostnader</span>), the municipality for a municipal housing loan, a bank or another creditor.
Counted in the year the bailiff received it (<code>namsfogd/forced_sales.xlsx</code>).</dd>
<dt>Forced sale; lapsed or withdrawn</dt>
<dd>A petition that ended in the home being sold by forced sale, or that lapsed (paid or settled) or was withdrawn,
counted in the year of that outcome. The forced-sale share is forced sales as a percentage of the petitions of the same
year and petitioner.</dd>
<dt>Social service notified first</dt>
<dd>Under the routine the city adopted in December 2007, the district social service is to be notified when a petition
for a forced sale threatens. A petition counts as notified first when the earliest notice to the social service is dated
before the bailiff received the petition: the housing association's <span lang="nb">sosialtjeneste_varslet</span> on
the member's arrears case, or a collector notice of type <span lang="nb">TVANGSSALG</span> for the same person. The
median days' notice is the median number of days between that notice and the petition.</dd>
<dt>Arrears case and stage</dt>
<dd>A co-operative member with unpaid common costs at one of the housing associations BOB, Vestbo and Stor-Bergen
(<code>bbl/arrears.csv</code>), in the latest delivery: warning sent, ordered to sell, forced sale petitioned, and the
cases closed since the previous delivery (settled, sold by the member, sold by forced sale). Claim bands are of the
unpaid common costs on the delivery date.</dd>
<dt>Matching</dt>
<dd>The bailiff's co-operative cases are matched to the arrears cases by the co-operative's reference, and without one by
person and date. Cases without a counterpart, and petitions without a notice first, are findings in
<code>quality/reconciliation.parquet</code> for the auditors, with the match rates.</dd>
</dl>"""


# -- tables -----------------------------------------------------------------------------------


def table_html(table: PublishedTable, labels: Labels, *, columns: Sequence[str] | None = None) -> str:
    if table.not_yet_delivered:
        title = TABLE_TITLES.get(table.name, table.name.replace("_", " ").capitalize())
        return (
            f'<div class="table-block" id="table-{e(table.name)}"><p class="note unknown"><strong>{e(title)}</strong> '
            f"(<code>published/{e(table.name)}.parquet</code>): not yet known. It is built from "
            f"{e(', '.join(table.not_yet_delivered))}, which has not been delivered yet; the table holds no row "
            "until it is, rather than showing zeros.</p></div>"
        )
    frame = table.frame
    shown = [c for c in (columns or frame.columns) if c != SUPPRESSED and c in frame.columns]
    header = []
    numeric_column = {}
    for column in shown:
        dtype = frame.schema[column]
        numeric = dtype.is_numeric() or column.endswith("_nok")
        numeric_column[column] = numeric
        header.append(
            f'<th scope="col" class="{"num" if numeric else "text"}" title="{e(table.column_description(column))}">'
            f'{e(column_label(column))}<span class="col">{e(column)}</span></th>'
        )
    body = []
    any_suppressed = False
    for row in range(frame.height):
        cells = []
        for position, column in enumerate(shown):
            value = frame[column][row]
            if value is None and table.is_suppressed(row, column):
                text, numeric, css = SUPPRESSED_MARK, True, "num suppressed"
                any_suppressed = True
            else:
                text, numeric = format_cell(column, value, labels)
                css = "num" if numeric and numeric_column[column] else "text"
            tag = "th" if position == 0 and not numeric_column[column] else "td"
            scope = ' scope="row"' if tag == "th" else ""
            cells.append(f'<{tag}{scope} class="{css}">{e(text)}</{tag}>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    notes = []
    if any_suppressed:
        threshold = table.threshold
        rule = f"a count from 1 to {threshold}" if threshold else "a small count"
        notes.append(
            f"{SUPPRESSED_MARK} Suppressed (disclosure control): {rule}, a further cell hidden so that such a count "
            "cannot be worked out from a published total, or a figure computed from either."
        )
    if any(v is None for c in shown for i, v in enumerate(frame[c].to_list()) if not table.is_suppressed(i, c)):
        notes.append(f"{NOT_APPLICABLE_MARK} Not applicable (no earlier year, or no cases to take a share of).")
    title = TABLE_TITLES.get(table.name, table.name.replace("_", " ").capitalize())
    notes_html = "".join(f'<p class="note">{e(n)}</p>' for n in notes)
    return (
        f'<div class="table-block" id="table-{e(table.name)}">'
        f'<div class="table-wrap"><table><caption>{e(title)} <code>published/{e(table.name)}.parquet</code></caption>'
        f"<thead><tr>{''.join(header)}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        f'<p class="note description">{e(table.description)}</p>{notes_html}</div>'
    )


def comparison_html(table: PublishedTable) -> str:
    frame = table.frame
    rows = []
    for i in range(frame.height):
        row = {c: frame[c][i] for c in frame.columns}
        measure = row.get("measure") or ""
        decimals = 1 if measure.endswith("_pct") else (2 if measure.endswith("_nok") else 0)
        unit = f"{NBSP}%" if measure.endswith("_pct") else ""
        signed = "change" in measure

        def number(value: object, column: str) -> str:
            if value is None:
                return SUPPRESSED_MARK if table.is_suppressed(i, column) else NOT_APPLICABLE_MARK
            return format_number(value, decimals, signed=signed) + unit  # type: ignore[arg-type]

        def difference(value: object) -> str:
            if value is None:
                return SUPPRESSED_MARK if table.is_suppressed(i, "difference") else NOT_APPLICABLE_MARK
            # The difference of two percentages is in percentage points.
            points = f"{NBSP}pp" if measure.endswith("_pct") else ""
            return format_number(value, decimals, signed=True) + points  # type: ignore[arg-type]

        status = row.get("status")
        status_text = {
            "agrees": "agrees",
            "report_arithmetic": "report's arithmetic",
            "differs": "differs",
            "not_computed": "not computed",
        }.get(status, SUPPRESSED_MARK if status is None else str(status))
        rows.append(
            "<tr>"
            f'<th scope="row" class="text">{e(row.get("figure", ""))}</th>'
            f'<td class="text what">{e(row.get("description", ""))}</td>'
            f'<td class="text" lang="nb">{e(row.get("printed_as", ""))}</td>'
            f'<td class="num">{e(number(row.get("warehouse_value"), "warehouse_value"))}</td>'
            f'<td class="num">{e(difference(row.get("difference")))}</td>'
            f'<td class="text status-{e(status or "suppressed")}">{e(status_text)}</td>'
            f'<td class="text explanation">{e(row.get("explanation") or SUPPRESSED_MARK)}</td>'
            "</tr>"
        )
    differing = frame.filter(pl.col("status") != "agrees").height if "status" in frame.columns else 0
    header = "".join(
        f'<th scope="col" class="{cls}">{e(label)}</th>'
        for label, cls in (
            ("Where", "text"), ("Figure", "text"), ("Printed in the report", "text"), ("Warehouse", "num"),
            ("Difference", "num"), ("Status", "text"), ("Explanation", "text"),
        )
    )
    return (
        f'<p>{frame.height} figures printed in the report are set beside the same figures computed by the warehouse; '
        f"{differing} of them differ. Every difference is explained: where the report used another arithmetic "
        "(a change divided by the later year's figure, or a difference of rounded shares printed as a percentage), "
        "the report's arithmetic applied to the warehouse's own counts gives the printed figure, so the counts agree and "
        "the printed percentage is the report's error. The warehouse measures change against the earlier year, "
        "as official statistics do.</p>"
        '<div class="table-block" id="table-report_comparison"><div class="table-wrap"><table class="comparison">'
        f"<caption>{e(TABLE_TITLES['report_comparison'])} <code>published/report_comparison.parquet</code></caption>"
        f"<thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        f'<p class="note description">{e(table.description)}</p>'
        '<p class="note">Difference = warehouse − printed (pp: percentage points). The Parquet file also holds the report\'s '
        "arithmetic applied to the warehouse's counts (<code>report_method_value</code>).</p></div>"
    )


def revisions_html(log: pl.DataFrame | None, labels: Labels) -> str:
    intro = (
        "<p>When a refresh changes a figure that was already published, the old and the new value are recorded in "
        "<code>published/revisions.parquet</code>: the table, the row and column of the cell, the old and the new value, "
        "the run and the date. A first publication and a refresh that changes nothing record nothing. "
        f"{SUPPRESSED_MARK} means the value was or is suppressed, or the row is no longer published.</p>"
    )
    if log is None or log.is_empty():
        return intro + '<p class="empty">No published figure has been revised.</p>'
    ordered = log.sort("revised_at", descending=True, maintain_order=True)
    shown = ordered.head(MAX_REVISIONS_SHOWN)
    rows = []
    for row in shown.iter_rows(named=True):
        try:
            key = json.loads(row["row_key"] or "{}")
        except ValueError:
            key = {}
        where = ", ".join(f"{column_label(k).lower()} {labels.value(k, v)}" for k, v in key.items() if v is not None)
        where = where or "the table"
        revised = row["revised_at"]
        date = row.get("revision_date") or (revised.date() if revised else None)
        rows.append(
            "<tr>"
            f'<td class="text nowrap">{e(date.isoformat() if date else "")}</td>'
            f'<td class="text"><code>{e(row["table"])}</code></td>'
            f'<td class="text">{e(where)}</td>'
            f'<td class="text">{e(column_label(row["column"]))}</td>'
            f'<td class="num value">{e(_revision_value(row["column"], row["old_value"], labels))}</td>'
            f'<td class="num value">{e(_revision_value(row["column"], row["new_value"], labels))}</td>'
            f'<td class="text nowrap" title="{e(row["run_id"] or "")}"><code>{e((row["run_id"] or "")[:8])}</code></td>'
            "</tr>"
        )
    more = ""
    if ordered.height > shown.height:
        more = f'<p class="note">The {ordered.height - shown.height} earlier revisions are in <code>published/revisions.parquet</code>.</p>'
    header = "".join(
        f'<th scope="col" class="{cls}">{label}</th>'
        for label, cls in (("Date", "text"), ("Table", "text"), ("Row", "text"), ("Figure", "text"),
                           ("Old value", "num"), ("New value", "num"), ("Run", "text"))
    )
    return (
        intro
        + f'<p>{ordered.height} revised figure{"s" if ordered.height != 1 else ""} recorded, the latest first.</p>'
        + f'<div class="table-wrap"><table class="revisions"><caption>Revision log <code>published/revisions.parquet</code></caption>'
        f"<thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>{more}"
    )


def _revision_value(column: str, text: str | None, labels: Labels) -> str:
    if text is None:
        return SUPPRESSED_MARK
    if text in ("true", "false"):
        return "yes" if text == "true" else "no"
    try:
        if column.endswith("_nok"):
            return format_number(Decimal(text), 2)
        number = float(text)
    except ValueError:
        return labels.value(column, text)
    if number.is_integer() and "." not in text:
        return format_cell(column, int(number), labels)[0]
    return format_cell(column, number, labels)[0]


# -- the page ---------------------------------------------------------------------------------

CSS = """
:root { --ink: #1c2530; --muted: #5a6573; --rule: #d9dee4; --accent: #1f5f8b; --soft: #f3f5f7; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif; }
main { max-width: 70rem; margin: 0 auto; padding: 2.5rem 1.5rem 4rem; }
header.release { border-bottom: 3px solid var(--ink); padding-bottom: 1.25rem; margin-bottom: 1.5rem; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: .78rem; color: var(--muted); margin: 0; }
h1 { font-size: 2.1rem; line-height: 1.2; margin: .35rem 0 .25rem; }
.subtitle { font-size: 1.15rem; color: var(--muted); margin: 0 0 1rem; }
h2 { font-size: 1.5rem; line-height: 1.3; margin: 3rem 0 .75rem; padding-top: .75rem; border-top: 1px solid var(--rule); }
h3 { font-size: 1.12rem; margin: 2rem 0 .5rem; }
p { margin: .5rem 0 .9rem; max-width: 46rem; }
a { color: var(--accent); }
code { font: .85em ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; background: var(--soft); padding: 0 .25em; border-radius: 2px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1.25rem; margin: .75rem 0 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; font-weight: 600; }
.status { display: inline-block; padding: .05rem .55rem; border-radius: 3px; font-size: .82rem; font-weight: 700;
  text-transform: uppercase; letter-spacing: .05em; }
.status.final { background: #e2f0e5; color: #1d5a2b; }
.status.provisional { background: #fff0d4; color: #7a4a00; }
nav.contents ol { columns: 2; column-gap: 2rem; padding-left: 1.25rem; margin: .5rem 0; }
nav.contents li { margin: .1rem 0; }
.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(12.5rem, 1fr)); gap: .75rem; margin: 1rem 0; }
.fact { background: var(--soft); border-left: 4px solid var(--accent); padding: .7rem .9rem; }
.fact .value { display: block; font-size: 1.65rem; font-weight: 700; line-height: 1.2; font-variant-numeric: tabular-nums; }
.fact .label { display: block; font-size: .88rem; color: var(--muted); }
dl.definitions dt { font-weight: 700; margin-top: .75rem; }
dl.definitions dd { margin: .15rem 0 0 0; max-width: 46rem; }
.table-block { margin: 1.25rem 0 1.75rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: auto; min-width: 24rem; max-width: 100%; font-size: .9rem; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 700; padding: 0 0 .45rem; }
caption code { font-weight: 400; margin-left: .35rem; }
th, td { padding: .38rem .6rem; border-bottom: 1px solid var(--rule); vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); font-weight: 600; vertical-align: bottom; }
tbody th { font-weight: 600; }
.num { text-align: right; white-space: nowrap; }
thead th.num { white-space: normal; }
.text { text-align: left; }
.nowrap { white-space: nowrap; }
th .col { display: block; font: 400 .7rem ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--muted); }
td.suppressed { color: var(--muted); }
table.revisions td.value { white-space: normal; max-width: 16rem; overflow-wrap: anywhere; }
table.comparison td.explanation { min-width: 20rem; font-size: .85rem; }
table.comparison td.what { min-width: 13rem; }
.status-agrees { color: #1d5a2b; font-weight: 600; }
.status-report_arithmetic { color: #7a4a00; font-weight: 600; }
.status-differs, .status-not_computed { color: #9b1c1c; font-weight: 700; }
.note { font-size: .84rem; color: var(--muted); margin: .35rem 0; }
.empty { font-style: italic; }
figure.chart, figure.graph { margin: 1.75rem 0 2.25rem; }
figure.chart figcaption, figure.graph figcaption { font-weight: 400; margin-bottom: .5rem; }
.report-title { color: var(--muted); font-size: .88rem; }
svg { display: block; width: 100%; max-width: 760px; height: auto; overflow: visible; }
svg text { font-family: inherit; font-size: 13px; fill: var(--ink); }
svg .tick { font-size: 11.5px; fill: var(--muted); }
svg .legend { font-size: 12.5px; }
svg .value { font-size: 12.5px; font-variant-numeric: tabular-nums; }
svg .value.muted { fill: var(--muted); }
svg .value.inverse { fill: #fff; font-weight: 700; }
svg .line-label { font-weight: 700; fill: #8f2f1f; paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
svg .grid { stroke: #e4e8ec; stroke-width: 1; }
svg .axis { stroke: var(--ink); stroke-width: 1; }
footer { margin-top: 3rem; padding-top: 1rem; border-top: 1px solid var(--rule); font-size: .85rem; color: var(--muted); }
@media (max-width: 40rem) { nav.contents ol { columns: 1; } h1 { font-size: 1.7rem; } }
@media print { main { max-width: none; padding: 0; } h2 { break-before: auto; } figure.chart, figure.graph, .table-block { break-inside: avoid; } }
"""


@dataclass(frozen=True)
class Release:
    path: Path
    status: ReleaseStatus
    tables: tuple[str, ...]
    diagrams: int
    revisions: int


def _key_facts(tables: dict[str, PublishedTable]) -> str:
    facts = []
    by_year = tables.get("petitions_evictions_by_year")
    if by_year is not None and by_year.frame.height:
        frame = by_year.frame
        last = max(frame["year"].to_list())
        for i in range(frame.height):
            if frame["year"][i] != last:
                continue
            source = frame["source"][i]
            who = "the collector" if source == "collector" else "the bailiff (all landlords)"
            petitions = frame["petitions"][i]
            change = frame["petitions_change_pct"][i]
            change_text = f" ({format_percent(change, signed=True, unit=True)} on {last - 1})" if change is not None else ""
            facts.append((format_number(petitions) if petitions is not None else SUPPRESSED_MARK,
                          f"petitions for eviction to {who} in {last}{change_text}"))
            evictions = frame["evictions"][i]
            share = frame["eviction_share_pct"][i]
            share_text = f"; {format_percent(share, unit=True)} of the year's petitions" if share is not None else ""
            facts.append((format_number(evictions) if evictions is not None else SUPPRESSED_MARK,
                          f"evictions executed {'on the collector’s petitions' if source == 'collector' else 'by the bailiff'} in {last}{share_text}"))
    outcomes = tables.get("case_outcomes_summary")
    if outcomes is not None and outcomes.frame.height:
        frame = outcomes.frame
        total = sum(v for v in frame["cases"].to_list() if v is not None)
        facts.append((format_number(total), "households mapped by the project"))
        for i in range(frame.height):
            if frame["outcome"][i] == "evicted":
                value = frame["cases"][i]
                facts.append((format_number(value) if value is not None else SUPPRESSED_MARK, "project cases ended in eviction"))
    if not facts:
        return ""
    items = "".join(f'<div class="fact"><span class="value">{e(v)}</span><span class="label">{e(t)}</span></div>' for v, t in facts)
    return f'<section id="key-figures"><h2>Key figures</h2><div class="facts">{items}</div></section>'


def _years(tables: dict[str, PublishedTable]) -> tuple[int, int] | None:
    by_year = tables.get("petitions_evictions_by_year")
    if by_year is None or by_year.frame.is_empty():
        return None
    years = [y for y in by_year.frame["year"].to_list() if y is not None]
    return (min(years), max(years)) if years else None


def render_release(
    tables: dict[str, PublishedTable],
    revisions_log: pl.DataFrame | None,
    status: ReleaseStatus,
    *,
    generated_at: dt.datetime,
    run_id: str | None = None,
    threshold: int | None = None,
) -> str:
    labels = Labels()
    years = _years(tables)
    period = f"{years[0]}–{years[1]}" if years and years[0] != years[1] else (str(years[0]) if years else "")
    title_text = "Petitions for eviction and evictions in Bergen" + (", " if period else "")
    title = title_text + period
    threshold = threshold or next((t.threshold for t in tables.values() if t.threshold), None) or 4
    oslo = _in_oslo(generated_at)
    status_label = "Final" if status.status == "final" else "Provisional"

    deliveries_rows = "".join(
        f'<tr><th scope="row" class="text">{e(SOURCE_SYSTEMS.get(source, source))}</th>'
        f'<td class="text"><code>{e(source)}</code></td>'
        f'<td class="num">{e(date.isoformat() if date else "not delivered")}</td></tr>'
        for source, date in status.latest_by_source.items()
    )
    status_text = (
        f"<p><span class=\"status {e(status.status)}\">{e(status_label)}</span> "
        + (
            f"The figures are final: {e(status.reason)}. A later correction in a source would still be published, "
            "and recorded in the revision log."
            if status.status == "final"
            else f"The figures are provisional: {e(status.reason)}. They may change when the remaining data "
            "arrive; every change to a published figure is recorded in the revision log."
        )
        + "</p>"
        "<p>The <strong>cut-off date</strong> is the earliest of the sources' latest deliveries: every source has "
        "delivered data up to that date. The release is <strong>final</strong> when every source has delivered data "
        "up to 31 December of the last year in the statistics, and <strong>provisional</strong> until then.</p>"
        '<div class="table-wrap"><table class="deliveries"><caption>Latest delivery from each source</caption>'
        '<thead><tr><th scope="col" class="text">Source</th><th scope="col" class="text">Code</th>'
        f'<th scope="col" class="num">Latest delivery</th></tr></thead><tbody>{deliveries_rows}</tbody></table></div>'
    )

    definitions = f"""
<dl class="definitions">
<dt>Petition for eviction (<span lang="nb">begjæring om fravikelse</span>)</dt>
<dd>A landlord's request to the bailiff (<span lang="nb">Namsfogden</span>) to have a tenant evicted. The
<em>collector</em> figures count the petitions the municipal collector (<span lang="nb">Kemneren</span>) filed for rent
arrears on municipal dwellings, in the year they were filed. The <em>bailiff</em> figures count every eviction case the
bailiff received in Bergen, from all landlords (the municipality, private landlords and housing co-operatives), in the
year it was received.</dd>
<dt>Eviction (<span lang="nb">fravikelse, utkastelse</span>)</dt>
<dd>An eviction the bailiff executed, counted in the year it was executed; for the collector, the evictions executed
on its petitions. A petition filed in one year may lead to an eviction in the next.</dd>
<dt>Year</dt>
<dd>The calendar year (1 January – 31 December) of the date that is counted: the date a petition was filed or
received, or the date an eviction was executed.</dd>
<dt>Eviction share</dt>
<dd>Evictions as a percentage of petitions in the same year and source.</dd>
<dt>Change</dt>
<dd>Against the previous (earlier) year: change = this year's figure − the previous year's;
change % = 100 × change ÷ the previous year's figure. The first year has no change.</dd>
<dt>Project case</dt>
<dd>A household in municipal rental housing that the project mapped (1 February 2006 – 31 December 2007), with
its district social service, household, income, claim, what the project did and the outcome as at the cut-off date.
Sex and age band are the main tenant's, when the case opened.</dd>
<dt>Percentages</dt>
<dd>Computed from unrounded counts and shown with one decimal; the published tables hold them unrounded.
Amounts are in Norwegian kroner (NOK).</dd>
</dl>
<h3>Symbols and disclosure control</h3>
<p><strong>{SUPPRESSED_MARK}</strong> suppressed. No count from 1 to {threshold} is published; where such a count
could be worked out from a published total and the other cells, the next smallest cell is suppressed as well; and
no percentage or change computed from a suppressed count is shown. <strong>{NOT_APPLICABLE_MARK}</strong> not
applicable (the first year has no change; a group without cases has no share).</p>
"""

    ordered = [n for n in TABLE_ORDER if n in tables] + sorted(n for n in tables if n not in TABLE_ORDER)

    def block(name: str) -> str:
        if name not in tables:
            return f'<p class="note">Not available: <code>published/{e(name)}.parquet</code> has not been published.</p>'
        return table_html(tables[name], labels)

    diagrams = {d.number: d for d in DIAGRAMS}

    def chart(number: int) -> str:
        return diagram_html(diagrams[number], tables, labels)

    rendered_tables = {
        "petitions_evictions_by_year", "national_targets", "cases_by_district", "cases_by_household_type",
        "cases_by_sex_and_age_band", "cases_by_sex", "cases_by_income_source", "case_outcomes_summary",
        "cases_by_solution", "cases_by_action", "cases_by_claim_band", "cases_by_social_service_involvement",
        "project_accounts_summary", "report_comparison", *FORCED_SALE_TABLES,
    }
    others = [n for n in ordered if n not in rendered_tables]

    petitions_section = (
        '<section id="petitions"><h2>1. Petitions for eviction and evictions</h2>'
        "<p>Petitions filed by the municipal collector and evictions executed on them, beside all petitions received "
        "and evictions executed by the bailiff in Bergen (Tables 1 and 2 of the 2008 report). Changes are measured "
        "against the earlier year.</p>"
        + block("petitions_evictions_by_year")
        + diagram_1_html(tables)
        + "<h3>The national targets</h3><p>The national strategy «<span lang=\"nb\">På vei til egen bolig</span>» "
        "set out to cut petitions for eviction by 50 % and evictions by 30 %. The table compares the last year in "
        "the statistics with the first.</p>"
        + block("national_targets")
        + "</section>"
    )
    project_section = (
        '<section id="project"><h2>2. The project\'s cases</h2>'
        "<p>The households in municipal rental housing that the eviction-prevention project mapped, by district, "
        "household, sex and age, income, outcome, solution, the project's actions, claim size and the social "
        "service's involvement (Diagrams 2–17 of the 2008 report).</p>"
        '<h3 id="districts">Districts</h3>' + chart(2) + block("cases_by_district")
        + '<h3 id="households">Households</h3>' + chart(3) + block("cases_by_household_type")
        + '<h3 id="sex-age">Sex and age</h3>' + chart(4) + block("cases_by_sex_and_age_band") + chart(5) + block("cases_by_sex")
        + '<h3 id="income">Income</h3>' + chart(6) + chart(7) + block("cases_by_income_source")
        + '<h3 id="outcomes">Outcomes</h3>' + chart(8) + block("case_outcomes_summary")
        + '<h3 id="solutions">Solutions</h3>' + chart(9) + block("cases_by_solution")
        + '<h3 id="actions">What the project did</h3>' + chart(10) + block("cases_by_action")
        + '<h3 id="claims">Claim size</h3>' + chart(11) + chart(12) + block("cases_by_claim_band")
        + '<h3 id="social-service">The social service\'s involvement</h3>' + chart(13) + chart(14) + chart(15)
        + block("cases_by_social_service_involvement")
        + '<h3 id="district-shares">Outcomes by district</h3>'
        + chart(16) + chart(17)
        + '<p class="note">The figures of Diagrams 16 and 17 are in the table under Diagram 2.</p>'
        + "</section>"
    )
    accounts_section = (
        '<section id="accounts"><h2>3. The project\'s accounts</h2>'
        "<p>Income and expenses of the project (chapter 6 of the 2008 report). A negative balance is the deficit "
        "the municipality claims from Husbanken.</p>" + block("project_accounts_summary") + "</section>"
    )
    forced_sales_section = (
        '<section id="forced-sales"><h2>4. Forced sales: the follow-up project\'s baseline</h2>'
        "<p>The 2008 report closes with the next project: Bergen, Husbanken and the housing associations BOB, Vestbo "
        "and Stor-Bergen set out to prevent forced sales (<span lang=\"nb\">tvangssalg</span>) in housing "
        "co-operatives. These tables are its baseline: the petitions for forced sale at the bailiff and how they "
        "ended, how often the district social service was notified before a petition (the routine of December 2007), "
        "and the housing associations' arrears cases by stage. They are counted like the eviction figures, under "
        "the same disclosure control; changes are measured against the earlier year.</p>"
        + '<h3 id="forced-sales-by-year">Petitions for forced sale and forced sales</h3>'
        + block("forced_sales_by_year")
        + grouped_chart_html("F1", "Petitions for forced sale, by petitioner and year", tables, labels,
                             table="forced_sales_by_year", column="petitions", category="petitioner_type", series="year")
        + '<h3 id="forced-sale-notices">The notification routine</h3>'
        + block("forced_sale_notice_coverage")
        + grouped_chart_html("F2", "Share of petitions for forced sale the social service was notified of first",
                             tables, labels, table="forced_sale_notice_coverage", column="notified_before_pct",
                             category="petitioner_type", series="year", percent=True)
        + '<h3 id="co-op-arrears">Arrears cases in the housing co-operatives</h3>'
        + block("co_op_arrears_by_stage")
        + grouped_chart_html("F3", "Arrears cases by stage and housing association, latest delivery", tables, labels,
                             table="co_op_arrears_by_stage", column="cases", category="stage",
                             series="housing_association")
        + "<h3>Definitions</h3>" + FORCED_SALE_DEFINITIONS
        + "</section>"
    )
    comparison_section = (
        '<section id="comparison"><h2>5. Comparison with the 2008 report</h2>'
        + (comparison_html(tables["report_comparison"]) if "report_comparison" in tables else block("report_comparison"))
        + "</section>"
    )
    other_section = ""
    if others:
        other_section = (
            '<section id="other-tables"><h2>Other published tables</h2>'
            + "".join(block(n) for n in others) + "</section>"
        )
    revisions_section = f'<section id="revisions"><h2>6. Revisions</h2>{revisions_html(revisions_log, labels)}</section>'
    files = "".join(
        f"<li><code>published/{e(n)}.parquet</code> – {e(tables[n].description)}</li>" for n in ordered
    )
    files_section = (
        '<section id="files"><h2>7. The tables as files</h2>'
        "<p>Every table on this page is a disclosure-controlled Parquet file in the warehouse's "
        "<code>published/</code> folder, with unrounded values and a description of the table and of each column "
        "in its metadata.</p>"
        f"<ul>{files}<li><code>published/revisions.parquet</code> – the revision log.</li></ul></section>"
    )
    contents = """
<nav class="contents" aria-label="Contents"><h2>Contents</h2><ol>
<li><a href="#about">About the figures</a></li>
<li><a href="#petitions">Petitions for eviction and evictions</a></li>
<li><a href="#project">The project's cases</a></li>
<li><a href="#accounts">The project's accounts</a></li>
<li><a href="#forced-sales">Forced sales: the follow-up project's baseline</a></li>
<li><a href="#comparison">Comparison with the 2008 report</a></li>
<li><a href="#revisions">Revisions</a></li>
<li><a href="#files">The tables as files</a></li>
</ol></nav>"""
    cut_off_text = format_date(status.cut_off) if status.cut_off else "not every source has delivered"
    run_text = f"<dt>Run</dt><dd><code>{e(run_id)}</code></dd>" if run_id else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} – statistics release</title>
<style>{CSS}</style>
</head>
<body>
<main>
<header class="release">
<p class="kicker">Official statistics · Bergen municipality</p>
<h1>{e(title_text)}{f'<span class="nowrap">{e(period)}</span>' if period else ''}</h1>
<p class="subtitle" lang="nb">Begjæringer om fravikelse og fravikelser i Bergen – prosjekt for å forebygge utkastelser fra kommunale utleieboliger</p>
<dl class="meta">
<dt>Status</dt><dd><span class="status {e(status.status)}">{e(status_label)}</span></dd>
<dt>Data cut-off</dt><dd>{e(cut_off_text)}</dd>
<dt>Published</dt><dd>{e(oslo.strftime('%Y-%m-%d %H:%M'))} (Oslo time)</dd>
{run_text}
</dl>
</header>
<p>This release gives the number of petitions for eviction and of evictions in Bergen, and the results of the
municipality's project to prevent evictions from municipal rental housing, run with Husbanken from
February 2006 to the end of 2007. It reproduces the tables and the seventeen diagrams of the project's final
report (2008) from the source systems' own extracts: the collector, the bailiff, the housing register, the
project's case register and the municipal accounts. Every figure comes from the published, disclosure-controlled
tables; no person can be identified from them.</p>
{contents}
{_key_facts(tables)}
<section id="about"><h2>About the figures</h2>
<h3>Status and cut-off date</h3>
{status_text}
<h3>Definitions</h3>
{definitions}
</section>
{petitions_section}
{project_section}
{accounts_section}
{forced_sales_section}
{comparison_section}
{other_section}
{revisions_section}
{files_section}
<footer>
<p>Produced by the eviction-prevention data warehouse from the published tables of this run. Tables, diagrams and
definitions follow the project's final report (2008); where the report's own percentages were computed differently,
section 5 shows both.</p>
</footer>
</main>
</body>
</html>
"""


def _in_oslo(moment: dt.datetime) -> dt.datetime:
    try:
        from zoneinfo import ZoneInfo

        return moment.astimezone(ZoneInfo("Europe/Oslo"))
    except Exception:
        return moment


def release_path(published_dir: Path) -> Path:
    return published_dir / RELEASE_DIR / RELEASE_FILE


def write_release(
    published_dir: Path,
    *,
    sources: Sequence[str] | None = None,
    run_id: str | None = None,
    generated_at: dt.datetime | None = None,
    threshold: int | None = None,
) -> Release:
    """Build the page from the Parquet files in ``published_dir`` and write it atomically."""
    if sources is None:
        from orchestration.lib.contract import EVICTION_SOURCES

        sources = EVICTION_SOURCES
    tables = load_published(published_dir)
    log = load_revisions(published_dir)
    deliveries = sorted({d for t in tables.values() for d in t.deliveries})
    years = _years(tables)
    status = release_status(deliveries, years[1] if years else None, sources)
    page = render_release(
        tables,
        log,
        status,
        generated_at=generated_at or dt.datetime.now(dt.UTC),
        run_id=run_id,
        threshold=threshold,
    )
    path = atomic.write_text_atomic(page, release_path(published_dir))
    return Release(path, status, tuple(tables), len(DIAGRAMS) + 1, 0 if log is None else log.height)
