"""The statistics release pages (published/release/index.html in bokmål, published/release/en/index.html
in English), built from hand-made published tables through the real publishing step (disclosure control,
revision log), then parsed."""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest
from babel.numbers import parse_decimal

from orchestration.lib import publish
from orchestration.lib.release import release_status, write_release
from tests.support.browser import outside_references, render
from tests.support.statistics_frames import REPORT_COUNTS, as_arrow, statistics_tables

SOURCES = ("boei", "kemner", "namsfogd", "prosjekt", "regnskap")
DELIVERIES = [f"{s}/{d}" for s in SOURCES[:4] for d in ("2006-12-31", "2007-12-31")] + ["regnskap/2008-01-31"]
WHEN = dt.datetime(2008, 2, 1, 6, 0, tzinfo=dt.UTC)


class Page(HTMLParser):
    """The parts of the page the tests look at."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.charts: list[str] = []
        self.svgs = 0
        self.table_captions: list[str] = []
        self._in_caption = False
        self._caption = ""
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "figure" and "chart" in (attributes.get("class") or ""):
            self.charts.append(attributes.get("id", ""))
        if tag == "svg":
            self.svgs += 1
        if tag == "caption":
            self._in_caption, self._caption = True, ""

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
            self.table_captions.append(self._caption)

    def handle_data(self, data):
        self.text.append(data)
        if self._in_caption:
            self._caption += data

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


@pytest.fixture(scope="module")
def published(tmp_path_factory, dbt_manifest) -> Path:
    folder = tmp_path_factory.mktemp("warehouse") / "published"
    publish.publish_statistics(
        as_arrow(statistics_tables()), folder, threshold=4, deliveries=DELIVERIES, run_id="run-first", revised_at=WHEN
    )
    # A second refresh corrects one count: 229 -> 230 petitions from the collector in 2007.
    corrected = {**REPORT_COUNTS, ("collector", 2007): (230, 27)}
    publish.publish_statistics(
        as_arrow(statistics_tables(corrected)), folder, threshold=4, deliveries=DELIVERIES, run_id="run-second",
        revised_at=WHEN + dt.timedelta(days=30),
    )  # fmt: skip
    return folder


@pytest.fixture(scope="module")
def pages(published) -> dict[str, tuple[str, Page]]:
    release = write_release(published, sources=SOURCES, run_id="run-second", generated_at=WHEN)
    assert release.path == published / "release" / "index.html" == release.pages["nb"]
    assert release.pages["en"] == published / "release" / "en" / "index.html"
    texts = {language: path.read_text(encoding="utf-8") for language, path in release.pages.items()}
    return {language: (text, Page(text)) for language, text in texts.items()}


@pytest.fixture(scope="module")
def page(pages) -> tuple[str, Page]:
    """The English page (most tests below read its words; the bokmål page's are tested further down)."""
    return pages["en"]


GOLDEN = Path(__file__).with_name("golden")


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_page_renders_as_the_committed_golden_page(pages, language):
    """The whole page, byte for byte, against a reviewed rendering of the same fixed tables, run and time.

    A deliberate change to the page regenerates it (``EVICTIONS_UPDATE_GOLDEN=1``) and the diff is reviewed."""
    text, _ = pages[language]
    golden = GOLDEN / f"release_{language}.html"
    if os.environ.get("EVICTIONS_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        pytest.skip(f"rewrote {golden}")
    assert text == golden.read_text(encoding="utf-8")


def test_is_a_utf8_html_page_with_a_title_and_introduction(page):
    text, parsed = page
    assert text.startswith("<!DOCTYPE html>")
    assert ("meta", {"charset": "utf-8"}) in parsed.tags
    assert "Petitions for eviction and evictions in Bergen, 2006–2007" in parsed.plain
    assert "Begjæringer om fravikelse og fravikelser i Bergen" in parsed.plain  # Norwegian letters intact
    assert "This release gives the number of petitions for eviction" in parsed.plain


def test_cut_off_date_and_status(page):
    _, parsed = page
    assert "Data cut-off 31 December 2007" in parsed.plain
    assert "Status Final" in parsed.plain
    assert "every source has delivered data up to the end of 2007" in parsed.plain
    assert "31/01/2008" in parsed.plain  # the accounts' latest delivery, in the page's date form


def test_definitions(page):
    _, parsed = page
    for term in ("Petition for eviction", "Eviction (", "Year", "Eviction share", "Change", "Project case"):
        assert term in parsed.plain, term
    assert "change % = 100 × change ÷ the previous year's figure" in parsed.plain


def test_every_published_table_is_on_the_page(page, published):
    _, parsed = page
    names = sorted(p.stem for p in published.glob("*.parquet"))
    assert len(names) == 15  # 14 statistics tables and the revision log
    for name in names:
        assert any(f"published/{name}.parquet" in c for c in parsed.table_captions), name


def test_a_chart_for_each_of_the_reports_17_diagrams(page):
    _, parsed = page
    assert parsed.charts == [f"diagram-{n}" for n in range(1, 18)]
    assert parsed.svgs == 17
    for n in range(1, 18):
        assert f"Diagram {n}." in parsed.plain


def test_shape_facts_are_visible_in_the_charts(page):
    text, _ = page
    figures = dict(re.findall(r'<figure class="chart" id="(diagram-\d+)">(.*?)</figure>', text, re.S))

    def bars(n):
        return dict(re.findall(r"<title>([^<:]+?) ?: ([^<]+)</title></rect>", figures[f"diagram-{n}"]))

    assert max(bars(2).items(), key=lambda kv: number(kv[1], "en"))[0] == "Årstad"
    shares_17 = {k: number(v, "en") for k, v in bars(17).items()}
    assert sorted(shares_17, key=shares_17.get)[-2:] == ["Laksevåg", "Fana"]
    shares_16 = {k: number(v, "en") for k, v in bars(16).items()}
    assert min(shares_16, key=shares_16.get) == "Laksevåg" and shares_16["Laksevåg"] == 7.5
    women_30 = bars(4)["30–39 Women"]
    assert women_30 == "165"


def test_suppressed_cells_are_shown_as_a_dash_with_a_footnote(page):
    text, parsed = page
    # Arna's, Ytrebygda's and Åsane's 2 evictions are below the threshold.
    assert re.search(
        r'<th scope="row" class="text">Arna</th><td class="num">60</td><td class="num suppressed">–</td>', text
    )
    assert "Suppressed (disclosure control): a count from 1 to 4" in parsed.plain
    assert ">–<" in re.search(r'id="diagram-17">.*?</figure>', text, re.S).group(0)


def test_numbers_are_formatted_for_readers(pages):
    # Through Babel: English groups with a comma and keeps the ASCII minus; bokmål groups with a no-break space,
    # a decimal comma and the real minus (U+2212); percentages with one decimal, changes signed.
    en, nb = pages["en"][0], pages["nb"][0]
    assert "509,075.00" in en and ">-322,317.41<" in en
    assert "509\u00a0075,00" in nb and ">\u2212322\u00a0317,41<" in nb
    assert ">+108.2<" in en and ">+108,2<" in nb
    assert re.search(r"\(\+\d+\.\d% on 2006\)", en) and re.search(r"\(\+\d+,\d\u00a0% fra 2006\)", nb)
    assert "Data cut-off 31 December 2007" in pages["en"][1].plain
    assert "Datagrunnlag til og med 31. desember 2007" in pages["nb"][1].plain


def test_comparison_with_the_report(page):
    _, parsed = page
    assert "Comparison with the 2008 report" in parsed.plain
    assert "report's arithmetic" in parsed.plain
    # The page is of the corrected publication (230 petitions in 2007): the report's arithmetic on those counts.
    assert "divided the change (+120) by the later year's figure (230)" in parsed.plain
    assert 'the report prints "229", the warehouse computes 230' in parsed.plain


EXPLANATION = re.compile(r'<td class="text explanation"([^>]*)>(.*?)</td>')
FIGURE = re.compile(r"[+\-\u2212]?\d(?:[\d,.\u00a0]*\d)?")


def test_the_comparisons_explanations_are_worded_on_the_page_as_the_warehouse_words_them(pages, published):
    """The page words each row's explanation from its columns, one message per case in each language. In English it
    says what report_comparison.sql's ``explanation`` says, word for word and figure for figure; only the figures'
    form is the page's (grouped amounts, ``26.4%``, a change signed as in the table)."""
    frame = pl.read_parquet(published / "report_comparison.parquet")
    english = [html.unescape(text) for _, text in EXPLANATION.findall(pages["en"][0])]
    assert len(english) == frame.height == 27

    def words(text: str) -> str:
        return FIGURE.sub("#", text.replace(" %", "%"))

    def figures(text: str) -> list[Decimal]:
        return [abs(Decimal(f.replace(",", "").lstrip("+-"))) for f in FIGURE.findall(text)]

    for on_page, written in zip(english, frame["explanation"].to_list(), strict=True):
        assert words(on_page) == words(written), (on_page, written)
        assert figures(on_page) == figures(written), (on_page, written)
    bokmal = EXPLANATION.findall(pages["nb"][0])
    assert all(attributes == "" for attributes, _ in bokmal)  # none marked as another language
    bokmal_texts = [html.unescape(text) for _, text in bokmal]
    assert not set(bokmal_texts) & set(english)
    assert "Avviker: rapporten trykker «229», datavarehuset beregner 230 (differanse +1)." in bokmal_texts
    assert any("det senere årets tall (230): +52,2\u00a0%" in text for text in bokmal_texts)
    assert any("Andelen falt fra 26,4\u00a0% til 11,7\u00a0% (\u221214,6 prosentpoeng)" in t for t in bokmal_texts)


def test_the_bokmal_page_has_no_english_passage_but_the_link_to_the_english_page(pages):
    """Every description (the tables', the report's figures') and explanation of the bokmål page is bokmål."""
    _, parsed = pages["nb"]
    english = [(tag, attributes) for tag, attributes in parsed.tags if attributes.get("lang") == "en"]
    assert english == [("a", {"href": "en/index.html", "hreflang": "en", "lang": "en"})]
    assert 'title="' not in re.sub(r'title="run-second"', "", pages["nb"][0])  # no English column tooltip
    plain = parsed.plain
    assert "Tabell 1 Begjæringer om fravikelse sendt av kemneren i 2006" in plain
    assert "Teksten i kapittel 2" in plain and "Table 1" not in plain and "Chapter" not in plain
    assert "mål Endring i andel fravikelser, %, kilde Kemneren, år 2007" in plain  # the revision log's row keys
    assert "Prosjektsaker per utfall, med andelen av alle saker (diagram 8)." in plain
    assert 'title="Calendar year."' in pages["en"][0]  # the English page keeps the columns' descriptions


def test_the_revision_log_is_shown(page):
    text, parsed = page
    assert "Revisions" in parsed.plain
    revisions = re.search(r'<table class="revisions">.*?</table>', text, re.S).group(0)
    assert "petitions_evictions_by_year" in revisions and "report_comparison" in revisions
    assert re.search(r'<td class="num value">229</td><td class="num value">230</td>', revisions)
    assert "Explanation" not in revisions  # the comparison's words are not revisions, its figures are
    assert "02/03/2008" in revisions  # the revision date, in the page's date form


def test_no_personal_data_and_nothing_from_elsewhere(page):
    text, parsed = page
    assert "<script" not in text.lower()
    assert not re.search(r"https?:|//[a-z]|url\(|@import", text, re.I)
    for tag, attributes in parsed.tags:
        for name in ("src", "href", "xlink:href", "data"):
            value = attributes.get(name)
            # In-page anchors, and the one link to the page in the other language.
            assert value is None or value.startswith("#") or (tag, name, value) == ("a", "href", "../index.html"), (
                tag, name, value,
            )  # fmt: skip
    assert not re.search(r"\b\d{11}\b", text)  # no national id
    assert not re.search(r"\b[0-9a-f]{64}\b", text)  # no person_key


def test_status_is_provisional_until_every_source_has_delivered_the_year():
    final = release_status(DELIVERIES, 2007, SOURCES)
    assert (final.status, final.cut_off) == ("final", dt.date(2007, 12, 31))
    behind = release_status([*DELIVERIES, "kemner/2008-06-30"], 2008, SOURCES)
    assert behind.status == "provisional" and behind.cut_off == dt.date(2007, 12, 31)
    assert "boei up to 2007-12-31" in behind.reason and "kemner up to 2008-06-30" in behind.reason
    half_year = release_status([*DELIVERIES, *(f"{s}/2008-12-31" for s in SOURCES[:4])], 2008, SOURCES)
    assert half_year.status == "provisional" and half_year.reason.endswith("(regnskap up to 2008-01-31)")
    complete = release_status([*DELIVERIES, *(f"{s}/2008-12-31" for s in SOURCES)], 2008, SOURCES)
    assert complete.status == "final" and complete.cut_off == dt.date(2008, 12, 31)
    missing = release_status([d for d in DELIVERIES if not d.startswith("regnskap")], 2007, SOURCES)
    assert missing.status == "provisional" and missing.cut_off is None and "regnskap" in missing.reason
    assert release_status([], None, SOURCES).status == "provisional"


def test_written_atomically_and_replaced_on_every_refresh(published):
    first = write_release(published, sources=SOURCES, run_id="run-a", generated_at=WHEN).path.read_text(
        encoding="utf-8"
    )
    second = write_release(published, sources=SOURCES, run_id="run-b", generated_at=WHEN).path.read_text(
        encoding="utf-8"
    )
    assert "run-a" in first and "run-b" in second
    assert sorted(p.name for p in (published / "release").iterdir()) == ["en", "index.html"]
    assert [p.name for p in (published / "release" / "en").iterdir()] == ["index.html"]


# -- the two languages ------------------------------------------------------------------------

LOCALES = {"nb": "nb_NO", "en": "en_GB"}
MARKS = ("–", ".")  # suppressed, not applicable: the same on both pages


def number(text: str, language: str) -> Decimal:
    """A figure as the page shows it, read back in the page's locale (sign, grouping, decimal mark, unit)."""
    bare = text.replace("\u2212", "-").replace("\u00a0", " ").removesuffix("%").removesuffix("p.p.").removesuffix("pp")
    bare = bare.strip().removeprefix("+")
    return parse_decimal(bare.replace(" ", "\u00a0"), locale=LOCALES[language], strict=True)


class Cells(HTMLParser):
    """Every numeric cell (class ``num``) of every table on a page, by table id, row and position."""

    def __init__(self, text: str):
        super().__init__()
        self.cells: dict[tuple[str, int, int], str] = {}
        self._block, self._row, self._position, self._cell = "", -1, 0, None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "div" and (attributes.get("id") or "").startswith("table-"):
            self._block, self._row = attributes["id"], -1
        elif tag == "tr":
            self._row, self._position = self._row + 1, 0
        elif tag in ("td", "th"):
            self._position += 1
            numeric = "num" in (attributes.get("class") or "").split() and attributes.get("scope") != "col"
            self._cell = (self._block, self._row, self._position) if numeric and self._block else None
            if self._cell:
                self.cells[self._cell] = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._cell = None
        if tag == "table":
            self._block = ""

    def handle_data(self, data):
        if self._cell:
            self.cells[self._cell] += data


def test_both_pages_show_the_same_figures_cell_for_cell(pages):
    nb, en = Cells(pages["nb"][0]).cells, Cells(pages["en"][0]).cells
    assert nb.keys() == en.keys() and len(nb) > 250
    for key, text in en.items():
        if text in MARKS or nb[key] in MARKS:
            assert nb[key] == text, key
        else:
            assert number(nb[key], "nb") == number(text, "en"), (key, nb[key], text)


def test_each_page_links_to_the_other(pages):
    nb, en = pages["nb"][1], pages["en"][1]
    assert ("html", {"lang": "nb"}) in nb.tags and ("html", {"lang": "en"}) in en.tags
    assert ("a", {"href": "en/index.html", "hreflang": "en", "lang": "en"}) in nb.tags
    assert ("a", {"href": "../index.html", "hreflang": "nb", "lang": "nb"}) in en.tags


def test_the_bokmal_page_uses_the_reports_terms(pages):
    text = pages["nb"][1].plain.lower()
    for term in (
        "begjæring om fravikelse",
        "fravikelse",
        "utkastelse",
        "kemneren",
        "namsfogden",
        "sosialtjenesten",
        "tvangssalg",
    ):
        assert term in text, term
    assert "Begjæringer om fravikelse og fravikelser i Bergen, 2006–2007" in pages["nb"][1].plain
    assert "Status Endelig" in pages["nb"][1].plain


def test_the_bokmal_page_has_no_english_headings_or_labels(pages):
    """Every heading, caption, column heading, chart label and row label of the bokmål page is bokmål: none is
    the English page's, except names and numbers that are the same in both languages."""
    from orchestration.lib.reference import districts

    def texts(text: str, pattern: str) -> set[str]:
        return {re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(pattern, text, re.S)}

    # "Diagram 16": where the comparison's figure is printed, the same word in the report and in English.
    same_in_both = {*districts(), *(f"Diagram {n}" for n in range(1, 18)), "Status", "Under 30", ""}
    for pattern in (r"<h[123][^>]*>(.*?)</h[123]>", r"<caption>(.*?)<code>", r'<th scope="col"[^>]*>(.*?)<span',
                    r'class="category">(.*?)</text>', r'class="legend">(.*?)</text>', r"<dt>(.*?)</dt>",
                    r'<th scope="row" class="text">(.*?)</th>', r'<td class="text">([^<]*)</td>'):  # fmt: skip
        english, bokmal = texts(pages["en"][0], pattern), texts(pages["nb"][0], pattern)
        shared = {t for t in english & bokmal if not re.fullmatch(r"[\d\s–+.,-]*", t)}
        assert english and shared <= same_in_both, (pattern, sorted(shared - same_in_both))


@pytest.mark.parametrize(("language", "page_path", "other"), [("nb", "index.html", "en/index.html"),
                                                              ("en", "en/index.html", "../index.html")])  # fmt: skip
def test_each_page_renders_offline_in_a_browser_and_its_link_finds_the_other(
    pages, published, language, page_path, other
):
    path = published / "release" / page_path
    html = path.read_text(encoding="utf-8")
    assert outside_references(html) == [other]  # only the link to the other language's page
    assert (path.parent / other).resolve().is_file()
    dom = render(path)
    assert f'<html lang="{language}">' in dom and dom.count("<svg") == 17
    assert 'id="diagram-17"' in dom and 'id="table-report_comparison"' in dom
