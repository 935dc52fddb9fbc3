"""Macro latest_delivery_rows (the ``*_filtered_to_latest`` models, issue #15) on the hand-made raw fixture.

The current state of a full-snapshot table is the rows of its latest delivery. The macro compares
each row's delivery_date with the latest date as a scalar, which DuckDB pushes into the Parquet scan:
only the latest delivery's rows are read, not every delivery's (which cost 3-8 s at 10 M). A valid
empty latest delivery (a file with no row) is the current state too: then there is no row.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil

import duckdb
import polars as pl
import pytest

from orchestration.lib.paths import WarehousePaths
from tests.dbt.test_dbt_project import _dbt
from tests.support.raw_fixture import TENANCIES, write_raw_fixture

MODEL = "int_tenancies_filtered_to_latest"
LATEST = max(TENANCIES)
SELECTION = ["run", "--select", f"+{MODEL}"]


def _build(root) -> None:
    result = _dbt(SELECTION, root / "warehouse", root / "dbt")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("latest_delivery_rows")
    write_raw_fixture(root / "warehouse")
    assert len(TENANCIES) >= 2, "the fixture must have an earlier delivery to leave out"
    _build(root)
    return root


def _database(root):
    return str(WarehousePaths(root / "warehouse").database)


def test_the_current_state_is_the_rows_of_the_latest_delivery(built):
    with duckdb.connect(_database(built), read_only=True) as db:
        latest = f"select * from staging.stg_boei__tenancies where delivery_date = date '{LATEST}'"
        current = f"select * from intermediate.{MODEL}"
        assert db.execute(f"select count(*) from ({current})").fetchone()[0] == len(TENANCIES[LATEST])
        assert db.execute(f"select count(*) from ({current} except all {latest})").fetchone()[0] == 0
        assert db.execute(f"select count(*) from ({latest} except all {current})").fetchone()[0] == 0


def test_only_the_latest_delivery_is_scanned_for_rows(built, tmp_path):
    """The rows are read only from the latest file: the filter is pushed into the Parquet scan.

    The plan reads the delivery dates of every row (one column) and the whole rows of the latest
    delivery; a join to the latest date (or a CTE of the rows read twice, which is materialized)
    reads every delivery's whole rows.
    """
    compiled = built / "dbt" / "target" / "compiled" / "evictions" / "models" / "intermediate" / f"{MODEL}.sql"
    profile = tmp_path / "profile.json"
    with duckdb.connect(_database(built)) as db:
        db.execute(f"pragma enable_profiling = 'json'; pragma profiling_output = '{profile}'")
        db.execute(f"create temp table current_state as {compiled.read_text(encoding='utf-8')}")
        db.execute("pragma disable_profiling")

    scans = []

    def collect(node) -> None:
        if node.get("name") == "READ_PARQUET":
            projections = node["extra_info"]["Projections"]  # one column is a string, more a list
            scans.append(([projections] if isinstance(projections, str) else projections, node["rows_scanned"]))
        for child in node.get("children", []):
            collect(child)

    for node in json.loads(profile.read_text(encoding="utf-8"))["operator"]:
        collect(node)
    whole_rows = [rows for projections, rows in scans if projections != ["delivery_date"]]
    assert whole_rows == [len(TENANCIES[LATEST])], scans


def test_an_empty_latest_delivery_leaves_no_current_row(built, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(built / "warehouse", root / "warehouse")
    folder = root / "warehouse" / "raw" / "boei" / "tenancies"
    empty = LATEST + dt.timedelta(days=31)
    pl.read_parquet(folder / "_schema.parquet").write_parquet(folder / f"{empty.isoformat()}.parquet")
    _build(root)  # the staging views too: they name the raw folder of the copy
    with duckdb.connect(_database(root), read_only=True) as db:
        assert db.execute("select count(*) from staging.stg_boei__tenancies").fetchone()[0] > 0
        assert db.execute(f"select count(*) from intermediate.{MODEL}").fetchone()[0] == 0
