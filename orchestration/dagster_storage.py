"""The Dagster instance's event log: Dagster's SQLite storage, with one connection per database.

A refresh stores ~1 500 events (each dbt model's materialisation, each dbt test's check
evaluation, their planned events, step events). Dagster's ``SqliteEventLogStorage`` creates a
new SQLAlchemy engine, opens a new SQLite connection (and checks its schema) and disposes of it
for every statement, and commits each one with a full sync: profiled on the sample, storing the
events took about half of a refresh's wall time (``benchmarks/README.md``). This subclass keeps
Dagster's schema, files and locking, and changes only how the files are opened:

- one engine and one open connection per database file, reused (under Dagster's own lock, so one
  statement at a time, as before); only the index and the few most recent run databases are kept
  open, so a long-lived process (the UI, the daemon) does not collect file handles;
- SQLite's write-ahead log with ``synchronous=NORMAL``: a commit no longer waits for the disk. A
  power cut can lose the last events, never corrupt the database; the run history is a record of
  runs, the warehouse's data never depends on it (``state/`` and the Parquet files do).

Configured in the instance's ``dagster.yaml`` (written by ``evictions``, ``orchestration/cli.py``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dagster._check as check
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME, SqliteEventLogStorage
from dagster._core.storage.sql import create_engine
from sqlalchemy import event
from sqlalchemy.pool import StaticPool

SQLITE_BUSY_TIMEOUT_SECONDS = 30
# Run databases kept open besides the index: a run writes to its own and the index only.
OPEN_RUN_DATABASES = 4


def _tune(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class WarehouseEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` with reused connections and a write-ahead log (see the module)."""

    def __init__(self, base_dir: str, inst_data: Any = None) -> None:
        self._engines: OrderedDict[str, Any] = OrderedDict()
        self._engines_lock = threading.Lock()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def from_config_value(cls, inst_data: Any, config_value: Any) -> WarehouseEventLogStorage:  # ty: ignore[invalid-method-override]
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str):
        with self._engines_lock:
            engine = self._engines.get(shard)
            if engine is not None:
                self._engines.move_to_end(shard)
                return engine, False
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=StaticPool,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            event.listen(engine, "connect", _tune)
            self._engines[shard] = engine
            runs = [name for name in self._engines if name != INDEX_SHARD_NAME]
            for stale in runs[: max(0, len(runs) - OPEN_RUN_DATABASES)]:
                self._engines.pop(stale).dispose()
            return engine, True

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Any]:
        with self._db_lock:
            check.str_param(shard, "shard")
            engine, _ = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _close_engines(self, keep_index: bool = False) -> None:
        with self._engines_lock:
            for shard in list(self._engines):
                if not (keep_index and shard == INDEX_SHARD_NAME):
                    self._engines.pop(shard).dispose()

    def wipe(self) -> None:
        # the run databases are deleted: no connection may stay open on a deleted file
        with self._db_lock:
            self._close_engines(keep_index=True)
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        self._close_engines()
