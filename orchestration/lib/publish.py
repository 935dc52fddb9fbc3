"""Exporting dbt's tables from the warehouse database to Parquet, atomically and described.

dbt is the only writer of the database; this step only reads it (read-only
connection) once dbt has finished, and writes each table to ``<folder>/<name>.parquet``
with the dbt yml descriptions, the deliveries used and the run in the file metadata.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from orchestration.lib import atomic
from orchestration.lib.dbt_manifest import descriptions
from orchestration.lib.locking import DATABASE_LOCK, warehouse_lock
from orchestration.lib.paths import DELIVERY_FILES, WarehousePaths, raw_table_dir, table_file

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True)
class Exported:
    name: str
    path: Path
    table: pa.Table


def read_relations(database_path: Path, schema: str, names: list[str]) -> dict[str, pa.Table]:
    """Read tables from the database, waiting while another process writes it."""
    with (
        warehouse_lock(WarehousePaths(database_path.parent).state_dir, DATABASE_LOCK, wait_seconds=3600),
        duckdb.connect(str(database_path), read_only=True) as connection,
    ):
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
            table_file(target_dir, name),
            table_name=name,
            description=description,
            column_descriptions=columns,
            deliveries=deliveries,
            run_id=run_id,
            extra=(extra_metadata or {}).get(name),
        )
        exported.append(Exported(name, path, table))
    return exported


def undelivered_inputs(names: Sequence[str], raw_dir: Path) -> dict[str, list[str]]:
    """Per table, the contract files it is built from that have no delivery yet (``source/file``).

    A figure over a source that has not delivered is unknown, not zero: such a table is
    published with no row (``withhold_unknown``) and says why in its metadata.
    """
    from orchestration.lib.contract import FILES
    from orchestration.lib.dbt_manifest import upstream_source_tables

    undelivered = {
        (spec.source, spec.stem): f"{spec.source}/{spec.name}"
        for spec in FILES
        if not any(raw_table_dir(raw_dir, spec.source, spec.stem).glob(DELIVERY_FILES))
    }
    found = {}
    for name in names:
        missing = [undelivered[table] for table in upstream_source_tables(name) if table in undelivered]
        if missing:
            found[name] = missing
    return found


def withhold_unknown(tables: dict[str, pa.Table], undelivered: dict[str, list[str]]) -> dict[str, pa.Table]:
    """Tables built from a file with no delivery yet keep their columns and hold no row."""
    return {name: table.slice(0, 0) if name in undelivered else table for name, table in tables.items()}


@dataclass(frozen=True)
class StatisticsPublication:
    exported: list[Exported]
    revisions: pl.DataFrame  # the figures this publication revised
    log_rows: int  # rows in the whole revision log


def publish_statistics(
    tables: dict[str, pa.Table],
    published_dir: Path,
    *,
    threshold: int,
    deliveries: Sequence[str],
    run_id: str | None,
    revised_at: dt.datetime | None = None,
    undelivered: dict[str, list[str]] | None = None,
) -> StatisticsPublication:
    """The statistics tables (dbt's, before disclosure control) to ``published/``.

    0. A table built from a file with no delivery yet holds no row (unknown, not zero).
    1. Disclosure control on every table (``orchestration.lib.disclosure``); an unsafe
       table raises before anything is written.
    2. The revision log compares each protected table with the file still published (or, after
       an interrupted publication, with the files it replaced: ``revisions.PublicationBaseline``).
    3. Each table is written atomically, its metadata carrying its row key, its
       disclosure rule and the cells disclosure control hid (read by the release page).
    4. The revisions are appended to ``published/revisions.parquet``.
    """
    from orchestration.lib import revisions
    from orchestration.lib.disclosure import protect_tables, rule_for, suppressed_cells

    undelivered = undelivered or {}
    tables = withhold_unknown(tables, undelivered)
    protected = protect_tables(tables, threshold)
    row_keys = {name: revisions.row_key_for(name) for name in tables}
    published_dir.mkdir(parents=True, exist_ok=True)
    baseline = revisions.PublicationBaseline(published_dir)
    found = revisions.revisions_before_publishing(
        published_dir,
        protected,
        row_keys,
        run_id=run_id,
        revised_at=revised_at,
        figures={name: revisions.figures_for(name) for name in tables},
        baseline_dir=baseline.prepare(run_id),
    )
    extra = {}
    for name in tables:
        rule = rule_for(name)
        extra[name] = {
            "row_key": list(row_keys[name]),
            "disclosure": {
                "threshold": threshold,
                "counts": list(rule.counts) if rule else [],
                "derived": {c: list(s) for c, s in rule.derived.items()} if rule else {},
                "derived_from_previous": dict(rule.derived_from_previous) if rule else {},
                "suppressed_cells": suppressed_cells(tables[name], protected[name]),
            },
            # Why the table holds no row: the files it is built from that have not been delivered.
            "not_yet_delivered": undelivered.get(name, []),
        }
    exported = export(protected, published_dir, deliveries=list(deliveries), run_id=run_id, extra_metadata=extra)
    log = revisions.append(published_dir, found, deliveries=deliveries, run_id=run_id)
    baseline.done()
    return StatisticsPublication(exported, found, log.height)
