"""A refresh of the bundled sample into a temporary warehouse, shared by the integration tests."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration.settings import BUNDLED_SAMPLE_DIR, REPO_ROOT


@dataclass
class Refresh:
    warehouse: Path
    landing: Path
    returncode: int
    output: str


def run_refresh(
    landing: Path, warehouse: Path, extra_env: dict[str, str] | None = None, args: tuple[str, ...] = ()
) -> Refresh:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EVICTIONS_", "DAGSTER_HOME"))}
    env.update({"EVICTIONS_LANDING_DIR": str(landing), "EVICTIONS_WAREHOUSE_DIR": str(warehouse), **(extra_env or {})})
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "refresh", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return Refresh(warehouse, landing, completed.returncode, completed.stdout + completed.stderr)


@pytest.fixture(scope="session")
def sample_refresh(tmp_path_factory, dbt_manifest) -> Refresh:
    warehouse = tmp_path_factory.mktemp("sample") / "warehouse"
    refresh = run_refresh(BUNDLED_SAMPLE_DIR, warehouse)
    assert refresh.returncode == 0, refresh.output[-6000:]
    return refresh
