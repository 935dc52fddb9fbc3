"""The refresh process hands memory polars freed back to the OS at once (orchestration/cli.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from orchestration.cli import JEMALLOC_CONF_VARIABLE, JEMALLOC_RETURN_MEMORY_AT_ONCE

PROGRAM = """
import os, sys, time
import psutil
from orchestration import cli
if sys.argv[1] == "configured":
    cli.return_freed_memory_at_once()
import polars as pl
process = psutil.Process()
before = process.memory_info().rss
frame = pl.DataFrame({"value": pl.int_range(0, 40_000_000, eager=True)}).with_columns(text=pl.col("value").cast(pl.String))
peak = process.memory_info().rss
del frame
time.sleep(0.05)
after = process.memory_info().rss
print((peak - before) // 2**20, (after - before) // 2**20, os.environ.get(cli.JEMALLOC_CONF_VARIABLE, ""))
"""


def _run(mode: str) -> tuple[int, int, str]:
    env = {k: v for k, v in os.environ.items() if k != JEMALLOC_CONF_VARIABLE}
    out = subprocess.run(
        [sys.executable, "-c", PROGRAM, mode], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    return int(out[0]), int(out[1]), out[2] if len(out) > 2 else ""


@pytest.mark.skipif(sys.platform != "linux", reason="jemalloc's RSS behaviour measured on Linux")
def test_memory_polars_freed_is_returned_before_the_next_stage():
    grown, kept, setting = _run("configured")
    assert setting.endswith(JEMALLOC_RETURN_MEMORY_AT_ONCE), "the CLI did not configure polars' allocator"
    assert grown > 300, "the frame should have taken several hundred MB"
    assert kept < grown / 4, f"{kept} MB of {grown} MB still held after the frame was dropped"


@pytest.mark.skipif(sys.platform != "linux", reason="jemalloc's RSS behaviour measured on Linux")
def test_without_the_setting_polars_keeps_it_a_while_so_the_test_above_can_fail():
    # polars' own default (dirty_decay_ms:500) returns it about half a second later
    grown, kept, setting = _run("default")
    assert JEMALLOC_RETURN_MEMORY_AT_ONCE not in setting
    assert kept > grown / 2
