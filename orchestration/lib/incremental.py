"""Whether ``dbt build`` may run incrementally, or must rebuild everything (``--full-refresh``).

The incremental models (the snapshot histories ``int_*_historized`` and the running arrears
``int_tenancy_arrears_accumulated``) merge in only the rows of deliveries later than the ones they
already hold. That is correct only when what they hold is still true: every delivery they were built
from is still in the raw layer unchanged, the pseudonym key, the dbt project and the settings are
the same, and the new deliveries come after every delivery already built (a history is extended
at its end, never in its middle). The warehouse itself checks this before each build, against a
record of what the last successful build was built from (``WarehousePaths.dbt_build_basis``, written
atomically after the build):

- per source, every delivery date in the raw layer with a fingerprint of its files (size and
  modification time of each raw Parquet file and the ingest log's record of the delivery, which
  holds the delivered files' SHA-256 and the run that loaded it: a reload changes it);
- the pseudonym key, as a hash of its hash (the key itself is never written);
- a hash of the dbt project's models, macros, seeds, tests and project files, and of the
  versions of dbt and DuckDB;
- the settings that change what dbt builds (the landing zone).

Anything else than "the same, plus deliveries later than every one already built" (a reload of an
older delivery, a delivery removed or refused after being built, a new delivery dated before the
latest built one, a key rotation, a code or setting change, no record, a failed or partial previous
build) gives a full rebuild. No Dagster here: the dbt asset calls :func:`decide`.

The same record tells the staging tests what is already tested: an incremental build tests only
the deliveries the last complete build did not hold (:func:`dbt_test_environment`). And it tells
which nodes an incremental build may leave as they are (:func:`unaffected_nodes`): a model or seed
built from no source with a new delivery has the same inputs and code as at the last complete
build, so rebuilding it would give the same table; a test none of whose parents is rebuilt would
give the same result.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from dataclasses import dataclass
from pathlib import Path

from orchestration.lib.paths import WarehousePaths
from orchestration.settings import DBT_PROJECT_DIR, Settings

# What dbt builds from in the project folder (its target/, logs/ are outputs).
DBT_CODE_PARTS = ("models", "macros", "seeds", "tests", "dbt_project.yml", "profiles.yml")
DBT_CODE_SUFFIXES = {".sql", ".yml", ".yaml", ".csv", ".md"}
# Read by the dbt macro deliveries_not_yet_built (dbt_test_environment).
DBT_BUILT_THROUGH_ENV = "EVICTIONS_DBT_BUILT_THROUGH"
# Versions of what runs the SQL: an upgrade may change results, so it rebuilds.
ENGINE_PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb")


# A run tag asking for a full rebuild whatever the record says (``evictions refresh --force``, or
# set in the Launchpad).
FULL_REBUILD_TAG = "evictions/full_rebuild"
# What a dbt build runs; the rest (analyses, unit tests, exposures) it does not build.
BUILT_RESOURCE_TYPES = ("model", "seed", "snapshot", "test")


@dataclass(frozen=True)
class Decision:
    full_refresh: bool
    reason: str
    # An incremental build: the sources with a delivery the last complete build did not hold.
    new_sources: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{'full rebuild' if self.full_refresh else 'incremental'}: {self.reason}"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def dbt_code_digest(project_dir: Path = DBT_PROJECT_DIR) -> str:
    from orchestration.lib.fingerprint import files_digest

    digest = files_digest(project_dir, [project_dir / part for part in DBT_CODE_PARTS], DBT_CODE_SUFFIXES)
    for package in ENGINE_PACKAGES:
        digest.update(f"{package}=={importlib.metadata.version(package)}\0".encode())
    return digest.hexdigest()


def raw_deliveries(settings: Settings) -> dict[str, dict[str, str]]:
    """Per source, every delivery date in the raw layer and a fingerprint of what dbt reads of it."""
    from orchestration.lib.contract import SOURCES, files_of
    from orchestration.lib.ingest import IngestLog, ingest_log_path
    from orchestration.lib.paths import DELIVERY_FILES

    deliveries: dict[str, dict[str, str]] = {}
    for source in SOURCES:
        files: dict[str, list[str]] = {}
        # Every delivered file of the source (paths.py: one per delivery; _schema.parquet is none).
        delivered = (settings.paths.raw_table_dir(source, spec.stem).glob(DELIVERY_FILES) for spec in files_of(source))
        for path in sorted(p for found in delivered for p in found):
            stat = path.stat()
            files.setdefault(path.stem, []).append(f"{path.parent.name}:{stat.st_size}:{stat.st_mtime_ns}")
        log = IngestLog(ingest_log_path(settings.warehouse_dir, source))
        deliveries[source] = {
            date: _sha256(json.dumps([stamps, log.loaded(source, date)], sort_keys=True, default=str))
            for date, stamps in sorted(files.items())
        }
    return deliveries


def build_basis(settings: Settings) -> dict[str, object]:
    """What a build of the warehouse's dbt tables from its current raw layer depends on."""
    return {
        "deliveries": raw_deliveries(settings),
        "pseudonym_key": _sha256(_sha256(settings.pseudonym_key)),
        "dbt_code": dbt_code_digest(),
        "settings": _sha256(json.dumps({"landing_dir": str(settings.landing_dir)}, sort_keys=True)),
    }


