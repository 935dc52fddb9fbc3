"""`evictions refresh` on the bundled sample, end to end through Dagster and dbt."""

from __future__ import annotations

import json
from decimal import Decimal

import polars as pl
import pyarrow.parquet as pq

from orchestration.lib.atomic import METADATA_KEY


def test_refresh_prints_progress_and_succeeds(sample_refresh):
    assert "refresh succeeded" in sample_refresh.output
    assert "regnskap/" in sample_refresh.output  # per-delivery progress lines


def test_project_accounts_summary_is_computed_from_the_extract(sample_refresh):
    summary = pl.read_parquet(sample_refresh.warehouse / "published" / "project_accounts_summary.parquet")
    assert summary.height == 1
    row = summary.row(0, named=True)
    assert row["total_income_nok"] == Decimal("509075.00")
    assert row["total_expenses_nok"] == Decimal("831392.41")
    assert row["balance_nok"] == Decimal("-322317.41")


def test_project_expenses_has_every_account_line_with_kind_and_category(sample_refresh):
    expenses = pl.read_parquet(sample_refresh.warehouse / "curated" / "project_expenses.parquet")
    assert expenses.height == 20
    assert expenses.filter(pl.col("kind") == "income")["account"].str.starts_with("17").all()
    assert expenses["category"].null_count() == 0


def test_published_files_describe_themselves(sample_refresh):
    for folder in ("curated", "published"):
        for path in (sample_refresh.warehouse / folder).glob("*.parquet"):
            schema = pq.read_schema(path)
            document = json.loads(schema.metadata[METADATA_KEY])
            assert document["description"], path
            assert document["run_id"] and document["deliveries"], path
            assert all(schema.field(n).metadata.get(b"description") for n in schema.names if n != "suppressed"), path


def test_table_1_and_2_of_the_report(sample_refresh):
    table = pl.read_parquet(sample_refresh.warehouse / "published" / "petitions_evictions_by_year.parquet")
    got = {(r["year"], r["source"]): (r["petitions"], r["evictions"]) for r in table.iter_rows(named=True)}
    assert got == {
        (2006, "collector"): (110, 29),
        (2007, "collector"): (229, 27),
        (2006, "bailiff"): (445, 116),
        (2007, "bailiff"): (539, 141),
    }
    collector_2007 = table.filter((pl.col("year") == 2007) & (pl.col("source") == "collector")).row(0, named=True)
    assert abs(collector_2007["petitions_change_pct"] - 100 * 119 / 110) < 1e-9  # against the earlier year


def test_project_cases(sample_refresh):
    cases = pl.read_parquet(sample_refresh.warehouse / "curated" / "case_outcomes.parquet")
    assert cases.height == 963
    assert cases.filter(pl.col("outcome") == "evicted").height == 45


def test_ingest_audit_balances(sample_refresh):
    audit = pl.read_parquet(sample_refresh.warehouse / "quality" / "ingest_audit.parquet")
    assert set(audit["source"]) == {"boei", "kemner", "namsfogd", "prosjekt", "regnskap", "bbl"}
    assert (audit["status"] == "loaded").all()
    assert (
        audit["rows_in_manifest"] == audit["rows_loaded"] + audit["rows_quarantined"] + audit["rows_collapsed"]
    ).all()


def test_the_run_is_recorded_in_the_warehouse_dagster_instance(sample_refresh):
    """What the UI shows: the run, its steps and the asset-check evaluations, in the warehouse's instance."""
    import dagster as dg

    home = sample_refresh.warehouse / "dagster_home"
    with dg.DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs()  # newest first; the idempotence test may have refreshed again
        assert runs and all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs)
        run = runs[0]
        stats = {s.step_key: s.status.value for s in instance.get_run_step_stats(run.run_id)}
        assert stats["warehouse_dbt"] == "SUCCESS"
        check_key = dg.AssetCheckKey(dg.AssetKey(["raw", "boei", "tenancies"]), "great_expectations")
        assert instance.event_log_storage.get_latest_asset_check_execution_by_key([check_key])
        # dbt test results, handed to Dagster while dbt still runs, belong to this run too
        not_null = dg.AssetCheckKey(dg.AssetKey(["dbt", "marts", "households"]), "row_rules_households")
        (execution,) = instance.event_log_storage.get_asset_check_execution_history(not_null, limit=1)
        assert execution.run_id == run.run_id
