"""The landing-zone sensor on a temporary landing zone."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.schedules.definitions import landing_zone_sensor, monthly_refresh
from tests.support.landing import write_delivery


def _evaluate(cursor: str | None = None):
    context = dg.build_sensor_context(cursor=cursor)
    return landing_zone_sensor(context), context


def test_new_ready_delivery_requests_a_run_and_incomplete_folder_does_not(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    monkeypatch.setenv("EVICTIONS_LANDING_DIR", str(landing))
    monkeypatch.setenv("EVICTIONS_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("EVICTIONS_PSEUDONYM_KEY", "test-key")

    result, context = _evaluate()
    assert isinstance(result, dg.SkipReason)

    # A folder still being written (no manifest yet) starts nothing.
    (landing / "boei" / "2007-12-31").mkdir(parents=True)
    (landing / "boei" / "2007-12-31" / "tenancies.csv").write_bytes(b"leieforhold_id;")
    result, context = _evaluate(context.cursor)
    assert isinstance(result, dg.SkipReason)

    write_delivery(landing, "regnskap", "2008-01-31", {"ledger.csv": b"art;tekst;belop\r\n"}, {"ledger.csv": 0})
    result, context = _evaluate(context.cursor)
    assert isinstance(result, dg.RunRequest)
    assert "regnskap/2008-01-31" in result.tags["evictions/deliveries"]

    # Nothing new since: no second run.
    result, _ = _evaluate(context.cursor)
    assert isinstance(result, dg.SkipReason)


def test_monthly_schedule_runs_in_oslo_time():
    assert monthly_refresh.execution_timezone == "Europe/Oslo"
    assert monthly_refresh.cron_schedule == "0 6 1 * *"


def test_a_sensor_that_never_ran_starts_nothing_for_deliveries_the_warehouse_has_loaded(tmp_path, monkeypatch):
    """`dagster dev` on a warehouse that `evictions refresh` brought up to date: the sensor's cursor
    is empty, but the warehouse's ingest log says every ready delivery is loaded."""
    from orchestration.lib.ingest import ingest_source

    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    monkeypatch.setenv("EVICTIONS_LANDING_DIR", str(landing))
    monkeypatch.setenv("EVICTIONS_WAREHOUSE_DIR", str(warehouse))
    monkeypatch.setenv("EVICTIONS_PSEUDONYM_KEY", "test-key")
    folder = write_delivery(
        landing, "regnskap", "2008-01-31", {"ledger.csv": b"art;tekst;belop\r\n"}, {"ledger.csv": 0}
    )
    assert ingest_source("regnskap", landing, warehouse, "test-key", progress=lambda _: None).loaded == ["2008-01-31"]

    result, context = _evaluate(None)
    assert isinstance(result, dg.SkipReason)

    # The same delivery delivered again (a new manifest) is new, as before.
    (folder / "_manifest.json").write_text((folder / "_manifest.json").read_text())
    import os

    stat = (folder / "_manifest.json").stat()
    os.utime(folder / "_manifest.json", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    result, _ = _evaluate(context.cursor)
    assert isinstance(result, dg.RunRequest)


def test_the_monthly_schedule_skips_when_nothing_changed(tmp_path, monkeypatch):
    from orchestration.lib import fingerprint
    from orchestration.settings import load_settings

    monkeypatch.setenv("EVICTIONS_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("EVICTIONS_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("EVICTIONS_PSEUDONYM_KEY", "test-key")
    context = dg.build_schedule_context()
    assert isinstance(monthly_refresh.evaluate_tick(context).run_requests[0], dg.RunRequest)
    settings = load_settings()
    fingerprint.record_successful_refresh(settings, fingerprint.refresh_fingerprint(settings), "run-1")
    page = settings.published_dir / "release" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html></html>")
    result = monthly_refresh.evaluate_tick(context)
    assert not result.run_requests and "nothing new" in result.skip_message
