"""The dbt parse a refresh runs beside start-up for a warehouse's first build (dbt_manifest.WarehouseParse).

dbt reuses a partial-parse state only when it was made with the same profile, which holds the
database path. The state the parse leaves in the warehouse's dbt folder must be one the build
reuses: a ``dbt ls`` there with the warehouse's environment must not parse again from scratch.
"""

from __future__ import annotations

import subprocess

from orchestration.lib import dbt_manifest
from orchestration.lib.paths import WarehousePaths
from orchestration.settings import DBT_PROJECT_DIR


def _dbt_ls(paths: WarehousePaths) -> str:
    command = [
        dbt_manifest.dbt_executable(),
        "ls",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(paths.dbt_target_dir),
        "--select",
        "stg_bbl__arrears",
        "--resource-type",
        "model",
    ]
    env = dbt_manifest._parse_environment(paths)
    done = subprocess.run(command, env=env, cwd=DBT_PROJECT_DIR, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_the_parse_leaves_a_state_the_warehouse_reuses(tmp_path):
    paths = WarehousePaths(tmp_path / "warehouse")
    left_by_a_kill = paths.state_dir / ".dbt-parse-killed"
    left_by_a_kill.mkdir(parents=True)
    assert dbt_manifest.start_warehouse_parse(paths) is not None
    assert dbt_manifest.start_warehouse_parse(paths) is None  # one at a time per warehouse
    assert dbt_manifest.finish_warehouse_parse(paths) is True
    assert (paths.dbt_target_dir / dbt_manifest.PARTIAL_PARSE).exists()
    assert not list(paths.state_dir.glob(".dbt-parse-*")), "a scratch folder is left behind"
    assert not paths.database.exists(), "a parse opened the database"
    output = _dbt_ls(paths)
    assert "Unable to do partial parsing" not in output, output[-2000:]
    # With a state in place, none is started again, and there is nothing to finish.
    assert dbt_manifest.start_warehouse_parse(paths) is None
    assert dbt_manifest.finish_warehouse_parse(paths) is None


def test_a_state_made_for_another_warehouse_is_not_reused(tmp_path):
    """The premise: without the parse, a warehouse given another one's state parses in full."""
    other, paths = WarehousePaths(tmp_path / "other"), WarehousePaths(tmp_path / "warehouse")
    dbt_manifest.start_warehouse_parse(other)
    assert dbt_manifest.finish_warehouse_parse(other) is True
    paths.dbt_target_dir.mkdir(parents=True)
    (paths.dbt_target_dir / dbt_manifest.PARTIAL_PARSE).write_bytes(
        (other.dbt_target_dir / dbt_manifest.PARTIAL_PARSE).read_bytes()
    )
    assert "Unable to do partial parsing because profile has changed" in _dbt_ls(paths)


def test_a_cancelled_parse_leaves_nothing(tmp_path):
    paths = WarehousePaths(tmp_path / "warehouse")
    parse = dbt_manifest.start_warehouse_parse(paths)
    dbt_manifest.cancel_warehouse_parse(paths)
    assert parse.process.poll() is not None
    assert not paths.dbt_target_dir.exists() or not any(paths.dbt_target_dir.iterdir())
    assert not list(paths.state_dir.glob(".dbt-parse-*"))
