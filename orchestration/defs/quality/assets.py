"""Evidence for auditors under ``quality/``: the ingest audit and the reconciliation findings."""

import dagster as dg

from orchestration.defs.ingest.assets import raw_asset_key
from orchestration.defs.resources import GreatExpectationsResource, WarehouseResource, preview_markdown
from orchestration.defs.specs import asset_spec, warehouse_asset
from orchestration.lib import publish
from orchestration.lib.contract import EXPECTED_DELIVERY_INTERVAL_DAYS, FILES
from orchestration.lib.ingest import loaded_deliveries, write_ingest_audit

QUALITY_GROUP = "quality"
GX_CHECK_NAME = "great_expectations"
DATA_DOCS_KEY = dg.AssetKey(["quality", "data_docs"])
# The gate publication waits for: no loaded delivery's latest validation failed a critical expectation.
GX_GATE_CHECK_NAME = "no_critical_expectation_failed"


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

    from orchestration.lib.atomic import read_frame

    settings = warehouse.settings()
    frame = read_frame(settings.paths.ingest_audit)
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
    deps=[dg.AssetKey(["dbt", "quality", "reconciliation"]), DATA_DOCS_KEY],
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


def _latest_validations(settings) -> dict[tuple[str, str], object]:
    """The latest recorded validation of every delivery now in the raw layer."""
    from orchestration.lib import gx_validation
    from orchestration.lib.ingest import IngestLog, ingest_log_path

    loaded = {
        (source, entry["delivery_date"])
        for source in sorted({spec.source for spec in FILES})
        for entry in IngestLog(ingest_log_path(settings.warehouse_dir, source)).deliveries.values()
    }
    latest = {}
    for validation in gx_validation.load_validations(settings.paths):  # oldest first
        key = (validation.source, validation.delivery_date)
        if key in loaded:
            latest[key] = validation
    return latest


def _data_docs_stale(paths) -> bool:
    """Data Docs missing, or older than a recorded validation (one left by a run that stopped early)."""
    index = paths.data_docs_index
    if not index.exists():
        return True
    built = index.stat().st_mtime
    return any(path.stat().st_mtime > built for path in paths.validations_dir.glob("*/*/*.json"))


@dg.multi_asset(
    name="great_expectations_validation",
    specs=[
        asset_spec(
            DATA_DOCS_KEY,
            group_name=QUALITY_GROUP,
            deps=[raw_asset_key(spec.source, spec.stem) for spec in FILES],
            description="quality/data_docs/index.html: the Great Expectations suites (expectations/<source>.json) "
            "run on each new raw delivery, recorded values-free under quality/validations/ and rendered for "
            "auditors. Validation runs in a worker process beside ingest and dbt; publication waits for it.",
            kinds={"great_expectations", "html"},
        )
    ],
    check_specs=[
        dg.AssetCheckSpec(
            GX_GATE_CHECK_NAME,
            asset=DATA_DOCS_KEY,
            description="No delivery in the raw layer has a failed critical expectation in its latest validation: "
            "until one has (a corrected delivery reloaded), nothing is published.",
            blocking=True,
        )
    ],
    # After dbt in the in-process executor: the worker validates while dbt builds, this step collects.
    op_tags={"dagster/priority": "-1"},
)
def great_expectations_validation(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, great_expectations: GreatExpectationsResource
):
    settings = warehouse.settings()
    run_id = context.run.run_id
    worker = great_expectations.worker(settings.paths, run_id)
    due = [
        (source, delivery_date)
        for source in sorted({spec.source for spec in FILES})
        for delivery_date in _deliveries_to_validate(settings, source, run_id)
    ]
    handed_over = set(worker.submitted())
    for source, delivery_date in due:
        worker.submit(source, delivery_date)
    if due:
        context.log.info(
            f"GX: {len(due)} deliveries to validate ({len(handed_over & set(due))} handed over by ingest); collecting"
        )
    validated = []
    for source, delivery_date in due:
        validation = worker.result(source, delivery_date)
        validated.append(validation)
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
    docs = settings.paths.data_docs_index
    # Data Docs change only with a new validation; rebuilding them costs GX's import (in the worker).
    if validated or _data_docs_stale(settings.paths):
        docs = worker.build_data_docs()
    latest = _latest_validations(settings)
    critical = sorted(
        f"{source}/{delivery_date}"
        for (source, delivery_date), validation in latest.items()
        if not validation.critical_success
    )
    yield dg.MaterializeResult(
        asset_key=DATA_DOCS_KEY,
        metadata={
            "deliveries_validated_now": [f"{v.source}/{v.delivery_date}" for v in validated],
            "expectations_failed_now": sum(v.unsuccessful_expectations for v in validated),
            "path": dg.MetadataValue.path(str(docs)),
        },
    )
    if critical:
        context.log.error(
            f"GX: a critical expectation failed in {', '.join(critical)}: nothing is published until "
            "a corrected delivery is reloaded"
        )
    yield dg.AssetCheckResult(
        asset_key=DATA_DOCS_KEY,
        check_name=GX_GATE_CHECK_NAME,
        passed=not critical,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "deliveries_with_critical_failures": critical,
            "deliveries_checked": len(latest),
        },
    )


@dg.multi_asset_check(
    name="great_expectations_suites",
    specs=[
        dg.AssetCheckSpec(
            GX_CHECK_NAME,
            asset=raw_asset_key(spec.source, spec.stem),
            additional_deps=[DATA_DOCS_KEY],
            description=f"The Great Expectations suite {spec.source}.{spec.stem} (expectations/{spec.source}.json) "
            "on each new delivery; results in quality/data_docs/index.html. Not blocking here, so dbt does not "
            "wait for validation: publication waits for quality/data_docs and its check "
            f"{GX_GATE_CHECK_NAME}.",
        )
        for spec in FILES
    ],
)
def great_expectations_suites(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
    """Each raw table's result of this run's validations, read from quality/validations/ (no GX import)."""
    from orchestration.lib import gx_validation

    settings = warehouse.settings()
    results: dict[tuple[str, str], list] = {}
    for validation in gx_validation.load_validations(settings.paths):
        if validation.run_id != context.run.run_id:
            continue
        for file in validation.files:
            results.setdefault((validation.source, file.file), []).append((validation, file))
    docs = settings.paths.data_docs_index
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
