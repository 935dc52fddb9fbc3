"""The dbt project as Dagster assets: one ``dbt build`` per refresh, incremental or with
``--full-refresh`` as the warehouse decides (``orchestration/lib/incremental.py``).

The manifest is built by ``evictions setup`` (``dbt parse``), by the refresh command
and by CI, never at import: loading the definitions only reads it.
"""

import contextlib
import importlib.metadata
import os
from collections.abc import Mapping
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import polars as pl
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets
from packaging import version

from orchestration.defs.resources import WarehouseResource, preview_markdown
from orchestration.defs.specs import OWNER
from orchestration.lib import console, incremental
from orchestration.lib.dbt_manifest import ManifestMissing, dbt_executable, load_manifest, manifest_path
from orchestration.lib.dbt_results import adopt_earlier_build, merge_run_results
from orchestration.lib.ingest import loaded_deliveries
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


class WarehouseDbtTranslator(DagsterDbtTranslator):
    """Asset keys ``dbt/<schema>/<name>``, groups per layer, the warehouse's one owner (``specs.OWNER``)."""

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
        return [OWNER]


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
    # The dbt beside this interpreter: `.venv/bin/evictions` must work without the venv on PATH.
    return WarehouseDbtCliResource(
        project_dir=dbt_project(), profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable()
    )


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
    )
    def warehouse_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
        settings = warehouse.settings()
        # dbt reads the raw Parquet and writes the database of this warehouse (its paths' one home).
        os.environ.update(settings.paths.dbt_environment())
        settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
        # DuckDB allows one writing process: a UI run and a CLI refresh take turns here.
        with warehouse_lock(settings.state_dir, DATABASE_LOCK, wait_seconds=3600, on_wait=context.log.info):
            # dbt unit tests check the SQL logic, not the data: they run in the test suite and CI.
            # One target folder per warehouse, reused by every refresh (under the database lock):
            # dbt's partial parsing only works when the profile (the database path) is unchanged
            # since the last parse, and a new folder per run would pile up in the project.
            # The file log at debug level would hold every SQL statement of every node.
            target = settings.paths.dbt_target_dir
            # The incremental models may merge in only the new deliveries when what they hold is
            # still true; the warehouse decides (orchestration/lib/incremental.py), not an operator.
            basis = incremental.build_basis(settings)
            previous = incremental.read_basis(settings.paths)
            asked = context.run.tags.get(incremental.FULL_REBUILD_TAG, "").lower() == "true"
            decision = incremental.decide(previous, basis, full_rebuild_asked=asked)
            context.log.info(f"dbt build, {decision}")
            # An incremental build leaves out what reads no new delivery (a subset run from the UI
            # builds what was selected). Its tables and test results stand as the last build left them.
            manifest = load_manifest()
            unchanged = [] if context.is_subset else incremental.unaffected_nodes(manifest, decision)
            unchanged_outputs = _unchanged_outputs(context, manifest, unchanged)
            if unchanged:
                built = sum(n["resource_type"] in incremental.BUILT_RESOURCE_TYPES for n in manifest["nodes"].values())
                context.log.info(
                    f"dbt: {len(unchanged)} of {built} models, seeds and tests read no new delivery and are "
                    f"left as the last build made them ({len(unchanged_outputs)} tables); their checks keep "
                    "the result of the build that ran them"
                )
                if len(unchanged) == built:
                    # Nothing to build; the record of the last complete build still describes every table.
                    yield from _with_table_metadata(iter(()), settings, unchanged_outputs)
                    return
            # The staging tests of an incremental build test only the new deliveries.
            os.environ.update(incremental.dbt_test_environment(decision, previous))
            # A build that fails or stops half-way leaves no record: the next one rebuilds in full.
            incremental.forget_basis(settings.paths)
            arguments = ["build", "--exclude-resource-type", "unit_test", "--log-level-file", "info"]
            arguments += ["--full-refresh"] if decision.full_refresh else incremental.dbt_exclusion(manifest, unchanged)
            run_results = settings.paths.dbt_run_results
            adopt_earlier_build(run_results, settings.paths.dbt_latest_results)
            run_results.unlink(missing_ok=True)  # what is read after the build is of this build only
            with _dbt_console(target) as quiet:
                events = dbt.cli(arguments, context=context, target_path=target).stream()
                try:
                    yield from _with_table_metadata(events, settings, unchanged_outputs)
                    # dbt exited 0 (the stream raises otherwise). A selection of models (a subset
                    # run from the UI) builds only some tables: it is no basis for the next build.
                    if not context.is_subset:
                        incremental.record_basis(settings.paths, basis)
                finally:
                    if run_results.exists():
                        # Also after a failure: the evidence shows the tests that failed.
                        merge_run_results(
                            run_results, settings.paths.dbt_latest_results, full_build=decision.full_refresh
                        )
                    if quiet and run_results.exists():
                        summary, problems = console.dbt_summary(run_results)
                        context.log.info(f"{summary}; dbt's full output: {target / 'console.log'}")
                        for problem in problems:
                            context.log.warning(problem)

    return warehouse_dbt


