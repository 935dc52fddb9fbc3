"""One multi-asset per source: every ready delivery in the landing zone into typed raw Parquet."""

from pathlib import Path

import dagster as dg
import polars as pl

from orchestration.defs.resources import GreatExpectationsResource, WarehouseResource, preview_markdown
from orchestration.defs.specs import asset_spec
from orchestration.lib.contract import SOURCE_SYSTEMS, SOURCES, files_of
from orchestration.lib.ingest import ingest_source, write_ingest_audit
from orchestration.lib.locking import warehouse_lock
from orchestration.lib.paths import DELIVERY_FILES, WarehousePaths, raw_asset_key_path

RAW_GROUP = "raw"

# Transient I/O (a network share hiccup) is worth a retry; a refused delivery is not.
INGEST_RETRY = dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL)


class IngestConfig(dg.Config):
    """Run configuration: re-run or backfill chosen deliveries from the Launchpad.

    Leave both empty for the normal refresh (every ready delivery not yet loaded).
    """

    deliveries: list[str] = []  # noqa: RUF012 - a pydantic field: each config gets its own copy
    reload: bool = False


def raw_asset_key(source: str, stem: str) -> dg.AssetKey:
    return dg.AssetKey(raw_asset_key_path(source, stem))


def _dates_for(source: str, deliveries: list[str]) -> set[str] | None:
    """``["boei/2007-12-31", "2008-01-31"]`` → the dates that concern ``source`` (None: all)."""
    if not deliveries:
        return None
    return {d.split("/", 1)[1] if "/" in d else d for d in deliveries if "/" not in d or d.split("/", 1)[0] == source}


def _build_ingest_asset(source: str) -> dg.AssetsDefinition:
    specs = [
        asset_spec(
            raw_asset_key(source, spec.stem),
            group_name=RAW_GROUP,
            description=f"{spec.description} Typed and pseudonymised, one Parquet file per delivery "
            f"({WarehousePaths(Path()).raw_file(source, spec.stem, '<delivery date>')}).",
            kinds={"polars", "parquet"},
            tags={"source": source, "load": spec.kind},
        )
        for spec in files_of(source)
    ]

    @dg.multi_asset(
        name=f"ingest_{source}",
        specs=specs,
        description=f"Validates and loads every ready delivery from {SOURCE_SYSTEMS[source]}.",
        retry_policy=INGEST_RETRY,
    )
    def _ingest(
        context: dg.AssetExecutionContext,
        config: IngestConfig,
        warehouse: WarehouseResource,
        great_expectations: GreatExpectationsResource,
    ):
        settings = warehouse.settings()
        try:
            with warehouse_lock(settings.state_dir, f"ingest-{source}", wait_seconds=3600, on_wait=context.log.info):
                result = ingest_source(
                    source,
                    settings.landing_dir,
                    settings.warehouse_dir,
                    settings.pseudonym_key,
                    progress=context.log.info,
                    run_id=context.run_id,
                    only=_dates_for(source, config.deliveries),
                    reload=config.reload,
                )
        finally:
            # Auditors see refusals even when the run stops here.
            write_ingest_audit(settings.warehouse_dir, context.run_id)
        context.log.info(
            f"{source}: {len(result.loaded)} deliveries loaded, {len(result.skipped)} already loaded, "
            f"{len(result.refused)} refused; {result.rows_loaded} rows loaded, {result.rows_quarantined} quarantined, "
            f"{result.rows_collapsed} collapsed"
        )
        # Checks beyond the contract (empty file, volume drop, quarantine share): warn, never block.
        for warning in result.warnings:
            context.log.warning(f"beyond the contract, not blocking: {warning}")
        if result.loaded:
            # Great Expectations validates these while the run goes on (quality/data_docs collects).
            worker = great_expectations.worker(settings.paths, context.run_id)
            for delivery_date in result.loaded:
                worker.submit(source, delivery_date)
            context.log.info(f"{source}: {len(result.loaded)} deliveries handed to Great Expectations")
        if result.refused:
            # The run stops here: the auditors' page must still show the refusal.
            from orchestration.lib.evidence import build_evidence_site

            build_evidence_site(
                settings.warehouse_dir,
                run_id=context.run_id,
                run_status="failed: " + "; ".join(str(r) for r in result.refused),
            )
            raise dg.Failure(
                description="; ".join(str(r) for r in result.refused),
                metadata={"refused": [f"{r.source}/{r.delivery_date}" for r in result.refused]},
                allow_retries=False,
            )
        for spec in files_of(source):
            files = sorted(settings.paths.raw_table_dir(source, spec.stem).glob(DELIVERY_FILES))
            # The row count from the Parquet footer and five rows for the preview: reading the whole
            # latest delivery took 0.5 s for a 1 M-row register snapshot, on every refresh.
            scan = pl.scan_parquet(files[-1]) if files else pl.LazyFrame()
            latest_rows = scan.select(pl.len()).collect().item()
            latest = scan.head(5).collect()
            yield dg.MaterializeResult(
                asset_key=raw_asset_key(source, spec.stem),
                metadata={
                    "deliveries_loaded_now": result.loaded,
                    "deliveries_already_loaded": result.skipped,
                    "deliveries_in_raw": [f.stem for f in files],
                    "rows_loaded_now": result.rows_loaded,
                    "rows_quarantined_now": result.rows_quarantined,
                    "rows_collapsed_now": result.rows_collapsed,
                    "warnings_now": [w for w in result.warnings if f"/{spec.name}:" in w],
                    "rows_in_latest_delivery": latest_rows,
                    "latest_delivery": files[-1].stem if files else None,
                    "data_docs": dg.MetadataValue.path(str(settings.paths.data_docs_index)),
                    "preview": preview_markdown(latest),
                    "path": dg.MetadataValue.path(str(files[-1]) if files else ""),
                },
            )

    return _ingest


def build_ingest_assets() -> list[dg.AssetsDefinition]:
    return [_build_ingest_asset(source) for source in SOURCES]
