"""Privacy under faults: known people, quarantined rows, a refused delivery, killed runs.

The fault story's landing zone holds people whose ids and names are known to the test
(``tests/support/small_landing.py``): valid ones, one whose rows are all quarantined, an invalid national
id, a private landlord, and (in the reference warehouse) a refused delivery whose first
line is a data row, so a refusal message that quoted it would carry an id and a name.
After every refresh of the story, including the SIGKILLed ones, nothing outside
``quarantine/`` and ``restricted/`` may hold a national id, a name, a birth date tied to
its person_key, or the pseudonym key: Parquet (decoded, with metadata), the DuckDB
database (every relation), Dagster's SQLite stores, JSON, HTML, logs, and the captured
output of every refresh.
"""

from __future__ import annotations

import re
import sqlite3
import stat
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq

from orchestration.lib.contract import SOURCES
from orchestration.lib.ingest import ingest_source
from orchestration.lib.pseudonym import person_key
from tests.faults.conftest import PSEUDONYM_KEY, REFUSED_DATE
from tests.support.archive_text import archive_text
from tests.support.people import MIN_NAME_LENGTH, birth_dates
from tests.support.people import landing_people as read_landing_people
from tests.support.small_landing import BROKEN_ID, BROKEN_NAME, PEOPLE, PRIVATE_LANDLORD, write_small_landing

ALLOWED = ("quarantine", "restricted")


def landing_people(landing: Path) -> tuple[set[str], set[str]]:
    """The landing zone's people plus the story's known ones (some only in quarantined rows)."""
    ids, names = read_landing_people(landing)
    ids.update(p.national_id for p in PEOPLE)
    ids.add(BROKEN_ID)
    names.update(n for n in (*(p.name for p in PEOPLE), BROKEN_NAME, PRIVATE_LANDLORD) if len(n) >= MIN_NAME_LENGTH)
    return ids, names


