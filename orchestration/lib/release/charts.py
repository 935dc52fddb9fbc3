"""The release's charts, laid out as SVG elements: shapes and their coordinates, no markup.

A chart is a :class:`Chart` (the ``<svg>`` element's attributes, its title and its elements);
``templates/release_charts.svg.j2`` writes it, escaping every text. Inline SVG only, no script.
The diagrams reproduce the 2008 report's Diagrams 1–17; the forced-sale section's figures use
the same bar chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from .data import (
    NOT_APPLICABLE_MARK,
    SUPPRESSED_MARK,
    Labels,
    PublishedTable,
    Words,
    as_float,
    format_number,
    format_percent,
)

CHART_WIDTH = 760
SERIES_COLOURS = ("#1f5f8b", "#d55e00", "#6a8d2f")
LINE_COLOUR = "#b8432f"


@dataclass(frozen=True)
class Element:
    """One SVG element: ``<tag attrs/>``, or with a tooltip (``<title>``) and/or text content."""

    tag: str
    attrs: dict[str, str]
    text: str | None = None
    title: str | None = None


@dataclass
class Chart:
    attrs: dict[str, str]
    title: str
    elements: list[Element] = field(default_factory=list)


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


def _axis_text(value: float, percent: bool, language: str) -> str:
    decimals = 0 if float(value).is_integer() else 1
    if percent:
        return format_percent(value, language, unit=True, decimals=decimals)
    return format_number(value, language, decimals)


def _f(value: float) -> str:
    return f"{value:.1f}"


def bar_chart(bars: Sequence[Bar], words: Words, *, percent: bool, series: Sequence[str] = (), title: str) -> Chart:
    """A horizontal bar chart (one bar per category and series)."""
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
    chart = Chart(
        {"viewBox": f"0 0 {CHART_WIDTH} {height:.0f}", "width": "100%", "role": "img", "aria-label": title,
         "class": "bar-chart", "preserveAspectRatio": "xMinYMin meet"},
        title,
    )  # fmt: skip
    add = chart.elements.append
    if n_series > 1:
        x = plot_left
        for index, name in enumerate(series):
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            add(Element("rect", {"x": _f(x), "y": "6", "width": "12", "height": "12", "fill": colour}))
            add(Element("text", {"x": _f(x + 17), "y": "16.5", "class": "legend"}, name))
            x += 40 + 7.6 * len(name)
    tick = 0.0
    while tick <= axis_max + 1e-9:
        x = plot_left + tick * scale
        add(
            Element(
                "line", {"x1": _f(x), "y1": str(top - 4), "x2": _f(x), "y2": _f(top + plot_height), "class": "grid"}
            )
        )
        add(Element("text", {"x": _f(x), "y": _f(top + plot_height + 18), "text-anchor": "middle", "class": "tick"},
                    _axis_text(tick, percent, words.language)))  # fmt: skip
        tick += step
    for row, bar in enumerate(bars):
        y0 = top + row * group_height
        middle = y0 + n_series * bar_height / 2
        add(Element("text", {"x": _f(plot_left - 8), "y": _f(middle + 4.5), "text-anchor": "end", "class": "category"},
                    bar.label))  # fmt: skip
        for index, value in enumerate(bar.values):
            y = y0 + index * bar_height
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            name = series[index] if series else ""
            if value is None:
                hidden = bar.suppressed[index]
                what = words.text("chart.suppressed" if hidden else "chart.not_applicable")
                add(Element("text", {"x": _f(plot_left + 6), "y": _f(y + bar_height - 4), "class": "value muted"},
                            SUPPRESSED_MARK if hidden else NOT_APPLICABLE_MARK, f"{bar.label} {name}: {what}"))  # fmt: skip
                continue
            width = max(0.0, value * scale)
            text = format_percent(value, words.language, unit=True) if percent else format_number(value, words.language)
            add(Element("rect", {"x": _f(plot_left), "y": _f(y + 1), "width": _f(width), "height": str(bar_height - 3),
                                 "fill": colour}, None, f"{bar.label} {name}: {text}"))  # fmt: skip
            add(Element("text", {"x": _f(plot_left + width + 5), "y": _f(y + bar_height - 4), "class": "value"}, text))
    add(Element("line", {"x1": _f(plot_left), "y1": str(top - 4), "x2": _f(plot_left), "y2": _f(top + plot_height),
                         "class": "axis"}))  # fmt: skip
    return chart


def petitions_and_share_chart(
    years: Sequence[int], petitions: Sequence[int | None], shares: Sequence[float | None], words: Words, *, title: str
) -> Chart:
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
    chart = Chart({"viewBox": f"0 0 {CHART_WIDTH} {height}", "width": "100%", "role": "img", "aria-label": title,
                   "class": "combo-chart"}, title)  # fmt: skip
    add = chart.elements.append
    add(Element("rect", {"x": str(left), "y": "10", "width": "12", "height": "12", "fill": SERIES_COLOURS[0]}))
    add(
        Element("text", {"x": str(left + 17), "y": "20.5", "class": "legend"}, words.text("diagram.1.legend_petitions"))
    )
    add(Element("line", {"x1": str(left + 300), "y1": "16", "x2": str(left + 324), "y2": "16", "stroke": LINE_COLOUR,
                         "stroke-width": "2.5"}))  # fmt: skip
    add(Element("circle", {"cx": str(left + 312), "cy": "16", "r": "4", "fill": LINE_COLOUR}))
    add(Element("text", {"x": str(left + 330), "y": "20.5", "class": "legend"}, words.text("diagram.1.legend_share")))
    tick = 0.0
    while tick <= count_max + 1e-9:
        y = top + plot_height - tick / count_max * plot_height
        add(Element("line", {"x1": str(left), "y1": _f(y), "x2": str(left + plot_width), "y2": _f(y), "class": "grid"}))
        add(Element("text", {"x": str(left - 8), "y": _f(y + 4), "text-anchor": "end", "class": "tick"},
                    _axis_text(tick, False, words.language)))  # fmt: skip
        share_tick = tick / count_max * share_max
        add(
            Element(
                "text",
                {"x": str(left + plot_width + 8), "y": _f(y + 4), "class": "tick"},
                _axis_text(share_tick, True, words.language),
            )
        )
        tick += count_step
    points = []
    for index, year in enumerate(years):
        centre = left + slot * (index + 0.5)
        count = petitions[index]
        if count is None:
            add(Element("text", {"x": _f(centre), "y": str(top + plot_height - 6), "text-anchor": "middle",
                                 "class": "value muted"}, SUPPRESSED_MARK))  # fmt: skip
        else:
            bar_height = count / count_max * plot_height
            y = top + plot_height - bar_height
            add(Element("rect", {"x": _f(centre - bar_width / 2), "y": _f(y), "width": _f(bar_width), "height": _f(bar_height),
                                 "fill": SERIES_COLOURS[0]}, None,
                        words.text("diagram.1.bar_title", year=year, petitions=format_number(count, words.language))))  # fmt: skip
            add(Element("text", {"x": _f(centre), "y": _f(y + 16), "text-anchor": "middle", "class": "value inverse"},
                        format_number(count, words.language)))  # fmt: skip
        add(Element("text", {"x": _f(centre), "y": str(top + plot_height + 20), "text-anchor": "middle", "class": "category"},
                    str(year)))  # fmt: skip
        share = shares[index]
        if share is not None:
            y = top + plot_height - share / share_max * plot_height
            points.append((centre, y, share, year))
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
        add(Element("polyline", {"points": path, "fill": "none", "stroke": LINE_COLOUR, "stroke-width": "2.5"}))
    for x, y, share, year in points:
        text = format_percent(share, words.language, unit=True)
        add(Element("circle", {"cx": _f(x), "cy": _f(y), "r": "5", "fill": LINE_COLOUR}, None,
                    words.text("diagram.1.point_title", year=year, share=text)))  # fmt: skip
        add(Element("text", {"x": _f(x + bar_width / 2 + 8), "y": _f(y + 4.5), "class": "value line-label"}, text))
    add(Element("line", {"x1": str(left), "y1": str(top + plot_height), "x2": str(left + plot_width),
                         "y2": str(top + plot_height), "class": "axis"}))  # fmt: skip
    return chart


# -- the charts of the page -------------------------------------------------------------------


@dataclass(frozen=True)
class Diagram:
    """One of the 2008 report's Diagrams 1–17: a column of a published table, one bar per row
    (grouped by ``series_column`` when given). Its title and note are messages ``diagram.<n>.*``."""

    number: int
    table: str
    column: str
    percent: bool = False
    report_title: str = ""  # the report's own (Norwegian) title, quoted as printed
    series_column: str | None = None
    note: bool = False  # whether it has a message diagram.<n>.note


DIAGRAMS = (
    Diagram(1, "petitions_evictions_by_year", "petitions", report_title="Antall begjæringer vs andel fravikelser fra kemneren", note=True),
    Diagram(2, "cases_by_district", "cases", report_title="Antall saker pr sosialtjeneste"),
    Diagram(3, "cases_by_household_type", "cases"),
    Diagram(4, "cases_by_sex_and_age_band", "cases", series_column="sex"),
    Diagram(5, "cases_by_sex", "cases"),
    Diagram(6, "cases_by_income_source", "cases"),
    Diagram(7, "cases_by_income_source", "resolved_cases"),
    Diagram(8, "case_outcomes_summary", "cases"),
    Diagram(9, "cases_by_solution", "cases"),
    Diagram(10, "cases_by_action", "cases", report_title="Hva har prosjektet gjort?", note=True),
    Diagram(11, "cases_by_claim_band", "cases", report_title="Kravets størrelse"),
    Diagram(12, "cases_by_claim_band", "resolved_pct", percent=True),
    Diagram(13, "cases_by_social_service_involvement", "cases"),
    Diagram(14, "cases_by_social_service_involvement", "resolved_pct", percent=True),
    Diagram(15, "cases_by_social_service_involvement", "eviction_share_pct", percent=True),
    Diagram(16, "cases_by_district", "social_service_paid_pct", percent=True),
    Diagram(17, "cases_by_district", "eviction_share_pct", percent=True),
)  # fmt: skip
DIAGRAM_BY_NUMBER = {d.number: d for d in DIAGRAMS}


@dataclass(frozen=True)
class GroupedFigure:
    """A figure of the forced-sale section: one bar group per ``category`` value, one bar per
    ``series`` value. Its title is the message ``figure.<key>.title``."""

    key: str
    table: str
    column: str
    category: str
    series: str
    percent: bool = False


FIGURES = (
    GroupedFigure("F1", "forced_sales_by_year", "petitions", category="petitioner_type", series="year"),
    GroupedFigure("F2", "forced_sale_notice_coverage", "notified_before_pct", category="petitioner_type", series="year",
                  percent=True),
    GroupedFigure("F3", "co_op_arrears_by_stage", "cases", category="stage", series="housing_association"),
)  # fmt: skip
FIGURE_BY_KEY = {f.key: f for f in FIGURES}


@dataclass
class Figure:
    """What the template needs of a diagram or figure: its caption parts, chart, source and notes.
    ``chart`` is None when the table is missing (``missing`` says why: "absent" or "not_yet_delivered")."""

    kind: str  # "diagram" or "figure"
    key: str
    title: str
    table: str
    chart: Chart | None = None
    report_title: str = ""
    notes: list[str] = field(default_factory=list)
    missing: str = ""
    not_yet_delivered: list[str] = field(default_factory=list)


def diagram(number: int, tables: dict[str, PublishedTable], labels: Labels) -> Figure:
    spec = DIAGRAM_BY_NUMBER[number]
    words = labels.words
    title = words.text(f"diagram.{number}.title")
    figure = Figure("diagram", str(number), title, spec.table, report_title=spec.report_title)
    table = tables.get(spec.table)
    if table is None or spec.column not in table.frame.columns:
        figure.report_title, figure.missing = "", "absent"
        return figure
    chart_title = words.text("diagram.chart_title", number=number, title=title)
    frame = table.frame
    notes = [words.text(f"diagram.{number}.note")] if spec.note else []
    if number == 1:
        collector = [i for i, s in enumerate(frame["source"].to_list()) if s == "collector"]
        figure.chart = petitions_and_share_chart(
            [frame["year"][i] for i in collector], [frame["petitions"][i] for i in collector],
            [frame["eviction_share_pct"][i] for i in collector], words, title=chart_title,
        )  # fmt: skip
        suppressed = any(table.is_suppressed(i, c) for i in collector for c in ("petitions", "eviction_share_pct"))
    else:
        bars, series = _bars(table, labels, spec.column, next(c for c in frame.columns if c != spec.series_column),
                             spec.series_column)  # fmt: skip
        figure.chart = bar_chart(bars, words, percent=spec.percent, series=series, title=chart_title)
        suppressed = any(any(b.suppressed) for b in bars)
    if suppressed:
        notes.append(words.text("chart.suppressed_note", mark=SUPPRESSED_MARK))
    figure.notes = notes
    return figure


def grouped_figure(key: str, tables: dict[str, PublishedTable], labels: Labels) -> Figure:
    spec = FIGURE_BY_KEY[key]
    words = labels.words
    title = words.text(f"figure.{key}.title")
    figure = Figure("figure", key, title, spec.table)
    published = tables.get(spec.table)
    if published is None or spec.column not in published.frame.columns or published.not_yet_delivered:
        figure.missing = "not_yet_delivered" if published is not None and published.not_yet_delivered else "absent"
        figure.not_yet_delivered = published.not_yet_delivered if published is not None else []
        return figure
    bars, series = _bars(published, labels, spec.column, spec.category, spec.series)
    figure.chart = bar_chart(bars, words, percent=spec.percent, series=series,
                             title=words.text("figure.chart_title", key=key, title=title))  # fmt: skip
    if any(any(b.suppressed) for b in bars):
        figure.notes.append(words.text("chart.suppressed_note", mark=SUPPRESSED_MARK))
    return figure


def _bars(
    table: PublishedTable, labels: Labels, column: str, category: str, series: str | None
) -> tuple[list[Bar], list[str]]:
    """The bars of one column: one per ``category`` value, each with one value per ``series`` value
    (a missing combination is not applicable)."""
    frame = table.frame
    if series is None:
        bars = [
            Bar(
                labels.value(category, frame[category][i]),
                [as_float(frame[column][i])],
                [table.is_suppressed(i, column)],
            )
            for i in range(frame.height)
        ]
        return bars, []
    series_values = list(dict.fromkeys(frame[series].to_list()))
    bars = []
    for value in dict.fromkeys(frame[category].to_list()):
        values, hidden = [], []
        for series_value in series_values:
            index = next(
                (i for i, (c, s) in enumerate(zip(frame[category], frame[series])) if c == value and s == series_value),
                None,
            )
            values.append(None if index is None else as_float(frame[column][index]))
            hidden.append(False if index is None else table.is_suppressed(index, column))
        bars.append(Bar(labels.value(category, value), values, hidden))
    return bars, [labels.value(series, s) for s in series_values]
