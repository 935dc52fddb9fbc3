"""The people in a landing zone, read independently of the warehouse's ingest, for privacy scans."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import polars as pl

from orchestration.lib.national_id import parse_national_ids
from orchestration.lib.pseudonym import person_key
from tests.support.landing import FORMAT

# Shorter names (initials, "Bo") would match ordinary words in the scanned text.
MIN_NAME_LENGTH = 5


def landing_people(landing: Path) -> tuple[set[str], set[str]]:
    """Every 11-digit number (also in rows no reader would parse) and every person's name.

    Names are the contract's personal columns (``navn``; ``Saksoker`` only for private
    landlords, as a co-operative's or bank's name is no person's).
    """
    from orchestration.lib.contract import files_of

    ids: set[str] = set()
    names: set[str] = set()
    for path in landing.rglob("*.csv"):
        encoding, separator = FORMAT[(path.parent.parent.name, path.name)]
        text = path.read_bytes().decode(encoding, errors="replace")
        ids.update(re.findall(r"(?<!\d)\d{11}(?!\d)", text))
        for row in csv.DictReader(io.StringIO(text), delimiter=separator):
            if row.get("navn"):
                names.add(row["navn"].strip())
    for path in landing.rglob("*.xlsx"):
        spec = next(s for s in files_of(path.parent.parent.name) if s.name == path.name)
        frame = pl.read_excel(path, sheet_name=spec.sheet, engine="calamine", read_options={"dtypes": "string"})
        ids.update(v.strip() for v in frame["Fodselsnummer"].drop_nulls())
        names.update(frame.filter(pl.col("Saksokertype") == "PRIVAT")["Saksoker"].drop_nulls())
    return ids, {n for n in names if len(n) >= MIN_NAME_LENGTH}


def birth_dates(ids: set[str], pseudonym_key: str) -> pl.DataFrame:
    """(person_key, birth date as yyyy-mm-dd and as dd.mm.yyyy) of every valid national id."""
    parsed = parse_national_ids(pl.Series(sorted(ids), dtype=pl.String)).filter(pl.col("failure").is_null())
    rows = [
        (person_key(nid, pseudonym_key), text)
        for nid, born in parsed.select("national_id", "birth_date").iter_rows()
        for text in (born.isoformat(), born.strftime("%d.%m.%Y"))
    ]
    return pl.DataFrame(rows, schema={"person_key": pl.String, "__birth__": pl.String}, orient="row")
