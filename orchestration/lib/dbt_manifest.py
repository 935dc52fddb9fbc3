"""Building and reading the dbt manifest, without Dagster.

The manifest is an artifact of ``dbt parse``; it carries the table and column
descriptions that published Parquet files copy into their metadata.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

from orchestration.lib.paths import WarehousePaths
from orchestration.settings import DBT_PROJECT_DIR, warehouse_dir_from_environment


class ManifestMissing(RuntimeError):
    def __init__(self, path: Path):
        super().__init__(
            f"The dbt manifest {path} does not exist. Build it with `uv run evictions setup` "
            "(it runs `dbt parse`); `uv run evictions refresh` builds it too."
        )


def dbt_executable() -> str:
    """The dbt installed beside this interpreter, found without relying on PATH."""
    return str(Path(sys.executable).with_name("dbt"))


def manifest_path() -> Path:
    return DBT_PROJECT_DIR / "target" / "manifest.json"


def _newest_source_mtime() -> float:
    newest = 0.0
    for folder in ("models", "seeds", "macros", "tests", "snapshots"):
        for path in (DBT_PROJECT_DIR / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    for name in ("dbt_project.yml", "profiles.yml"):
        if (DBT_PROJECT_DIR / name).exists():
            newest = max(newest, (DBT_PROJECT_DIR / name).stat().st_mtime)
    return newest


def manifest_is_current() -> bool:
    path = manifest_path()
    return path.exists() and path.stat().st_mtime >= _newest_source_mtime()


def build_manifest(quiet: bool = True) -> Path:
    """Run ``dbt parse`` in a subprocess and put its manifest in place atomically.

    dbt writes its artifacts in place; parsing into a scratch target folder and renaming
    the manifest means a process loading the definitions never reads a half-written file.
    """
    target = manifest_path().parent
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target, prefix=".parse-") as scratch:
        command = [
            dbt_executable(),
            "parse",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            scratch,
        ]
        if quiet:
            command.append("--quiet")
        # dbt parse renders the warehouse's paths into the manifest (the raw sources' locations).
        paths = WarehousePaths(warehouse_dir_from_environment())
        env = {**os.environ, **paths.dbt_environment(), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        completed = subprocess.run(command, env=env, capture_output=True, text=True, cwd=DBT_PROJECT_DIR)
        if completed.returncode != 0:
            raise RuntimeError(f"dbt parse failed:\n{completed.stdout}\n{completed.stderr}")
        # dbt build starts from this partial-parse state instead of parsing from scratch.
        if (Path(scratch) / "partial_parse.msgpack").exists():
            os.replace(Path(scratch) / "partial_parse.msgpack", target / "partial_parse.msgpack")
        os.replace(Path(scratch) / "manifest.json", manifest_path())
    _load_manifest.cache_clear()
    return manifest_path()


def ensure_manifest() -> Path:
    if not manifest_is_current():
        build_manifest()
    return manifest_path()


@cache
def _load_manifest(path: str, mtime: float) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def load_manifest() -> dict:
    path = manifest_path()
    if not path.exists():
        raise ManifestMissing(path)
    return _load_manifest(str(path), path.stat().st_mtime)


def model_node(name: str) -> dict:
    for node in load_manifest()["nodes"].values():
        if node["resource_type"] == "model" and node["name"] == name:
            return node
    raise KeyError(f"dbt model {name!r} is not in the manifest")


def models_in_schema(schema: str) -> list[str]:
    """Names of the enabled models whose custom schema is ``schema``, sorted."""
    return sorted(
        node["name"]
        for node in load_manifest()["nodes"].values()
        if node["resource_type"] == "model" and (node.get("config", {}).get("schema") or node.get("schema")) == schema
    )


def descriptions(name: str) -> tuple[str, dict[str, str]]:
    node = model_node(name)
    return node.get("description", ""), {c: v.get("description", "") for c, v in node.get("columns", {}).items()}


def upstream_source_tables(name: str) -> list[tuple[str, str]]:
    """Every dbt source table (``(source, table)``) a model is built from, directly or not."""
    nodes = load_manifest()["nodes"]
    sources = load_manifest()["sources"]
    seen: set[str] = set()
    stack = [model_node(name)["unique_id"]]
    found: set[tuple[str, str]] = set()
    while stack:
        unique_id = stack.pop()
        if unique_id in seen:
            continue
        seen.add(unique_id)
        if unique_id in sources:
            found.add((sources[unique_id]["source_name"], sources[unique_id]["name"]))
        elif unique_id in nodes:
            stack.extend(nodes[unique_id].get("depends_on", {}).get("nodes", []))
    return sorted(found)
