"""Incremental against full (issue #15): the same landing zone built both ways gives the same tables.

A copy of the bundled sample arrives one delivery date at a time, with a refresh after each: the
first builds everything, the later ones merge in only the new deliveries (the warehouse says so).
The same zone refreshed once into an empty warehouse is the full build. Every curated and
published Parquet table (the revision log aside: it records the step-wise publications) and every
table of the dbt database must be equal, row for row. Then an older delivery is loaded again
(``reload: true``, as from the Launchpad) into the step-wise warehouse: the warehouse detects it,
rebuilds in full and again equals the full build.

The same comparison on a zone from the contract-driven generator (tests/contract_zone), which holds
what the sample does not: an empty latest snapshot (prosjekt; no case is current any more), empty
notification lists, forced_sales.xlsx empty in one delivery, and sources whose delivery dates differ.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from orchestration.lib.paths import WarehousePaths
from orchestration.settings import BUNDLED_SAMPLE_DIR, REPO_ROOT
from tests.integration.conftest import run_refresh

pytestmark = pytest.mark.process  # six refreshes of a copied sample, four of a generated zone

KEY = {"EVICTIONS_PSEUDONYM_KEY": "a-test-key-for-an-incremental-landing-zone-2008"}
# Delivery dates in the order they arrive; regnskap's only delivery comes alone, last: that build
# rebuilds only what is built from the project's accounts.
STEPS = (("2006-06-30", "2006-12-31"), ("2007-06-30",), ("2007-12-31",), ("2008-01-31",))
RELOADED = ("boei", "2006-12-31")


def _copy(landing, dates) -> None:
    for source_dir in sorted(BUNDLED_SAMPLE_DIR.iterdir()):
        for delivery in sorted(source_dir.iterdir()):
            target = landing / source_dir.name / delivery.name
            if delivery.name in dates and not target.exists():
                shutil.copytree(delivery, target)


def _decision(output: str) -> str:
    lines = [line for line in output.splitlines() if "dbt build, " in line]
    assert len(lines) == 1, output[-4000:]
    return lines[0].split("dbt build, ", 1)[1].strip()


def _canonical(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows in one order: sorted by every column that can be sorted (lists cannot)."""
    sortable = [name for name, dtype in frame.schema.items() if not dtype.is_nested()]
    return frame.sort(sortable, nulls_last=True) if sortable and frame.height else frame


def _tables(warehouse) -> dict[str, pl.DataFrame]:
    tables = {}
    for folder in ("curated", "published"):
        for path in sorted((warehouse / folder).glob("*.parquet")):
            if path.name != "revisions.parquet":
                tables[f"{folder}/{path.name}"] = _canonical(pl.read_parquet(path))
    with duckdb.connect(str(WarehousePaths(warehouse).database), read_only=True) as connection:
        relations = connection.execute(
            "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE'"
        ).fetchall()
        for schema, name in relations:
            frame = pl.from_arrow(connection.sql(f'select * from "{schema}"."{name}"').to_arrow_table())
            tables[f"warehouse.duckdb {schema}.{name}"] = _canonical(frame)
    return tables


def _assert_same_tables(built, expected) -> None:
    assert sorted(built) == sorted(expected)
    assert any(name.endswith("int_tenancies_historized") for name in expected)
    for name in expected:
        try:
            assert_frame_equal(built[name], expected[name], check_exact=True)
        except AssertionError as difference:
            raise AssertionError(f"{name}: {difference}") from None


