"""Publishing dbt's marts to ``curated/`` and its statistics to ``published/``.

Each table is written atomically; readers see the old file or the new one. The
step depends on the dbt models and on ``quality/data_docs`` (Great Expectations, validated
beside dbt), so a failed ``dbt build`` (including a failed blocking test) or a failed critical
expectation leaves every published file at its previous version.
"""

import dagster as dg

from orchestration.defs.ingest.assets import raw_asset_key
from orchestration.defs.quality.assets import DATA_DOCS_KEY
from orchestration.defs.resources import WarehouseResource, preview_markdown
from orchestration.defs.specs import asset_spec, warehouse_asset
from orchestration.lib import publish
from orchestration.lib.dbt_manifest import models_in_schema
from orchestration.lib.ingest import loaded_deliveries
from orchestration.lib.paths import table_file

# published.md, "curated/": the tables analysts rely on.
CURATED_TABLES = ("households", "petitions", "case_outcomes", "project_expenses", "forced_sale_cases", "co_op_arrears")
# published/revisions.parquet (orchestration.lib.revisions), written by publish_statistics.
REVISIONS_KEY = dg.AssetKey(["published", "revisions"])


def _dbt_key(schema: str, name: str) -> dg.AssetKey:
    return dg.AssetKey(["dbt", schema, name])


def _materializations(exported: list[publish.Exported], folder: str, deliveries: list[str], settings):
    import polars as pl

    data_docs = dg.MetadataValue.path(str(settings.paths.data_docs_index))
    for item in exported:
        frame = pl.from_arrow(item.table)
        yield dg.MaterializeResult(
            asset_key=dg.AssetKey([folder, item.name]),
            metadata={
                "dagster/row_count": item.table.num_rows,
                "path": dg.MetadataValue.path(str(item.path)),
                "deliveries_used": deliveries,
                "preview": preview_markdown(frame),
                "data_docs": data_docs,
            },
        )