def _flat(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column as text (lists joined), so that a scan sees every value."""
    columns = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.List) and dtype.inner == pl.String:
            columns.append(pl.col(name).list.join("|"))
        elif dtype.is_nested():
            columns.append(pl.col(name).map_elements(str, return_dtype=pl.String))
        else:
            columns.append(pl.col(name).cast(pl.String))
    return frame.select(columns)


def _frame_text(frame: pl.DataFrame) -> str:
    return _flat(frame).write_csv()


def texts(warehouse: Path):
    """(path, text, frame or None) for every file a consumer or operator could open."""
    for path in sorted(warehouse.rglob("*")):
        if not path.is_file() or path.relative_to(warehouse).parts[0] in ALLOWED:
            continue
        head = path.open("rb").read(16)
        if path.suffix == ".parquet" and not path.name.startswith("."):
            frame = pl.read_parquet(path)
            schema = pq.read_schema(path)
            fields = " ".join(str(f.metadata) for f in schema)
            yield path, _frame_text(frame) + str(schema.metadata) + fields, frame
        elif head.startswith(b"SQLite format 3"):
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                tables = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
                dump = "\n".join(
                    str(tuple(v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in row))
                    for t in tables
                    for row in db.execute(f'select * from "{t}"')
                )
            yield path, dump, None
        elif path.suffix == ".duckdb":
            with duckdb.connect(str(path), read_only=True) as db:
                relations = db.execute(
                    "select table_schema, table_name from information_schema.tables order by 1, 2"
                ).fetchall()
                for schema_name, table in relations:
                    frame = db.sql(f'select * from "{schema_name}"."{table}"').pl()
                    yield Path(f"{path}:{schema_name}.{table}"), _frame_text(frame), frame
            yield path, path.read_bytes().decode("utf-8", errors="replace"), None
        elif (archived := archive_text(path)) is not None:  # an .xlsx: its text is compressed
            yield path, archived, None
        else:
            yield path, path.read_bytes().decode("utf-8", errors="replace"), None


def scan(places: list[Path], ids: set[str], names: set[str], births: pl.DataFrame) -> int:
    """Scan every file; return how many. Fails unless the birth-date scan matched people by their
    person_key (a wrong key would match no one and let the scan pass empty)."""
    name_pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
    scanned = 0
    tied = 0
    for place in places:
        items = texts(place) if place.is_dir() else [(place, place.read_text(encoding="utf-8", errors="replace"), None)]
        for path, text, frame in items:
            scanned += 1
            assert PSEUDONYM_KEY not in text, f"the pseudonym key leaked into {path}"
            leaked = ids & set(re.findall(r"(?<!\d)\d{11}(?!\d)", text))
            assert not leaked, f"national ids leaked into {path}"
            match = name_pattern.search(text)
            assert match is None, f"a name leaked into {path}: {match.group(0)!r}"
            if frame is not None and "person_key" in frame.columns:
                as_text = _flat(frame).join(births, on="person_key")
                tied += as_text.height
                leaked_births = as_text.filter(
                    pl.any_horizontal(pl.col(c) == pl.col("__birth__") for c in frame.columns)
                )
                assert leaked_births.is_empty(), f"birth dates tied to their person_key leaked into {path}"
    assert tied > 0, "the scan matched no person_key: the key or the people read are wrong"
    return scanned


def test_known_people_never_leave_the_landing_zone_quarantine_and_restricted(story):
    ids, names = landing_people(story.landing)
    more_ids, more_names = landing_people(story.reference_landing)
    ids, names = ids | more_ids, names | more_names
    assert {p.national_id for p in PEOPLE} <= ids and "Zyxwå Testesen" in names
    logs = sorted(story.logs.glob("*.log"))
    assert len(logs) >= 9, "the captured output of every refresh of the story"
    scanned = scan([story.warehouse, story.reference, *logs], ids, names, birth_dates(ids, PSEUDONYM_KEY))
    assert scanned > 100


def test_the_scan_has_teeth(story):
    """Quarantine holds the rejected rows as delivered: the same scan finds them there."""
    text = "".join(_frame_text(pl.read_parquet(p)) for p in (story.warehouse / "quarantine").rglob("*.parquet"))
    assert BROKEN_ID in text and BROKEN_NAME in text
    assert any(p.national_id in text for p in PEOPLE)


def test_the_refusal_names_the_file_and_echoes_nothing(story):
    output = story.refreshes["reference-refused"].output
    assert f"boei/{REFUSED_DATE}/tenancies.csv" in output and "header does not match the contract" in output
    audit = pl.read_parquet(story.reference / "quality" / "ingest_audit.parquet")
    refused = audit.filter(pl.col("status") == "refused")
    assert refused.height >= 1 and refused["reason"].str.contains("unknown columns at positions").all()


def test_restricted_is_readable_by_its_owner_only(story):
    restricted = story.warehouse / "restricted"
    assert restricted.is_dir(), "the complete refresh ran with EVICTIONS_WRITE_RESTRICTED=1"
    entries = [restricted, *restricted.rglob("*")]
    assert {p.suffix for p in entries if p.is_file()} == {".csv", ".xlsx"}
    for path in entries:
        mode = stat.S_IMODE(path.stat().st_mode)
        expected = 0o700 if path.is_dir() else 0o600
        assert mode == expected, f"{path}: {oct(mode)}, expected {oct(expected)}"
    assert not (story.reference / "restricted").exists() or not any(
        p.is_file() for p in (story.reference / "restricted").rglob("*")
    ), "without EVICTIONS_WRITE_RESTRICTED=1 no identified list is written"


def test_another_pseudonym_key_changes_every_person_key(tmp_path):
    landing = write_small_landing(tmp_path / "landing", rows_per_file=20)
    keys = ("first-key-for-rotation-test", "second-key-for-rotation-test")
    for n, key in enumerate(keys):
        for source in SOURCES:
            result = ingest_source(source, landing, tmp_path / f"warehouse{n}", key, progress=lambda _: None)
            assert not result.refused
    compared = 0
    for first in sorted((tmp_path / "warehouse0" / "raw").rglob("[0-9]*.parquet")):
        second = tmp_path / "warehouse1" / first.relative_to(tmp_path / "warehouse0")
        a, b = pl.read_parquet(first), pl.read_parquet(second)
        if "person_key" not in a.columns:
            continue
        compared += 1
        assert a.drop("person_key").equals(b.drop("person_key")), "only the pseudonym may change"
        assert set(a["person_key"]).isdisjoint(set(b["person_key"])), f"{first}: a person_key survived the key change"
        pairs = pl.DataFrame({"a": a["person_key"], "b": b["person_key"]}).unique()
        assert pairs["a"].n_unique() == pairs["b"].n_unique() == pairs.height, "one person, one pseudonym per key"
    assert (
        compared == 5
    )  # tenancies, petitions, notifications, bailiff cases, project cases (the small zone has no bbl)
    known = PEOPLE[0]
    tenancies = pl.read_parquet(tmp_path / "warehouse1/raw/boei/tenancies/2007-12-31.parquet")
    assert person_key(known.national_id, keys[1]) in set(tenancies["person_key"])