def _run_job(landing, warehouse, config: dict) -> subprocess.CompletedProcess:
    """The refresh job in a Dagster run of its own (as the sensor, the schedule or the Launchpad start it)."""
    script = (
        "import json, sys\n"
        "import dagster as dg\n"
        "from orchestration.cli import prepare_environment\n"
        "from orchestration.definitions import build_definitions\n"
        "from orchestration.lib.dbt_manifest import ensure_manifest\n"
        "from orchestration.settings import load_settings\n"
        "prepare_environment(load_settings())\n"
        "ensure_manifest()\n"
        "job = build_definitions().resolve_job_def('refresh')\n"
        "with dg.DagsterInstance.get() as instance:\n"
        "    result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=json.loads(sys.argv[1]))\n"
        "sys.exit(0 if result.success else 1)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EVICTIONS_", "DAGSTER_HOME"))}
    env.update({"EVICTIONS_LANDING_DIR": str(landing), "EVICTIONS_WAREHOUSE_DIR": str(warehouse), **KEY})
    return subprocess.run(
        [sys.executable, "-c", script, json.dumps(config)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _staging_test_sql(warehouse) -> str:
    """The SQL the last dbt build of ``warehouse`` ran for one staging test (the ledger's row rules)."""
    compiled = WarehousePaths(warehouse).dbt_target_dir / "compiled" / "evictions" / "models" / "staging"
    return (compiled / "boei" / "_boei__models.yml" / "row_rules_stg_boei__rent_ledger.sql").read_text()


@pytest.fixture(scope="module")
def built(tmp_path_factory, dbt_manifest) -> dict:
    root = tmp_path_factory.mktemp("incremental")
    landing, stepwise = root / "landing", root / "stepwise"
    decisions, outputs, test_sql = [], [], []
    arrived: tuple[str, ...] = ()
    for step in STEPS:
        arrived += step
        _copy(landing, arrived)
        refresh = run_refresh(landing, stepwise, KEY)
        assert refresh.returncode == 0, refresh.output[-6000:]
        decisions.append(_decision(refresh.output))
        outputs.append(refresh.output)
        test_sql.append(_staging_test_sql(stepwise))
    # A run of the job itself with nothing new (the CLI would have said so and started none).
    nothing_new = _run_job(landing, stepwise, {})
    assert nothing_new.returncode == 0, (nothing_new.stdout + nothing_new.stderr)[-6000:]
    incremental_tables = _tables(stepwise)
    evidence = (stepwise / "quality" / "index.html").read_text(encoding="utf-8")

    full = run_refresh(landing, root / "full", KEY)
    assert full.returncode == 0, full.output[-6000:]

    source, date = RELOADED
    reload = {"ops": {f"ingest_{source}": {"config": {"deliveries": [f"{source}/{date}"], "reload": True}}}}
    reloaded = _run_job(landing, stepwise, reload)
    output = reloaded.stdout + reloaded.stderr
    assert reloaded.returncode == 0, output[-6000:]
    return {
        "decisions": decisions,
        "full_decision": _decision(full.output),
        "outputs": outputs,
        "nothing_new_output": nothing_new.stdout + nothing_new.stderr,
        "incremental": incremental_tables,
        "evidence": evidence,
        "full": _tables(root / "full"),
        # the third step's: the register's 2007-12-31 delivery on one built up to 2007-06-30
        "incremental_test_sql": test_sql[2],
        "full_test_sql": _staging_test_sql(root / "full"),
        "reload_output": output,
        "reloaded": _tables(stepwise),
    }


def test_the_first_refresh_builds_in_full_and_each_later_one_merges_only_its_deliveries(built):
    first, *later = built["decisions"]
    assert first == "full rebuild: no record of a complete earlier build"
    assert later[0] == (
        "incremental: 5 new deliveries (bbl 2007-06-30, boei 2007-06-30, kemner 2007-06-30, namsfogd 2007-06-30, "
        "prosjekt 2007-06-30)"
    )
    assert later[1].startswith("incremental: 5 new deliveries (bbl 2007-12-31, ")
    assert later[2] == "incremental: 1 new delivery (regnskap 2008-01-31)"
    assert built["full_decision"] == "full rebuild: no record of a complete earlier build"


def test_an_incremental_refresh_rebuilds_only_what_reads_a_new_delivery(built, dbt_manifest):
    from orchestration.lib import incremental

    manifest = json.loads(dbt_manifest.read_text(encoding="utf-8"))
    nodes = manifest["nodes"]
    left = set(incremental.unaffected_nodes(manifest, incremental.Decision(False, "", ("regnskap",))))
    tables = [u for u, n in nodes.items() if n["resource_type"] in ("model", "seed") and u not in left]
    tests = [u for u, n in nodes.items() if n["resource_type"] == "test" and u not in left]
    assert tables and tests and "model.evictions.households" in left
    last = built["outputs"][-1]
    assert f"dbt: {len(left)} of {len(left) + len(tables) + len(tests)} models, seeds and tests read no new" in last
    assert f"dbt: {len(tables)} models and seeds built; {len(tests)} tests: " in last
    # Dagster's own lists of the checks left out are not the operator's business.
    assert "did not yield" not in last and "emitted no result" not in last
    # A Dagster run with nothing new runs no dbt at all, and its tables stand (compared below).
    nothing_new = built["nothing_new_output"]
    assert _decision(nothing_new) == "incremental: no new delivery"
    every_node = sum(n["resource_type"] in incremental.BUILT_RESOURCE_TYPES for n in nodes.values())
    assert f"dbt: {every_node} of {every_node} models, seeds and tests read no new delivery" in nothing_new
    assert "Running dbt command" not in nothing_new and "Running dbt command" in built["reload_output"]
    # The evidence still shows every test, each at its latest run.
    every = sum(n["resource_type"] == "test" for n in nodes.values())
    assert f"Every test ({every})" in built["evidence"]
    assert f"The last build ran {len(tests)} of them" in built["evidence"]


def test_an_incremental_refresh_tests_only_the_new_deliveries_in_staging(built):
    # The step before the last held boei up to 2007-06-30; a full build tests every row.
    assert "delivery_date > date '2007-06-30'" in built["incremental_test_sql"]
    assert "delivery_date >" not in built["full_test_sql"]


def test_incremental_refreshes_give_the_tables_of_a_full_build(built):
    _assert_same_tables(built["incremental"], built["full"])


def test_an_older_delivery_reloaded_rebuilds_in_full_and_equals_a_build_from_scratch(built):
    source, date = RELOADED
    assert f"dbt build, full rebuild: {source} {date} was reloaded" in built["reload_output"]
    _assert_same_tables(built["reloaded"], built["full"])


@pytest.fixture(scope="module")
def generated_zone(tmp_path_factory, dbt_manifest) -> dict:
    from tests.contract_zone.test_refresh import SLOW_SHAPE, build_zone, include_the_shapes_that_once_broke_dbt

    zone = include_the_shapes_that_once_broke_dbt(build_zone(SLOW_SHAPE))
    root = tmp_path_factory.mktemp("incremental_zone")
    landing, stepwise = root / "landing", root / "stepwise"
    decisions = []
    # The n-th delivery of every source arrives with step n.
    for step in range(max(len(deliveries) for deliveries in zone.deliveries.values())):
        for deliveries in zone.deliveries.values():
            if step < len(deliveries):
                deliveries[step].write(landing)
        refresh = run_refresh(landing, stepwise, KEY)
        assert refresh.returncode == 0, refresh.output[-6000:]
        decisions.append(_decision(refresh.output))
    full = run_refresh(landing, root / "full", KEY)
    assert full.returncode == 0, full.output[-6000:]
    return {"decisions": decisions, "incremental": _tables(stepwise), "full": _tables(root / "full")}


def test_a_generated_zone_built_incrementally_equals_its_full_build(generated_zone):
    first, *later = generated_zone["decisions"]
    assert first.startswith("full rebuild: ")
    assert later and all(decision.startswith("incremental: ") for decision in later), later
    _assert_same_tables(generated_zone["incremental"], generated_zone["full"])