def build_curated_asset() -> dg.AssetsDefinition:
    specs = [
        asset_spec(
            ["curated", name],
            # Published only once Great Expectations has passed the raw deliveries (quality/data_docs).
            deps=[_dbt_key("marts", name), DATA_DOCS_KEY],
            group_name="curated",
            description=f"curated/{name}.parquet: the dbt mart `{name}` for authorised analysts (pseudonymised).",
            kinds={"parquet"},
        )
        for name in CURATED_TABLES
    ]

    @dg.multi_asset(name="publish_curated", specs=specs)
    def _publish_curated(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        settings = warehouse.settings()
        deliveries = loaded_deliveries(settings.warehouse_dir)
        tables = publish.read_relations(settings.database_path, "marts", list(CURATED_TABLES))
        exported = publish.export(tables, settings.curated_dir, deliveries=deliveries, run_id=context.run_id)
        context.log.info(f"published {len(exported)} curated tables to {settings.curated_dir}")
        yield from _materializations(exported, "curated", deliveries, settings)

    return _publish_curated


def build_published_asset() -> dg.AssetsDefinition:
    names = models_in_schema("published")
    specs = [
        asset_spec(
            ["published", name],
            deps=[_dbt_key("published", name), DATA_DOCS_KEY],
            group_name="published",
            description=f"published/{name}.parquet: disclosure-controlled statistics table.",
            kinds={"parquet"},
        )
        for name in names
    ]
    specs.append(
        asset_spec(
            REVISIONS_KEY,
            deps=[*(_dbt_key("published", name) for name in names), DATA_DOCS_KEY],
            group_name="published",
            description="published/revisions.parquet: the revision log - every published figure a refresh "
            "changed (table, row key, column, old and new value, run, date); appended, never rewritten.",
            kinds={"parquet"},
        )
    )

    @dg.multi_asset(name="publish_statistics", specs=specs)
    def _publish_statistics(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        from orchestration.lib.revisions import log_path

        settings = warehouse.settings()
        deliveries = loaded_deliveries(settings.warehouse_dir)
        tables = publish.read_relations(settings.database_path, "published", names)
        # Disclosure control, then the revision log against the files still in place, then the
        # atomic writes and the log (orchestration.lib.publish.publish_statistics).
        published = publish.publish_statistics(
            tables,
            settings.published_dir,
            threshold=settings.suppression_threshold,
            deliveries=deliveries,
            run_id=context.run_id,
            undelivered=publish.undelivered_inputs(names, settings.raw_dir),
        )
        revised = published.revisions
        context.log.info(
            f"published {len(published.exported)} statistics tables to {settings.published_dir}; "
            f"{revised.height} revised figure(s) recorded in published/revisions.parquet"
        )
        yield from _materializations(published.exported, "published", deliveries, settings)
        yield dg.MaterializeResult(
            asset_key=REVISIONS_KEY,
            metadata={
                "dagster/row_count": published.log_rows,
                "revisions_this_run": revised.height,
                "tables_revised": sorted(set(revised["table"].to_list())),
                "path": dg.MetadataValue.path(str(log_path(settings.published_dir))),
            },
        )

    return _publish_statistics


def _write_restricted_lists(context, warehouse, write, folder_name: str) -> dg.MaterializeResult:
    """Write identified lists only when EVICTIONS_WRITE_RESTRICTED=1 (published.md, restricted/)."""
    settings = warehouse.settings()
    if not settings.write_restricted:
        context.log.info("EVICTIONS_WRITE_RESTRICTED is not 1: no identified lists written")
        return dg.MaterializeResult(metadata={"written": False})
    return _lists_written(write(settings) or {}, settings.restricted_dir / folder_name)


def _lists_written(lists, folder) -> dg.MaterializeResult:
    """Metadata of identified per-district lists: how many rows per district (never their content)."""
    return dg.MaterializeResult(
        metadata={
            "written": True,
            "districts": len(lists),
            "rows_by_district": {district: frame.height for district, frame in sorted(lists.items())},
            "folder": dg.MetadataValue.path(str(folder)),
        }
    )


@warehouse_asset(
    key=["restricted", "notification_lists"],
    group_name="restricted",
    deps=[
        dg.AssetKey(["curated", "households"]),
        raw_asset_key("kemner", "notifications"),
        raw_asset_key("kemner", "petitions"),
    ],
    description="restricted/notification_lists/<district>.csv and .xlsx: identified lists for the district social "
    "services, in Norwegian, priority households first. Written only when EVICTIONS_WRITE_RESTRICTED=1.",
    kinds={"csv", "xlsx"},
)
def notification_lists(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:

    from orchestration.lib.atomic import read_frame
    from orchestration.lib.notifications import FOLDER, write_notification_lists

    def write(settings):
        households = read_frame(table_file(settings.curated_dir, "households"))
        return write_notification_lists(settings, households)

    return _write_restricted_lists(context, warehouse, write, FOLDER)


@warehouse_asset(
    key=["restricted", "forced_sale_warnings"],
    group_name="restricted",
    deps=[
        dg.AssetKey(["curated", "co_op_arrears"]),
        raw_asset_key("bbl", "arrears"),
        raw_asset_key("kemner", "notifications"),
    ],
    description="restricted/forced_sale_warnings/<district>.csv and .xlsx: identified early-warning lists on forced sales "
    "for the district social services - co-operative members warned or ordered to sell whose social service "
    "has not been notified, and owners on a collector notice of type TVANGSSALG; households with children or a "
    "member 67+ first, then the largest arrears; in Norwegian. Written only when EVICTIONS_WRITE_RESTRICTED=1.",
    kinds={"csv", "xlsx"},
)
def forced_sale_warnings(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    from orchestration.lib.forced_sale_warnings import FOLDER, write_forced_sale_warnings

    return _write_restricted_lists(context, warehouse, write_forced_sale_warnings, FOLDER)
