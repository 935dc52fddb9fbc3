"""published.report_comparison: the warehouse's figures beside the 2008 report's, computed by the
dbt model's own SQL from hand-made published models and the real seed of printed figures."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import polars as pl
import pytest

from tests.support.sql_models import REPORT_FIGURE_TYPES, load_seed, run_model
from tests.support.statistics_frames import REPORT_COUNTS, by_year


# Tables 1 and 2 of the report: (petitions, evictions) per source and year.
def inputs(counts=REPORT_COUNTS, evicted=45, balance="-322317.41") -> dict[str, pl.DataFrame]:
    outcomes = {"resolved": 690, "open": 130, "moved": 55, "evicted": evicted, "other": 37, "reinstated": 6}
    return {
        "petitions_evictions_by_year": by_year(counts),
        "case_outcomes_summary": pl.DataFrame({"outcome": list(outcomes), "cases": list(outcomes.values())}),
        "cases_by_household_type": pl.DataFrame(
            {"household_type": ["without_children", "with_children"], "cases": [645, 318]}
        ),
        "cases_by_claim_band": pl.DataFrame({"claim_band": ["under 5000", "30000+"], "cases": [875, 88]}),
        "cases_by_district": pl.DataFrame(
            {
                "district": ["Laksevåg", "Årstad"],
                "cases": [120, 230],
                "social_service_paid": [9, 50],
                "social_service_paid_pct": [7.5, 100 * 50 / 230],
            }
        ),
        "project_accounts_summary": pl.DataFrame(
            {
                "total_income_nok": [Decimal("509075.00")],
                "total_expenses_nok": [Decimal("831392.41")],
                "balance_nok": [Decimal(balance)],
            }
        ),
    }


def comparison(**kw) -> pl.DataFrame:
    connection = duckdb.connect()
    load_seed(connection, "report_figures_2008", REPORT_FIGURE_TYPES)
    return run_model("report_comparison", inputs(**kw), connection)


@pytest.fixture(scope="module")
def rows() -> dict[tuple, dict]:
    frame = comparison()
    return {(r["measure"], r["source"], r["year"], r["category"]): r for r in frame.iter_rows(named=True)}


def test_every_printed_figure_has_a_row(rows):
    assert len(rows) == 27
    assert all(r["warehouse_value"] is not None for r in rows.values())


def test_counts_shares_project_figures_and_accounts_agree(rows):
    agree = [k for k, r in rows.items() if r["status"] == "agrees"]
    assert len(agree) == 23
    assert rows[("petitions", "collector", 2007, None)]["difference"] == 0
    assert rows[("eviction_share_pct", "collector", 2006, None)]["warehouse_value"] == pytest.approx(100 * 29 / 110)
    assert rows[("project_cases", "project", None, None)]["warehouse_value"] == 963
    assert rows[("evicted_cases", "project", None, None)]["warehouse_value"] == 45
    assert rows[("social_service_paid_pct", "project", None, "Laksevåg")]["agrees"]  # "drøyt 7 %"
    assert rows[("balance_nok", "accounts", None, None)]["warehouse_value"] == pytest.approx(-322317.41)
    # -7 % is right (the report divided by the earlier year there): -6.9 rounds to it.
    collector_evictions = rows[("evictions_change_pct", "collector", 2007, None)]
    assert collector_evictions["status"] == "agrees" and round(collector_evictions["warehouse_value"], 1) == -6.9


@pytest.mark.parametrize(
    ("key", "printed", "computed", "report_arithmetic"),
    [
        (("petitions_change_pct", "collector", 2007, None), 52, 108.2, 100 * 119 / 229),
        (("petitions_change_pct", "bailiff", 2007, None), 17, 21.1, 100 * 94 / 539),
        (("evictions_change_pct", "bailiff", 2007, None), 18, 21.6, 100 * 25 / 141),
        (("eviction_share_change_pct", "collector", 2007, None), -14, -55.3, 12 - 26),
    ],
)
def test_the_reports_own_percentage_errors_are_explained(rows, key, printed, computed, report_arithmetic):
    row = rows[key]
    assert row["status"] == "report_arithmetic" and row["agrees"] is False
    assert row["printed_value"] == printed
    assert round(row["warehouse_value"], 1) == computed
    assert row["difference"] == pytest.approx(row["warehouse_value"] - printed)
    assert row["report_method_value"] == pytest.approx(report_arithmetic)
    assert f"{computed:+.1f} %" in row["explanation"]


def test_the_explanations_say_how_the_report_got_its_figure(rows):
    table_1 = rows[("petitions_change_pct", "collector", 2007, None)]["explanation"]
    assert "divided the change (+119) by the later year's figure (229)" in table_1
    assert "earlier year's figure (110)" in table_1 and "+108.2 %" in table_1
    text = rows[("eviction_share_change_pct", "collector", 2007, None)]["explanation"]
    assert "14 percentage points" in text and "26.4 % to 11.8 %" in text


def test_a_figure_that_differs_for_another_reason_is_flagged():
    counts = {**REPORT_COUNTS, ("collector", 2007): (230, 27)}
    frame = comparison(counts=counts, evicted=44)
    got = {(r["measure"], r["source"], r["year"]): r for r in frame.iter_rows(named=True)}
    petitions = got[("petitions", "collector", 2007)]
    assert petitions["status"] == "differs" and petitions["difference"] == 1
    assert 'the report prints "229", the warehouse computes 230' in petitions["explanation"]
    assert got[("evicted_cases", "project", None)]["status"] == "differs"
    # The change against the earlier year moves with the count; +52 % is still the report's arithmetic
    # only if dividing by the later year still gives 52: 120 / 230 = 52.2.
    assert got[("petitions_change_pct", "collector", 2007)]["status"] == "report_arithmetic"


def test_smallest_count_lets_disclosure_control_hide_figures_on_small_counts(rows, dbt_manifest):
    from orchestration.lib.disclosure import protect, rule_for

    frame = comparison(counts={**REPORT_COUNTS, ("collector", 2007): (229, 3)})
    protected = protect(frame, rule_for("report_comparison"), 4)
    hidden = protected.filter(pl.col("suppressed"))
    assert set(hidden["measure"]) == {
        "evictions",
        "evictions_change",
        "evictions_change_pct",
        "eviction_share_pct",
        "eviction_share_change_pct",
    }
    assert hidden["warehouse_value"].null_count() == hidden.height
    assert hidden["explanation"].null_count() == hidden.height
    assert protected.filter(~pl.col("suppressed"))["warehouse_value"].null_count() == 0
