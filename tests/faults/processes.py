"""Real `evictions refresh` processes for the fault tests: started, watched, killed.

A refresh runs as ``python -m orchestration.cli refresh`` in its own session (process
group), so a kill reaches the dbt subprocess too, as a machine crash or an OOM kill of
the whole job would. Its output is read line by line (for the stage markers) and kept in
a log file outside the warehouse (the privacy scan reads those logs as well).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq

from orchestration.lib import atomic
from orchestration.lib.atomic import METADATA_KEY
from orchestration.settings import REPO_ROOT

# Stage markers in the refresh's output (ingest progress, dagster-dbt, the publish steps).
INGEST = r"kemner/\d{4}-\d{2}-\d{2}: validating"
DBT_BUILDING = r"OK created sql (table|view) model"
PUBLISHING = r"published \d+ (curated|statistics) tables"
STAGES = [
    ("job", r"running job 'refresh'"),  # Dagster has started the run (ingest and GX print only for new deliveries)
    ("ingest", r": validating "),
    ("dbt", r"Running dbt command"),
    # GX validates in a worker beside ingest and dbt; its step collects the results after dbt.
    ("gx", r"great_expectations|GX [a-z]+/"),
    ("publish", r"published \d+ (curated|statistics) tables"),
    ("done", r"refresh (succeeded|FAILED)"),
]
# Append-only logs whose rows depend on the history of runs, not only on the data.
HISTORY_TABLES = {"published/revisions.parquet"}


@dataclass
class Refresh:
    label: str
    process: subprocess.Popen
    log_path: Path
    lines: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    killed_after: float | None = None
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def _pump(self) -> None:
        with self.log_path.open("w", encoding="utf-8") as log:
            for raw in iter(self.process.stdout.readline, b""):
                line = raw.decode("utf-8", errors="replace").rstrip("\n")
                log.write(line + "\n")
                log.flush()
                with self._changed:
                    self.lines.append(line)
                    self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, pattern: str, timeout: float = 600, idle: Callable[[], None] | None = None) -> str:
        """Block until a line matches ``pattern``; fail if the refresh ends or times out first.
        ``idle`` is called about every two seconds while waiting."""
        compiled = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            with self._changed:
                for line in self.lines[seen:]:
                    if compiled.search(line):
                        return line
                seen = len(self.lines)
                if self.process.poll() is not None and not self._reader.is_alive():
                    raise AssertionError(f"{self.label}: ended before {pattern!r}:\n{self.tail()}")
                if time.monotonic() > deadline:
                    raise AssertionError(f"{self.label}: no {pattern!r} within {timeout} s:\n{self.tail()}")
                self._changed.wait(timeout=2)
            if idle is not None:
                idle()

    def kill(self) -> None:
        """SIGKILL the whole process group: the CLI, Dagster, and dbt."""
        self.killed_after = time.monotonic() - self.started
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=60)
        self._reader.join(timeout=60)
        _wait_until_group_gone(self.process.pid)

    def wait(self, timeout: float = 900, idle: Callable[[], None] | None = None) -> int:
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.label}: still running after {timeout} s:\n{self.tail()}")
            if idle is not None:
                idle()
            time.sleep(2)
        self._reader.join(timeout=60)
        return self.process.returncode

    @property
    def output(self) -> str:
        with self._changed:
            return "\n".join(self.lines)

    def tail(self, n: int = 60) -> str:
        with self._changed:
            return "\n".join(self.lines[-n:])

    def stage(self) -> str:
        """The last stage the output shows the refresh had reached."""
        reached = "startup"
        text = self.output
        for name, pattern in STAGES:
            if re.search(pattern, text):
                reached = name
        return reached


def _wait_until_group_gone(pgid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise AssertionError(f"process group {pgid} still alive after SIGKILL")


def refresh_env(landing: Path, warehouse: Path, key: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EVICTIONS_", "DAGSTER_HOME"))}
    env.update(
        {
            "EVICTIONS_LANDING_DIR": str(landing),
            "EVICTIONS_WAREHOUSE_DIR": str(warehouse),
            "EVICTIONS_PSEUDONYM_KEY": key,
            "PYTHONUNBUFFERED": "1",
            **(extra or {}),
        }
    )
    return env


def start_refresh(
    label: str,
    landing: Path,
    warehouse: Path,
    key: str,
    logs: Path,
    extra_env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
) -> Refresh:
    logs.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        # --verbose: the kill points wait for dbt's own line per node.
        [sys.executable, "-m", "orchestration.cli", "refresh", "--verbose", *args],
        cwd=REPO_ROOT,
        env=refresh_env(landing, warehouse, key, extra_env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    refresh = Refresh(label, process, logs / f"{label}.log")
    refresh._reader = threading.Thread(target=refresh._pump, name=f"pump-{label}", daemon=True)
    refresh._reader.start()
    return refresh


# ---- What a consumer sees ----------------------------------------------------------------


@dataclass(frozen=True)
class FileState:
    sha256: str
    rows: int
    run_id: str | None
    metadata: dict  # the `evictions` document without run_id
    data: pl.DataFrame = field(compare=False, repr=False)

    def same_content(self, other: FileState) -> bool:
        """Equal data and metadata; the run that wrote it may differ."""
        return self.metadata == other.metadata and self.data.equals(other.data)


def canonical(path: Path) -> pl.DataFrame:
    """A table's contents, order-independent: lists joined, rows sorted."""
    frame = pl.read_parquet(path)
    lists = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
    frame = frame.with_columns(pl.col(c).list.join("|") for c in lists)
    return frame.sort(frame.columns, nulls_last=True)


