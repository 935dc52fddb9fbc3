"""The staging tests of an incremental build test only the new deliveries (issue #15).

Every staging model reads all deliveries of its source, so its tests scanned the whole history on
every refresh. In an incremental build (the warehouse sets EVICTIONS_DBT_BUILT_THROUGH, see
``orchestration.lib.incremental.dbt_test_environment``) they read only the rows of deliveries after
the latest one the last complete build held; a key is still looked for among every delivery. A
full build, and dbt run by hand, test every row.

On the hand-made raw fixture, built once: a broken row in a delivery already built is not tested
again in an incremental build, is found by a full one, and a broken row or a repeated key in a new
delivery is found by both.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal

import polars as pl
import pytest

from orchestration.lib.incremental import DBT_BUILT_THROUGH_ENV
from tests.dbt.test_dbt_project import _dbt
from tests.support.raw_fixture import LEDGER, write_raw_fixture

LEDGER_TESTS = "stg_boei__rent_ledger"
# The two register models, the seeds their tests read, and their own tests (cautious: not the tests
# of models built from them).
SELECTION = [
    "--indirect-selection",
    "cautious",
    "--select",
    "stg_boei__rent_ledger",
    "stg_boei__tenancies",
    "resource_type:seed",
]
LATEST_BUILT = max(LEDGER)
NEW_DELIVERY = LATEST_BUILT + dt.timedelta(days=31)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("staging_tests")
    write_raw_fixture(root / "warehouse")
    result = _dbt(["build", *SELECTION], root / "warehouse", root / "dbt")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    return root


def _copy(built, tmp_path):
    shutil.copytree(built / "warehouse", tmp_path / "warehouse")
    return tmp_path / "warehouse" / "raw" / "boei" / "rent_ledger"


def _rewrite(ledger_dir, delivery: dt.date, change) -> None:
    """Rewrite one delivery's raw file (or write a new one from the first) with ``change`` applied."""
    source = ledger_dir / f"{delivery.isoformat()}.parquet"
    frame = pl.read_parquet(source if source.exists() else ledger_dir / f"{LATEST_BUILT.isoformat()}.parquet")
    change(frame.with_columns(pl.lit(delivery).alias("delivery_date"))).write_parquet(source)


def _negative_rent(frame: pl.DataFrame) -> pl.DataFrame:
    # rent charged (HUSLEIE) must be > 0: row_rules_stg_boei__rent_ledger
    return frame.with_columns(pl.lit(Decimal("-1.00")).cast(frame.schema["belop"]).alias("belop"))


def _test(warehouse, target, *, built_through: dict | None, command=("build",)):
    """dbt on the register's views and tests, as the warehouse starts it (``built_through`` set) or by
    hand (None). A build, not a test: the views of the copied database still read the original
    warehouse's raw folder until they are made again."""
    # Unset for "by hand" even when the shell running the tests has it.
    env = {DBT_BUILT_THROUGH_ENV: json.dumps(built_through) if built_through is not None else "{}"}
    return _dbt([*command, *SELECTION], warehouse, target, env=env)


INCREMENTAL = {"boei": LATEST_BUILT.isoformat()}


def test_a_broken_row_in_a_built_delivery_is_tested_by_a_full_build_only(built, tmp_path):
    ledger = _copy(built, tmp_path)
    _rewrite(ledger, min(LEDGER), _negative_rent)
    warehouse = tmp_path / "warehouse"

    incremental = _test(warehouse, tmp_path / "dbt", built_through=INCREMENTAL)
    assert incremental.returncode == 0, incremental.stdout[-4000:]
    assert "ERROR=0" in incremental.stdout

    # dbt by hand (no variable) and a full build (even with the variable left set) test every row.
    by_hand = _test(warehouse, tmp_path / "dbt", built_through=None)
    assert by_hand.returncode != 0
    assert "row_rules_stg_boei__rent_ledger" in by_hand.stdout
    full = _test(warehouse, tmp_path / "dbt", built_through=INCREMENTAL, command=("build", "--full-refresh"))
    assert full.returncode != 0
    assert "FAIL" in full.stdout and "row_rules_stg_boei__rent_ledger" in full.stdout


