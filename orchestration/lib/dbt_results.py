"""The latest result of every dbt node, across builds that leave unchanged nodes out.

dbt's ``run_results.json`` holds the nodes of one build. An incremental build runs only the
models and tests that read a new delivery (``incremental.unaffected_nodes``); the others keep
the result of the build that last ran them, which still holds, since nothing they read has
changed. ``state/dbt_results.json`` (``WarehousePaths.dbt_latest_results``) keeps that latest
result per node: a full build replaces it, an incremental one updates the nodes it ran. Values
only as dbt reports them (status, failing-row count, time): never a data value.
"""

from __future__ import annotations

import json
from pathlib import Path

from orchestration.lib.atomic import write_text_atomic


def merge_run_results(run_results: Path, latest: Path, *, full_build: bool) -> dict:
    """Fold one build's ``run_results.json`` into ``latest`` (replaced by a full build); returns it."""
    document = json.loads(run_results.read_text(encoding="utf-8"))
    built_at = document.get("metadata", {}).get("generated_at", "")
    previous = {} if full_build else read_latest(latest)["nodes"]
    nodes = dict(previous)
    for result in document.get("results", []):
        nodes[result["unique_id"]] = {
            "status": result["status"],
            "failures": result.get("failures"),
            "built_at": built_at,
        }
    merged = {"last_build_at": built_at, "last_build_nodes": len(document.get("results", [])), "nodes": nodes}
    write_text_atomic(json.dumps(merged, indent=1, sort_keys=True), latest)
    return merged


def adopt_earlier_build(run_results: Path, latest: Path) -> None:
    """A warehouse built before ``latest`` existed: its last build's results become the record.

    Such a build ran every node (it left none out), so its ``run_results.json`` is the latest
    result of each; without this, the first incremental build would leave the record with only
    the nodes it ran.
    """
    if not latest.exists() and run_results.exists():
        merge_run_results(run_results, latest, full_build=True)


def read_latest(latest: Path) -> dict:
    """The latest results, or an empty record when no build has been recorded (or it is unreadable)."""
    try:
        record = json.loads(latest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = None
    if not isinstance(record, dict) or not isinstance(record.get("nodes"), dict):
        return {"last_build_at": "", "last_build_nodes": 0, "nodes": {}}
    return record
