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


# ---- which nodes an incremental build leaves as they are (unaffected_nodes) ----


def _manifest(dbt_manifest) -> dict:
    return json.loads(dbt_manifest.read_text(encoding="utf-8"))


def _incremental_for(*sources: str) -> incremental.Decision:
    return incremental.Decision(False, "test", tuple(sources))


def test_a_full_rebuild_leaves_nothing_out(dbt_manifest):
    assert incremental.unaffected_nodes(_manifest(dbt_manifest), incremental.Decision(True, "test")) == []


def test_nothing_new_leaves_every_built_node_out(dbt_manifest):
    manifest = _manifest(dbt_manifest)
    built = {u for u, n in manifest["nodes"].items() if n["resource_type"] in incremental.BUILT_RESOURCE_TYPES}
    assert set(incremental.unaffected_nodes(manifest, _incremental_for())) == built


def test_a_new_register_delivery_rebuilds_what_reads_the_register_and_leaves_the_rest(dbt_manifest):
    manifest = _manifest(dbt_manifest)
    left = set(incremental.unaffected_nodes(manifest, _incremental_for("boei")))
    nodes = manifest["nodes"]
    # Built from the register, through other models: rebuilt.
    for model in ("stg_boei__rent_ledger", "int_tenancies_historized", "int_tenancy_arrears_accumulated", "households"):
        assert f"model.evictions.{model}" not in left
    # Built from other sources only, and the seeds: left as they are.
    for node in ("model.evictions.stg_bbl__arrears", "model.evictions.project_expenses", "seed.evictions.districts"):
        assert node in left
    tests = {n["name"]: u for u, n in nodes.items() if n["resource_type"] == "test"}
    # A test between a rebuilt model and an unchanged one runs: the petitions' tenancies are looked
    # up in the register's history, the households' districts in a seed.
    assert tests["relationships_petitions_tenancy_id__tenancy_id__ref_int_tenancies_historized_"] not in left
    assert tests["relationships_households_district__district__ref_districts_"] not in left
    # A test of unchanged models only is left out.
    assert tests["unique_petitions_petition_id"] in left
    # Whatever is left out reads nothing rebuilt.
    rebuilt = {u for u, n in nodes.items() if n["resource_type"] in incremental.BUILT_RESOURCE_TYPES} - left
    for unique_id in left:
        assert not set(nodes[unique_id]["depends_on"].get("nodes", [])) & rebuilt, unique_id


def test_every_source_reaches_what_is_built_from_it(dbt_manifest):
    from orchestration.lib.contract import SOURCES

    manifest = _manifest(dbt_manifest)
    everything = set(incremental.unaffected_nodes(manifest, _incremental_for()))
    for source in SOURCES:
        rebuilt = everything - set(incremental.unaffected_nodes(manifest, _incremental_for(source)))
        staged = {u for u in rebuilt if manifest["nodes"][u]["resource_type"] == "model" and "stg_" in u}
        assert staged and all(u.startswith(f"model.evictions.stg_{source}__") for u in staged), source
    # Every source new: only what is built from no source at all (seeds, their tests) is left out.
    left = incremental.unaffected_nodes(manifest, _incremental_for(*SOURCES))
    assert not [u for u in left if manifest["nodes"][u]["resource_type"] == "model" and "stg_" in u]
    assert "seed.evictions.districts" in left


def test_the_exclusion_names_each_node_once_and_keeps_dbt_from_dropping_tests(dbt_manifest):
    manifest = _manifest(dbt_manifest)
    left = incremental.unaffected_nodes(manifest, _incremental_for("boei"))
    arguments = incremental.dbt_exclusion(manifest, left)
    assert arguments[:3] == ["--indirect-selection", "empty", "--exclude"]
    assert len(arguments[3].split(" ")) == len(left) == len(set(arguments[3].split(" ")))
    assert "evictions" not in arguments[3].split(" ")  # dbt would read the project's name as every node
    assert incremental.dbt_exclusion(manifest, []) == []


def test_what_is_left_out_comes_each_after_its_parents(dbt_manifest):
    # The dbt asset yields the left-out tables in this order: Dagster takes a multi-asset's
    # outputs only in the order of the graph.
    manifest = _manifest(dbt_manifest)
    for sources in [(), ("boei",), ("bbl", "regnskap")]:
        left = incremental.unaffected_nodes(manifest, _incremental_for(*sources))
        place = {uid: n for n, uid in enumerate(left)}
        for uid in left:
            for parent in manifest["parent_map"][uid]:
                assert place.get(parent, -1) < place[uid], (uid, parent)
