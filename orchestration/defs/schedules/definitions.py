"""The monthly refresh and the sensor that reacts to new deliveries in the landing zone."""

import json

import dagster as dg

from orchestration.lib.contract import SOURCES
from orchestration.lib.delivery import MANIFEST_NAME, ready_delivery_folders
from orchestration.settings import load_settings

REFRESH_JOB_NAME = "refresh"


def refresh_job():
    return dg.define_asset_job(
        REFRESH_JOB_NAME,
        selection=dg.AssetSelection.all(),
        description="Bring the warehouse up to date with every ready delivery, then rebuild and publish.",
        executor_def=dg.in_process_executor,
    )


@dg.schedule(
    name="monthly_refresh",
    job_name=REFRESH_JOB_NAME,
    cron_schedule="0 6 1 * *",
    execution_timezone="Europe/Oslo",
    description="Refreshes everything at 06:00 Oslo time on the first day of each month, unless nothing "
    "(delivery, code, setting) changed since the last successful `evictions refresh`.",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
def monthly_refresh(context: dg.ScheduleEvaluationContext):
    from orchestration.lib import fingerprint

    settings = load_settings()
    last = fingerprint.unchanged_since_last_refresh(settings, fingerprint.refresh_fingerprint(settings))
    if last is not None:
        return dg.SkipReason(f"nothing new since the refresh of {last['finished_at']} (run {last['run_id']})")
    return dg.RunRequest()


def ready_deliveries() -> dict[str, int]:
    """Every ready delivery (folder with a manifest) and its manifest's modification time (ns)."""
    settings = load_settings()
    found = {}
    for source in SOURCES:
        for folder in ready_delivery_folders(settings.landing_dir, source):
            found[f"{source}/{folder.name}"] = (folder / MANIFEST_NAME).stat().st_mtime_ns
    return found


def taken_in_deliveries() -> dict[str, int | None]:
    """The deliveries the warehouse has loaded, with the manifest time it loaded them at.

    The sensor's cursor lives in the Dagster instance, the truth in the warehouse: a delivery
    that ``evictions refresh`` loaded is not new to a sensor that has never seen it.
    """
    from orchestration.lib.ingest import IngestLog, ingest_log_path

    settings = load_settings()
    taken = {}
    for source in SOURCES:
        for key, entry in IngestLog(ingest_log_path(settings.warehouse_dir, source)).deliveries.items():
            taken[key] = entry.get("manifest_mtime_ns")
    return taken


@dg.sensor(
    name="landing_zone_sensor",
    job_name=REFRESH_JOB_NAME,
    minimum_interval_seconds=60,
    description="Starts a refresh when a delivery becomes ready (its _manifest.json appears). "
    "A folder without a manifest starts nothing. Ingestion loads only the new deliveries.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def landing_zone_sensor(context: dg.SensorEvaluationContext):
    seen = json.loads(context.cursor) if context.cursor else {}
    current = ready_deliveries()
    taken = taken_in_deliveries()
    new = sorted(key for key, mtime in current.items() if seen.get(key) != mtime and taken.get(key) != mtime)
    if not new:
        return dg.SkipReason("no new ready delivery")
    context.update_cursor(json.dumps(current, sort_keys=True))
    return dg.RunRequest(
        run_key="|".join(f"{key}@{current[key]}" for key in new),
        tags={"evictions/deliveries": ",".join(new)[:4000]},
    )
