"""The dbt project as Dagster assets: one ``dbt build`` per refresh.

The manifest is built by ``evictions setup`` (``dbt parse``), by the refresh command
and by CI, never at import: loading the definitions only reads it.
"""


import importlib.metadata
import os
from collections.abc import Mapping
from functools import cache, cached_property
from typing import Any

import dagster as dg
from packaging import version
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from orchestration.defs.resources import WarehouseResource
from orchestration.lib.dbt_manifest import ManifestMissing, manifest_path
from orchestration.lib.locking import DATABASE_LOCK, warehouse_lock
from orchestration.settings import DBT_PROJECT_DIR

# dbt folder (first part of the model's path) → Dagster asset group.
GROUP_BY_FOLDER = {
    "staging": "staging",
    "intermediate": "intermediate",
    "marts": "marts",
    "published": "statistics",
    "quality": "quality",
}
DEFAULT_OWNER = "team:data-engineering"


class WarehouseDbtTranslator(DagsterDbtTranslator):
    """Asset keys ``dbt/<schema>/<name>``, groups per layer, owners from the yml ``meta.owner``."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        schema = dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props.get("schema") or "main"
        return dg.AssetKey(["dbt", schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        folder = fqn[1] if len(fqn) > 2 else None
        return GROUP_BY_FOLDER.get(folder, "intermediate")

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        meta = {**dbt_resource_props.get("meta", {}), **dbt_resource_props.get("config", {}).get("meta", {})}
        owner = meta.get("owner")
        return [owner] if owner else [DEFAULT_OWNER]


@cache
def dbt_project() -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class WarehouseDbtCliResource(DbtCliResource):
    """``DbtCliResource`` without two start-up costs this project does not need (~11 s a refresh).

    dagster-dbt asks a ``dbt --version`` subprocess for the version of dbt-core, which is
    installed in this very environment, and builds an in-process dbt adapter that is only
    used to fetch column metadata, which this project does not fetch.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None


def dbt_resource() -> DbtCliResource:
    return WarehouseDbtCliResource(project_dir=dbt_project(), profiles_dir=str(DBT_PROJECT_DIR))


def translator() -> WarehouseDbtTranslator:
    return WarehouseDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@cache
def build_dbt_assets() -> dg.AssetsDefinition:
    path = manifest_path()
    if not path.exists():
        raise ManifestMissing(path)

    @dbt_assets(
        manifest=path,
        dagster_dbt_translator=translator(),
        name="warehouse_dbt",
        pool="warehouse_database",
    )
    def warehouse_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
        settings = warehouse.settings()
        # dbt reads the raw Parquet and writes the database under this directory.
        os.environ["EVICTIONS_WAREHOUSE_DIR"] = str(settings.warehouse_dir)
        settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
        # DuckDB allows one writing process: a UI run and a CLI refresh take turns here.
        with warehouse_lock(settings.state_dir, DATABASE_LOCK, wait_seconds=3600, on_wait=context.log.info):
            # dbt unit tests check the SQL logic, not the data: they run in the test suite and CI.
            yield from dbt.cli(["build", "--exclude-resource-type", "unit_test"], context=context).stream()

    return warehouse_dbt
