"""Atomic Parquet writes with self-describing metadata, and reads that stay whole across them.

The new file is written next to the target, flushed to disk and renamed over it: a reader
that reads one open file sees either the old file or the new one. A crash leaves at most a
``.tmp-*`` file behind, which the next write of the table removes.

A reader given the *path* opens it more than once per read (DuckDB's ``read_parquet`` up to
four times, pyarrow's ``read_table`` twice, polars' too), so a read that overlaps a rename can
pair one version's footer with another's pages and fail (``benchmarks/torn_reads.py``).
:func:`read_table` and :func:`read_frame` read through one handle: the warehouse's own reads
of files another run may be replacing go through them.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

METADATA_KEY = b"evictions"


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale_temporaries(target: Path) -> None:
    for stale in target.parent.glob(f".{target.name}.tmp-*"):
        stale.unlink(missing_ok=True)


def with_descriptions(
    table: pa.Table,
    *,
    table_name: str,
    description: str = "",
    column_descriptions: Mapping[str, str] | None = None,
    deliveries: Sequence[str] = (),
    run_id: str | None = None,
    extra: Mapping[str, object] | None = None,
) -> pa.Table:
    """Attach table/column descriptions, deliveries and run to the Arrow schema."""
    column_descriptions = column_descriptions or {}
    fields = [
        field.with_metadata({b"description": column_descriptions.get(field.name, "").encode("utf-8")})
        for field in table.schema
    ]
    document = {
        "table": table_name,
        "description": description,
        "columns": {f.name: column_descriptions.get(f.name, "") for f in table.schema},
        "deliveries": list(deliveries),
        "run_id": run_id,
        **(extra or {}),
    }
    metadata = {
        METADATA_KEY: json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8"),
        b"description": description.encode("utf-8"),
    }
    return table.cast(pa.schema(fields, metadata=metadata))


@dataclass(frozen=True)
class StagedFile:
    """A complete file flushed to disk beside its target, not yet visible under the target's name."""

    temporary: Path
    target: Path

    def commit(self) -> Path:
        os.replace(self.temporary, self.target)
        _fsync_dir(self.target.parent)
        return self.target

    def discard(self) -> None:
        self.temporary.unlink(missing_ok=True)


def make_private_dirs(folder: Path, root: Path) -> None:
    """Create ``folder`` and every folder between it and ``root`` (included) owner-only (0700)."""
    chain = [folder, *[p for p in folder.parents if p == root or root in p.parents]]
    for path in reversed(chain):
        path.mkdir(mode=0o700, exist_ok=True)
        os.chmod(path, 0o700)  # also when it existed with wider permissions


def make_tree_private(root: Path) -> None:
    """Every folder under ``root`` 0700 and every file 0600 (a warehouse from before the rule)."""
    if not root.is_dir():
        return
    os.chmod(root, 0o700)
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            os.chmod(Path(folder) / name, 0o700)
        for name in files:
            os.chmod(Path(folder) / name, 0o600)


def stage_parquet(
    data: pl.DataFrame | pa.Table, target: Path, *, private_root: Path | None = None, **described: object
) -> StagedFile:
    """Write the file next to ``target``; ``commit()`` puts it in place, ``discard()`` drops it.

    With ``private_root`` the file holds identities: it is created 0600 and every folder
    from ``private_root`` down to it is 0700.
    """
    table = data.to_arrow() if isinstance(data, pl.DataFrame) else data
    if described:
        table = with_descriptions(table, **described)  # type: ignore[arg-type]
    if private_root is not None:
        make_private_dirs(target.parent, private_root)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    temporary = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex}"
    try:
        if private_root is not None:
            os.close(os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        pq.write_table(table, temporary, compression="zstd")
        with temporary.open("rb") as handle:
            os.fsync(handle.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return StagedFile(temporary, target)


class StagedParquetWriter:
    """``stage_parquet`` for a table written in parts (a big file validated chunk by chunk).

    The parts are appended to one temporary file beside ``target``; :meth:`finish` closes and
    syncs it and returns the :class:`StagedFile`. Every part must have the same schema. When no
    part had a row, the file holds the schema of the last part given (an empty table, as
    ``stage_parquet`` writes it).
    """

    def __init__(self, target: Path, *, private_root: Path | None = None, **described: object) -> None:
        self.target = target
        self.private_root = private_root
        self.described = described
        self.temporary: Path | None = None
        self._writer: pq.ParquetWriter | None = None
        self._empty: pa.Table | None = None

    def _open(self, schema: pa.Schema) -> None:
        if self.private_root is not None:
            make_private_dirs(self.target.parent, self.private_root)
        else:
            self.target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(self.target)
        self.temporary = self.target.parent / f".{self.target.name}.tmp-{uuid.uuid4().hex}"
        if self.private_root is not None:
            os.close(os.open(self.temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        self._writer = pq.ParquetWriter(self.temporary, schema, compression="zstd")

    def write(self, data: pl.DataFrame | pa.Table) -> None:
        table = data.to_arrow() if isinstance(data, pl.DataFrame) else data
        if self.described:
            table = with_descriptions(table, **self.described)  # type: ignore[arg-type]
        if table.num_rows == 0:
            self._empty = table
            return
        if self._writer is None:
            self._open(table.schema)
        self._writer.write_table(table)

    @property
    def rows_written(self) -> bool:
        return self._writer is not None

    def finish(self) -> StagedFile:
        if self._writer is None:
            if self._empty is None:
                raise ValueError(f"nothing was written for {self.target}")
            return stage_parquet(self._empty, self.target, private_root=self.private_root)
        self._writer.close()
        self._writer = None
        with self.temporary.open("rb") as handle:
            os.fsync(handle.fileno())
        return StagedFile(self.temporary, self.target)

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self.temporary is not None:
            self.temporary.unlink(missing_ok=True)


def write_parquet_atomic(data: pl.DataFrame | pa.Table, target: Path, **described: object) -> Path:
    return stage_parquet(data, target, **described).commit()


def write_text_atomic(text: str, target: Path) -> Path:
    return write_bytes_atomic(text.encode("utf-8"), target)


def write_bytes_atomic(data: bytes, target: Path) -> Path:
    """``data`` as ``target``, all or nothing; the temporary beside it gets the process's umask."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    temporary = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex}"
    try:
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        _fsync_dir(target.parent)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


def read_table(path: Path, columns: Sequence[str] | None = None) -> pa.Table:
    """The whole file at ``path``, old or new if it is being replaced: read through one handle."""
    with Path(path).open("rb") as handle:
        return pq.read_table(handle, columns=columns)


def read_frame(path: Path, columns: Sequence[str] | None = None) -> pl.DataFrame:
    """:func:`read_table` for polars."""
    with Path(path).open("rb") as handle:
        return pl.read_parquet(handle, columns=columns)


def read_table_metadata(path: Path) -> dict:
    with Path(path).open("rb") as handle:
        schema = pq.read_schema(handle)
    return json.loads((schema.metadata or {}).get(METADATA_KEY, b"{}"))
