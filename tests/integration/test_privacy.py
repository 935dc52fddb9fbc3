"""No national id, name, birth date or pseudonym key anywhere the warehouse writes,
outside ``quarantine/`` and ``restricted/``: Parquet (decoded), zip archives such as .xlsx
(unpacked), HTML, JSON, logs, and
Dagster's event log and run metadata."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from orchestration.lib.pseudonym import DEVELOPMENT_KEY
from tests.support.archive_text import archive_text
from tests.support.people import birth_dates, landing_people

ALLOWED = ("quarantine", "restricted")


def _texts(warehouse: Path):
    for path in warehouse.rglob("*"):
        if not path.is_file() or path.relative_to(warehouse).parts[0] in ALLOWED:
            continue
        if path.suffix == ".parquet":
            frame = pl.read_parquet(path)
            nested = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
            frame = frame.with_columns(pl.col(c).list.join("|") for c in nested)
            yield path, frame.write_csv() + str(pq.read_schema(path).metadata), frame
        elif path.suffix == ".db" or path.name.endswith(".sqlite"):
            with sqlite3.connect(path) as db:
                tables = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
                dump = "\n".join(str(row) for t in tables for row in db.execute(f'select * from "{t}"'))
            yield path, dump, None
        elif (archived := archive_text(path)) is not None:  # an .xlsx: its text is compressed
            yield path, archived, None
        else:
            yield path, path.read_bytes().decode("utf-8", errors="replace"), None


def test_no_personal_data_outside_quarantine_and_restricted(sample_refresh):
    ids, names = landing_people(sample_refresh.landing)
    assert len(ids) > 900 and len(names) > 900
    name_pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
    # A birth date is personal data when it is tied to its person: look for each
    # person's birth date in the rows that carry that person's pseudonym.
    birth_by_key = birth_dates(ids, DEVELOPMENT_KEY)
    scanned = 0
    rows_tied_to_a_person = 0
    for path, text, frame in _texts(sample_refresh.warehouse):
        scanned += 1
        assert DEVELOPMENT_KEY not in text, f"the pseudonym key leaked into {path}"
        assert not ids & set(re.findall(r"(?<!\d)\d{11}(?!\d)", text)), f"a national id leaked into {path}"
        match = name_pattern.search(text)
        assert match is None, f"a name leaked into {path}"
        if frame is not None and "person_key" in frame.columns:
            as_text = frame.select(pl.all().cast(pl.String)).join(birth_by_key, on="person_key")
            rows_tied_to_a_person += as_text.height
            leaked = as_text.filter(pl.any_horizontal(pl.col(c) == pl.col("__birth__") for c in frame.columns))
            assert leaked.is_empty(), f"birth dates leaked into {path}"
    assert scanned > 20
    # The birth-date scan joins on person_key: a wrong key would match no one and pass empty.
    assert rows_tied_to_a_person > 10_000
