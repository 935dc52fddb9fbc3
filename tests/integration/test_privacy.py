"""No national id, name, birth date or pseudonym key anywhere the warehouse writes,
outside ``quarantine/`` and ``restricted/``: Parquet (decoded), HTML, JSON, logs, and
Dagster's event log and run metadata."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import polars as pl

from orchestration.lib.pseudonym import DEVELOPMENT_KEY

ALLOWED = ("quarantine", "restricted")


def _landing_people(landing: Path) -> tuple[set[str], set[str], set[str]]:
    """National ids, names and birth dates present in the landing zone, read independently."""
    ids: set[str] = set()
    names: set[str] = set()
    for path in landing.rglob("*.csv"):
        raw = path.read_bytes()
        text = raw.decode("cp1252") if path.parent.parent.name in ("boei", "regnskap") else raw.decode("utf-8-sig")
        delimiter = "," if path.parent.parent.name == "kemner" else ";"
        for row in csv.DictReader(io.StringIO(text), delimiter=delimiter):
            if row.get("fodselsnummer"):
                ids.add(row["fodselsnummer"].strip())
            if row.get("navn"):
                names.add(row["navn"].strip())
    for path in landing.rglob("*.xlsx"):
        frame = pl.read_excel(path, sheet_name="Saker", engine="calamine", read_options={"dtypes": "string"})
        ids.update(v.strip() for v in frame["Fodselsnummer"].drop_nulls())
        names.update(frame.filter(pl.col("Saksokertype") == "PRIVAT")["Saksoker"].drop_nulls())
    births = set()
    for nid in ids:
        day, month, yy = int(nid[:2]) % 40, int(nid[2:4]) % 40, nid[4:6]
        births.add(f"{day:02d}.{month:02d}.19{yy}")
        births.add(f"19{yy}-{month:02d}-{day:02d}")
    return ids, {n for n in names if len(n) >= 5}, births


def _texts(warehouse: Path):
    for path in warehouse.rglob("*"):
        if not path.is_file() or path.relative_to(warehouse).parts[0] in ALLOWED:
            continue
        if path.suffix == ".parquet":
            frame = pl.read_parquet(path)
            nested = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
            frame = frame.with_columns(pl.col(c).list.join("|") for c in nested)
            import pyarrow.parquet as pq

            yield path, frame.write_csv() + str(pq.read_schema(path).metadata)
        elif path.suffix == ".db" or path.name.endswith(".sqlite"):
            with sqlite3.connect(path) as db:
                tables = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
                dump = "\n".join(str(row) for t in tables for row in db.execute(f'select * from "{t}"'))
            yield path, dump
        else:
            yield path, path.read_bytes().decode("utf-8", errors="replace")


def test_no_personal_data_outside_quarantine_and_restricted(sample_refresh):
    ids, names, births = _landing_people(sample_refresh.landing)
    assert len(ids) > 900 and len(names) > 900
    scanned = 0
    for path, text in _texts(sample_refresh.warehouse):
        scanned += 1
        assert DEVELOPMENT_KEY not in text, f"the pseudonym key leaked into {path}"
        for needle in ids:
            assert needle not in text, f"a national id leaked into {path}"
        for needle in names:
            assert needle not in text, f"a name leaked into {path}"
        for needle in births:
            assert needle not in text, f"a birth date leaked into {path}"
    assert scanned > 20
