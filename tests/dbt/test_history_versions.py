"""The snapshot histories' incremental strategy ``history_versions`` (macros/history.sql, issue #15).

A history built delivery by delivery, each build merging in only the new delivery (built versions
updated in place, new versions inserted), holds exactly the rows of a full build from every
delivery. The hand-made register covers every case: a version carried on, one changed, a record
gone, a new record, a content that comes back after a change, and a record that returns after a
gap (its version number counts its closed versions).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from orchestration.lib.paths import WarehousePaths
from tests.dbt.test_dbt_project import _dbt
from tests.support.raw_fixture import TENANCIES, write_raw_fixture

MODEL = "int_tenancies_historized"
SELECTION = ["run", "--select", f"+{MODEL}"]
LATER = max(TENANCIES) + dt.timedelta(days=90)


def _write_later_delivery(warehouse) -> None:
    """A third register delivery: 1001's rent back at 4800 (a content seen before, a new version),
    1007 back after a gap, 1002 gone, the others unchanged."""
    folder = warehouse / "raw" / "boei" / "tenancies"
    every = pl.concat([pl.read_parquet(folder / f"{date.isoformat()}.parquet") for date in sorted(TENANCIES)])
    first, latest = min(TENANCIES), max(TENANCIES)
    rows = pl.concat(
        [
            every.filter((pl.col("delivery_date") == latest) & ~pl.col("leieforhold_id").is_in([1001, 1002])),
            every.filter((pl.col("delivery_date") == first) & pl.col("leieforhold_id").is_in([1001, 1007])),
        ]
    ).with_columns(pl.lit(LATER).alias("delivery_date"), pl.int_range(1, pl.len() + 1).alias("row_number"))
    rows.cast(every.schema).write_parquet(folder / f"{LATER.isoformat()}.parquet")


def _history(warehouse) -> pl.DataFrame:
    with duckdb.connect(str(WarehousePaths(warehouse).database), read_only=True) as db:
        frame = pl.from_arrow(db.sql(f"select * from intermediate.{MODEL}").to_arrow_table())
    return frame.sort("tenancy_version_id")


def _run(arguments, warehouse, target) -> None:
    result = _dbt(arguments, warehouse, target)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]


@pytest.fixture(scope="module")
def full_and_stepwise(tmp_path_factory):
    root = tmp_path_factory.mktemp("history_versions")
    full = root / "full" / "warehouse"
    write_raw_fixture(full)
    _write_later_delivery(full)
    _run([*SELECTION, "--full-refresh"], full, root / "full" / "dbt")

    stepwise = root / "stepwise" / "warehouse"
    write_raw_fixture(stepwise)
    folder = stepwise / "raw" / "boei" / "tenancies"
    held = folder.parent / "held"
    held.mkdir()
    later_files = [folder / f"{date.isoformat()}.parquet" for date in sorted(TENANCIES)[1:]]
    for file in later_files:
        file.rename(held / file.name)
    _run(SELECTION, stepwise, root / "stepwise" / "dbt")  # the first delivery: a full build
    merged_sql = []
    for file in later_files:
        (held / file.name).rename(file)
        _run(SELECTION, stepwise, root / "stepwise" / "dbt")
        merged_sql.append(_run_sql(root / "stepwise" / "dbt"))
    _write_later_delivery(stepwise)
    _run(SELECTION, stepwise, root / "stepwise" / "dbt")
    merged_sql.append(_run_sql(root / "stepwise" / "dbt"))
    return _history(full), _history(stepwise), merged_sql, stepwise


def _run_sql(dbt_dir) -> str:
    path = dbt_dir / "target" / "run" / "evictions" / "models" / "intermediate" / f"{MODEL}.sql"
    return path.read_text(encoding="utf-8")


def test_each_later_delivery_was_merged_by_update_and_insert(full_and_stepwise):
    _, _, merged_sql, _ = full_and_stepwise
    assert len(merged_sql) == len(TENANCIES)  # each register delivery after the first, and the later one
    for sql in merged_sql:
        assert "update" in sql.lower() and "insert into" in sql.lower()
        assert "delete from" not in sql.lower()


def test_a_history_merged_delivery_by_delivery_equals_its_full_build(full_and_stepwise):
    full, stepwise, _, _ = full_and_stepwise
    assert_frame_equal(stepwise, full, check_exact=True)


def test_the_cases_the_later_delivery_makes(full_and_stepwise):
    full, _, _, _ = full_and_stepwise
    by_id = {row["tenancy_version_id"]: row for row in full.iter_rows(named=True)}
    later = LATER.isoformat()
    # 1001: 4800, 5000, 4800 again: three versions, the last current.
    assert [by_id[v]["version_number"] for v in sorted(i for i in by_id if i.startswith("1001@"))] == [1, 2, 3]
    assert by_id[f"1001@{later}"]["is_current"]
    # 1007: gone in the second delivery, back in the later one: its second version.
    assert by_id[f"1007@{later}"]["version_number"] == 2
    # 1002: in both earlier deliveries, gone from the later one: closed there, seen twice.
    (version_1002,) = [row for key, row in by_id.items() if key.startswith("1002@")]
    assert version_1002["valid_to"] == LATER and not version_1002["is_current"]
    assert version_1002["deliveries_seen"] == 2


def _merge_into_copy(full_and_stepwise, tmp_path, duplicate: bool) -> None:
    """Run the last merge's own SQL on a copy of the stepwise database, its emitted rows being the
    history's current versions (each a built id, as a later delivery emits them), one of them
    twice with another valid_to when ``duplicate``."""
    _, _, merged_sql, stepwise = full_and_stepwise
    sql = merged_sql[-1]
    (emitted,) = set(re.findall(r"from\s+(\S+)\s+as emitted", sql))
    database = tmp_path / "warehouse.duckdb"
    shutil.copy(WarehousePaths(stepwise).database, database)
    with duckdb.connect(str(database)) as db:
        ((catalog,),) = db.sql("select current_database()").fetchall()
        sql = sql.replace(f'"{catalog}".', "")  # the copy is attached under its own name
        emitted = emitted.replace(f'"{catalog}".', "")
        again = "union all (select * replace (date '2100-01-01' as valid_to) from current limit 1)" if duplicate else ""
        db.execute(
            f"create table {emitted} as with current as (select * from intermediate.{MODEL} where is_current) "
            f"select * from current {again}"
        )
        db.execute(sql)


def test_a_merge_without_duplicate_ids_runs(full_and_stepwise, tmp_path):
    _merge_into_copy(full_and_stepwise, tmp_path, duplicate=False)


def test_a_merge_that_emits_a_built_id_twice_is_refused(full_and_stepwise, tmp_path):
    with pytest.raises(duckdb.InvalidInputException, match="1 version ids emitted more than once"):
        _merge_into_copy(full_and_stepwise, tmp_path, duplicate=True)
