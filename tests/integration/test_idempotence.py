"""A second refresh with nothing new changes no published byte except the run metadata."""

from __future__ import annotations

import json

import pyarrow.parquet as pq

from orchestration.lib.atomic import METADATA_KEY
from tests.integration.conftest import run_refresh

FOLDERS = ("curated", "published", "quality")


def _content(warehouse):
    """Every Parquet file's data and metadata, with the run id taken out."""
    content = {}
    for folder in FOLDERS:
        for path in sorted((warehouse / folder).glob("*.parquet")):
            table = pq.read_table(path)
            document = json.loads(table.schema.metadata[METADATA_KEY])
            document.pop("run_id", None)
            content[str(path.relative_to(warehouse))] = (table.replace_schema_metadata(None), document)
    return content


def test_a_refresh_with_nothing_new_rebuilds_nothing(sample_refresh):
    """No delivery, code or setting changed: the refresh says so, runs no Dagster job (no dbt) and
    writes no file."""
    import time

    stamps = {p: p.stat().st_mtime_ns for f in FOLDERS for p in (sample_refresh.warehouse / f).glob("*.parquet")}
    started = time.monotonic()
    again = run_refresh(sample_refresh.landing, sample_refresh.warehouse)
    assert again.returncode == 0, again.output[-4000:]
    assert "nothing new since the refresh of" in again.output
    assert "running job" not in again.output
    assert time.monotonic() - started < 20
    assert stamps == {p: p.stat().st_mtime_ns for p in stamps}
    # A setting given explicitly with its default value changes nothing either
    # (tests/unit/test_fingerprint.py: what does count as new).
    same = run_refresh(sample_refresh.landing, sample_refresh.warehouse, {"EVICTIONS_SUPPRESSION_THRESHOLD": "4"})
    assert "nothing new" in same.output


def test_second_refresh_forced_with_nothing_new_changes_nothing_but_run_metadata(sample_refresh):
    before = _content(sample_refresh.warehouse)
    again = run_refresh(sample_refresh.landing, sample_refresh.warehouse, args=("--force",))
    assert again.returncode == 0, again.output[-4000:]
    assert "loading again" not in again.output and "validating" not in again.output  # nothing re-ingested
    assert "dbt build, full rebuild: asked for (run tag evictions/full_rebuild)" in again.output  # dbt rebuilt all
    after = _content(sample_refresh.warehouse)
    assert before.keys() == after.keys()
    for name in before:
        assert before[name][0].equals(after[name][0]), f"{name}: data changed"
        assert before[name][1] == after[name][1], f"{name}: metadata other than the run changed"
