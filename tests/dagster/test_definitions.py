"""The code location loads, from the module and from workspace.yaml, and its graph is what we expect."""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg
import pytest
import yaml

from orchestration.settings import REPO_ROOT

SNAPSHOT = Path(__file__).with_name("asset_graph_snapshot.json")


@pytest.fixture(scope="module")
def definitions(dbt_manifest):
    from orchestration.definitions import build_definitions

    return build_definitions()


def graph_snapshot(defs: dg.Definitions) -> dict:
    repository = defs.get_repository_def()
    graph = repository.asset_graph
    return {
        "assets": {
            key.to_user_string(): {
                "group": graph.get(key).group_name,
                "deps": sorted(p.to_user_string() for p in graph.get(key).parent_keys),
            }
            for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string())
            if graph.get(key).is_materializable
        },
        "checks": sorted(k.to_user_string() for k in graph.asset_check_keys),
        "jobs": sorted(j.name for j in repository.get_all_jobs() if not j.name.startswith("__")),
        "schedules": sorted(s.name for s in repository.schedule_defs),
        "sensors": sorted(s.name for s in repository.sensor_defs),
    }


def test_definitions_load(definitions):
    assert definitions.resolve_job_def("refresh").name == "refresh"
    keys = set(definitions.resolve_all_asset_keys())
    assert {dg.AssetKey(["raw", "boei", "tenancies"]), dg.AssetKey(["quality", "evidence_site"])} <= keys


def test_every_asset_has_the_one_owner(definitions):
    """Python and dbt assets alike: owned by ``specs.OWNER``, which dbt_project.yml does not repeat."""
    from orchestration.defs.specs import OWNER

    graph = definitions.get_repository_def().asset_graph
    owners = {
        key.to_user_string(): list(graph.get(key).owners)
        for key in graph.get_all_asset_keys()
        if graph.get(key).is_materializable
    }
    assert {"raw/boei/tenancies", "dbt/staging/stg_boei__tenancies", "published/cases_by_district"} <= set(owners)
    assert {key: o for key, o in owners.items() if o != [OWNER]} == {}

    def keys(node) -> set[str]:
        if isinstance(node, dict):
            return set(node) | {k for value in node.values() for k in keys(value)}
        return set()

    project = yaml.safe_load((REPO_ROOT / "dbt_project" / "dbt_project.yml").read_text(encoding="utf-8"))
    assert not {"owner", "owners"} & keys(project)


def test_asset_graph_matches_snapshot(definitions):
    """Update with EVICTIONS_UPDATE_SNAPSHOT=1 after an intended change, and review the diff."""
    current = graph_snapshot(definitions)
    if os.environ.get("EVICTIONS_UPDATE_SNAPSHOT") == "1":
        # Rewriting the snapshot makes the test pass by construction: never in CI (CI=true, or any
        # other value a CI service sets, except an explicit false).
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail("EVICTIONS_UPDATE_SNAPSHOT=1 under CI: the snapshot is never rewritten in CI", pytrace=False)
        SNAPSHOT.write_text(json.dumps(current, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    assert SNAPSHOT.exists(), f"{SNAPSHOT.name} is missing: run the test with EVICTIONS_UPDATE_SNAPSHOT=1"
    assert current == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_lineage_from_every_source_to_published(definitions):
    graph = definitions.get_repository_def().asset_graph
    published = {k for k in graph.get_all_asset_keys() if k.path[0] in ("curated", "published")}
    assert published
    for source in ("boei", "kemner", "namsfogd", "prosjekt", "regnskap"):
        roots = [k for k in graph.get_all_asset_keys() if k.path[:2] == ["raw", source]]
        reached = set(roots)
        frontier = list(roots)
        while frontier:
            for child in graph.get(frontier.pop()).child_keys:
                if child not in reached:
                    reached.add(child)
                    frontier.append(child)
        assert reached & published, f"{source} reaches no published table"


def test_workspace_yaml_points_at_the_definitions():
    workspace = yaml.safe_load((REPO_ROOT / "workspace.yaml").read_text())
    entry = workspace["load_from"][0]["python_module"]
    module = __import__(entry["module_name"], fromlist=[entry["attribute"]])
    loaded = getattr(module, entry["attribute"])()
    assert isinstance(loaded, dg.Definitions)
    assert loaded.resolve_job_def("refresh").name == "refresh"


def test_code_location_loads_from_workspace_yaml(dbt_manifest):
    from dagster._core.test_utils import instance_for_test
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import WorkspaceFileTarget

    with (
        instance_for_test() as instance,
        WorkspaceProcessContext(instance, WorkspaceFileTarget([str(REPO_ROOT / "workspace.yaml")])) as context,
    ):
        snapshot = context.create_request_context().get_code_location_entries()
        entry = snapshot["evictions"]
        assert entry.load_error is None, entry.load_error
        # What the UI would offer: the location's repositories and their jobs.
        jobs = {job.name for repo in entry.code_location.get_repositories().values() for job in repo.get_all_jobs()}
        assert "refresh" in jobs, sorted(jobs)
