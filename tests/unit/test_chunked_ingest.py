"""A big text file is validated in chunks with exactly the result of validating it at once (#15).

Every case ingests the same landing zone twice, once whole and once in chunks of a few rows
(``ingest.CHUNK_ROWS`` lowered), and compares everything ingest writes: the raw and quarantine
Parquet files (content and order), the counts and the first row numbers of each quarantine
reason in the audit, and the console lines.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from orchestration.lib import ingest
from orchestration.lib.paths import WarehousePaths
from orchestration.settings import BUNDLED_SAMPLE_DIR
from tests.support.hostile import file_bytes, valid_row
from tests.support.landing import write_delivery

KEY = "test-key"


def _ingest(landing: Path, warehouse: Path, source: str, chunk_rows: int, monkeypatch) -> list[str]:
    monkeypatch.setattr(ingest, "CHUNK_ROWS", chunk_rows)
    messages: list[str] = []
    result = ingest.ingest_source(source, landing, warehouse, KEY, progress=messages.append, run_id="run")
    assert not result.refused, result.refused
    return messages


def _written(warehouse: Path) -> dict[str, pl.DataFrame]:
    paths = WarehousePaths(warehouse)
    found = {}
    for folder in (paths.raw_dir, paths.quarantine_dir):
        for path in sorted(folder.rglob("*.parquet")):
            found[str(path.relative_to(warehouse))] = pl.read_parquet(path)
    return found


def _audit(warehouse: Path) -> pl.DataFrame:
    return ingest.write_ingest_audit(warehouse).drop("recorded_at", strict=False)


def _same_both_ways(landing: Path, tmp_path: Path, source: str, monkeypatch, chunk_rows: int) -> dict:
    whole, chunked = tmp_path / "whole", tmp_path / "chunked"
    said_whole = _ingest(landing, whole, source, 10**9, monkeypatch)
    said_chunked = _ingest(landing, chunked, source, chunk_rows, monkeypatch)
    assert said_chunked == said_whole
    written_whole, written_chunked = _written(whole), _written(chunked)
    assert written_chunked.keys() == written_whole.keys()
    for name, frame in written_whole.items():
        assert written_chunked[name].equals(frame), name
    assert _audit(chunked).equals(_audit(whole))
    return written_whole


@pytest.mark.parametrize("chunk_rows", [97, 5000])
def test_the_sample_ledger_in_chunks_equals_the_whole(tmp_path, monkeypatch, chunk_rows):
    """The sample's ledgers hold exact duplicates (collapsed) and postings delivered again."""
    landing = tmp_path / "landing"
    shutil.copytree(BUNDLED_SAMPLE_DIR / "boei", landing / "boei")
    written = _same_both_ways(landing, tmp_path, "boei", monkeypatch, chunk_rows)
    assert any("rent_ledger" in name for name in written)


def test_duplicates_far_apart_bad_rows_and_postings_delivered_before_in_chunks(tmp_path, monkeypatch):
    """Each whole-file rule across chunk boundaries: identical rows, shared keys, earlier deliveries."""
    landing = tmp_path / "landing"
    rows = [valid_row("boei", "rent_ledger.csv", n) for n in range(1, 41)]
    first = [list(r) for r in rows[:10]]
    write_delivery(
        landing,
        "boei",
        "2007-06-30",
        {"rent_ledger.csv": file_bytes("boei", "rent_ledger.csv", first)},
        {"rent_ledger.csv": len(first)},
    )
    later = [list(r) for r in rows]
    later[3][4] = "9 999,00"  # B-4 delivered before with another amount: quarantined
    later += [list(rows[0]), list(rows[5])]  # B-1, B-6 delivered before unchanged: counted once
    later.append(list(later[20]))  # an identical row 21 rows later: collapsed
    clash = list(later[30])
    clash[4] = "1,00"
    later.append(clash)  # B-31 again with another amount: both rows quarantined
    later[12][2] = "31.02.2007"  # no such date
    later[13][1] = ""  # a required value missing
    write_delivery(
        landing,
        "boei",
        "2007-12-31",
        {"rent_ledger.csv": file_bytes("boei", "rent_ledger.csv", later)},
        {"rent_ledger.csv": len(later)},
    )
    written = _same_both_ways(landing, tmp_path, "boei", monkeypatch, chunk_rows=4)
    quarantine = written["quarantine/boei/2007-12-31/rent_ledger.parquet"]
    reasons = " ".join(quarantine[ingest.REASON].to_list())
    for code in ("duplicate_key:", "duplicate_key_earlier_delivery:", "unparseable:", "missing_required:"):
        assert code in reasons, code


def test_a_file_whose_row_count_is_not_the_manifests_is_refused_in_chunks_too(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    rows = [valid_row("boei", "rent_ledger.csv", n) for n in range(1, 21)]
    write_delivery(
        landing,
        "boei",
        "2007-12-31",
        {"rent_ledger.csv": file_bytes("boei", "rent_ledger.csv", rows)},
        {"rent_ledger.csv": 21},
    )
    monkeypatch.setattr(ingest, "CHUNK_ROWS", 5)
    result = ingest.ingest_source("boei", landing, tmp_path / "warehouse", KEY, progress=lambda _: None)
    assert result.refused and "manifest says 21" in str(result.refused[0])
    assert not list((tmp_path / "warehouse" / "raw").rglob("2007-12-31.parquet"))
    assert not list((tmp_path / "warehouse").rglob("*.tmp-*"))
