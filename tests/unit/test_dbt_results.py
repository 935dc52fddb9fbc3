"""The latest result of every dbt node across builds that leave unchanged nodes out (dbt_results)."""

from __future__ import annotations

import json

from orchestration.lib.dbt_results import adopt_earlier_build, merge_run_results, read_latest


def _run_results(path, at: str, results: dict[str, str]) -> None:
    path.write_text(
        json.dumps(
            {
                "metadata": {"generated_at": at},
                "results": [
                    {"unique_id": uid, "status": status, "failures": 1 if status in ("fail", "warn") else 0}
                    for uid, status in results.items()
                ],
            }
        )
    )


def test_an_incremental_build_updates_what_it_ran_and_keeps_the_rest(tmp_path):
    run_results, latest = tmp_path / "run_results.json", tmp_path / "state" / "dbt_results.json"
    _run_results(
        run_results, "2026-01-01T00:00:00Z", {"model.p.a": "success", "test.p.t1": "pass", "test.p.t2": "warn"}
    )
    merge_run_results(run_results, latest, full_build=True)
    _run_results(run_results, "2026-02-01T00:00:00Z", {"model.p.a": "success", "test.p.t1": "fail"})
    merged = merge_run_results(run_results, latest, full_build=False)

    assert merged == read_latest(latest)
    assert merged["last_build_at"] == "2026-02-01T00:00:00Z" and merged["last_build_nodes"] == 2
    assert merged["nodes"]["test.p.t1"] == {"status": "fail", "failures": 1, "built_at": "2026-02-01T00:00:00Z"}
    # not run again: the result of the build that ran it
    assert merged["nodes"]["test.p.t2"] == {"status": "warn", "failures": 1, "built_at": "2026-01-01T00:00:00Z"}


def test_a_full_build_replaces_every_result(tmp_path):
    run_results, latest = tmp_path / "run_results.json", tmp_path / "dbt_results.json"
    _run_results(run_results, "2026-01-01T00:00:00Z", {"test.p.removed": "pass"})
    merge_run_results(run_results, latest, full_build=True)
    _run_results(run_results, "2026-02-01T00:00:00Z", {"test.p.t1": "pass"})
    assert set(merge_run_results(run_results, latest, full_build=True)["nodes"]) == {"test.p.t1"}


def test_no_record_or_an_unreadable_one_is_empty(tmp_path):
    assert read_latest(tmp_path / "missing.json")["nodes"] == {}
    (tmp_path / "bad.json").write_text("{not json")
    assert read_latest(tmp_path / "bad.json") == {"last_build_at": "", "last_build_nodes": 0, "nodes": {}}


def test_a_warehouse_from_before_the_record_adopts_its_last_build_once(tmp_path):
    run_results, latest = tmp_path / "run_results.json", tmp_path / "dbt_results.json"
    _run_results(run_results, "2026-01-01T00:00:00Z", {"test.p.t1": "pass", "test.p.t2": "pass"})
    adopt_earlier_build(run_results, latest)
    assert set(read_latest(latest)["nodes"]) == {"test.p.t1", "test.p.t2"}
    # Once there is a record, an older run_results.json is not adopted again.
    _run_results(run_results, "2025-12-01T00:00:00Z", {"test.p.t3": "pass"})
    adopt_earlier_build(run_results, latest)
    assert set(read_latest(latest)["nodes"]) == {"test.p.t1", "test.p.t2"}
    adopt_earlier_build(tmp_path / "none.json", tmp_path / "other.json")
    assert not (tmp_path / "other.json").exists()
