"""One home for the warehouse's paths (orchestration/lib/paths.py) and what is derived from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestration.lib import contract, contract_dbt, paths
from orchestration.lib.paths import WarehousePaths
from orchestration.settings import load_settings, warehouse_dir_from_environment

REPO = Path(__file__).resolve().parents[2]


def test_layout_of_one_warehouse(tmp_path):
    where = WarehousePaths(tmp_path)
    assert where.raw_file("boei", "tenancies", "2007-12-31") == tmp_path / "raw/boei/tenancies/2007-12-31.parquet"
    assert paths.quarantine_file(where.quarantine_dir, "boei", "tenancies", "2007-12-31") == (
        tmp_path / "quarantine/boei/2007-12-31/tenancies.parquet"
    )
    assert (
        paths.table_file(where.published_dir, "cases_by_district") == tmp_path / "published/cases_by_district.parquet"
    )
    assert where.validation_dir("boei", "2007-12-31") == tmp_path / "quality/validations/boei/2007-12-31"
    assert where.data_docs_index == tmp_path / "quality/data_docs/index.html"
    assert where.ingest_log("kemner") == tmp_path / "state/ingest_log/kemner.json"
    assert where.dbt_target_dir == tmp_path / "state/dbt_target"
    assert where.database == tmp_path / "warehouse.duckdb"
    # A delivery's file matches the delivery glob; the empty schema file beside it does not.
    folder = where.raw_table_dir("boei", "tenancies")
    assert where.raw_file("boei", "tenancies", "2007-12-31").match(str(folder / paths.DELIVERY_FILES))
    assert not (folder / paths.RAW_SCHEMA_FILE).match(str(folder / paths.DELIVERY_FILES))


def test_settings_take_their_folders_from_the_paths(tmp_path):
    settings = load_settings({"EVICTIONS_WAREHOUSE_DIR": str(tmp_path)})
    assert settings.paths == WarehousePaths(tmp_path.resolve())
    assert (settings.raw_dir, settings.quality_dir, settings.state_dir, settings.database_path) == (
        settings.paths.raw_dir,
        settings.paths.quality_dir,
        settings.paths.state_dir,
        settings.paths.database,
    )
    assert warehouse_dir_from_environment({"EVICTIONS_WAREHOUSE_DIR": str(tmp_path)}) == tmp_path.resolve()


def test_dbt_environment_names_the_database_and_the_raw_folder(tmp_path):
    where = WarehousePaths(tmp_path)
    assert where.dbt_environment() == {
        paths.DBT_DATABASE_ENV: str(tmp_path / "warehouse.duckdb"),
        paths.DBT_RAW_DIR_ENV: str(tmp_path / "raw"),
    }


def test_no_dbt_file_types_a_warehouse_path():
    """dbt finds the warehouse only through dbt_environment(): no default, no folder name."""
    project = REPO / "dbt_project"
    hand_written = [project / "dbt_project.yml", project / "profiles.yml", *(project / "macros").rglob("*.sql")]
    for path in hand_written:
        text = path.read_text(encoding="utf-8")
        assert "EVICTIONS_WAREHOUSE_DIR" not in text, path
        assert "/raw/" not in text and "'../warehouse'" not in text, path
    assert paths.DBT_DATABASE_ENV in (project / "profiles.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize("spec", contract.FILES, ids=lambda s: f"{s.source}/{s.stem}")
def test_dbt_sources_read_the_raw_layout_of_the_paths_module(spec, tmp_path):
    """The generated locations, rendered with a warehouse's environment, are that warehouse's files."""
    where = WarehousePaths(tmp_path)
    raw_dir = where.dbt_environment()[paths.DBT_RAW_DIR_ENV]

    def rendered(jinja: str) -> str:
        return jinja.replace(contract_dbt.RAW_DIR_JINJA, raw_dir)

    location = rendered(contract_dbt.raw_location(spec.source)).format(name=spec.stem)
    assert (
        location == f"read_parquet('{where.raw_table_dir(spec.source, spec.stem) / '*.parquet'}', union_by_name = true)"
    )
    assert Path(rendered(contract_dbt.raw_delivery_files(spec))) == (
        where.raw_table_dir(spec.source, spec.stem) / paths.DELIVERY_FILES
    )
    sources = contract_dbt.sources_yml(spec.source)
    assert contract_dbt.raw_location(spec.source).split("{name}")[0].split("'")[1] in sources.replace("\n      ", " ")
    assert contract_dbt.raw_delivery_files(spec).replace("'", "''") in sources


def test_raw_asset_keys_of_dagster_and_dbt_are_one():
    """The dbt sources' Dagster key (generated yml) is the key of the ingest asset writing the table."""
    manifest = REPO / "dbt_project" / "target" / "manifest.json"
    if not manifest.exists():
        pytest.skip("no dbt manifest (uv run evictions setup)")
    from orchestration.defs.ingest.assets import raw_asset_key

    sources = json.loads(manifest.read_text(encoding="utf-8"))["sources"].values()
    keys = {(s["source_name"], s["name"]): s["meta"]["dagster"]["asset_key"] for s in sources}
    assert keys == {(f.source, f.stem): raw_asset_key(f.source, f.stem).path for f in contract.FILES}
