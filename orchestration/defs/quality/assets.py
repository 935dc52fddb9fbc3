"""Evidence for auditors under ``quality/``: the ingest audit and the reconciliation findings."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.ingest.assets import raw_asset_key
from orchestration.defs.resources import WarehouseResource, preview_markdown
from orchestration.lib import publish
from orchestration.lib.contract import FILES
from orchestration.lib.ingest import loaded_deliveries, write_ingest_audit

QUALITY_GROUP = "quality"


@dg.asset(
    key=["quality", "ingest_audit"],
    group_name=QUALITY_GROUP,
    deps=[raw_asset_key(spec.source, spec.stem) for spec in FILES],
    description="quality/ingest_audit.parquet: one row per file of every delivery seen, with the balance "
    "rows in manifest = loaded + quarantined + collapsed.",
    kinds={"parquet"},
    owners=["team:data-engineering"],
)
def ingest_audit(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    settings = warehouse.settings()
    frame = write_ingest_audit(settings.warehouse_dir, context.run_id)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": frame.height,
            "refused_files": frame.filter(frame["status"] == "refused").height,
            "preview": preview_markdown(frame.tail(10)),
        }
    )


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            "balance_equation_holds",
            asset=["quality", "ingest_audit"],
            description="For every loaded file: rows in manifest = loaded + quarantined + collapsed.",
            blocking=True,
        )
    ],
)
def ingest_audit_balance(warehouse: WarehouseResource):
    import polars as pl

    settings = warehouse.settings()
    frame = pl.read_parquet(settings.quality_dir / "ingest_audit.parquet")
    loaded = frame.filter(pl.col("status") != "refused")
    broken = loaded.filter(
        pl.col("rows_in_manifest") != pl.col("rows_loaded") + pl.col("rows_quarantined") + pl.col("rows_collapsed")
    )
    yield dg.AssetCheckResult(
        passed=broken.is_empty(),
        asset_key=["quality", "ingest_audit"],
        check_name="balance_equation_holds",
        metadata={"files_checked": loaded.height, "files_out_of_balance": broken.height},
    )


@dg.asset(
    key=["quality", "reconciliation"],
    group_name=QUALITY_GROUP,
    deps=[dg.AssetKey(["dbt", "quality", "reconciliation"])],
    description="quality/reconciliation.parquet: one row per finding that sources disagree or a rule of "
    "conduct was broken (pseudonymised keys only).",
    kinds={"parquet"},
    owners=["team:data-engineering"],
    pool="warehouse_database",
)
def reconciliation(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    import polars as pl

    settings = warehouse.settings()
    tables = publish.read_relations(settings.database_path, "quality", ["reconciliation"])
    exported = publish.export(
        tables, settings.quality_dir, deliveries=loaded_deliveries(settings.warehouse_dir), run_id=context.run_id
    )[0]
    frame = pl.from_arrow(exported.table)
    counts = frame.group_by("check").len().sort("check") if frame.height else frame
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": frame.height,
            "findings_by_check": preview_markdown(counts, rows=20),
            "path": dg.MetadataValue.path(str(exported.path)),
        }
    )
