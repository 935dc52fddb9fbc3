"""The code location: assembles the areas under ``orchestration/defs``.

Loading this module reads the dbt manifest but runs nothing: build the manifest
first with ``uv run evictions setup`` (``dbt parse``).
"""

from functools import cache

import dagster as dg

from orchestration.defs.console_logger import operator_console_logger
from orchestration.defs.dbt.assets import build_dbt_assets, dbt_resource
from orchestration.defs.ingest.assets import build_ingest_assets
from orchestration.defs.publish.assets import (
    build_curated_asset,
    build_published_asset,
    forced_sale_warnings,
    notification_lists,
)
from orchestration.defs.publish.release import build_release_asset
from orchestration.defs.quality.assets import (
    great_expectations_suites,
    great_expectations_validation,
    ingest_audit,
    ingest_audit_balance,
    reconciliation,
    source_freshness,
)
from orchestration.defs.quality.evidence import evidence_site
from orchestration.defs.resources import GreatExpectationsResource, WarehouseResource
from orchestration.defs.schedules.definitions import landing_zone_sensor, monthly_refresh, refresh_job


@cache
def build_definitions() -> dg.Definitions:
    return dg.Definitions(
        assets=[
            *build_ingest_assets(),
            build_dbt_assets(),
            build_curated_asset(),
            build_published_asset(),
            build_release_asset(),
            ingest_audit,
            great_expectations_validation,
            reconciliation,
            evidence_site,
            notification_lists,
            forced_sale_warnings,
        ],
        asset_checks=[ingest_audit_balance, great_expectations_suites, source_freshness],
        jobs=[refresh_job()],
        schedules=[monthly_refresh],
        sensors=[landing_zone_sensor],
        resources={
            "warehouse": WarehouseResource(),
            "dbt": dbt_resource(),
            "great_expectations": GreatExpectationsResource(),
        },
        # `console` is Dagster's own (evictions refresh --verbose); `operator` prints one line per stage.
        loggers={"console": dg.colored_console_logger, "operator": operator_console_logger},
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