def test_a_broken_row_in_a_new_delivery_is_found(built, tmp_path):
    ledger = _copy(built, tmp_path)

    def new_postings(frame: pl.DataFrame) -> pl.DataFrame:
        return _negative_rent(frame.with_columns(pl.concat_str(pl.lit("NEW-"), "bilag_id").alias("bilag_id")))

    _rewrite(ledger, NEW_DELIVERY, new_postings)
    result = _test(tmp_path / "warehouse", tmp_path / "dbt", built_through=INCREMENTAL)
    assert result.returncode != 0
    assert "row_rules_stg_boei__rent_ledger" in result.stdout
    assert "unique_key_stg_boei__rent_ledger" not in _failed(result.stdout)


def test_a_new_deliverys_key_is_looked_for_among_every_delivery(built, tmp_path):
    ledger = _copy(built, tmp_path)
    # the new delivery repeats the postings of the latest built one, under their ids
    _rewrite(ledger, NEW_DELIVERY, lambda frame: frame)
    result = _test(tmp_path / "warehouse", tmp_path / "dbt", built_through=INCREMENTAL)
    assert result.returncode != 0
    assert _failed(result.stdout) == ["unique_key_stg_boei__rent_ledger"]

    # New ids pass: the filter does not make the test fail on its own.
    _rewrite(
        ledger,
        NEW_DELIVERY,
        lambda frame: frame.with_columns(pl.concat_str(pl.lit("NEW-"), "bilag_id").alias("bilag_id")),
    )
    passed = _test(tmp_path / "warehouse", tmp_path / "dbt", built_through=INCREMENTAL)
    assert passed.returncode == 0, passed.stdout[-4000:]


def test_the_compiled_tests_read_only_the_new_rows(built, tmp_path):
    _copy(built, tmp_path)
    result = _test(tmp_path / "warehouse", tmp_path / "dbt", built_through=INCREMENTAL, command=("compile",))
    assert result.returncode == 0, result.stdout[-4000:]
    nodes = json.loads((tmp_path / "dbt" / "target" / "manifest.json").read_text())["nodes"]
    ledger_tests = {
        node["name"]: node.get("compiled_code") or ""
        for node in nodes.values()
        if node["resource_type"] == "test" and node.get("attached_node") == f"model.evictions.{LEDGER_TESTS}"
    }
    # the row rules, the key and the relationship to the tenancies
    compiled = {name: code for name, code in ledger_tests.items() if code}
    assert len(compiled) == 3, sorted(ledger_tests)
    condition = f"delivery_date > date '{LATEST_BUILT.isoformat()}'"
    for name, code in compiled.items():
        assert condition in code, name


def test_the_variable_does_not_make_dbt_parse_the_project_again(built, tmp_path):
    _copy(built, tmp_path)
    warehouse, target = tmp_path / "warehouse", tmp_path / "dbt"

    def parse(built_through: dict, *extra: str):
        return _dbt(["parse", *extra], warehouse, target, env={DBT_BUILT_THROUGH_ENV: json.dumps(built_through)})

    first = parse(INCREMENTAL)
    assert first.returncode == 0, first.stdout[-3000:]
    other = parse({"boei": NEW_DELIVERY.isoformat()})
    assert other.returncode == 0, other.stdout[-3000:]
    assert "Unable to do partial parsing" not in other.stdout
    # The check can see a full parse: a changed variable of dbt's own does make one.
    forced = parse(INCREMENTAL, "--vars", "{forced_full_parse: 1}")
    assert "Unable to do partial parsing" in forced.stdout


def _failed(stdout: str) -> list[str]:
    """The names of the tests dbt reported as failing (its "Failure in test <name>" lines)."""
    return sorted(
        {line.split("Failure in test ", 1)[1].split()[0] for line in stdout.splitlines() if "Failure in test " in line}
    )