def decide(previous: dict | None, current: dict, *, full_rebuild_asked: bool = False) -> Decision:
    """Incremental only when ``current`` is ``previous`` plus deliveries later than all built ones."""
    if full_rebuild_asked:
        return Decision(True, f"asked for (run tag {FULL_REBUILD_TAG})")
    if previous is None:
        return Decision(True, "no record of a complete earlier build")
    if previous.get("pseudonym_key") != current["pseudonym_key"]:
        return Decision(True, "the pseudonym key changed")
    if previous.get("dbt_code") != current["dbt_code"]:
        return Decision(True, "the dbt project (models, macros, seeds or dbt's version) changed")
    if previous.get("settings") != current["settings"]:
        return Decision(True, "a setting changed")
    built_sources: dict = previous.get("deliveries") or {}
    new: list[str] = []
    new_sources: set[str] = set()
    for source in sorted(set(built_sources) | set(current["deliveries"])):
        built = built_sources.get(source, {})
        now = current["deliveries"].get(source, {})
        for date in sorted(built):
            if date not in now:
                return Decision(True, f"{source} {date} was built and is no longer in the raw layer")
            if now[date] != built[date]:
                return Decision(True, f"{source} {date} was reloaded")
        latest_built = max(built, default=None)
        for date in sorted(set(now) - set(built)):
            if latest_built is not None and date < latest_built:
                return Decision(True, f"{source} {date} is older than the latest built delivery {latest_built}")
            new.append(f"{source} {date}")
            new_sources.add(source)
    if not new:
        return Decision(False, "no new delivery")
    reason = f"{len(new)} new deliver{'y' if len(new) == 1 else 'ies'} ({', '.join(new)})"
    return Decision(False, reason, tuple(sorted(new_sources)))


def unaffected_nodes(manifest: dict, decision: Decision) -> list[str]:
    """The unique ids of the nodes a build after ``decision`` may leave as the last build made them,
    each after its parents (the order Dagster takes a multi-asset's outputs in).

    No node for a full rebuild. For an incremental one: every model, seed and snapshot that is not
    built, directly or through other models, from a source with a new delivery, and every test
    none of whose parents is a rebuilt node or such a source. Their inputs (raw deliveries, seeds,
    code, settings: everything :func:`decide` compared) are those of the last complete build, so
    building them again would give the same tables and test results. A test between a rebuilt
    model and an unchanged one (a relationship, a code list from a seed) runs.
    """
    if decision.full_refresh:
        return []
    changed = {uid for uid, source in manifest["sources"].items() if source["source_name"] in decision.new_sources}
    children = manifest["child_map"]
    pending = list(changed)
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in changed and not child.startswith("test."):
                changed.add(child)
                pending.append(child)
    nodes = manifest["nodes"]
    return [
        uid
        for uid in _graph_order(manifest["parent_map"])
        if uid in nodes
        and nodes[uid]["resource_type"] in BUILT_RESOURCE_TYPES
        and uid not in changed
        and not (
            nodes[uid]["resource_type"] == "test" and changed.intersection(nodes[uid]["depends_on"].get("nodes", []))
        )
    ]


def _graph_order(parents: dict[str, list[str]]) -> list[str]:
    """Every node of the graph, each after its parents."""
    order: dict[str, None] = {}

    def visit(unique_id: str) -> None:
        if unique_id not in order:
            for parent in parents.get(unique_id, []):
                visit(parent)
            order[unique_id] = None

    for unique_id in sorted(parents):
        visit(unique_id)
    return list(order)


def dbt_exclusion(manifest: dict, unique_ids: list[str]) -> list[str]:
    """``dbt build`` arguments that leave out exactly ``unique_ids`` (none for an empty list).

    dbt selects by name (the last part of a node's fqn) or by the whole dotted fqn. A name that
    more than one node carries, or that is also the project's name (which dbt reads as "the whole
    project"), is given as the fqn. ``--indirect-selection empty`` keeps dbt from also leaving out
    the tests of a left-out model or seed: which tests run is decided here.
    """
    if not unique_ids:
        return []
    nodes = manifest["nodes"]
    names: dict[str, int] = {}
    for node in nodes.values():
        names[node["name"]] = names.get(node["name"], 0) + 1

    def selector(node: dict) -> str:
        if names[node["name"]] == 1 and node["name"] != node["package_name"]:
            return node["name"]
        return "fqn:" + ".".join(node["fqn"])

    selectors = [selector(nodes[uid]) for uid in unique_ids]
    return ["--indirect-selection", "empty", "--exclude", " ".join(selectors)]


def dbt_test_environment(decision: Decision, previous: dict | None) -> dict[str, str]:
    """What tells dbt's staging tests which deliveries the last complete build already tested.

    An incremental build: per source, the latest delivery date that build held (dbt macro
    ``deliveries_not_yet_built`` tests only later rows). A full rebuild: none, so every row is
    tested. Always set, so a value from an earlier build in the same process is never reused.
    """
    built: dict[str, str] = {}
    if not decision.full_refresh and previous is not None:
        built = {source: max(dates) for source, dates in sorted(previous["deliveries"].items()) if dates}
    return {DBT_BUILT_THROUGH_ENV: json.dumps(built, sort_keys=True)}


def read_basis(paths: WarehousePaths) -> dict | None:
    """The basis of the last complete build, or None (none recorded, unreadable, or no database)."""
    if not paths.database.exists():
        return None
    try:
        record = json.loads(paths.dbt_build_basis.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("deliveries"), dict) else None


def record_basis(paths: WarehousePaths, basis: dict) -> None:
    from orchestration.lib.atomic import write_text_atomic

    write_text_atomic(json.dumps(basis, indent=1, sort_keys=True), paths.dbt_build_basis)


def forget_basis(paths: WarehousePaths) -> None:
    """Before a build: one that fails or stops half-way leaves no record, so the next one is full."""
    paths.dbt_build_basis.unlink(missing_ok=True)
