"""Great Expectations in a worker process, so validation overlaps ingest and dbt.

A refresh used to import GX (~6 s) and validate every new delivery (~0.5 s each) in the Dagster
process, between ingest and dbt: the whole time was on the refresh's critical path. GX only reads
the raw Parquet that ingest wrote and writes values-free results under ``quality/``, so it can run
beside the rest of the run. One worker process per refresh (``spawn``, so nothing of the Dagster
process is inherited): it starts when the first delivery is handed to it, imports GX while ingest
goes on, validates each delivery as ingest hands it over, and builds the Data Docs when asked.
The Dagster step that reports the results (``quality/data_docs``) only waits for what is left.

One process, one task at a time: GX keeps a process-wide "current context", and a second worker
would compete with dbt for the machine's two cores. No Dagster here: the resource in
``orchestration/defs/quality`` owns one :class:`ValidationWorker` per run.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from orchestration.lib.gx_validation import DeliveryValidation
from orchestration.lib.paths import WarehousePaths


def _import_gx() -> None:
    """Warm-up task: the import is most of GX's fixed cost."""
    from orchestration.lib.gx_validation import _gx

    _gx()


def validate_and_save(paths: WarehousePaths, source: str, delivery_date: str, run_id: str) -> DeliveryValidation:
    """Validate one loaded delivery's raw tables and record the values-free result (in the worker)."""
    from orchestration.lib import gx_validation

    tables = gx_validation.read_delivery_tables(paths.raw_dir, source, delivery_date)
    return gx_validation.validate_delivery(source, delivery_date, tables, run_id, paths=paths)


def build_data_docs(paths: WarehousePaths) -> Path:
    from orchestration.lib import gx_validation

    return gx_validation.build_data_docs(paths)


class ValidationWorker:
    """A lazily started single worker process with one validation per (source, delivery date)."""

    def __init__(self, paths: WarehousePaths, run_id: str) -> None:
        self.paths = paths
        self.run_id = run_id
        self._executor: ProcessPoolExecutor | None = None
        self._validations: dict[tuple[str, str], Future] = {}

    @property
    def started(self) -> bool:
        return self._executor is not None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            self._executor.submit(_import_gx)
        return self._executor

    def submit(self, source: str, delivery_date: str) -> Future:
        """Start validating a delivery (once per run); returns its future."""
        key = (source, delivery_date)
        if key not in self._validations:
            self._validations[key] = self._pool().submit(
                validate_and_save, self.paths, source, delivery_date, self.run_id
            )
        return self._validations[key]

    def submitted(self) -> list[tuple[str, str]]:
        return sorted(self._validations)

    def result(self, source: str, delivery_date: str) -> DeliveryValidation:
        """The delivery's validation, waiting for it (submitting it first if nobody did)."""
        return self.submit(source, delivery_date).result()

    def build_data_docs(self) -> Path:
        return self._pool().submit(build_data_docs, self.paths).result()

    def close(self, on_wait: Callable[[str], None] | None = None) -> None:
        """Stop the worker: validations not started are dropped, a running one finishes.

        A dropped validation was never recorded, so the next refresh validates that delivery
        (it is due while ``quality/validations/<source>/<date>/`` does not exist).
        """
        if self._executor is None:
            return
        pending = [key for key, future in self._validations.items() if not future.done()]
        if pending and on_wait is not None:
            on_wait(f"stopping the validation worker ({len(pending)} validation(s) not collected)")
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._executor = None
