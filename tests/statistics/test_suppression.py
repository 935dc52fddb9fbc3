"""Disclosure control of published/ as declared in the dbt yml (config.meta.disclosure): primary
and secondary suppression on small districts, derived values, and the declarations themselves."""

from __future__ import annotations

import polars as pl
import pytest

from orchestration.lib.dbt_manifest import model_node, models_in_schema
from orchestration.lib.disclosure import (
    DisclosureRule,
    DisclosureViolation,
    protect,
    protect_table,
    rule_for,
    suppressed_cells,
    verify,
)

DISTRICTS = ["Arna", "Bergenhus", "Fana", "Fyllingsdalen", "Laksevåg", "Ytrebygda", "Årstad", "Åsane"]


def districts_frame(cases, evictions, paid) -> pl.DataFrame:
    """A cases_by_district as the dbt model computes it (before disclosure control)."""
    return pl.DataFrame(
        {
            "district": DISTRICTS,
            "cases": cases,
            "evictions": evictions,
            "eviction_share_pct": [100 * e / c if c else None for e, c in zip(evictions, cases)],
            "social_service_paid": paid,
            "social_service_paid_pct": [100 * p / c if c else None for p, c in zip(paid, cases)],
        }
    )


@pytest.fixture(scope="module")
def district_rule(dbt_manifest) -> DisclosureRule:
    return rule_for("cases_by_district")


def by_district(frame: pl.DataFrame) -> dict[str, dict]:
    return {r["district"]: r for r in frame.iter_rows(named=True)}


def test_small_district_counts_are_suppressed_with_what_is_computed_from_them(district_rule):
    frame = districts_frame(
        cases=[3, 150, 105, 110, 120, 70, 230, 118],
        evictions=[0, 7, 9, 5, 10, 2, 8, 4],
        paid=[1, 30, 14, 20, 9, 11, 50, 20],
    )
    protected = protect(frame, district_rule, 4)
    assert verify(protected, district_rule, 4) == []
    got = by_district(protected)
    hidden = {c: [d for d in DISTRICTS if got[d][c] is None] for c in ("cases", "evictions", "social_service_paid")}
    assert hidden == {
        # Arna's 3 cases, and the next smallest (Ytrebygda's 70): the total would give a lone one away.
        "cases": ["Arna", "Ytrebygda"],
        # Two small cells (2 and 4): the total gives neither away; Arna's 0 is shown.
        "evictions": ["Ytrebygda", "Åsane"],
        # Arna's 1, and the next smallest non-zero cell, Laksevåg's 9.
        "social_service_paid": ["Arna", "Laksevåg"],
    }
    # Every share computed from a hidden count is hidden too; the row is flagged.
    assert got["Arna"]["eviction_share_pct"] is None and got["Arna"]["social_service_paid_pct"] is None
    assert got["Ytrebygda"]["eviction_share_pct"] is None and got["Ytrebygda"]["social_service_paid_pct"] is None
    assert got["Åsane"]["eviction_share_pct"] is None and got["Åsane"]["social_service_paid_pct"] is not None
    assert got["Laksevåg"]["social_service_paid_pct"] is None and got["Laksevåg"]["eviction_share_pct"] is not None
    assert [d for d in DISTRICTS if got[d]["suppressed"]] == ["Arna", "Laksevåg", "Ytrebygda", "Åsane"]
    # Nothing else is touched.
    assert got["Årstad"] == {**frame.row(6, named=True), "suppressed": False}


def test_a_single_small_district_takes_the_next_smallest_with_it(district_rule):
    # Only Ytrebygda is small (2 cases where the social service paid): 2 = total - the rest,
    # so the next smallest non-zero cell of that column (Laksevåg's 9) is suppressed too.
    frame = districts_frame(
        cases=[60, 150, 105, 110, 120, 70, 230, 118],
        evictions=[5, 7, 9, 5, 10, 6, 8, 5],
        paid=[10, 30, 14, 20, 9, 2, 50, 20],
    )
    protected = protect(frame, district_rule, 4)
    got = by_district(protected)
    hidden = [d for d in DISTRICTS if got[d]["social_service_paid"] is None]
    assert hidden == ["Laksevåg", "Ytrebygda"]
    assert got["Laksevåg"]["social_service_paid_pct"] is None and got["Laksevåg"]["suppressed"]
    assert got["Laksevåg"]["evictions"] == 10  # the row's other counts stay
    assert verify(protected, district_rule, 4) == []
    # Without the secondary cell the table would be refused before anything is written.
    unsafe = protected.with_columns(
        pl.when(pl.col("district") == "Laksevåg")
        .then(9)
        .otherwise(pl.col("social_service_paid"))
        .alias("social_service_paid")
    )
    assert any("recomputed" in p for p in verify(unsafe, district_rule, 4))


def test_when_every_other_cell_is_zero_a_zero_is_hidden(district_rule):
    frame = districts_frame(
        cases=[60, 150, 105, 110, 120, 70, 230, 118],
        evictions=[0, 0, 3, 0, 0, 0, 0, 0],
        paid=[10, 30, 14, 20, 9, 11, 50, 20],
    )
    protected = protect(frame, district_rule, 4)
    assert verify(protected, district_rule, 4) == []
    assert protected["evictions"].null_count() == 2


def test_the_threshold_is_a_setting(district_rule):
    frame = districts_frame(
        cases=[60, 150, 105, 110, 120, 70, 230, 118],
        evictions=[5, 7, 9, 5, 10, 6, 8, 5],
        paid=[10, 30, 14, 20, 9, 11, 50, 20],
    )
    assert protect(frame, district_rule, 4)["evictions"].null_count() == 0
    assert by_district(protect(frame, district_rule, 5))["Arna"]["evictions"] is None


