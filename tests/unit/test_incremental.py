"""Incremental or full dbt build: the warehouse's decision (orchestration/lib/incremental.py)."""

from __future__ import annotations

import json
import os

import pytest

from orchestration.lib import incremental
from orchestration.settings import load_settings


def _basis(**deliveries) -> dict:
    return {
        "deliveries": {"boei": {}, "kemner": {}, **deliveries},
        "pseudonym_key": "k1",
        "dbt_code": "c1",
        "settings": "s1",
    }


BUILT = _basis(boei={"2007-06-30": "a", "2007-12-31": "b"}, kemner={"2007-12-31": "c"})


def test_later_deliveries_only_are_incremental_and_named():
    current = _basis(boei={"2007-06-30": "a", "2007-12-31": "b", "2008-01-31": "d"}, kemner={"2007-12-31": "c"})
    decision = incremental.decide(BUILT, current)
    assert not decision.full_refresh
    assert str(decision) == "incremental: 1 new delivery (boei 2008-01-31)"

    two = _basis(
        boei={"2007-06-30": "a", "2007-12-31": "b", "2008-01-31": "d"}, kemner={"2007-12-31": "c", "2008-01-31": "e"}
    )
    assert str(incremental.decide(BUILT, two)) == "incremental: 2 new deliveries (boei 2008-01-31, kemner 2008-01-31)"


def test_a_first_delivery_of_a_source_not_built_before_is_incremental():
    current = {**BUILT, "deliveries": {**BUILT["deliveries"], "bbl": {"2007-06-30": "f"}}}
    assert str(incremental.decide(BUILT, current)) == "incremental: 1 new delivery (bbl 2007-06-30)"


def test_nothing_new_is_incremental_with_nothing_to_merge():
    assert str(incremental.decide(BUILT, BUILT)) == "incremental: no new delivery"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            {"deliveries": {"boei": {"2007-06-30": "a2", "2007-12-31": "b"}, "kemner": {"2007-12-31": "c"}}},
            "boei 2007-06-30 was reloaded",
        ),
        (
            {"deliveries": {"boei": {"2007-12-31": "b"}, "kemner": {"2007-12-31": "c"}}},
            "boei 2007-06-30 was built and is no longer in the raw layer",
        ),
        (
            {
                "deliveries": {
                    "boei": {"2007-06-30": "a", "2007-09-30": "x", "2007-12-31": "b"},
                    "kemner": {"2007-12-31": "c"},
                }
            },
            "boei 2007-09-30 is older than the latest built delivery 2007-12-31",
        ),
        ({"pseudonym_key": "k2"}, "the pseudonym key changed"),
        ({"dbt_code": "c2"}, "the dbt project (models, macros, seeds or dbt's version) changed"),
        ({"settings": "s2"}, "a setting changed"),
    ],
)
def test_anything_but_later_deliveries_rebuilds_in_full(change, reason):
    decision = incremental.decide(BUILT, {**BUILT, **change})
    assert decision.full_refresh
    assert str(decision) == f"full rebuild: {reason}"


def test_no_record_rebuilds_in_full():
    assert str(incremental.decide(None, BUILT)) == "full rebuild: no record of a complete earlier build"


def _settings(tmp_path, key="a-key"):
    return load_settings(
        {
            "EVICTIONS_LANDING_DIR": str(tmp_path / "landing"),
            "EVICTIONS_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
            "EVICTIONS_PSEUDONYM_KEY": key,
        }
    )


