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
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from orchestration.lib.gx_validation import DeliveryValidation
from orchestration.lib.paths import WarehousePaths

# How long one validation or the Data Docs may take before the worker counts as hung. A delivery
# is validated on at most a 50 000-row sample (seconds); a hung GX would otherwise hold the refresh,
# its lock and the next scheduled one for ever.
DEFAULT_TIMEOUT_SECONDS = 1800.0


class ValidationTimedOut(RuntimeError):
    """The worker did not finish a task within its timeout; it was stopped."""


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
    """A single worker process with one validation per (source, delivery date), started on demand.

    When the worker has nothing left to do it builds the Data Docs and stops, so that it does
    not hold its memory (GX, pandas: ~0.6 GB at 10 M postings) while dbt builds; a delivery
    handed over later starts it again. The Data Docs are then current when the results are
    collected, and collecting them needs no GX at all.
    """

    def __init__(self, paths: WarehousePaths, run_id: str, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self.paths = paths
        self.run_id = run_id
        self.timeout_seconds = timeout_seconds
        # The function a validation runs in the worker (a test puts a slower one here).
        self._validate: Callable[..., DeliveryValidation] = validate_and_save
        self._lock = threading.RLock()
        self._executor: ProcessPoolExecutor | None = None
        self._validations: dict[tuple[str, str], Future] = {}
        self._docs: Future | None = None
        self._docs_cover = -1  # how many validations had been handed over when self._docs was asked for
        self._stopping: list[threading.Thread] = []
        self.starts = 0  # how many times a worker process was started (for the tests and the log)

    @property
    def started(self) -> bool:
        return self._executor is not None

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
                self._executor.submit(_import_gx)
                self.starts += 1
            return self._executor

    def _pending(self) -> bool:
        return any(not future.done() for future in self._validations.values())

    def submit(self, source: str, delivery_date: str) -> Future:
        """Start validating a delivery (once per run); returns its future."""
        key = (source, delivery_date)
        with self._lock:
            if key not in self._validations:
                future = self._pool().submit(self._validate, self.paths, source, delivery_date, self.run_id)
                self._validations[key] = future
                future.add_done_callback(self._when_idle)
            return self._validations[key]

    def _docs_current(self) -> bool:
        docs = self._docs
        return (
            docs is not None
            and docs.done()
            and docs.exception() is None
            and self._docs_cover == len(self._validations)
            and not self._pending()
        )

    def _ask_for_docs(self) -> Future:
        self._docs_cover = len(self._validations)
        self._docs = self._pool().submit(build_data_docs, self.paths)
        return self._docs

    def _when_idle(self, _: Future) -> None:
        """After each validation: when none is left, build the Data Docs, then stop the process."""
        with self._lock:
            if self._executor is None or self._pending() or (self._docs is not None and not self._docs.done()):
                return
            if not self._docs_current():
                self._ask_for_docs().add_done_callback(self._stop_when_idle)

    def _stop_when_idle(self, _: Future) -> None:
        with self._lock:
            if self._executor is None or not self._docs_current():
                return  # a delivery handed over meanwhile: its validation builds them again
            executor, self._executor = self._executor, None
        # Not from this thread: the executor runs its callbacks in its own management thread.
        stopping = threading.Thread(target=executor.shutdown, kwargs={"wait": True}, daemon=True)
        stopping.start()
        self._stopping.append(stopping)

    def submitted(self) -> list[tuple[str, str]]:
        return sorted(self._validations)

    def result(self, source: str, delivery_date: str) -> DeliveryValidation:
        """The delivery's validation, waiting for it (submitting it first if nobody did)."""
        return self._wait(self.submit(source, delivery_date), f"validating {source}/{delivery_date}")

    def build_data_docs(self) -> Path:
        """The Data Docs with every validation handed over; built only when not already current."""
        for (source, delivery_date), future in sorted(self._validations.items()):
            self._wait(future, f"validating {source}/{delivery_date}")
        with self._lock:
            docs = self._docs
        if docs is not None:
            self._wait(docs, "building the Data Docs")
        with self._lock:
            if self._docs_current():
                return self.paths.data_docs_index
            future = self._ask_for_docs()
        return self._wait(future, "building the Data Docs")

    def _wait(self, future: Future, what: str):
        """The task's result; a task still running after the timeout stops the worker.

        The timeout counts from when the caller starts waiting, so a task queued behind others
        gets its full time once they are done.
        """
        try:
            return future.result(timeout=self.timeout_seconds)
        except FutureTimeout:
            self._terminate()
            raise ValidationTimedOut(
                f"Great Expectations was still {what} after {self.timeout_seconds:.0f} s: its worker "
                "process was stopped. Nothing was recorded for what it had not finished, so the next "
                "refresh validates those deliveries again; publication waits for them."
            ) from None

    def _terminate(self) -> None:
        """Stop the worker process now, also in the middle of a task (``close`` would wait for it)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is None:
            return
        # ProcessPoolExecutor has no public way to stop a running task before Python 3.14
        # (terminate_workers); its _processes are the worker processes (pid -> Process).
        for process in list(getattr(executor, "_processes", {}).values()):
            process.terminate()
        executor.shutdown(wait=True, cancel_futures=True)

    def close(self, on_wait: Callable[[str], None] | None = None) -> None:
        """Stop the worker: validations not started are dropped, a running one finishes.

        A dropped validation was never recorded, so the next refresh validates that delivery
        (it is due while ``quality/validations/<source>/<date>/`` does not exist).
        """
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            pending = [key for key, future in self._validations.items() if not future.done()]
            if pending and on_wait is not None:
                on_wait(f"stopping the validation worker ({len(pending)} validation(s) not collected)")
            executor.shutdown(wait=True, cancel_futures=True)
        for stopping in self._stopping:
            stopping.join()