def read_fully(path: Path, connection: duckdb.DuckDBPyConnection | None = None) -> FileState:
    """Read one published file with pyarrow, polars and DuckDB; raise if any of them cannot."""
    import hashlib

    data = path.read_bytes()
    table = pq.read_table(path)
    polars_rows = pl.read_parquet(path).height
    with _connection(connection) as duck:
        duck_rows = duck.sql(f"select count(*) from read_parquet('{_sql_path(path)}')").fetchall()[0][0]
    assert table.num_rows == polars_rows == duck_rows, path
    document = json.loads((table.schema.metadata or {}).get(METADATA_KEY, b"{}"))
    run_id = document.pop("run_id", None)
    return FileState(hashlib.sha256(data).hexdigest(), table.num_rows, run_id, document, canonical(path))


@contextlib.contextmanager
def _connection(connection: duckdb.DuckDBPyConnection | None):
    """The caller's connection, or a private one: never DuckDB's module-wide default connection,
    which the story shares with the tests running in the main thread meanwhile and which refuses
    a second caller ("connection is busy with another call")."""
    if connection is not None:
        yield connection
        return
    with duckdb.connect() as private:
        yield private


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


PUBLIC = ("curated", "published")


def published_files(warehouse: Path) -> list[Path]:
    return sorted(p for folder in PUBLIC for p in (warehouse / folder).rglob("*.parquet") if not p.name.startswith("."))


def glob_read(warehouse: Path, connection: duckdb.DuckDBPyConnection | None = None) -> dict[str, int]:
    """``read_parquet('<folder>/*.parquet')`` as an analyst would write it, per folder."""
    counts = {}
    with _connection(connection) as duck:
        for folder in PUBLIC:
            if any((warehouse / folder).glob("*.parquet")):
                pattern = _sql_path(warehouse / folder / "*.parquet")
                query = f"select count(*) from read_parquet('{pattern}', union_by_name = true)"
                counts[folder] = duck.sql(query).fetchall()[0][0]
    return counts


