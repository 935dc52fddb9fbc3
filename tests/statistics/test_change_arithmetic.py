"""Change against the earlier year in petitions_evictions_by_year (Tables 1 and 2), computed by
the dbt model's own SQL on a hand-made petitions mart, and how disclosure control treats it."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from orchestration.lib.disclosure import protect, rule_for, verify
from tests.support.sql_models import run_model

D = dt.date
SCHEMA = {
    "petitioner_type": pl.String, "petition_id": pl.String, "bailiff_case_no": pl.String,
    "filed_date": pl.Date, "received_date": pl.Date, "is_eviction": pl.Boolean, "outcome_date": pl.Date,
}  # fmt: skip


def petition(source: str, number: int, filed: dt.date, executed: dt.date | None = None) -> dict:
    collector = source == "collector"
    return {
        "petitioner_type": "collector" if collector else "private",
        "petition_id": f"K-{number}" if collector else None,
        "bailiff_case_no": None if collector else f"N-{number}",
        "filed_date": filed if collector else None,
        "received_date": None if collector else filed,
        "is_eviction": executed is not None,
        "outcome_date": executed,
    }


def petitions_mart() -> pl.DataFrame:
    rows = []
    n = 0

    def add(source, count, year, executed_year=None, executed=0):
        nonlocal n
        for i in range(count):
            n += 1
            when = D(executed_year or year, 11, 1) if i < executed else None
            rows.append(petition(source, n, D(year, 3, 1), when))

    # collector: 10 petitions in 2006 (3 executed in 2006), 25 in 2007 (6 executed in 2008),
    # 8 in 2008 (none executed).
    add("collector", 10, 2006, 2006, 3)
    add("collector", 25, 2007, 2008, 6)
    add("collector", 8, 2008)
    # bailiff (private landlords): 20 in 2005 (5 executed in 2005), none in 2006, 12 in 2007.
    add("bailiff", 20, 2005, 2005, 5)
    add("bailiff", 12, 2007)
    return pl.DataFrame(rows, schema=SCHEMA)


@pytest.fixture(scope="module")
def by_year() -> pl.DataFrame:
    return run_model("petitions_evictions_by_year", {"petitions": petitions_mart()})


def row(frame: pl.DataFrame, source: str, year: int) -> dict:
    return frame.filter((pl.col("source") == source) & (pl.col("year") == year)).row(0, named=True)


def test_counts_by_year_of_filing_receipt_and_execution(by_year):
    got = {(r["source"], r["year"]): (r["petitions"], r["evictions"]) for r in by_year.iter_rows(named=True)}
    assert got == {
        ("collector", 2006): (10, 3),
        ("collector", 2007): (25, 0),
        ("collector", 2008): (8, 6),  # executed in 2008 on petitions filed in 2007
        ("bailiff", 2005): (20, 5),
        ("bailiff", 2006): (0, 0),  # a year without any: no gap in the years
        ("bailiff", 2007): (12, 0),
    }


def test_first_year_has_no_change(by_year):
    for source, first in (("collector", 2006), ("bailiff", 2005)):
        r = row(by_year, source, first)
        assert r["petitions_change"] is None and r["petitions_change_pct"] is None
        assert r["evictions_change"] is None and r["evictions_change_pct"] is None


def test_change_is_measured_against_the_earlier_year(by_year):
    r = row(by_year, "collector", 2007)
    assert r["petitions_change"] == 15
    assert r["petitions_change_pct"] == pytest.approx(150.0)  # 15 / 10, not 15 / 25 (the report's error)
    assert r["evictions_change"] == -3 and r["evictions_change_pct"] == pytest.approx(-100.0)
    r = row(by_year, "collector", 2008)
    assert r["petitions_change_pct"] == pytest.approx(100 * (8 - 25) / 25)
    assert r["evictions_change"] == 6 and r["evictions_change_pct"] is None  # from 0: no percentage
    assert r["eviction_share_pct"] == pytest.approx(75.0)
    r = row(by_year, "bailiff", 2007)
    assert r["petitions_change"] == 12 and r["petitions_change_pct"] is None  # the earlier year had none
    assert row(by_year, "bailiff", 2006)["eviction_share_pct"] is None  # no petitions, no share


def test_the_report_figures_change_as_official_statistics_measure_it():
    # Table 1 of the 2008 report: 110 -> 229 is +108.2 % (the report printed +52 %: 119 / 229).
    rows = [petition("collector", i, D(2006, 5, 1)) for i in range(110)]
    rows += [petition("collector", 1000 + i, D(2007, 5, 1)) for i in range(229)]
    frame = run_model("petitions_evictions_by_year", {"petitions": pl.DataFrame(rows, schema=SCHEMA)})
    change = row(frame, "collector", 2007)["petitions_change_pct"]
    assert round(change, 1) == 108.2


def test_disclosure_hides_changes_computed_from_a_suppressed_year(by_year, dbt_manifest):
    rule = rule_for("petitions_evictions_by_year")
    protected = protect(by_year, rule, 4)
    assert verify(protected, rule, 4) == []
    c06, c07 = row(protected, "collector", 2006), row(protected, "collector", 2007)
    assert c06["evictions"] is None and c06["eviction_share_pct"] is None and c06["suppressed"]
    assert c06["petitions"] == 10  # the other count of the row stays
    # 2007's evictions (0) are shown, but their change from 2006's suppressed 3 would give it away.
    assert c07["evictions"] == 0 and c07["evictions_change"] is None and c07["evictions_change_pct"] is None
    assert c07["petitions_change"] == 15 and not c07["suppressed"]
    # Nothing else is touched: the bailiff's 2005 evictions (5) are above the threshold.
    assert row(protected, "bailiff", 2005)["evictions"] == 5
