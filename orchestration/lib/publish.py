"""Exporting dbt's tables from the warehouse database to Parquet, atomically and described.

dbt is the only writer of the database; this step only reads it (read-only
connection) once dbt has finished, and writes each table to ``<folder>/<name>.parquet``
with the dbt yml descriptions, the deliveries used and the run in the file metadata.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.lib import atomic
from orchestration.lib.dbt_manifest import descriptions
from orchestration.lib.locking import DATABASE_LOCK, warehouse_lock

Transform = Callable[[str, pa.Table], pa.Table]


@dataclass(frozen=True)
class Exported:
    name: str
    path: Path
    table: pa.Table


def read_relations(database_path: Path, schema: str, names: list[str]) -> dict[str, pa.Table]:
    """Read tables from the database, waiting while another process writes it."""
    with warehouse_lock(database_path.parent / "state", DATABASE_LOCK, wait_seconds=3600):
        with duckdb.connect(str(database_path), read_only=True) as connection:
            return {name: connection.sql(f'select * from "{schema}"."{name}"').fetch_arrow_table() for name in names}


def export(
    tables: dict[str, pa.Table],
    target_dir: Path,
    *,
    deliveries: list[str],
    run_id: str | None,
    extra_metadata: dict[str, dict] | None = None,
) -> list[Exported]:
    exported = []
    for name, table in tables.items():
        description, columns = descriptions(name)
        path = atomic.write_parquet_atomic(
            table,
            target_dir / f"{name}.parquet",
            table_name=name,
            description=description,
            column_descriptions=columns,
            deliveries=deliveries,
            run_id=run_id,
            extra=(extra_metadata or {}).get(name),
        )
        exported.append(Exported(name, path, table))
    return exported
