"""Run history that stays true: a refresh killed with SIGKILL is marked failed by the next one."""

from __future__ import annotations

import socket
import subprocess

import dagster as dg

from orchestration.cli import HOST_TAG, PID_TAG, mark_dead_runs_failed


def _started_run(instance: dg.DagsterInstance, run_id: str, tags: dict[str, str]) -> None:
    instance.add_run(dg.DagsterRun(job_name="refresh", run_id=run_id, status=dg.DagsterRunStatus.STARTED, tags=tags))


def test_a_started_run_whose_process_died_is_marked_failed_and_others_are_left(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()  # a pid that no longer runs anything of ours
    alive = subprocess.Popen(["sleep", "30"])
    here = socket.gethostname()
    with dg.DagsterInstance.local_temp(str(tmp_path)) as instance:
        _started_run(instance, "killed-refresh", {PID_TAG: str(dead.pid), HOST_TAG: here})
        _started_run(instance, "ui-run", {})  # launched from the UI: not ours to judge
        _started_run(instance, "other-host", {PID_TAG: str(dead.pid), HOST_TAG: here + "-elsewhere"})
        _started_run(instance, "reused-pid", {PID_TAG: str(alive.pid), HOST_TAG: here})  # `sleep`, not evictions
        try:
            assert sorted(mark_dead_runs_failed(instance)) == ["killed-refresh", "reused-pid"]
        finally:
            alive.kill()
        status = {r: instance.get_run_by_id(r).status for r in ("killed-refresh", "ui-run", "other-host", "reused-pid")}
        assert status == {
            "killed-refresh": dg.DagsterRunStatus.FAILURE,
            "ui-run": dg.DagsterRunStatus.STARTED,
            "other-host": dg.DagsterRunStatus.STARTED,
            "reused-pid": dg.DagsterRunStatus.FAILURE,
        }
        assert mark_dead_runs_failed(instance) == []
