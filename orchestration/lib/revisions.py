"""The revision log of ``published/``: every published figure a refresh changed.

Before a statistics table is replaced, the new table (after disclosure control) is
compared with the file already published, cell by cell, on the table's row key
(``config.meta.row_key`` in the dbt yml: the columns that identify a row; every other
column except ``suppressed`` is a figure). A cell whose value changed, appeared from
behind suppression or was suppressed, or whose row is no longer published, is one
row of ``published/revisions.parquet``: table, row key, column, old value, new value,
the run that published the old value, this run and when. A table may name the columns
that are its figures (``config.meta.revision_columns``), leaving out columns of words
that only restate them (the comparison's explanation).

- A first publication (no previous file) records nothing; a new row (a new year,
  say) is a new figure, not a revision, and records nothing either.
- An unchanged refresh records nothing. Floating-point values count as unchanged
  when they agree to 12 significant digits, so recomputing a share never shows up.
- Values are kept as text, exactly as published (``110``, ``108.18181818181819``,
  ``509075.00``, ``true``); an empty value (null) is a suppressed or withdrawn figure.
- The log is only ever appended to, and rewritten atomically.

No Dagster here: ``publish_statistics`` calls ``revisions_before_publishing`` before it
exports the tables and ``append`` after.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

import polars as pl
import pyarrow as pa

from orchestration.lib import atomic
from orchestration.lib.paths import WarehousePaths, table_file

REVISIONS_NAME = "revisions"
SUPPRESSED = "suppressed"

SCHEMA = pl.Schema(
    {
        "table": pl.String,
        "row_key": pl.String,
        "column": pl.String,
        "old_value": pl.String,
        "new_value": pl.String,
        "previous_run_id": pl.String,
        "run_id": pl.String,
        "revised_at": pl.Datetime("us", "UTC"),
        "revision_date": pl.Date,
    }
)

DESCRIPTION = (
    "Revision log of the published statistics: one row per published figure (cell) that a refresh "
    "changed - a corrected value, a figure newly suppressed or shown, or a row no longer published. "
    "Appended on every refresh that revises something; a first publication and an unchanged refresh "
    "record nothing."
)
COLUMN_DESCRIPTIONS = {
    "table": "The published table (published/<table>.parquet).",
    "row_key": "The row whose figure changed: its row-key columns and values, as a JSON object "
    '(e.g. {"year": 2007, "source": "collector"}); {} for a one-row table.',
    "column": "The column (figure) that changed.",
    "old_value": "The value published before, as text; null when it was suppressed (disclosure control).",
    "new_value": "The value published now, as text; null when it is suppressed or the row is no longer published.",
    "previous_run_id": "The run that published the old value.",
    "run_id": "The run that published the new value.",
    "revised_at": "When the new value was published (UTC).",
    "revision_date": "The date of revised_at in Europe/Oslo.",
}


class RowKeyError(ValueError):
    """The declared row key does not identify the rows of a table."""


def empty_log() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)


def row_key_for(name: str) -> tuple[str, ...]:
    """The row key declared for a published model (``config.meta.row_key`` in the dbt yml)."""
    from orchestration.lib.dbt_manifest import model_node

    node = model_node(name)
    meta = {**node.get("meta", {}), **node.get("config", {}).get("meta", {})}
    if "row_key" not in meta:
        raise RowKeyError(f"published model {name!r} declares no meta.row_key in its dbt yml")
    return tuple(meta["row_key"])


def figures_for(name: str) -> tuple[str, ...] | None:
    """The columns whose changes are revisions (``config.meta.revision_columns``); None: every
    column but the row key and ``suppressed``."""
    from orchestration.lib.dbt_manifest import model_node

    node = model_node(name)
    meta = {**node.get("meta", {}), **node.get("config", {}).get("meta", {})}
    columns = meta.get("revision_columns")
    return tuple(columns) if columns is not None else None


def as_text(value: object) -> str | None:
    """A published value as the revision log keeps it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return None if math.isnan(value) else repr(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _same(old: object, new: object) -> bool:
    if old is None or new is None:
        return old is None and new is None
    if isinstance(old, float) or isinstance(new, float):
        try:
            return math.isclose(float(old), float(new), rel_tol=1e-12, abs_tol=1e-12)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
    return as_text(old) == as_text(new)


def _keyed_rows(table: pa.Table, row_key: Sequence[str], name: str) -> dict[str, dict]:
    missing = [c for c in row_key if c not in table.column_names]
    if missing:
        raise RowKeyError(f"published/{name}: row key column(s) {missing} are not in the table")
    rows: dict[str, dict] = {}
    for row in table.to_pylist():
        key = json.dumps({c: _json_value(row[c]) for c in row_key}, ensure_ascii=False)
        if key in rows:
            raise RowKeyError(f"published/{name}: the row key {list(row_key)} does not identify the rows ({key} twice)")
        rows[key] = row
    return rows


def _json_value(value: object) -> object:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return as_text(value)


def compare(
    name: str,
    old: pa.Table | None,
    new: pa.Table,
    row_key: Sequence[str],
    *,
    run_id: str | None,
    revised_at: dt.datetime,
    previous_run_id: str | None = None,
    figures: Sequence[str] | None = None,
) -> pl.DataFrame:
    """The cells of ``old`` (the published file) that ``new`` changes, as revision-log rows.

    ``figures`` limits the columns compared (default: all but the row key and ``suppressed``).
    """
    if old is None:
        return empty_log()
    old_rows = _keyed_rows(old, row_key, name)
    new_rows = _keyed_rows(new, row_key, name)
    withdrawn = [
        c for c in old.column_names if c not in row_key and c != SUPPRESSED and (figures is None or c in figures)
    ]
    figures = [c for c in withdrawn if c in new.column_names]
    found = []
    for key, before in old_rows.items():
        after = new_rows.get(key)
        for column in figures if after is not None else withdrawn:
            old_value = before[column]
            new_value = after[column] if after is not None else None
            if after is not None and _same(old_value, new_value):
                continue
            if after is None and old_value is None:
                continue
            found.append((name, key, column, as_text(old_value), as_text(new_value)))
    if not found:
        return empty_log()
    revised_at = revised_at.astimezone(dt.UTC)
    oslo_date = _oslo_date(revised_at)
    return pl.DataFrame(
        [(*row, previous_run_id, run_id, revised_at, oslo_date) for row in found],
        schema=SCHEMA,
        orient="row",
    )


def _oslo_date(moment: dt.datetime) -> dt.date:
    try:
        from zoneinfo import ZoneInfo

        return moment.astimezone(ZoneInfo("Europe/Oslo")).date()
    except Exception:  # no time-zone database: the UTC date
        return moment.date()


def read_published(path: Path) -> tuple[pa.Table | None, str | None]:
    """The table already published at ``path`` and the run that wrote it; (None, None) when there is none."""
    if not path.exists():
        return None, None
    table = atomic.read_table(path)
    document = json.loads((table.schema.metadata or {}).get(atomic.METADATA_KEY, b"{}"))
    return table, document.get("run_id")


def revisions_before_publishing(
    published_dir: Path,
    tables: Mapping[str, pa.Table],
    row_keys: Mapping[str, Sequence[str]],
    *,
    run_id: str | None,
    revised_at: dt.datetime | None = None,
    figures: Mapping[str, Sequence[str] | None] | None = None,
    baseline_dir: Path | None = None,
) -> pl.DataFrame:
    """Compare every table about to be published with its published file. Call BEFORE exporting.

    ``baseline_dir`` holds the files as they were before an interrupted publication (see
    ``PublicationBaseline``); the comparison is then against those.
    """
    revised_at = revised_at or dt.datetime.now(dt.UTC)
    found = [empty_log()]
    for name, table in tables.items():
        old, previous_run_id = read_published(table_file(baseline_dir or published_dir, name))
        found.append(
            compare(
                name,
                old,
                table,
                row_keys[name],
                run_id=run_id,
                revised_at=revised_at,
                previous_run_id=previous_run_id,
                figures=(figures or {}).get(name),
            )
        )
    return pl.concat(found)


def log_path(published_dir: Path) -> Path:
    return table_file(published_dir, REVISIONS_NAME)


def read_log(published_dir: Path) -> pl.DataFrame:
    path = log_path(published_dir)
    if not path.exists():
        return empty_log()
    return atomic.read_frame(path).cast(SCHEMA)  # type: ignore[arg-type]


def append(
    published_dir: Path,
    found: pl.DataFrame,
    *,
    deliveries: Sequence[str],
    run_id: str | None,
) -> pl.DataFrame:
    """Append ``found`` to ``published/revisions.parquet`` (created empty on the first publication).

    The file is rewritten atomically: a reader sees the log before or after this run's
    rows, never part of them. Returns the whole log.
    """
    path = log_path(published_dir)
    before = read_log(published_dir)
    if path.exists() and found.is_empty():
        return before
    log = pl.concat([before, found.select(SCHEMA.names()).cast(SCHEMA)])  # type: ignore[arg-type]
    atomic.write_parquet_atomic(
        log,
        path,
        table_name=REVISIONS_NAME,
        description=DESCRIPTION,
        column_descriptions=COLUMN_DESCRIPTIONS,
        deliveries=deliveries,
        run_id=run_id,
    )
    return log


class PublicationBaseline:
    """The published files as they were before this publication, kept until its revisions are logged.

    Revisions are found by comparing the new tables with the files still published. A kill after
    some tables were replaced but before the log was appended would make the rerun compare with
    the new files and find nothing: those revisions would be lost. So before anything is written,
    every published file is hard-linked (no copy: a replaced file keeps its old inode; a copy where
    links cannot be made) into ``state/publishing-baseline/`` beside ``published/`` (not inside it,
    where readers of ``published/`` would see it), closed by a marker naming the run. A rerun that finds a
    complete baseline compares with it, unless the log already holds that run's revisions; the
    baseline is removed once the log is appended.
    """

    MARKER = ".complete.json"

    def __init__(self, published_dir: Path):
        self.published_dir = published_dir
        self.folder = WarehousePaths(published_dir.parent).publishing_baseline_dir

    def _marker(self) -> dict | None:
        path = self.folder / self.MARKER
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def prepare(self, run_id: str | None) -> Path | None:
        """The folder to compare with (None: compare with the published files as they are)."""
        marker = self._marker()
        if marker is not None:
            logged = read_log(self.published_dir)
            if marker.get("run_id") is not None and (logged["run_id"] == marker["run_id"]).any():
                shutil.rmtree(self.folder)  # the interrupted run had logged its revisions already
            else:
                return self.folder  # an interrupted publication: compare with what it replaced
        shutil.rmtree(self.folder, ignore_errors=True)  # an incomplete baseline: nothing was replaced yet
        if not any(self.published_dir.glob("*.parquet")):
            return None
        self.folder.mkdir(parents=True)
        for path in self.published_dir.glob("*.parquet"):
            try:
                os.link(path, self.folder / path.name)
            except OSError:  # another file system: copy
                shutil.copy2(path, self.folder / path.name)
        atomic.write_text_atomic(json.dumps({"run_id": run_id}), self.folder / self.MARKER)
        return self.folder

    def done(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
