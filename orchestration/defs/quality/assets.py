"""Evidence for auditors under ``quality/``: the ingest audit and the reconciliation findings."""

import dagster as dg

from orchestration.defs.ingest.assets import raw_asset_key
from orchestration.defs.resources import WarehouseResource, preview_markdown
from orchestration.defs.specs import warehouse_asset
from orchestration.lib import publish
from orchestration.lib.contract import EXPECTED_DELIVERY_INTERVAL_DAYS, FILES
from orchestration.lib.ingest import loaded_deliveries, write_ingest_audit

QUALITY_GROUP = "quality"


@warehouse_asset(
    key=["quality", "ingest_audit"],
    group_name=QUALITY_GROUP,
    deps=[raw_asset_key(spec.source, spec.stem) for spec in FILES],
    description="quality/ingest_audit.parquet: one row per file of every delivery seen, with the balance "
    "rows in manifest = loaded + quarantined + collapsed.",
    kinds={"parquet"},
)
def ingest_audit(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    settings = warehouse.settings()
    frame = write_ingest_audit(settings.warehouse_dir, context.run_id)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": frame.height,
            "refused_files": frame.filter(frame["status"] == "refused").height,
            # Checks beyond the contract (never blocking): see the audit's `warnings` column.
            "files_with_warnings": frame.filter(frame["warnings"].is_not_null()).height,
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
    frame = pl.read_parquet(settings.paths.ingest_audit)
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


@warehouse_asset(
    key=["quality", "reconciliation"],
    group_name=QUALITY_GROUP,
    deps=[dg.AssetKey(["dbt", "quality", "reconciliation"])],
    description="quality/reconciliation.parquet: one row per finding that sources disagree or a rule of "
    "conduct was broken (pseudonymised keys only).",
    kinds={"parquet"},
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


GX_CHECK_NAME = "great_expectations"


def _deliveries_to_validate(settings, source: str, run_id: str) -> list[str]:
    """Loaded deliveries of a source not validated yet, or loaded again by this run."""
    from orchestration.lib.ingest import IngestLog, ingest_log_path

    log = IngestLog(ingest_log_path(settings.warehouse_dir, source))
    due = []
    for entry in log.deliveries.values():
        validated = settings.paths.validation_dir(source, entry["delivery_date"])
        if entry.get("run_id") == run_id or not validated.exists():
            due.append(entry["delivery_date"])
    return sorted(due)


@dg.multi_asset_check(
    name="great_expectations_suites",
    specs=[
        dg.AssetCheckSpec(
            GX_CHECK_NAME,
            asset=raw_asset_key(spec.source, spec.stem),
            description=f"The Great Expectations suite {spec.source}.{spec.stem} (expectations/{spec.source}.json) "
            "on each new delivery; results in quality/data_docs/index.html.",
            blocking=True,
        )
        for spec in FILES
    ],
)
def great_expectations_suites(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
    """One step for all sources, so Great Expectations is imported once per refresh."""
    from orchestration.lib import gx_validation

    settings = warehouse.settings()
    results: dict[tuple[str, str], list] = {}
    for source in sorted({spec.source for spec in FILES}):
        for delivery_date in _deliveries_to_validate(settings, source, context.run.run_id):
            tables = gx_validation.read_delivery_tables(settings.raw_dir, source, delivery_date)
            validation = gx_validation.validate_delivery(
                source, delivery_date, tables, context.run.run_id, paths=settings.paths
            )
            context.log.info(
                f"GX {source}/{delivery_date}: {validation.successful_expectations}/"
                f"{validation.evaluated_expectations} expectations met"
            )
            # A failed expectation named with its file, rule and count (values never appear).
            for failure in validation.failures:
                log = context.log.error if failure.severity == "critical" else context.log.warning
                log(
                    f"GX {source}/{delivery_date}/{failure.file}: {failure.severity} expectation not met: "
                    f"{failure.expectation_type}({failure.column or ''}), rule: {failure.rule}; {failure.observed}"
                )
            for file in validation.files:
                results.setdefault((source, file.file), []).append((validation, file))
    docs = settings.paths.data_docs_index
    # Data Docs change only with a new validation; rebuilding them imports GX (~10 s).
    if results or not docs.exists():
        docs = gx_validation.build_data_docs(settings.paths)
    for spec in FILES:
        runs = results.get((spec.source, spec.stem), [])
        failed_critical = [v for v, f in runs if not f.success and not v.critical_success]
        failed_any = [v for v, f in runs if not f.success]
        yield dg.AssetCheckResult(
            asset_key=raw_asset_key(spec.source, spec.stem),
            check_name=GX_CHECK_NAME,
            passed=not failed_any,
            severity=dg.AssetCheckSeverity.ERROR if failed_critical else dg.AssetCheckSeverity.WARN,
            metadata={
                "deliveries_validated": [v.delivery_date for v, _ in runs],
                "expectations_failed": sum(v.unsuccessful_expectations for v, _ in runs),
                "data_docs": dg.MetadataValue.path(str(docs)),
                "summary": dg.MetadataValue.md(
                    "\n\n".join(gx_validation.validation_summary_markdown(v) for v, _ in runs) or "no new delivery"
                ),
            },
        )


FRESHNESS_CHECK_NAME = "delivered_within_expected_interval"


@dg.multi_asset_check(
    name="source_freshness",
    specs=[
        dg.AssetCheckSpec(
            FRESHNESS_CHECK_NAME,
            asset=raw_asset_key(spec.source, spec.stem),
            description=f"{spec.source} has delivered within {EXPECTED_DELIVERY_INTERVAL_DAYS[spec.source]} days of "
            "the newest delivery of any source (the landing zone's 'now'), and of today when "
            "EVICTIONS_FRESHNESS_AGAINST_TODAY=1.",
        )
        for spec in FILES
    ],
)
def source_freshness(warehouse: WarehouseResource):
    import datetime as dt
    import os

    from orchestration.lib.ingest import IngestLog, ingest_log_path

    settings = warehouse.settings()
    latest = {
        source: max(IngestLog(ingest_log_path(settings.warehouse_dir, source)).loaded_dates(source), default=None)
        for source in EXPECTED_DELIVERY_INTERVAL_DAYS
    }
    dates = [dt.date.fromisoformat(d) for d in latest.values() if d]
    reference = max(dates, default=dt.date.today())
    if os.environ.get("EVICTIONS_FRESHNESS_AGAINST_TODAY") == "1":
        reference = dt.date.today()
    for spec in FILES:
        latest_date = latest[spec.source]
        age = (reference - dt.date.fromisoformat(latest_date)).days if latest_date else None
        allowed = EXPECTED_DELIVERY_INTERVAL_DAYS[spec.source]
        yield dg.AssetCheckResult(
            asset_key=raw_asset_key(spec.source, spec.stem),
            check_name=FRESHNESS_CHECK_NAME,
            passed=age is not None and age <= allowed,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "latest_delivery": latest_date or "none",
                "reference_date": reference.isoformat(),
                "days_since_latest_delivery": age if age is not None else -1,
                "expected_interval_days": allowed,
            },
        )
