"""The landing-zone sensor on a temporary landing zone."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.schedules.definitions import landing_zone_sensor, monthly_refresh
from tests.landing import write_delivery


def _evaluate(cursor: str | None = None):
    context = dg.build_sensor_context(cursor=cursor)
    return landing_zone_sensor(context), context


def test_new_ready_delivery_requests_a_run_and_incomplete_folder_does_not(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    monkeypatch.setenv("EVICTIONS_LANDING_DIR", str(landing))
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
