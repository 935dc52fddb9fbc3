"""Formatting (polars expressions, one vectorised pass per file) and writing deliveries (files counted
and hashed as they are written, the manifest last)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import numpy as np
import polars as pl

from sample.shared import (
    KR_NBSPS,
    KR_PARENTHESES,
    KR_SPACES,
    LINE_END,
    MANIFEST_NAME,
    NBSP,
    PLAIN,
    SPACES,
    UTF8_BOM,
)

# --------------------------------------------------------------------------------------
# Formatting (polars expressions, so big files are formatted in one vectorised pass)
# --------------------------------------------------------------------------------------


def _grouped(kroner: pl.Expr, separator: str) -> pl.Expr:
    def three(e: pl.Expr) -> pl.Expr:
        return e.cast(pl.String).str.zfill(3)

    millions, thousands, units = kroner // 1_000_000, (kroner // 1000) % 1000, kroner % 1000
    return (
        pl.when(kroner >= 1_000_000)
        .then(
            pl.concat_str(
                [millions.cast(pl.String), pl.lit(separator), three(thousands), pl.lit(separator), three(units)]
            )
        )
        .when(kroner >= 1000)
        .then(pl.concat_str([thousands.cast(pl.String), pl.lit(separator), three(units)]))
        .otherwise(units.cast(pl.String))
    )


def amount_comma(ore: pl.Expr, style: pl.Expr) -> pl.Expr:
    """Decimal-comma amount in one of the styles sources.md allows for cp1252 files (``style`` is
    one of ``sample.shared.PLAIN`` ... ``KR_PARENTHESES``); the benchmark's monthly delivery
    writes its amounts with it too."""
    absolute = ore.abs()
    kroner = absolute // 100
    cents = (absolute % 100).cast(pl.String).str.zfill(2)
    digits = (
        pl.when(style == PLAIN)
        .then(kroner.cast(pl.String))
        .when(style.is_in([SPACES, KR_SPACES, KR_PARENTHESES]))
        .then(_grouped(kroner, " "))
        .otherwise(_grouped(kroner, NBSP))
    )
    number = pl.concat_str([digits, pl.lit(","), cents])
    signed = pl.when(ore < 0).then(pl.concat_str([pl.lit("-"), number])).otherwise(number)
    return (
        pl.when((style == KR_PARENTHESES) & (ore < 0))
        .then(pl.concat_str([pl.lit("kr ("), number, pl.lit(")")]))
        .when(style.is_in([KR_SPACES, KR_NBSPS, KR_PARENTHESES]))
        .then(pl.concat_str([pl.lit("kr "), signed]))
        .otherwise(signed)
    )


def _amount_plain(ore: pl.Expr, decimal: str) -> pl.Expr:
    """Positive amount without grouping: ``12345.50`` (kemner) or ``12345,50`` (prosjekt)."""
    return pl.concat_str([(ore // 100).cast(pl.String), pl.lit(decimal), (ore % 100).cast(pl.String).str.zfill(2)])


def _text(values: np.ndarray) -> pl.Series:
    """A text column from a numpy object array holding ``str`` or ``None``."""
    return pl.Series(values.tolist(), dtype=pl.String)


def _dmy(day: pl.Expr) -> pl.Expr:
    return day.dt.strftime("%d.%m.%Y")


def _iso(day: pl.Expr) -> pl.Expr:
    return day.dt.strftime("%Y-%m-%d")


def _national_ids(ids: np.ndarray) -> pl.Series:
    """A national-id column from numbers (eleven digits, with leading zeros)."""
    return pl.Series(ids, dtype=pl.Int64).cast(pl.String).str.zfill(11)


def _csv_bytes(frame: pl.DataFrame, separator: str, encoding: str, bom: bool = False, header: bool = True) -> bytes:
    text = frame.write_csv(
        separator=separator,
        quote_style="necessary",
        line_terminator=LINE_END,
        include_header=header,
        null_value="",
    )
    return (UTF8_BOM if bom else b"") + text.encode(encoding)


# --------------------------------------------------------------------------------------
# Writing deliveries
# --------------------------------------------------------------------------------------


class _FileWriter:
    """Writes a file while counting its data rows and hashing its bytes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: BinaryIO = path.open("wb")
        self._hash = hashlib.sha256()
        self.rows = 0

    def write(self, data: bytes, rows: int = 0) -> None:
        self._file.write(data)
        self._hash.update(data)
        self.rows += rows

    def close(self) -> dict:
        self._file.close()
        return {"name": self.path.name, "rows": self.rows, "sha256": self._hash.hexdigest()}


# Rows formatted and written at a time: big files stream to disk in slices of this many rows,
# so memory follows the slice, not the file (CSV rows do not depend on each other).
CHUNK_ROWS = 200_000


def _write_csv(
    path: Path,
    rows: np.ndarray,
    frame_of: Callable[[np.ndarray], pl.DataFrame],
    separator: str,
    encoding: str,
    bom: bool = False,
) -> dict:
    """A CSV of ``frame_of(rows)``, written ``CHUNK_ROWS`` rows at a time (the header once).

    ``rows`` are indices into the writer's arrays, already in the file's order; the bytes
    are those of formatting all of them in one frame."""
    writer = _FileWriter(path)
    for start in range(0, max(len(rows), 1), CHUNK_ROWS):
        part = frame_of(rows[start : start + CHUNK_ROWS])
        writer.write(_csv_bytes(part, separator, encoding, bom=bom and start == 0, header=start == 0), part.height)
    return writer.close()


def _delivery_dir(landing_dir: Path, source: str, day: np.datetime64) -> Path:
    """The delivery's folder; an old manifest goes first so it is not 'ready' meanwhile."""
    path = landing_dir / source / str(day)
    path.mkdir(parents=True, exist_ok=True)
    (path / MANIFEST_NAME).unlink(missing_ok=True)
    return path


def _write_manifest(folder: Path, source: str, day: np.datetime64, files: list[dict]) -> None:
    manifest = {"source": source, "delivery_date": str(day), "files": files}
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_bytes(path: Path, data: bytes, rows: int) -> dict:
    writer = _FileWriter(path)
    writer.write(data, rows)
    return writer.close()


def _sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