def _raw_file(settings, source, stem, date, content=b"parquet"):
    path = settings.raw_dir / source / stem / f"{date}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_basis_from_the_raw_layer_sees_a_rewritten_file_and_never_holds_the_key(tmp_path):
    settings = _settings(tmp_path)
    _raw_file(settings, "boei", "tenancies", "2007-06-30")
    _raw_file(settings, "boei", "rent_ledger", "2007-06-30")
    _raw_file(settings, "boei", "tenancies", "_schema")
    built = incremental.build_basis(settings)
    assert sorted(built["deliveries"]["boei"]) == ["2007-06-30"]  # one delivery of two files, no _schema

    incremental.record_basis(settings.paths, built)
    assert incremental.read_basis(settings.paths) is None  # no database: nothing is built
    settings.paths.database.write_bytes(b"")
    assert incremental.read_basis(settings.paths) == built
    assert "a-key" not in settings.paths.dbt_build_basis.read_text()

    _raw_file(settings, "boei", "tenancies", "2007-12-31")
    _raw_file(settings, "boei", "rent_ledger", "2007-12-31")
    assert (
        str(incremental.decide(built, incremental.build_basis(settings)))
        == "incremental: 1 new delivery (boei 2007-12-31)"
    )

    rewritten = _raw_file(settings, "boei", "rent_ledger", "2007-06-30", b"parquet, loaded again")
    os.utime(rewritten, ns=(1, 1))
    assert (
        str(incremental.decide(built, incremental.build_basis(settings)))
        == "full rebuild: boei 2007-06-30 was reloaded"
    )

    rotated = incremental.build_basis(_settings(tmp_path, key="another-key"))
    assert incremental.decide(built, rotated).full_refresh


def test_a_forgotten_or_unreadable_record_is_no_record(tmp_path):
    paths = _settings(tmp_path).paths
    paths.root.mkdir(parents=True)
    paths.database.write_bytes(b"")
    incremental.record_basis(paths, BUILT)
    assert incremental.read_basis(paths) == BUILT
    incremental.forget_basis(paths)
    assert incremental.read_basis(paths) is None
    paths.dbt_build_basis.write_text("{not json")
    assert incremental.read_basis(paths) is None
    paths.dbt_build_basis.write_text(json.dumps([1, 2]))
    assert incremental.read_basis(paths) is None


def test_a_dbt_model_change_changes_the_code_digest(tmp_path):
    project = tmp_path / "dbt"
    (project / "models").mkdir(parents=True)
    (project / "models" / "m.sql").write_text("select 1")
    (project / "target").mkdir()
    (project / "target" / "manifest.json").write_text("{}")
    before = incremental.dbt_code_digest(project)
    (project / "target" / "manifest.json").write_text('{"changed": 1}')  # dbt's output: no change
    assert incremental.dbt_code_digest(project) == before
    (project / "models" / "m.sql").write_text("select 2")
    assert incremental.dbt_code_digest(project) != before


def test_the_staging_tests_are_told_the_latest_delivery_built_of_each_source_only_when_incremental():
    current = _basis(boei={"2007-06-30": "a", "2007-12-31": "b", "2008-01-31": "d"}, kemner={"2007-12-31": "c"})
    environment = incremental.dbt_test_environment(incremental.decide(BUILT, current), BUILT)
    # kemner's and boei's latest built deliveries; a source never built (here none) has no entry
    assert json.loads(environment[incremental.DBT_BUILT_THROUGH_ENV]) == {"boei": "2007-12-31", "kemner": "2007-12-31"}

    # A full rebuild tests every row: the variable is set, to nothing, so no earlier value lingers.
    reloaded = _basis(boei={"2007-06-30": "a", "2007-12-31": "X"}, kemner={"2007-12-31": "c"})
    full = incremental.decide(BUILT, reloaded)
    assert full.full_refresh
    assert incremental.dbt_test_environment(full, BUILT) == {incremental.DBT_BUILT_THROUGH_ENV: "{}"}
    assert incremental.dbt_test_environment(incremental.decide(None, current), None) == {
        incremental.DBT_BUILT_THROUGH_ENV: "{}"
    }


def test_the_dbt_macro_reads_the_variable_the_warehouse_sets():
    macro = (incremental.DBT_PROJECT_DIR / "macros" / "deliveries_not_yet_built.sql").read_text(encoding="utf-8")
    assert f"env_var('{incremental.DBT_BUILT_THROUGH_ENV}'" in macro
