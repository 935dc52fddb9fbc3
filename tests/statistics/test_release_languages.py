"""The release page's two languages: the message catalogues agree key for key, every code-list value and
every published column has a label in both, and values are formatted by Babel (orchestration.lib.locale_format)
in each locale, edge cases included. The pages themselves are compared in test_release.py."""

from __future__ import annotations

import re
import string
from decimal import Decimal

import polars as pl
import pytest
import yaml

from orchestration.lib.reference import code_lists
from orchestration.lib.release import data
from orchestration.lib.release.data import (
    CODE_LIST_OF_COLUMN,
    Labels,
    PublishedTable,
    Words,
    format_cell,
)
from orchestration.lib.release.page import figure_reference, table_view
from orchestration.settings import DBT_PROJECT_DIR

NBSP, MINUS = "\u00a0", "\u2212"


def placeholders(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def test_both_catalogues_have_the_same_messages_with_the_same_placeholders():
    nb, en = data.catalogue("nb"), data.catalogue("en")
    # The tables' descriptions are in nb.yaml only: their English is the dbt yml's (and the Parquet metadata's).
    assert not [key for key in en if key.startswith(data.TABLE_DESCRIPTION)]
    nb = {key: message for key, message in nb.items() if not key.startswith(data.TABLE_DESCRIPTION)}
    assert sorted(set(en) - set(nb)) == [] and sorted(set(nb) - set(en)) == []
    for key in en:
        assert placeholders(nb[key]) == placeholders(en[key]), key
        assert nb[key].strip(), key


def test_a_missing_message_is_an_error_not_an_english_fallback():
    with pytest.raises(KeyError, match=r"nb\.yaml"):
        Words("nb")("no.such.message")
    with pytest.raises(ValueError):
        Words("de")


def test_the_catalogues_markup_is_balanced():
    """A message may hold markup (it is trusted); each opens what it closes, in both languages alike."""
    for language in data.LANGUAGES:
        for key, message in data.catalogue(language).items():
            opened = re.findall(r"<([a-z0-9]+)[ >]", message)
            closed = re.findall(r"</([a-z0-9]+)>", message)
            assert sorted(opened) == sorted(closed), (language, key)


def test_every_code_list_value_has_a_display_label_in_both_languages():
    lists = code_lists()
    assert {"label_nb", "label_en"} <= set(lists.columns)
    for row in lists.iter_rows(named=True):
        assert (row["label_nb"] or "").strip() and (row["label_en"] or "").strip(), row
    for language in data.LANGUAGES:
        labels = Labels(Words(language))
        for column, code_list in CODE_LIST_OF_COLUMN.items():
            for row in lists.filter(pl.col("code_list") == code_list).iter_rows(named=True):
                assert labels.value(column, row["label"]) == row[f"label_{language}"]


def test_the_labels_come_from_the_seed_not_from_the_release_code():
    assert Labels(Words("nb")).value("outcome", "resolved") == "Løst før utkastelse"
    assert Labels(Words("en")).value("outcome", "resolved") == "Resolved before eviction"
    assert Labels(Words("nb")).value("known_to_social_service", "yes") == "Kjent ved sosialtjenesten"
    for language in data.LANGUAGES:
        assert not any(key.startswith("value.outcome.") for key in data.catalogue(language))


def published_models() -> dict[str, dict]:
    """Every published model, as the dbt yml declares it, by name."""
    return {
        model["name"]: model
        for path in (DBT_PROJECT_DIR / "models" / "published").glob("*.yml")
        for model in yaml.safe_load(path.read_text(encoding="utf-8")).get("models", [])
    }


def test_every_published_table_has_a_description_in_bokmal():
    """The bokmål page describes each table in bokmål (nb.yaml); the English page shows the dbt yml's description."""
    models = published_models()
    assert {"petitions_evictions_by_year", "report_comparison", "co_op_arrears_by_stage"} <= set(models)
    nb = data.catalogue("nb")
    described = {key.removeprefix(data.TABLE_DESCRIPTION) for key in nb if key.startswith(data.TABLE_DESCRIPTION)}
    assert sorted(set(models) - described) == [] and sorted(described - set(models)) == []
    for name, model in models.items():
        table = PublishedTable(name, pl.DataFrame(), {"description": model["description"]})
        assert data.table_description(table, Words("en")) == (model["description"], None)
        text, language = data.table_description(table, Words("nb"))
        assert language is None and text.strip() and text != model["description"], name
    unknown = PublishedTable("not_a_dbt_model", pl.DataFrame(), {"description": "Some table."})
    assert data.table_description(unknown, Words("nb")) == ("Some table.", "en")  # kept English, and marked so


def test_every_report_figure_has_a_bokmal_description_and_reference():
    """The seed report_figures_2008 is the one home of the report's figures, their bokmål words included."""
    seed = pl.read_csv(data.REPORT_FIGURES_SEED)
    descriptions = data.report_figure_descriptions()
    assert len(descriptions) == seed.height == 27
    for row in seed.iter_rows(named=True):
        assert (row["description_nb"] or "").strip() and row["description_nb"] != row["description"], row
        assert figure_reference(row["figure"], Words("en")) == (row["figure"], None)  # the English is the seed's
        bokmal, language = figure_reference(row["figure"], Words("nb"))
        assert language is None, row
        assert bokmal != row["figure"] or row["figure"].startswith("Diagram "), row  # "Diagram" is bokmål too
    assert figure_reference("Table 1", Words("nb")) == ("Tabell 1", None)
    assert figure_reference("Chapter 2 text", Words("nb")) == ("Teksten i kapittel 2", None)
    assert figure_reference("Appendix B", Words("nb")) == ("Appendix B", "en")


def published_columns() -> set[str]:
    """Every column of every published model, as the dbt yml declares them."""
    columns = set()
    for path in (DBT_PROJECT_DIR / "models" / "published").glob("*.yml"):
        for model in yaml.safe_load(path.read_text(encoding="utf-8")).get("models", []):
            columns |= {column["name"] for column in model.get("columns", [])}
    return columns - {data.SUPPRESSED}


def test_every_published_column_has_a_heading_in_both_languages():
    columns = published_columns()
    assert {"petitions", "eviction_share_pct", "under 5000", "30000+", "warehouse_value"} <= columns
    for language in data.LANGUAGES:
        words = Words(language)
        labels = Labels(words)
        unlabelled = [c for c in columns if not words.has(f"column.{c}") and labels.claim_band(c) is None]
        assert unlabelled == [], (language, sorted(unlabelled))


@pytest.mark.parametrize(
    ("column", "value", "nb", "en"),
    [
        ("balance_nok", Decimal("-322317.41"), f"{MINUS}322{NBSP}317,41", "-322,317.41"),
        ("balance_nok", Decimal(0), "0,00", "0.00"),
        ("balance_nok", Decimal("-0.004"), "0,00", "0.00"),  # rounds to zero: no sign
        ("total_income_nok", Decimal(509075), f"509{NBSP}075,00", "509,075.00"),
        ("petitions", 1234, f"1{NBSP}234", "1,234"),
        ("petitions", 0, "0", "0"),
        ("petitions_change", 119, "+119", "+119"),
        ("petitions_change", -2, f"{MINUS}2", "-2"),
        ("petitions_change", 0, "0", "0"),
        ("petitions_change_pct", 108.18, "+108,2", "+108.2"),
        ("evictions_change_pct", -6.897, f"{MINUS}6,9", "-6.9"),
        ("eviction_share_pct", 26.36, "26,4", "26.4"),
        ("eviction_share_pct", 0.0, "0,0", "0.0"),
        ("year", 2007, "2007", "2007"),  # a year is not grouped
        ("petitions", None, ".", "."),  # not applicable
        ("eviction_share_pct", float("nan"), ".", "."),
        ("met", True, "ja", "yes"),
        ("met", False, "nei", "no"),
    ],
)
def test_cells_are_formatted_in_each_locale(column, value, nb, en):
    assert format_cell(column, value, Labels(Words("nb")))[0] == nb
    assert format_cell(column, value, Labels(Words("en")))[0] == en


def test_suppressed_and_not_applicable_cells_in_each_locale():
    frame = pl.DataFrame(
        {"district": ["Arna", "Fana"], "cases": [None, 1200], "evictions_change": [None, None],
         "balance_nok": [Decimal("-1500.5"), None], "suppressed": [True, False]},
        schema_overrides={"balance_nok": pl.Decimal(12, 2)},
    )  # fmt: skip
    table = PublishedTable(
        "cases_by_district", frame, {"disclosure": {"threshold": 4, "suppressed_cells": {"cases": [0]}}}
    )
    for language, cells in (
        ("nb", [["Arna", "–", ".", f"{MINUS}1{NBSP}500,50"], ["Fana", f"1{NBSP}200", ".", "."]]),
        ("en", [["Arna", "–", ".", "-1,500.50"], ["Fana", "1,200", ".", "."]]),
    ):
        view = table_view(table, Labels(Words(language)))
        assert [[cell["text"] for cell in row] for row in view["rows"]] == cells
        assert view["rows"][0][1]["css"] == "num suppressed"
        notes = " ".join(view["notes"])
        assert notes.startswith("– ") and ". " in notes  # both symbols explained, in the page's language
        assert ("Skjult" in notes) == (language == "nb") and ("Suppressed" in notes) == (language == "en")


def test_percentages_and_dates_as_each_language_writes_them():
    import datetime as dt

    assert data.format_percent(26.4, "nb", unit=True) == f"26,4{NBSP}%"
    assert data.format_percent(26.4, "en", unit=True) == "26.4%"
    assert data.format_percent(108.2, "nb", unit=True, signed=True) == f"+108,2{NBSP}%"
    assert data.format_percent(-7.0, "nb", unit=True) == f"{MINUS}7,0{NBSP}%"
    assert data.format_date(dt.date(2007, 12, 31), "nb") == "31. desember 2007"
    assert data.format_date(dt.date(2007, 12, 31), "en") == "31 December 2007"


def test_claim_bands_in_each_language():
    nb, en = Labels(Words("nb")), Labels(Words("en"))
    assert nb.value("claim_band", "5000-9999") == f"5{NBSP}000–9{NBSP}999"
    assert en.value("claim_band", "5000-9999") == "5,000–9,999"
    assert nb.column("30000+") == f"30{NBSP}000 eller mer" and en.column("30000+") == "30,000 or more"
    assert nb.value("claim_band", "under 5000") == f"Under 5{NBSP}000"
