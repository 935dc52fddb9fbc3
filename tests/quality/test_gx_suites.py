"""The committed GX suites: generated from the contract, loadable, passing on good raw data and
failing the right expectation on bad data. GX is imported once for the session (~10 s)."""

from __future__ import annotations

import datetime as dt
import importlib.util
from decimal import Decimal

import polars as pl
import pytest

from orchestration.lib import gx_validation as gv
from orchestration.lib.contract import SOURCES, files_of
from orchestration.lib.ingest import empty_raw_schema
from orchestration.lib.reference import account_codes
from orchestration.lib.rows import ROW_NUMBER, validate_rows
from tests.support import quality_frames as frames
from tests.support.national_ids import synthetic_national_id

pytestmark = pytest.mark.usefixtures("gx")


def _generator():
    spec = importlib.util.spec_from_file_location("build_suites", gv.EXPECTATIONS_DIR / "build_suites.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_json_is_what_the_generator_produces():
    generator = _generator()
    for source in SOURCES:
        committed = gv.suite_file(source).read_text(encoding="utf-8")
        assert committed == generator.render(source), (
            f"expectations/{source}.json is out of date: run `uv run python expectations/build_suites.py`"
        )


@pytest.mark.parametrize("source", SOURCES)
def test_one_suite_per_file_named_source_dot_stem_reading_raw_columns_only(source):
    documents = gv.suite_documents(source)
    assert [d["name"] for d in documents] == [f"{s.source}.{s.stem}" for s in files_of(source)]
    for document, spec in zip(documents, files_of(source)):
        suite = gv.load_suite(document)  # raises when GX drops an expectation
        assert len(suite.expectations) == len(document["expectations"])
        assert document["meta"]["file"] == spec.name
        raw_columns = set(empty_raw_schema(spec).names())
        assert set(gv.suite_columns(document)) <= raw_columns
        assert not any(empty_raw_schema(spec)[c] == pl.List(pl.String) for c in gv.suite_columns(document))


@pytest.mark.parametrize("source", SOURCES)
def test_good_hand_made_delivery_passes(source):
    result = gv.validate_delivery(source, frames.DELIVERY, frames.good_tables(source), "run-good")
    assert result.failures == []
    assert result.success and result.critical_success
    assert result.evaluated_expectations == result.successful_expectations > 0
    assert [f.file for f in result.files] == [s.stem for s in files_of(source)]


# One valid row per file in the landing format, through the real ingest row validation.
NID_A = synthetic_national_id(12, 3, 71, 234)
NID_B = synthetic_national_id(4, 11, 58, 120)
LANDING_ROWS = {
    ("boei", "tenancies"): [
        ["1", "B-1", NID_A, "Åse Ærlig", "Årstad", "ORDINAER", "3", "1", "kr 5 250,00", "01.02.2004", ""],
        ["2", "B-2", NID_B, "Per Ås", " laksevåg ", "SERVICEBOLIG", "1", "0", "4 100,50", "01.02.2004", "30.06.2007"],
    ],
    ("boei", "rent_ledger"): [
        ["BIL-1", "1", "05.01.2007", "HUSLEIE", "5 250,00"],
        ["BIL-2", "1", "20.01.2007", "INNBETALING", "kr (5 250,00)"],
    ],
    ("kemner", "petitions"): [["K-1", "1", NID_A, "2007-02-01", "12000.00", "07-001", "SENDT", "2007-02-01", ""]],
    ("kemner", "notifications"): [["V-1", "", NID_B, "2007-03-01", "3000.50", "Fana", "RESTANSE"]],
    ("namsfogd", "cases"): [
        ["07-001", "05.02.2007", "KOMMUNE", "Kemneren", "K-1", NID_A, "", "UNDER_BEHANDLING", ""],
        ["07-002", "2007-02-06 00:00:00", "PRIVAT", "Utleier AS", "", NID_B, "01.05.2008", "UTSATT", "01.03.2008"],
    ],
    ("prosjekt", "cases"): [
        [
            "P-1",
            "1",
            NID_A,
            "01.03.2006",
            "Årstad",
            "JA",
            "2",
            "SOSIALHJELP",
            "15000,00",
            "LOST_FOR_UTKASTELSE",
            "BOSTOTTE",
            "TELEFON|BREV",
            "01.08.2006",
        ],
        ["P-2", "2", NID_B, "01.03.2007", "Arna", "NEI", "0", "ARBEID", "4000,00", "FORTSATT_I_ARBEID", "", "", ""],
    ],
    ("regnskap", "ledger"): [[account_codes()[0], "Lønn", "250 000,00"]],
    ("namsfogd", "forced_sales"): [
        [
            "TS-1",
            "05.03.2007",
            "BORETTSLAG",
            "Fjellsiden borettslag",
            "BBL-1",
            NID_A,
            "ANDEL",
            "BORTFALT",
            "01.05.2007",
        ],
        ["TS-2", "2007-06-01 00:00:00", "BANK", "Banken ASA", "", NID_B, "SELVEIER", "UNDER_BEHANDLING", ""],
    ],
    ("bbl", "arrears"): [
        [
            "BBL-1",
            "BOB",
            "Fjellsiden borettslag",
            "12",
            NID_A,
            "Åse Ærlig",
            " åsane ",
            "0",
            "0,00",
            "01.10.2006",
            "LOST",
            "01.05.2007",
            "",
            "01.03.2007",
        ],
        [
            "BBL-2",
            "VESTBO",
            "Åsane Terrasse",
            "7",
            NID_B,
            "Per Ås",
            "Fana",
            "2",
            "18250,50",
            "01.05.2007",
            "BEGJAERT",
            "01.11.2007",
            "20.10.2007",
            "01.11.2007",
        ],
    ],
}


@pytest.mark.parametrize("source", SOURCES)
def test_suites_pass_on_what_ingest_actually_loads(source):
    tables = {}
    for spec in files_of(source):
        rows = LANDING_ROWS[(spec.source, spec.stem)]
        strings = pl.DataFrame(rows, schema=list(spec.column_names), orient="row").with_row_index(ROW_NUMBER, offset=1)
        checked = validate_rows(
            spec, strings.with_columns(pl.col(ROW_NUMBER).cast(pl.Int64)), dt.date(2007, 12, 31), "k"
        )
        assert checked.quarantined.is_empty(), checked.quarantined.to_dicts()
        tables[spec.stem] = checked.loaded
    result = gv.validate_delivery(source, "2007-12-31", tables, "run-ingested")
    assert result.failures == []


def _failed(result) -> set[tuple[str, str, str | None]]:
    return {(e.file, e.expectation_type, e.column) for e in result.failures}


BAD = {
    "district out of its code list": (
        "boei",
        "tenancies",
        lambda t: t.with_columns(pl.Series("bydel", ["SENTINEL_ØÆÅ", "Fana", "Arna"])),
        {("tenancies", "expect_column_values_to_be_in_set", "bydel")},
    ),
    "children not fewer than persons": (
        "boei",
        "tenancies",
        lambda t: t.with_columns(pl.Series("antall_barn", [3, 0, 0], dtype=pl.Int64)),
        {("tenancies", "expect_column_pair_values_a_to_be_greater_than_b", "antall_personer, antall_barn")},
    ),
    "rent not positive": (
        "boei",
        "tenancies",
        lambda t: t.with_columns(pl.Series("husleie", [Decimal("0.00")] * 3, dtype=pl.Decimal(12, 2))),
        {("tenancies", "expect_column_values_to_be_between", "husleie")},
    ),
    "payment with a positive amount": (
        "boei",
        "rent_ledger",
        lambda t: t.with_columns(pl.Series("belop", [Decimal("5.00")] * 4, dtype=pl.Decimal(12, 2))),
        {("rent_ledger", "expect_column_values_to_be_between", "belop")},
    ),
    "duplicate key and malformed person_key": (
        "kemner",
        "petitions",
        lambda t: t.with_columns(
            pl.Series("begjaering_id", ["K-1", "K-1", "K-3"]), pl.lit("DEADBEEF" * 8).alias("person_key")
        ),
        {
            ("petitions", "expect_column_values_to_be_unique", "begjaering_id"),
            ("petitions", "expect_column_values_to_match_regex", "person_key"),
        },
    ),
    "outcome date missing on a decided case": (
        "namsfogd",
        "cases",
        lambda t: t.with_columns(pl.lit(None, dtype=pl.Date).alias("Utfall_dato")),
        {("cases", "expect_column_values_to_not_be_null", "Utfall_dato")},
    ),
    "open case with a closing date": (
        "prosjekt",
        "cases",
        lambda t: t.with_columns(pl.lit(dt.date(2007, 10, 1)).alias("avsluttet")),
        {("cases", "expect_column_values_to_be_null", "avsluttet")},
    ),
    "rows of another delivery": (
        "regnskap",
        "ledger",
        lambda t: t.with_columns(pl.lit(dt.date(2007, 1, 1)).alias("delivery_date")),
        {("ledger", "expect_column_values_to_be_between", "delivery_date")},
    ),
}


BAD.update(
    {
        "forced sale decided without an outcome date": (
            "namsfogd",
            "forced_sales",
            lambda t: t.with_columns(pl.lit(None, dtype=pl.Date).alias("Utfall_dato")),
            {("forced_sales", "expect_column_values_to_not_be_null", "Utfall_dato")},
        ),
        "co-operative case petitioned without a petition date": (
            "bbl",
            "arrears",
            lambda t: t.with_columns(pl.lit(None, dtype=pl.Date).alias("begjaert_dato")),
            {("arrears", "expect_column_values_to_not_be_null", "begjaert_dato")},
        ),
        "open co-operative case without arrears": (
            "bbl",
            "arrears",
            lambda t: t.with_columns(pl.Series("restanse_belop", [Decimal("0.00")] * 3, dtype=pl.Decimal(12, 2))),
            {("arrears", "expect_column_values_to_be_between", "restanse_belop")},
        ),
    }
)


@pytest.mark.parametrize("case", list(BAD))
def test_bad_frame_fails_the_right_expectation(case):
    source, stem, spoil, expected = BAD[case]
    tables = frames.good_tables(source)
    result = gv.validate_delivery(source, frames.DELIVERY, {stem: spoil(tables[stem])}, "run-bad")
    assert _failed(result) == expected
    assert not result.success and not result.critical_success


def test_implausible_date_is_a_warning_not_critical():
    # Python date objects against date bounds: no datetime64 mis-comparison.
    spoilt = frames.tenancies().with_columns(
        pl.Series("fra_dato", [dt.date(2030, 1, 1), dt.date(1899, 12, 31), dt.date(2001, 1, 1)], dtype=pl.Date),
        pl.lit(None, dtype=pl.Date).alias("til_dato"),
    )
    result = gv.validate_delivery("boei", frames.DELIVERY, {"tenancies": spoilt}, "run-dates")
    assert _failed(result) == {("tenancies", "expect_column_values_to_be_between", "fra_dato")}
    assert result.failures[0].severity == "warning" and result.failures[0].observed.startswith("2 of 3")
    assert not result.success and result.critical_success
    assert result.files_not_given == ["rent_ledger"]


def test_big_table_is_validated_on_a_deterministic_sample():
    ledger = frames.rent_ledger(10)
    result = gv.validate_delivery("boei", frames.DELIVERY, {"rent_ledger": ledger.lazy()}, "run-s", sample_threshold=4)
    (file,) = result.files
    assert (file.rows, file.rows_validated) == (10, 4)
    assert "every 3th row" in file.sampling and "sample" in gv.validation_summary_markdown(result)
    assert result.gx_results[0]["meta"]["batch_spec"]["rows_validated"] == 4


@pytest.mark.parametrize("source", SOURCES)
def test_a_zero_row_file_is_a_warning_never_blocking(source):
    """The contract says a zero-row file is a valid full snapshot: the suite may warn, not block."""
    tables = {stem: frame.head(0) for stem, frame in frames.good_tables(source).items()}
    result = gv.validate_delivery(source, frames.DELIVERY, tables, "run-empty")
    assert result.failures, "an empty file is worth a warning"
    assert {e.severity for e in result.failures} == {"warning"}
    assert result.critical_success


def test_suite_severities_follow_the_declared_policy():
    """Only what the contract quarantines is critical; plausibility and volume checks warn."""
    for source in SOURCES:
        for suite in gv.suite_documents(source):
            for expectation in suite["expectations"]:
                rule = expectation["meta"]["rule"]
                beyond = rule.startswith("plausible date") or "beyond the contract" in rule
                assert expectation["severity"] == ("warning" if beyond else "critical"), (suite["name"], rule)