def test_sex_by_age_band_is_protected_in_rows_columns_and_total(dbt_manifest):
    rule = rule_for("cases_by_sex_and_age_band")
    bands = ["under 30", "30-39", "40-49", "50-59", "60-66", "67+"]
    frame = pl.DataFrame(
        {
            "sex": ["F"] * 6 + ["M"] * 6,
            "age_band": bands * 2,
            "cases": [105, 165, 120, 75, 30, 3, 80, 120, 140, 60, 22, 18],
        }
    ).with_columns((100 * pl.col("cases") / pl.col("cases").sum()).alias("share_pct"))
    protected = protect(frame, rule, 4)
    assert verify(protected, rule, 4) == []
    for margin in ("sex", "age_band"):
        for _, group in protected.group_by(margin):
            assert group["cases"].null_count() != 1, margin


def test_change_without_a_partition(dbt_manifest):
    rule = DisclosureRule(
        counts=("petitions",), margins=(), derived_from_previous={"change": "petitions"}, order_by=("year",)
    )
    frame = pl.DataFrame({"year": [2006, 2007, 2008], "petitions": [2, 20, 30], "change": [None, 18, 10]})
    protected = protect(frame, rule, 4)
    assert protected["change"].to_list() == [None, None, 10]
    assert verify(protected, rule, 4) == []
    leaked = protected.with_columns(pl.Series("change", [None, 18, 10]))
    assert any("previous row" in p for p in verify(leaked, rule, 4))


def test_suppressed_cells_are_those_disclosure_control_hid(district_rule):
    frame = districts_frame(
        cases=[3, 150, 105, 110, 120, 70, 230, 118],
        evictions=[0, 7, 9, 5, 10, 6, 8, 5],
        paid=[0, 30, 14, 20, 9, 11, 50, 20],
    )
    protected = protect_table("cases_by_district", frame.to_arrow(), district_rule, 4)
    cells = suppressed_cells(frame.to_arrow(), protected)
    assert cells["cases"] == [0, 5]  # Arna (3) and, secondary, Ytrebygda (70)
    assert cells["eviction_share_pct"] == [0, 5] and cells["social_service_paid_pct"] == [0, 5]
    assert "evictions" not in cells  # Arna's 0 evictions are shown, nothing was null before


def test_an_unsafe_table_is_refused_before_anything_is_written(monkeypatch):
    from orchestration.lib import disclosure

    rule = DisclosureRule(counts=("cases",))
    # A lone small cell beside zeros: a zero is hidden too, so the table is safe...
    frame = pl.DataFrame({"g": ["a", "b", "c"], "cases": [3, 0, 0]})
    assert protect_table("t", frame.to_arrow(), rule, 4).column("cases").null_count == 2
    # ...and whatever protection misses, the independent check refuses.
    monkeypatch.setattr(disclosure, "protect", lambda f, r, t: f.with_columns(pl.lit(False).alias("suppressed")))
    with pytest.raises(DisclosureViolation, match="from 1 to 4 shown"):
        disclosure.protect_table("t", frame.to_arrow(), rule, 4)


# -- the declarations in the dbt yml --------------------------------------------------------------


@pytest.fixture(scope="module")
def published(dbt_manifest) -> list[str]:
    return models_in_schema("published")


def test_every_diagram_table_is_published(published):
    expected = {
        # published.md
        "petitions_evictions_by_year", "case_outcomes_summary", "cases_by_district", "project_accounts_summary",
        "national_targets",
        # the report's other diagrams
        "cases_by_household_type", "cases_by_sex_and_age_band", "cases_by_sex", "cases_by_income_source",
        "cases_by_solution", "cases_by_action", "cases_by_claim_band", "cases_by_social_service_involvement",
        # the comparison with the report
        "report_comparison",
    }  # fmt: skip
    assert expected <= set(published)


def test_contract_columns(published):
    contract = {
        "petitions_evictions_by_year": ["year", "source", "petitions", "evictions", "petitions_change",
                                        "petitions_change_pct", "evictions_change", "evictions_change_pct",
                                        "eviction_share_pct"],
        "case_outcomes_summary": ["outcome", "cases", "share_pct"],
        "cases_by_district": ["district", "cases", "evictions", "eviction_share_pct", "social_service_paid",
                              "social_service_paid_pct"],
        "project_accounts_summary": ["total_income_nok", "total_expenses_nok", "balance_nok"],
        "national_targets": ["measure", "source", "baseline_year", "baseline", "target_year", "actual",
                             "change_pct", "target_pct", "met"],
    }  # fmt: skip
    for name, columns in contract.items():
        declared = list(model_node(name)["columns"])
        assert declared[: len(columns)] == columns or set(columns) <= set(declared), name


def test_every_published_table_declares_disclosure_and_a_row_key(published):
    for name in published:
        node = model_node(name)
        meta = node.get("config", {}).get("meta", {})
        assert "disclosure" in meta and "row_key" in meta, name
        columns = set(node["columns"])
        rule = DisclosureRule.from_meta(meta["disclosure"])
        assert set(meta["row_key"]) <= columns, name
        assert set(rule.counts) <= columns, name
        assert not set(rule.counts) & set(meta["row_key"]), name
        for column, sources in rule.derived.items():
            assert column in columns and set(sources) <= set(rule.counts), (name, column)
        for margin in rule.margins:
            assert set(margin) <= set(meta["row_key"]), (name, margin)
        # Every percentage computed from a count says so (target_pct is a policy constant).
        for column in columns:
            if column.endswith("_pct") and column != "target_pct" and rule.counts:
                assert column in rule.derived or column in rule.derived_from_previous, (name, column)
