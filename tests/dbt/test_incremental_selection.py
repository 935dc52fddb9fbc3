"""dbt leaves out exactly the nodes the warehouse names (issue #15: an incremental build leaves
unchanged what reads no new delivery, ``incremental.unaffected_nodes``).

The exclusion is a list of names given to ``dbt build --exclude``; dbt reads a name as a pattern
(its fqn) and, by default, also drops the tests of an excluded model. ``dbt ls`` with the same
arguments must list every other node and none of the named ones.
"""

from __future__ import annotations

import json

import pytest

from orchestration.lib import incremental
from tests.dbt.test_dbt_project import _dbt


@pytest.mark.parametrize("sources", [("boei",), ("bbl", "regnskap")])
def test_dbt_selects_every_node_but_the_unaffected_ones(dbt_manifest, tmp_path, sources):
    manifest = json.loads(dbt_manifest.read_text(encoding="utf-8"))
    left = set(incremental.unaffected_nodes(manifest, incremental.Decision(False, "test", sources)))
    arguments = incremental.dbt_exclusion(manifest, sorted(left))
    result = _dbt(
        ["ls", "--select", "fqn:*", *arguments, "--output", "json", "--output-keys", "unique_id", "--quiet"]
        + [f"--resource-type={kind}" for kind in incremental.BUILT_RESOURCE_TYPES],
        tmp_path / "warehouse",
        tmp_path / "dbt",
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    listed = {json.loads(line)["unique_id"] for line in result.stdout.splitlines() if line.startswith("{")}
    built = {u for u, n in manifest["nodes"].items() if n["resource_type"] in incremental.BUILT_RESOURCE_TYPES}
    assert left and listed
    assert listed == built - left