def glob_read_through_handles(warehouse: Path, connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """:func:`glob_read` as README advises while a refresh may run: the folder's files listed as
    DuckDB's glob lists them (hidden temporaries excluded), each read through one open handle."""
    counts = {}
    for folder in PUBLIC:
        with contextlib.ExitStack() as stack:
            handles = [stack.enter_context(p.open("rb")) for p in sorted((warehouse / folder).glob("*.parquet"))]
            if handles:
                relation = connection.read_parquet(handles, union_by_name=True)
                counts[folder] = relation.aggregate("count(*)").fetchall()[0][0]
    return counts


def temporaries(warehouse: Path) -> list[Path]:
    return sorted(p for folder in PUBLIC for p in (warehouse / folder).rglob("*") if p.is_file() and ".tmp-" in p.name)


def snapshot(warehouse: Path) -> dict[str, FileState]:
    return {str(p.relative_to(warehouse)): read_fully(p) for p in published_files(warehouse)}


# ---- Readers that never stop while refreshes run --------------------------------------


class Readers:
    """Threads that read every curated/published file over and over, each with its own
    library, and record anything that is not a complete, valid table."""

    def __init__(self, warehouse: Path, pause: float = 0.05):
        self.warehouse = warehouse
        self.pause = pause
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.reads = {"pyarrow": 0, "polars": 0, "duckdb": 0}
        self.run_ids: dict[str, set[str]] = {}
        self._lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self._loop, args=(name,), name=f"reader-{name}", daemon=True) for name in self.reads
        ]

    def __enter__(self) -> Readers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def _loop(self, library: str) -> None:
        connection = duckdb.connect() if library == "duckdb" else None
        while not self.stop.is_set():
            for path in published_files(self.warehouse):
                try:
                    self._read(library, path, connection)
                except Exception as error:
                    with self._lock:
                        self.errors.append(
                            f"{library} {path.relative_to(self.warehouse)}: {type(error).__name__}: {error}"
                        )
            if library == "duckdb":
                try:
                    glob_read_through_handles(self.warehouse, connection)
                except Exception as error:
                    with self._lock:
                        self.errors.append(f"duckdb glob: {type(error).__name__}: {error}")
            self.stop.wait(self.pause)

    def _read(self, library: str, path: Path, connection) -> None:
        key = str(path.relative_to(self.warehouse))
        # Every library through one open file, as README advises: given the path, each opens
        # it more than once per read, and across an atomic replace can pair the old footer with
        # the new pages (benchmarks/torn_reads.py; tests/faults/test_torn_reads.py).
        if library == "pyarrow":
            table = atomic.read_table(path)
            document = json.loads((table.schema.metadata or {}).get(METADATA_KEY, b"{}"))
            assert "run_id" in document, "metadata without the run"
            with self._lock:
                self.run_ids.setdefault(key, set()).add(document["run_id"])
        elif library == "polars":
            atomic.read_frame(path)
        else:
            with path.open("rb") as handle:
                connection.read_parquet(handle).fetchall()
        with self._lock:
            self.reads[library] += 1


# ---- Dagster's pool slots -------------------------------------------------------------


def _index_db(dagster_home: Path):
    import sqlite3

    return sqlite3.connect(f"file:{dagster_home / 'history' / 'runs' / 'index.db'}?mode=ro", uri=True, timeout=30)


def pool_slot_holders(dagster_home: Path) -> set[str]:
    """Runs holding a slot of a Dagster concurrency pool (``warehouse_database``)."""
    if not (dagster_home / "history" / "runs" / "index.db").exists():
        return set()
    return _run_ids(dagster_home, "select run_id from concurrency_slots where run_id is not null")


def pending_pool_runs(dagster_home: Path) -> set[str]:
    if not (dagster_home / "history" / "runs" / "index.db").exists():
        return set()
    return _run_ids(dagster_home, "select run_id from pending_steps")


def _run_ids(dagster_home: Path, query: str) -> set[str]:
    """Run ids from the instance's index database; none while a starting refresh is still creating
    its tables (the story polls while refreshes start)."""
    import sqlite3

    with _index_db(dagster_home) as db:
        try:
            return {r[0] for r in db.execute(query)}
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):
                return set()
            raise


def unfinished_runs(dagster_home: Path) -> set[str]:
    import sqlite3

    path = dagster_home / "history" / "runs.db"
    if not path.exists():
        return set()
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as db:
        return {
            r[0] for r in db.execute("select run_id from runs where status in ('STARTED', 'STARTING', 'NOT_STARTED')")
        }


def release_dead_runs(dagster_home: Path, run_ids: set[str]) -> None:
    """What an operator must do by hand today after a killed refresh: mark its Dagster run
    failed and free the pool slots it held (no daemon runs beside the CLI to do it)."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        for run_id in run_ids:
            run = instance.get_run_by_id(run_id)
            if run is not None and not run.is_finished:
                instance.report_run_failed(run, "the refresh process was killed (released by the fault tests)")
            instance.event_log_storage.free_concurrency_slots_for_run(run_id)
