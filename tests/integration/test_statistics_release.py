"""The statistics release on the bundled sample, end to end (one shared refresh): the published
tables hold the report's figures and shapes, the comparison with the report and the reconciliation
agree, the release page is written, and an unchanged republication revises nothing."""

from __future__ import annotations

import shutil

import polars as pl

from orchestration.lib import publish
from orchestration.lib.atomic import read_table_metadata
from orchestration.lib.dbt_manifest import models_in_schema
from orchestration.lib.ingest import loaded_deliveries


def table(refresh, name: str) -> pl.DataFrame:
    return pl.read_parquet(refresh.warehouse / "published" / f"{name}.parquet")


def test_shape_facts_of_the_report_hold_in_the_published_tables(sample_refresh):
    districts = {r["district"]: r for r in table(sample_refresh, "cases_by_district").iter_rows(named=True)}
    assert max(districts, key=lambda d: districts[d]["cases"]) == "Årstad"
    shown = {d: r["eviction_share_pct"] for d, r in districts.items() if r["eviction_share_pct"] is not None}
    assert sorted(shown, key=shown.get)[-2:] == ["Laksevåg", "Fana"]
    paid = {d: r["social_service_paid_pct"] for d, r in districts.items()}
    assert min(paid, key=paid.get) == "Laksevåg" and 7 < paid["Laksevåg"] < 8
    sex_age = table(sample_refresh, "cases_by_sex_and_age_band")
    top = sex_age.sort("cases", descending=True).row(0, named=True)
    assert (top["sex"], top["age_band"]) == ("F", "30-39")
    wide = sex_age.pivot("sex", index="age_band", values="cases")
    assert wide.filter(pl.col("F") <= pl.col("M"))["age_band"].to_list() == ["40-49"]
    sexes = dict(table(sample_refresh, "cases_by_sex").select("sex", "cases").rows())
    assert sexes["F"] > sexes["M"] and sum(sexes.values()) == 963
    claims = {r["claim_band"]: r for r in table(sample_refresh, "cases_by_claim_band").iter_rows(named=True)}
    assert claims["30000+"]["cases"] > 80
    assert min(claims, key=lambda c: claims[c]["resolved_pct"]) == "30000+"
    children = dict(table(sample_refresh, "cases_by_household_type").select("household_type", "cases").rows())
    assert 300 < children["with_children"] < children["without_children"]


def test_comparison_with_the_report_and_reconciliation_are_one(sample_refresh):
    comparison = table(sample_refresh, "report_comparison")
    assert comparison.height == 27
    statuses = comparison.group_by("status").len().sort("status").rows()
    assert statuses == [("agrees", 23), ("report_arithmetic", 4)]
    arithmetic = comparison.filter(pl.col("status") == "report_arithmetic")
    assert sorted(arithmetic["printed_value"].to_list()) == [-14, 17, 18, 52]
    reconciliation = pl.read_parquet(sample_refresh.warehouse / "quality" / "reconciliation.parquet")
    findings = reconciliation.filter(pl.col("check") == "report_figure_differs")
    assert findings.height == arithmetic.height
    assert set(findings["severity"]) == {"info"}
    for explanation in arithmetic["explanation"]:
        assert any(explanation in detail for detail in findings["detail"]), explanation


def test_published_files_carry_their_row_key_and_disclosure(sample_refresh):
    for name in models_in_schema("published"):
        document = read_table_metadata(sample_refresh.warehouse / "published" / f"{name}.parquet")
        assert isinstance(document["row_key"], list), name
        assert document["disclosure"]["threshold"] == 4, name
    districts = read_table_metadata(sample_refresh.warehouse / "published" / "cases_by_district.parquet")
    assert districts["disclosure"]["suppressed_cells"]["evictions"]  # the sample's small districts


def test_the_release_page_is_written_from_the_published_tables(sample_refresh):
    release = sample_refresh.warehouse / "published" / "release"
    bokmal = (release / "index.html").read_text(encoding="utf-8")
    assert "Datagrunnlag til og med</dt><dd>31. desember 2007" in bokmal and 'href="en/index.html"' in bokmal
    assert bokmal.count("<svg") == 20 and "ennå ikke kjent" not in bokmal
    page = (release / "en" / "index.html").read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in page
    # the report's 17 diagrams, and a figure for each of the forced-sale follow-up project's 3 tables
    assert page.count('<figure class="chart"') == 17 and page.count('<figure class="graph"') == 3
    assert page.count("<svg") == 20
    assert 'id="forced-sales"' in page and "not yet known" not in page
    assert "Data cut-off</dt><dd>31 December 2007" in page
    assert '<span class="status final">Final</span>' in page
    assert "Laksevåg" in page and "Årstad" in page
    assert "http" not in page and "<script" not in page


def test_first_publication_recorded_no_revision_and_an_unchanged_one_records_none(sample_refresh, tmp_path):
    log = pl.read_parquet(sample_refresh.warehouse / "published" / "revisions.parquet")
    assert log.is_empty()
    published = tmp_path / "published"
    shutil.copytree(sample_refresh.warehouse / "published", published)
    names = models_in_schema("published")
    tables = publish.read_relations(sample_refresh.warehouse / "warehouse.duckdb", "published", names)
    again = publish.publish_statistics(
        tables, published, threshold=4, deliveries=loaded_deliveries(sample_refresh.warehouse), run_id="again"
    )
    assert again.revisions.is_empty() and again.log_rows == 0


def test_a_stricter_threshold_is_recorded_as_revisions(sample_refresh, tmp_path):
    threshold = 6
    published = tmp_path / "published"
    shutil.copytree(sample_refresh.warehouse / "published", published)
    names = models_in_schema("published")
    tables = publish.read_relations(sample_refresh.warehouse / "warehouse.duckdb", "published", names)
    stricter = publish.publish_statistics(
        tables, published, threshold=threshold, deliveries=loaded_deliveries(sample_refresh.warehouse), run_id="strict"
    )
    revised = stricter.revisions
    assert revised["new_value"].null_count() > 0  # counts from 5 to 6 are hidden now
    assert set(revised["run_id"]) == {"strict"}
    assert pl.read_parquet(published / "revisions.parquet").height == revised.height
