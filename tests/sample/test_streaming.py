"""Big files stream to disk a slice of rows at a time (issue #15: memory follows the slice, not the
file), and the bytes are those of writing each file in one piece."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import polars as pl

import sample.files
from sample import SAMPLE_RELATIVE_DIR, write_sample
from sample.files import _csv_bytes, _write_csv

COMMITTED = Path(__file__).resolve().parents[2] / SAMPLE_RELATIVE_DIR


def _modules_slicing() -> list:
    """Every module of the generator that slices by ``CHUNK_ROWS`` (each imports it by name)."""
    modules = [m for name, m in sorted(sys.modules.items()) if name.startswith("sample.") and hasattr(m, "CHUNK_ROWS")]
    assert {m.__name__ for m in modules} >= {"sample.files", "sample.boei", "sample.namsfogd"}
    return modules


def test_slices_of_a_few_rows_reproduce_the_committed_sample(tmp_path, monkeypatch):
    # 97 rows a slice: tenancies, cases, petitions, notices, arrears and the bailiff's sheet in several slices each.
    for module in _modules_slicing():
        monkeypatch.setattr(module, "CHUNK_ROWS", 97)
    write_sample(tmp_path)
    committed = {str(p.relative_to(COMMITTED)): p for p in COMMITTED.rglob("*") if p.is_file()}
    differing = [name for name, p in committed.items() if (tmp_path / name).read_bytes() != p.read_bytes()]
    assert not differing, f"written in slices, these files differ from the committed sample: {differing}"


def test_a_sliced_csv_has_one_header_one_bom_and_counts_every_row(tmp_path, monkeypatch):
    monkeypatch.setattr(sample.files, "CHUNK_ROWS", 2)
    frame = pl.DataFrame({"a": ["x", "y;z", None, "w", "v"], "b": [1, 2, 3, 4, 5]})
    written = _write_csv(
        tmp_path / "f.csv", np.array([4, 0, 2, 1, 3]), lambda rows: frame[rows], ";", "utf-8", bom=True
    )
    expected = _csv_bytes(frame[[4, 0, 2, 1, 3]], ";", "utf-8", bom=True)
    assert (tmp_path / "f.csv").read_bytes() == expected
    assert written["rows"] == 5
    empty = _write_csv(tmp_path / "e.csv", np.array([], dtype=np.int64), lambda rows: frame[rows], ";", "utf-8")
    assert (tmp_path / "e.csv").read_bytes() == b"a;b\r\n" and empty["rows"] == 0
