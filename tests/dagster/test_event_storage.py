"""The instance's event log (orchestration/dagster_storage.py): Dagster's SQLite files, opened once."""

from __future__ import annotations

import sqlite3

import dagster as dg
import pytest

from orchestration.cli import dagster_yaml_text
from orchestration.dagster_storage import OPEN_RUN_DATABASES, WarehouseEventLogStorage
from orchestration.settings import load_settings


@pytest.fixture
def instance(tmp_path, monkeypatch):
    settings = load_settings({"EVICTIONS_WAREHOUSE_DIR": str(tmp_path / "warehouse")})
    settings.dagster_home.mkdir(parents=True)
    (settings.dagster_home / "dagster.yaml").write_text(dagster_yaml_text(settings), encoding="utf-8")
    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        yield instance


@dg.asset
def numbers() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 3})


@dg.asset_check(asset=numbers)
def numbers_are_positive() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def test_the_instance_uses_the_warehouse_event_log_in_dagsters_own_place(instance):
    storage = instance.event_log_storage
    assert isinstance(storage, WarehouseEventLogStorage)
    assert storage._base_dir.endswith("dagster_home/history/runs")


def test_runs_events_checks_and_asset_history_read_back_as_dagster_stored_them(instance):
    runs = [dg.materialize([numbers, numbers_are_positive], instance=instance) for _ in range(3)]
    assert all(r.success for r in runs)
    # the run's own events
    records = instance.all_logs(runs[-1].run_id)
    assert any(r.dagster_event and r.dagster_event.event_type_value == "ASSET_MATERIALIZATION" for r in records)
    # the cross-run index: the latest materialisation and the check's history
    latest = instance.get_latest_materialization_event(dg.AssetKey("numbers"))
    assert latest.run_id == runs[-1].run_id
    assert latest.asset_materialization.metadata["rows"].value == 3
    check = dg.AssetCheckKey(dg.AssetKey("numbers"), "numbers_are_positive")
    history = instance.event_log_storage.get_asset_check_execution_history(check, limit=10)
    assert [h.run_id for h in history] == [r.run_id for r in reversed(runs)]


def test_a_second_process_reads_what_was_written_and_the_journal_is_a_write_ahead_log(instance):
    run = dg.materialize([numbers], instance=instance)
    index = instance.event_log_storage.path_for_shard("index")
    with sqlite3.connect(index) as other:  # another reader, as the UI or the daemon would be
        assert other.execute("pragma journal_mode").fetchone()[0] == "wal"
        stored = other.execute("select count(*) from event_logs where run_id = ?", (run.run_id,)).fetchone()[0]
    assert stored > 0


def test_only_the_index_and_the_latest_run_databases_stay_open(instance):
    for _ in range(OPEN_RUN_DATABASES + 3):
        dg.materialize([numbers], instance=instance)
    storage = instance.event_log_storage
    assert "index" in storage._engines
    assert len(storage._engines) <= OPEN_RUN_DATABASES + 1


def test_wiping_closes_the_run_databases_first(instance):
    run = dg.materialize([numbers], instance=instance)
    instance.event_log_storage.wipe()
    assert instance.all_logs(run.run_id) == []
    again = dg.materialize([numbers], instance=instance)
    assert instance.all_logs(again.run_id)
