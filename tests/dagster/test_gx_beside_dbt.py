"""Great Expectations validates beside dbt; publication waits for it (issue #15).

dbt must not wait for GX (GX is no longer a blocking check on the raw tables), every published,
curated and quality output must wait for ``quality/data_docs``, and a failed critical expectation
in the latest validation of any delivery in the raw layer keeps publication back.
"""

from __future__ import annotations

import json

import dagster as dg
import pytest

from orchestration.defs.quality.assets import (
    DATA_DOCS_KEY,
    GX_GATE_CHECK_NAME,
    great_expectations_validation,
)
from orchestration.defs.resources import GreatExpectationsResource, WarehouseResource
from orchestration.lib import gx_validation
from orchestration.lib.paths import WarehousePaths

DBT_STEP = "warehouse_dbt"


@pytest.fixture(scope="module")
def definitions(dbt_manifest):
    from orchestration.definitions import build_definitions

    return build_definitions()


@pytest.fixture(scope="module")
def job(definitions):
    from orchestration.defs.schedules.definitions import REFRESH_JOB_NAME

    return definitions.resolve_job_def(REFRESH_JOB_NAME)


def _upstream_steps(job, step_key: str) -> set[str]:
    from dagster._core.execution.api import create_execution_plan

    execution_plan = create_execution_plan(job)
    by_key = {step.key: step for step in execution_plan.steps}
    seen: set[str] = set()
    todo = [step_key]
    while todo:
        for upstream in by_key[todo.pop()].get_execution_dependency_keys():
            if upstream not in seen:
                seen.add(upstream)
                todo.append(upstream)
    return seen


def test_dbt_does_not_wait_for_great_expectations(job):
    upstream = _upstream_steps(job, DBT_STEP)
    assert any(step.startswith("ingest_") for step in upstream)
    assert "great_expectations_validation" not in upstream
    assert "great_expectations_suites" not in upstream


def test_every_output_for_readers_waits_for_great_expectations(definitions):
    graph = definitions.resolve_asset_graph()
    downstream, todo = set(), [DATA_DOCS_KEY]
    while todo:
        for child in graph.get(todo.pop()).child_keys:
            if child not in downstream:
                downstream.add(child)
                todo.append(child)
    readers = {
        key
        for key in graph.get_all_asset_keys()
        if key.path[0] in {"curated", "published", "restricted"} or key.path[:2] == ["quality", "reconciliation"]
    }
    assert readers, "no published assets found"
    assert readers <= downstream, sorted(k.to_user_string() for k in readers - downstream)


def test_great_expectations_checks_on_raw_tables_do_not_block(definitions):
    graph = definitions.resolve_asset_graph()
    gx_checks = [key for key in graph.asset_check_keys if key.name == "great_expectations"]
    assert len(gx_checks) == 9
    for key in gx_checks:
        assert not graph.get_check_spec(key).blocking, key
    gate = dg.AssetCheckKey(DATA_DOCS_KEY, GX_GATE_CHECK_NAME)
    assert graph.get_check_spec(gate).blocking


def test_the_collecting_step_runs_after_dbt_in_process(job):
    """The in-process executor orders ready steps by priority: dbt first, so GX's worker overlaps it."""
    node = job.graph.node_named("great_expectations_validation")
    assert int(node.definition.tags["dagster/priority"]) < 0
    assert int(job.graph.node_named(DBT_STEP).definition.tags.get("dagster/priority", 0)) == 0


def _record(paths: WarehousePaths, source: str, delivery_date: str, run_id: str, *, critical: bool) -> None:
    outcome = gx_validation.ExpectationOutcome(
        file="tenancies",
        expectation_type="expect_column_values_to_not_be_null",
        column="leieforhold_id",
        success=not critical,
        severity="critical",
        rule="leieforhold_id present",
        observed="3 of 10 rows",
    )
    validation = gx_validation.DeliveryValidation(
        source=source,
        delivery_date=delivery_date,
        run_id=run_id,
        run_time=f"{delivery_date}T00:00:00+00:00" if run_id == "old" else "2099-01-01T00:00:00+00:00",
        success=not critical,
        evaluated_expectations=1,
        successful_expectations=0 if critical else 1,
        expectations=[outcome],
        files=[],
    )
    gx_validation.save_validation(validation, paths)


def _loaded(paths: WarehousePaths, source: str, delivery_date: str) -> None:
    log = paths.ingest_log(source)
    log.parent.mkdir(parents=True, exist_ok=True)
    document = json.loads(log.read_text()) if log.exists() else {"deliveries": {}, "audit": []}
    document["deliveries"][f"{source}/{delivery_date}"] = {
        "source": source,
        "delivery_date": delivery_date,
        "run_id": "old",
    }
    log.write_text(json.dumps(document))


@dg.asset(deps=[DATA_DOCS_KEY])
def a_published_table() -> None:
    """Stands for any published output: it must not run when the gate fails."""


def _run(tmp_path):
    # The bundled sample's landing zone: this step reads only the warehouse.
    return dg.materialize(
        [great_expectations_validation, a_published_table],
        resources={
            "warehouse": WarehouseResource(warehouse_dir=str(tmp_path)),
            "great_expectations": GreatExpectationsResource(),
        },
        raise_on_error=False,
    )


@pytest.mark.parametrize("critical", [True, False])
def test_a_critical_failure_recorded_earlier_still_holds_publication_back(tmp_path, critical):
    """A delivery validated (and failed) by an earlier run is not validated again, but keeps the gate shut.

    No delivery is due and the Data Docs are current, so this step needs no GX at all.
    """
    paths = WarehousePaths(tmp_path)
    _loaded(paths, "boei", "2007-12-31")
    _record(paths, "boei", "2007-12-31", "old", critical=critical)
    paths.data_docs_index.parent.mkdir(parents=True, exist_ok=True)
    paths.data_docs_index.write_text("<html></html>")

    result = _run(tmp_path)

    (evaluation,) = [
        e.asset_check_evaluation_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    assert evaluation.check_name == GX_GATE_CHECK_NAME
    assert evaluation.passed is not critical
    if critical:
        assert evaluation.metadata["deliveries_with_critical_failures"].value == ["boei/2007-12-31"]
    materialized = {e.asset_key for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"}
    assert DATA_DOCS_KEY in materialized  # the auditors' docs are current either way
    assert (dg.AssetKey("a_published_table") in materialized) is not critical


def test_a_later_passing_validation_of_the_same_delivery_opens_the_gate(tmp_path):
    """A corrected delivery reloaded and passed: its latest validation counts, not the old failure."""
    paths = WarehousePaths(tmp_path)
    _loaded(paths, "boei", "2007-12-31")
    _record(paths, "boei", "2007-12-31", "old", critical=True)
    _record(paths, "boei", "2007-12-31", "reloaded", critical=False)
    paths.data_docs_index.parent.mkdir(parents=True, exist_ok=True)
    paths.data_docs_index.write_text("<html></html>")

    result = _run(tmp_path)

    assert result.success
    materialized = {e.asset_key for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"}
    assert dg.AssetKey("a_published_table") in materialized
