"""The benchmark's arithmetic: issue #15's targets and where a refresh's time went.

``benchmarks/run_benchmark.py`` prints MET or NOT MET from these functions; a wrong share
or sign would print a wrong verdict, so they are tested on results whose figures are
chosen to give known answers (no refresh runs here).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "run_benchmark.py"


@pytest.fixture(scope="module")
def rb():
    spec = importlib.util.spec_from_file_location("run_benchmark_under_test", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def refresh(wall: float, *, ingest: float, dbt: float, dbt_build: float, publish: float, startup: float) -> dict:
    """A refresh whose parts add up to ``wall``: start-up before the run, none between or after."""
    assert abs(startup + ingest + dbt + publish - wall) < 1e-9
    return {
        "status": "ok",
        "measured": {
            "wall_s": wall,
            "cpu_s": wall * 1.5,
            "peak_rss_tree": 10**9,
            "max_rss_single_rusage": 0,
            "benchmark_rss_at_start": 0,
            "stopped": None,
        },
        "dagster": {
            "stages": {
                "ingest": ingest,
                "validation": 0.0,
                "dbt": dbt,
                "publish": publish,
                "release": 0.0,
                "other checks": 0.0,
            },
            "before_run_start_s": startup,
            "run_overhead_between_steps_s": 0.0,
            "after_run_end_s": 0.0,
        },
        "dbt_nodes": {"elapsed_s": dbt_build},
        "load_average_before": [0.0, 0.0, 0.0],
    }


def sized(rb, postings: int, ledger_rows: int, run: dict, baseline_s: float) -> dict:
    return {
        "size": rb.size_label(postings),
        "target_postings": postings,
        "ledger_rows": ledger_rows,
        "refresh": run,
        "baselines": [{"status": "ok", "measured": {"wall_s": baseline_s, "cpu_s": baseline_s}}],
    }


def test_time_shares_split_the_dbt_step_at_dbts_own_elapsed_time(rb):
    shares = rb.time_shares(refresh(20.0, startup=3.0, ingest=5.0, dbt=10.0, dbt_build=7.0, publish=2.0))
    assert shares == {
        "start-up and Dagster": 3.0,
        "dbt outside its build": 3.0,
        "dbt's build": 7.0,
        "ingest": 5.0,
        "publication": 2.0,
    }
    assert sum(shares.values()) == pytest.approx(20.0)


def test_time_shares_are_unknown_without_dbts_own_figures(rb):
    run = refresh(20.0, startup=3.0, ingest=5.0, dbt=10.0, dbt_build=7.0, publish=2.0)
    run["dbt_nodes"] = {"elapsed_s": None}
    assert rb.time_shares(run) is None


def test_the_targets_report_the_monthly_budget_and_the_slope_by_part(rb):
    one = refresh(20.0, startup=3.0, ingest=5.0, dbt=10.0, dbt_build=7.0, publish=2.0)
    ten = refresh(65.0, startup=3.0, ingest=32.0, dbt=27.0, dbt_build=24.0, publish=3.0)
    month = refresh(13.0, startup=3.0, ingest=2.0, dbt=6.0, dbt_build=3.0, publish=2.0)
    results = {
        "machine": {"nproc": 2},
        "runs": [
            sized(rb, rb.SLOPE_FROM, 1_000_000, one, 1.0),
            sized(rb, rb.HISTORY, 10_000_000, ten, 10.0),
        ],
        "incremental": {"size": "10M", "target_postings": rb.HISTORY, "refresh": month},
    }
    targets = {t["target"].split(" ")[0]: t for t in rb.evaluate_targets(results)}

    monthly = targets["monthly"]
    # 13 / 65 = 20 %: over 15 %. Start-up 3 s + dbt outside its build 3 s = 6 s of a 9.75 s budget.
    assert monthly["met"] is False
    assert "20.0 %" in monthly["detail"]
    assert "alone 6.0 s = 9.2 % of the full refresh, leaving 3.8 s of the 9.8 s budget" in monthly["detail"]
    assert "(7.0 s here)" in monthly["detail"]

    slope = targets["slope"]
    # (65 - 20) / 9 M postings against (10 - 1) / 9 M: 5x; ingest 27 s and dbt's build 17 s of 9 s.
    assert slope["met"] is False
    assert "ratio 5.0x" in slope["detail"]
    assert "ingest 3.0x" in slope["detail"]
    assert "dbt's build 1.9x" in slope["detail"]
    assert "start-up and Dagster 0.0x" in slope["detail"]


def test_a_monthly_refresh_inside_its_budget_is_met(rb):
    ten = refresh(100.0, startup=3.0, ingest=50.0, dbt=42.0, dbt_build=38.0, publish=5.0)
    month = refresh(14.0, startup=3.0, ingest=4.0, dbt=5.0, dbt_build=3.0, publish=2.0)
    results = {
        "machine": {"nproc": 2},
        "runs": [sized(rb, rb.HISTORY, 10_000_000, ten, 10.0)],
        "incremental": {"size": "10M", "target_postings": rb.HISTORY, "refresh": month},
    }
    monthly = next(t for t in rb.evaluate_targets(results) if t["target"].startswith("monthly"))
    assert monthly["met"] is True
    assert "14.0 %" in monthly["detail"]
