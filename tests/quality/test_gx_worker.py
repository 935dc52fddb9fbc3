"""The Great Expectations worker process: same results as in the Dagster process, recorded, stoppable."""

from __future__ import annotations

import os
import time

import pytest

from orchestration.lib import gx_validation
from orchestration.lib.gx_worker import ValidationTimedOut, ValidationWorker
from orchestration.lib.ingest import ingest_source
from orchestration.lib.paths import WarehousePaths
from orchestration.settings import BUNDLED_SAMPLE_DIR
from tests.support.slow_tasks import hang

KEY = "test-key"


def _kemner_warehouse(tmp_path) -> tuple[WarehousePaths, list[str]]:
    result = ingest_source("kemner", BUNDLED_SAMPLE_DIR, tmp_path, KEY, progress=lambda _: None, run_id="run-worker")
    assert len(result.loaded) >= 2
    return WarehousePaths(tmp_path), result.loaded


def _worker_pid() -> int:
    return os.getpid()


def test_the_worker_validates_in_another_process_as_the_dagster_process_would(tmp_path, gx):
    paths, dates = _kemner_warehouse(tmp_path)
    worker = ValidationWorker(paths, "run-worker")
    try:
        for delivery_date in dates:
            worker.submit("kemner", delivery_date)
        assert worker.submitted() == [("kemner", d) for d in sorted(dates)]
        assert worker._pool().submit(_worker_pid).result() != os.getpid()
        in_worker = worker.result("kemner", dates[0])
        docs = worker.build_data_docs()
    finally:
        worker.close()
    tables = gx_validation.read_delivery_tables(paths.raw_dir, "kemner", dates[0])
    here = gx_validation.validate_delivery("kemner", dates[0], tables, "run-here")
    assert in_worker.evaluated_expectations == here.evaluated_expectations > 0
    assert in_worker.successful_expectations == here.successful_expectations
    assert [(f.file, f.success, f.rows) for f in in_worker.files] == [(f.file, f.success, f.rows) for f in here.files]
    # recorded by the worker, values-free, where the Data Docs and the gate read it
    recorded = [(v.source, v.delivery_date, v.run_id) for v in gx_validation.load_validations(paths)]
    assert recorded == [("kemner", d, "run-worker") for d in sorted(dates)]
    assert docs == paths.data_docs_index and docs.exists()


def test_closing_drops_validations_not_started_so_the_next_refresh_does_them(tmp_path):
    paths, dates = _kemner_warehouse(tmp_path)
    worker = ValidationWorker(paths, "run-stopped")
    for delivery_date in dates:
        worker.submit("kemner", delivery_date)
    worker.close()  # right away: the worker is still importing GX
    assert not worker.started
    validated = {v.delivery_date for v in gx_validation.load_validations(paths)}
    # at most the one that was running when it was asked to stop; never half a record
    assert len(validated) <= 1
    for delivery_date in set(dates) - validated:
        assert not paths.validation_dir("kemner", delivery_date).exists()


def test_a_worker_never_used_starts_no_process(tmp_path):
    worker = ValidationWorker(WarehousePaths(tmp_path), "run-idle")
    worker.close()
    assert not worker.started


def test_an_idle_worker_builds_the_data_docs_and_stops_so_it_holds_no_memory_while_dbt_runs(tmp_path):
    import time

    paths, dates = _kemner_warehouse(tmp_path)
    worker = ValidationWorker(paths, "run-idle-stop")
    try:
        worker.submit("kemner", dates[0])
        deadline = time.monotonic() + 120
        while worker.started and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not worker.started, "the worker should stop once it has nothing left to do"
        assert paths.data_docs_index.exists()
        built = paths.data_docs_index.stat().st_mtime_ns
        # collecting needs no GX now: the docs are current
        assert worker.build_data_docs() == paths.data_docs_index
        assert paths.data_docs_index.stat().st_mtime_ns == built and not worker.started
        # a delivery handed over later starts it again, and the docs are rebuilt with it
        worker.submit("kemner", dates[1]).result()
        assert worker.starts == 2
        worker.build_data_docs()
        assert paths.data_docs_index.stat().st_mtime_ns > built
    finally:
        worker.close()
    assert {v.delivery_date for v in gx_validation.load_validations(paths)} == set(dates[:2])


def test_a_validation_past_its_timeout_stops_the_worker_and_says_what_it_was_doing(tmp_path):
    """A hung GX must not hold the refresh (and its lock) for ever: the step fails, nothing recorded."""
    paths, dates = _kemner_warehouse(tmp_path)
    worker = ValidationWorker(paths, "run-hung", timeout_seconds=2)
    worker._validate = hang
    worker.submit("kemner", dates[0])
    processes = list(worker._pool()._processes.values())
    assert processes
    waited_from = time.monotonic()
    with pytest.raises(ValidationTimedOut, match=f"still validating kemner/{dates[0]} after 2 s"):
        worker.result("kemner", dates[0])
    assert time.monotonic() - waited_from < 30
    assert not worker.started
    for process in processes:
        process.join(timeout=10)
        assert not process.is_alive()
    assert not paths.validation_dir("kemner", dates[0]).exists()  # the next refresh validates it
    worker.close()  # nothing left to stop