@contextlib.contextmanager
def _dbt_console(target: Path):
    """Without --verbose, dbt's line per node goes to ``console.log`` beside its artifacts
    (dagster-dbt writes it to stdout) and the step logs a summary instead. Yields "quiet"."""
    if console.verbose():
        yield False
        return
    target.mkdir(parents=True, exist_ok=True)
    with (target / "console.log").open("w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        yield True


def _unchanged_outputs(context: dg.AssetExecutionContext, manifest: dict, unchanged: list[str]) -> list[dg.Output]:
    """An output for each table of ``unchanged``: downstream assets (publication) read it as it is.

    Marked ``rebuilt: false``. Its tests are not run again, so their checks keep the result of
    the build that ran them (Dagster logs them as not yielded).
    """
    outputs = []
    translate = translator()
    for unique_id in unchanged:
        node = manifest["nodes"][unique_id]
        if (
            node["resource_type"] not in ("model", "seed", "snapshot")
            or node["config"].get("materialized") == "ephemeral"
        ):
            continue
        output_name = context.assets_def.get_output_name_for_asset_key(translate.get_asset_key(node))
        if output_name in context.selected_output_names:
            metadata = {"unique_id": unique_id, "rebuilt": False}
            outputs.append(dg.Output(None, output_name=output_name, metadata=metadata))
    return outputs


def _with_table_metadata(events, settings, unchanged_outputs=()):
    """Add row counts, a preview without pseudonyms, the deliveries used and the Data Docs link.

    The database can be read only once dbt has exited, so the outputs of models and seeds are
    held until then, with the outputs of the tables left unchanged. Test results pass straight
    through: Dagster stores each event as it comes (~10 ms apiece), and storing them while dbt is
    still running takes that off the refresh. On a dbt failure the outputs received so far are
    still reported before the error.
    """
    held = []
    try:
        for event in events:
            if isinstance(event, dg.Output) and _relation(event) is not None:
                held.append(event.with_metadata({**event.metadata, "rebuilt": True}))
            else:
                yield event
    except BaseException:
        yield from held
        raise
    # Dagster takes a multi-asset's outputs in the order of the graph only. dbt finishes a table
    # after its parents, and the unchanged tables come in graph order, none of them built from a
    # rebuilt one (incremental.unaffected_nodes): unchanged first, then dbt's, is such an order.
    held = [*unchanged_outputs, *held]
    deliveries = loaded_deliveries(settings.warehouse_dir)
    data_docs = dg.MetadataValue.path(str(settings.paths.data_docs_index))
    with duckdb.connect(str(settings.database_path), read_only=True) as connection:
        for event in held:
            schema, name = _relation(event)
            columns = [
                r[0]
                for r in connection.execute(
                    "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                    [schema, name],
                ).fetchall()
            ]
            shown = ", ".join(f'"{c}"' for c in columns if c != "person_key") or "1"
            rows = connection.execute(f'select count(*) from "{schema}"."{name}"').fetchall()[0][0]
            preview = pl.from_arrow(
                connection.sql(f'select {shown} from "{schema}"."{name}" limit 5').fetch_arrow_table()
            )
            yield event.with_metadata(
                {
                    **event.metadata,
                    "dagster/row_count": rows,
                    "preview": preview_markdown(preview),
                    "deliveries_used": deliveries,
                    "data_docs": data_docs,
                }
            )


def _relation(event) -> tuple[str, str] | None:
    """(schema, table) of the dbt model or seed behind an output, from its ``unique_id``."""
    metadata = event.metadata or {}
    unique_id = metadata.get("unique_id")
    unique_id = getattr(unique_id, "value", unique_id)
    if not unique_id or not str(unique_id).startswith(("model.", "seed.")):
        return None
    node = load_manifest()["nodes"].get(str(unique_id))
    if node is None or node.get("config", {}).get("materialized") == "ephemeral":
        return None
    return node["schema"], node["alias"] or node["name"]
