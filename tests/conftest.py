"""Shared test setup. Tests never depend on anything left on the machine: each one that
writes a warehouse writes it under pytest's tmp_path."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


@pytest.fixture(scope="session")
def dbt_manifest():
    """The dbt manifest, built with `dbt parse` once per session when it is missing or stale."""
    from orchestration.lib.dbt_manifest import ensure_manifest

    return ensure_manifest()
