"""The fast subset, ``pytest -m "not slow"``, selects no test that starts refreshes (tests/conftest.py)."""

from __future__ import annotations

import subprocess
import sys

from orchestration.settings import REPO_ROOT


def _collected(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_the_fast_subset_leaves_out_every_test_that_uses_a_refresh_fixture():
    folders = ("tests/faults", "tests/integration")  # where the story and the sample refresh live
    fast = set(_collected("-m", "not slow", *folders))
    process = set(_collected("-m", "process", *folders))
    # The story's and the sample refresh's users are there, all marked process, none of them fast.
    assert any("test_crash_safety.py" in node for node in process), sorted(process)[:5]
    assert any("tests/integration/test_refresh_sample.py" in node for node in process), sorted(process)[:5]
    assert not fast & process
    # Every test of these two modules uses the story or the sample refresh.
    assert not [node for node in fast if "test_crash_safety.py" in node or "test_refresh_sample.py" in node]
