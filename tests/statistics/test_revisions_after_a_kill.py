"""A refresh killed between writing the published tables and appending to the revision log loses
no revision: the rerun records the same revisions as an uninterrupted run."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import polars as pl
import pytest

from orchestration.lib import publish
from orchestration.lib.revisions import read_log
from orchestration.settings import REPO_ROOT
from tests.support.statistics_frames import REPORT_COUNTS, as_arrow, statistics_tables

WHEN = dt.datetime(2008, 2, 1, 6, 0, tzinfo=dt.UTC)
DELIVERIES = ["kemner/2007-12-31"]
CORRECTED = {**REPORT_COUNTS, ("collector", 2007): (230, 27)}

# Where the child dies: after the tables are written and before the log is appended; after the
# first table of the publication is replaced; after the log is appended but before the clean-up.
KILL_POINTS = {
    "before the log is appended": "revisions.append",
    "after the first table is replaced": "atomic.write_parquet_atomic",
    "before the baseline is removed": "revisions.PublicationBaseline.done",
}


def _publish(folder: Path, counts, run_id: str) -> None:
    publish.publish_statistics(
        as_arrow(statistics_tables(counts)), folder, threshold=4, deliveries=DELIVERIES, run_id=run_id, revised_at=WHEN
    )


def _killed_publication(folder: Path, target: str) -> None:
    module, _, name = target.rpartition(".")
    code = textwrap.dedent(f"""
        import os, signal, datetime as dt
        from pathlib import Path
        from orchestration.lib import atomic, publish, revisions
        from tests.support.statistics_frames import REPORT_COUNTS, as_arrow, statistics_tables
        owner = {module}
        real = getattr(owner, {name!r})
        calls = []
        def dying(*args, **kwargs):
            result = real(*args, **kwargs) if {target!r} != "revisions.append" else None
            calls.append(1)
            if {target!r} != "atomic.write_parquet_atomic" or len(calls) == 1:
                os.kill(os.getpid(), signal.SIGKILL)
            return result
        setattr(owner, {name!r}, dying)
        counts = {{**REPORT_COUNTS, ("collector", 2007): (230, 27)}}
        publish.publish_statistics(
            as_arrow(statistics_tables(counts)), Path({str(folder)!r}), threshold=4, deliveries={DELIVERIES!r},
            run_id="run-killed", revised_at=dt.datetime(2008, 2, 1, 6, 0, tzinfo=dt.UTC),
        )
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == -9, done.stderr


def _comparable(folder: Path) -> pl.DataFrame:
    log = read_log(folder)
    return log.drop("run_id", "previous_run_id", "revised_at", "revision_date").sort(pl.all())


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, dbt_manifest) -> pl.DataFrame:
    folder = tmp_path_factory.mktemp("uninterrupted") / "published"
    _publish(folder, REPORT_COUNTS, "run-first")
    _publish(folder, CORRECTED, "run-second")
    log = _comparable(folder)
    assert log.height > 0, "the correction revises figures"
    return log


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_the_rerun_records_the_same_revisions(tmp_path, dbt_manifest, uninterrupted, point):
    folder = tmp_path / "published"
    _publish(folder, REPORT_COUNTS, "run-first")
    _killed_publication(folder, KILL_POINTS[point])
    _publish(folder, CORRECTED, "run-rerun")
    assert _comparable(folder).equals(uninterrupted)
    assert not (folder.parent / "state" / "publishing-baseline").exists()
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
    _publish(folder, CORRECTED, "run-again")  # and a further unchanged refresh records nothing
    assert _comparable(folder).equals(uninterrupted)
