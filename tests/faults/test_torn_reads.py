"""README's advice on reading a file the warehouse may be replacing, tried against its writer.

``benchmarks/torn_reads.py`` replaces a file over and over with ``atomic.write_parquet_atomic``
and reads it in each form README names. A read through one open handle (the form README
advises, and the warehouse's own ``atomic.read_table`` / ``read_frame``) must never fail nor
return anything but one whole version. The forms given a path are not tried here: they do fail
(``benchmarks/torn_reads.py`` prints how often), which is the libraries' doing, not ours.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb
import pytest

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "torn_reads.py"
ONE_HANDLE = (
    "duckdb read_parquet(open(path, 'rb'))",
    "pyarrow pq.read_table(open(path, 'rb'))",
    "polars pl.read_parquet(open(path, 'rb'))",
)


@pytest.fixture(scope="module")
def torn_reads():
    spec = importlib.util.spec_from_file_location("torn_reads", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("form", ONE_HANDLE)
def test_a_read_through_one_handle_is_whole_while_the_file_is_replaced(torn_reads, form, tmp_path):
    tables = torn_reads.versions(2000)
    target = tmp_path / "table.parquet"
    torn_reads.write_parquet_atomic(tables[0], target, table_name="torn_reads")
    with duckdb.connect() as connection:
        read = torn_reads.readers(connection)[form]
        result = torn_reads.measure(read, target, tables, seconds=1.5, until_more_than=50, at_most_seconds=30)
    assert result["failed"] == 0, result["messages"]
    assert result["wrong"] == 0
    # The reads overlapped many replacements, or the test tried nothing.
    assert result["ok"] > 50 and result["replaced"] > 50, result
