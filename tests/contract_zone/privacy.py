"""A scan of warehouse files for the people of a generated zone: their national ids and names
(as the generator wrote them, not as any reader of the warehouse parses them), the pseudonym
key, and a birth date beside its person's pseudonym."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from tests.support.archive_text import archive_text

ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")


@dataclass
class Findings:
    scanned: list[Path] = field(default_factory=list)
    ids: dict[str, list[Path]] = field(default_factory=dict)
    names: dict[str, list[Path]] = field(default_factory=dict)
    key: list[Path] = field(default_factory=list)
    birth_dates: list[Path] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.ids or self.names or self.key or self.birth_dates)

    def report(self) -> str:
        return (
            f"ids in {sorted({str(p) for ps in self.ids.values() for p in ps})}, "
            f"names in {sorted({str(p) for ps in self.names.values() for p in ps})}, "
            f"key in {self.key}, birth dates in {self.birth_dates}"
        )


def _texts(path: Path):
    """(text, frame) of a file: Parquet decoded with its metadata, SQLite dumped, zip archives (.xlsx)
    unpacked, the rest as text."""
    if path.suffix == ".parquet":
        frame = pl.read_parquet(path)
        nested = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
        frame = frame.with_columns(pl.col(c).list.join("|") for c in nested)
        return frame.write_csv() + str(pq.read_schema(path).metadata), frame
    data = path.read_bytes()
    if data.startswith(b"SQLite format 3"):
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            tables = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
            dump = "\n".join(str(row) for t in tables for row in db.execute(f'select * from "{t}"'))
        return dump + "\n" + data.decode("utf-8", errors="replace"), None
    archived = archive_text(path)
    if archived is not None:
        return archived, None
    return data.decode("utf-8", errors="replace"), None


def scan(
    files: list[Path], ids: set[str], names: set[str], key: str, birth_dates: pl.DataFrame | None = None
) -> Findings:
    """``birth_dates``: (person_key, __birth__ as text) of the zone's people."""
    findings = Findings()
    eleven = {i for i in ids if ELEVEN_DIGITS.fullmatch(i)}
    pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))) if names else None
    for path in files:
        text, frame = _texts(path)
        findings.scanned.append(path)
        for found in set(ELEVEN_DIGITS.findall(text)) & eleven:
            findings.ids.setdefault(found, []).append(path)
        if pattern is not None:
            for found in set(pattern.findall(text)):
                findings.names.setdefault(found, []).append(path)
        if key in text:
            findings.key.append(path)
        if frame is not None and birth_dates is not None and "person_key" in frame.columns:
            as_text = frame.select(pl.all().cast(pl.String)).join(birth_dates, on="person_key")
            if not as_text.filter(
                pl.any_horizontal(pl.col(c) == pl.col("__birth__") for c in frame.columns)
            ).is_empty():
                findings.birth_dates.append(path)
    return findings


def files_under(root: Path, outside: tuple[str, ...] = ()) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] not in outside)
