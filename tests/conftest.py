"""Shared test setup. Tests never depend on anything left on the machine: each one that
writes a warehouse writes it under pytest's tmp_path.

Markers (pyproject.toml): ``process`` for tests that start ``evictions refresh`` processes or
Dagster runs, ``slow`` for everything left out of the fast subset ``pytest -m "not slow"``.
A test that uses one of ``PROCESS_FIXTURES`` is marked ``process`` here, and every ``process``
test is also ``slow``: a session fixture such as the fault story starts its refreshes as soon
as one test that uses it is selected, so the fast subset must not select any.
Shared helpers (landing-zone builders, fixtures' data, independent readers) are in
``tests/support/``."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")

# Fixtures that run `evictions refresh` (in subprocesses) before the test can start.
PROCESS_FIXTURES = frozenset(
    {
        "sample_refresh",  # tests/integration/conftest.py: the bundled sample, refreshed once
        "story",  # tests/faults/conftest.py: the fault story, nine refreshes and kills
    }
)


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects: the markers added here count
def pytest_collection_modifyitems(config, items):
    for item in items:
        if PROCESS_FIXTURES & set(getattr(item, "fixturenames", ())) and item.get_closest_marker("process") is None:
            item.add_marker(pytest.mark.process)
        if item.get_closest_marker("process") is not None and item.get_closest_marker("slow") is None:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def dbt_manifest():
    """The dbt manifest, built with `dbt parse` once per session when it is missing or stale."""
    from orchestration.lib.dbt_manifest import ensure_manifest

    return ensure_manifest()
