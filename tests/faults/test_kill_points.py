"""SIGKILL at exact points inside a write, in a real child process.

The process-level story kills refreshes at stage markers, which cannot aim at the few
microseconds between writing a temporary and renaming it. Here a child process runs the
real code with one function wrapped so that the child SIGKILLs itself at the chosen point;
the parent then checks what a reader and the next run see.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest

from orchestration.lib.atomic import write_parquet_atomic
from orchestration.lib.ingest import ingest_source
from orchestration.settings import REPO_ROOT
from tests.support.hostile import KEY, NAME, NID, NID_2, deliver, file_bytes, ingest_checked, valid_row

PRELUDE = """
import os, signal, sys
from pathlib import Path
def die():
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)
"""


def run_child(body: str) -> subprocess.CompletedProcess:
    code = PRELUDE + textwrap.dedent(body)
    completed = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert completed.returncode == -9, f"the child was to die by SIGKILL:\n{completed.stdout}\n{completed.stderr}"
    return completed


# ---- write_parquet_atomic --------------------------------------------------------------

ATOMIC_POINTS = {
    # the temporary is half written
    "mid-write": """
        import pyarrow.parquet as pq
        real = pq.write_table
        def write_table(table, where, **kw):
            real(table, where, **kw)
            size = os.path.getsize(where)
            os.truncate(where, size // 2)
            die()
        atomic.pq.write_table = write_table
    """,
    # written, not yet flushed to disk nor renamed
    "before-rename": """
        real = os.replace
        def replace(a, b):
            die()
        atomic.os.replace = replace
    """,
    # renamed, the folder not yet fsynced
    "after-rename": """
        real = os.replace
        def replace(a, b):
            real(a, b)
            die()
        atomic.os.replace = replace
    """,
}


@pytest.mark.parametrize("point", list(ATOMIC_POINTS))
def test_a_kill_inside_an_atomic_write_leaves_old_or_new_never_partial(tmp_path, point):
    target = tmp_path / "curated" / "households.parquet"
    old = pl.DataFrame({"tenancy_id": [1, 2, 3], "district": ["Arna", "Fana", "Åsane"]})
    write_parquet_atomic(old, target, table_name="households", run_id="old-run")
    new = pl.DataFrame({"tenancy_id": list(range(10_000)), "district": ["Årstad"] * 10_000})
    new.write_parquet(tmp_path / "new.parquet")
    run_child(
        f"""
        import polars as pl
        from orchestration.lib import atomic
        {textwrap.indent(textwrap.dedent(ATOMIC_POINTS[point]), " " * 8).strip()}
        atomic.write_parquet_atomic(pl.read_parquet({str(tmp_path / "new.parquet")!r}), Path({str(target)!r}),
                                    table_name="households", run_id="new-run")
        """
    )
    seen = pl.read_parquet(target)
    expected = new if point == "after-rename" else old
    assert seen.equals(expected), f"{point}: the table under its final name is neither complete version"
    run_id = json.loads(pq.read_schema(target).metadata[b"evictions"])["run_id"]
    assert run_id == ("new-run" if point == "after-rename" else "old-run")
    leftovers = [p.name for p in target.parent.iterdir() if p != target]
    assert all(name.startswith(f".{target.name}.tmp-") for name in leftovers), leftovers
    # What an analyst's glob reads: the table, never the temporary.
    glob = str(target.parent / "*.parquet")
    # A private connection: the fault story reads with DuckDB in another thread meanwhile.
    with duckdb.connect() as connection:
        assert connection.sql(f"select count(*) from read_parquet('{glob}')").fetchall()[0][0] == expected.height
    assert pl.read_parquet(glob).height == expected.height
    # The next write of the table removes what the kill left.
    write_parquet_atomic(old, target, table_name="households", run_id="next-run")
    assert [p.name for p in target.parent.iterdir()] == [target.name]


# ---- ingest_source ---------------------------------------------------------------------


def _two_file_delivery(landing: Path, rows: int = 3) -> None:
    tenancies = [valid_row("boei", "tenancies.csv", n, NID if n % 2 else NID_2) for n in range(1, rows + 1)]
    ledger = [valid_row("boei", "rent_ledger.csv", n) for n in range(1, rows + 1)]
    deliver(
        landing,
        "boei",
        {
            "tenancies.csv": file_bytes("boei", "tenancies.csv", tenancies),
            "rent_ledger.csv": file_bytes("boei", "rent_ledger.csv", ledger),
        },
        {"tenancies.csv": rows, "rent_ledger.csv": rows},
    )


def _ingest_child(landing: Path, warehouse: Path, wrap: str) -> None:
    run_child(
        f"""
        from orchestration.lib import ingest, atomic
        {textwrap.indent(textwrap.dedent(wrap), " " * 8).strip()}
        ingest.ingest_source("boei", Path({str(landing)!r}), Path({str(warehouse)!r}), {KEY!r}, progress=lambda _: None)
        """
    )


KILL_WHILE_DECODING = """
from orchestration.lib import delivery
delivery._CHUNK = 64  # decode in many small chunks, so the kill lands mid-file
real_new_file = delivery.Scratch.new_file
def new_file(self):
    handle, path = real_new_file(self)
    class Dying:
        writes = 0
        def write(self, data):
            handle.write(data)
            handle.flush()
            Dying.writes += 1
            if Dying.writes == 3:
                die()  # part of the extract decoded, with national ids and names in it
        def flush(self):
            handle.flush()
    return Dying(), path
delivery.Scratch.new_file = new_file
"""

KILL_AFTER_FIRST_RAW_FILE = """
real = atomic.StagedFile.commit
def commit(self):
    target = real(self)
    if "/raw/" in str(target) and not target.name.startswith("_"):
        die()  # one file of the delivery in place, the ingest log not yet saved
    return target
atomic.StagedFile.commit = commit
"""


def _personal_data_under(folder: Path) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="replace")
            found += [f"{path.relative_to(folder)}: {s}" for s in (NID, NID_2, NAME) if s in text]
    return found


def test_a_kill_while_a_windows_1252_file_is_decoded_leaves_no_copy_anywhere(tmp_path):
    """Windows-1252 files are decoded into nameless files (O_TMPFILE, 0600, in an owner-only
    folder): a SIGKILL in the middle of decoding leaves no copy of the extract, with its national
    ids and names, anywhere in the warehouse, not even until the next ingest (SECURITY.md)."""
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    _two_file_delivery(landing, rows=40)
    _ingest_child(landing, warehouse, KILL_WHILE_DECODING)
    assert (warehouse / "state" / "scratch").is_dir(), "the kill should land during decoding"
    assert (warehouse / "state" / "scratch").stat().st_mode & 0o777 == 0o700
    assert _personal_data_under(warehouse) == []
    outcome = ingest_checked("boei", landing, warehouse)
    assert outcome.result.loaded == ["2007-06-30"]
    assert _personal_data_under(warehouse) == []
    assert list((warehouse / "state" / "scratch").iterdir()) == []


def test_the_scan_for_a_decoded_copy_would_find_one(tmp_path):
    """The scan above is not vacuous: it finds the people in a plain decoded copy."""
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    _two_file_delivery(landing, rows=40)
    copy = warehouse / "state" / "copy.csv"
    copy.parent.mkdir(parents=True)
    copy.write_text((landing / "boei/2007-06-30/tenancies.csv").read_bytes().decode("cp1252"), encoding="utf-8")
    assert {NID, NID_2, NAME} <= {found.split(": ", 1)[1] for found in _personal_data_under(warehouse)}


def test_scratch_cleanup_leaves_other_sources_alone(tmp_path):
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    _two_file_delivery(landing)
    busy = warehouse / "state" / "ingest-regnskap-inuse"
    busy.mkdir(parents=True)
    ingest_checked("boei", landing, warehouse)
    assert busy.exists(), "another source's scratch folder (perhaps in use by a parallel ingest) was removed"


def test_a_killed_ingest_is_completed_by_the_next_run(tmp_path):
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    _two_file_delivery(landing)
    _ingest_child(landing, warehouse, KILL_AFTER_FIRST_RAW_FILE)
    outcome = ingest_checked("boei", landing, warehouse)
    assert outcome.result.loaded == ["2007-06-30"]
    assert outcome.loaded_rows.height == 2
    for stem in ("tenancies", "rent_ledger"):
        assert pl.read_parquet(warehouse / "raw/boei" / stem / "2007-06-30.parquet").height == 3


def test_a_killed_ingest_leaves_nothing_behind_when_the_delivery_is_then_refused(tmp_path):
    """Killed between writing the delivery's first raw file and saving the ingest log; then the
    delivery is replaced by a bad one. The refusal must leave nothing of the date in raw/ (dbt
    reads every raw file): before the fix the orphan from the killed attempt stayed loaded."""
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    _two_file_delivery(landing)
    _ingest_child(landing, warehouse, KILL_AFTER_FIRST_RAW_FILE)
    orphans = [p for p in (warehouse / "raw/boei").rglob("2007-06-30.parquet")]
    assert orphans, "the kill point should leave one raw file of the delivery"
    (landing / "boei/2007-06-30/tenancies.csv").write_bytes(b"not what the manifest says")
    outcome = ingest_checked("boei", landing, warehouse)
    assert outcome.refused is not None and "checksum" in outcome.refused.reason
    assert not list((warehouse / "raw/boei").rglob("2007-06-30.parquet"))


KILL_AFTER_FIRST_STAGED_FILE = """
real = atomic.stage_parquet
def stage_parquet(frame, target, **kw):
    staged = real(frame, target, **kw)
    if "/raw/" in str(target) and not target.name.startswith("_"):
        die()  # a validated file's table written beside its target, nothing committed
    return staged
atomic.stage_parquet = stage_parquet
"""


def test_a_kill_before_the_commit_leaves_nothing_once_the_delivery_is_refused(tmp_path):
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    _two_file_delivery(landing)
    _ingest_child(landing, warehouse, KILL_AFTER_FIRST_STAGED_FILE)
    assert list((warehouse / "raw/boei").rglob(".2007-06-30.parquet.tmp-*")), "the kill should leave a staged file"
    assert not list((warehouse / "raw/boei").rglob("2007-06-30.parquet")), "nothing is committed before validation ends"
    (landing / "boei/2007-06-30/tenancies.csv").write_bytes(b"not what the manifest says")
    outcome = ingest_checked("boei", landing, warehouse)
    assert outcome.refused is not None and "checksum" in outcome.refused.reason
    assert not [p for p in (warehouse / "raw/boei").rglob("*2007-06-30*")]


def test_a_refused_redelivery_keeps_the_loaded_delivery(tmp_path):
    """The clean-up above only touches dates the ingest log does not hold."""
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    _two_file_delivery(landing)
    ingest_source("boei", landing, warehouse, KEY, progress=lambda _: None)
    _two_file_delivery(landing, rows=4)  # changed re-delivery of a loaded date: refused
    outcome = ingest_checked("boei", landing, warehouse)
    assert outcome.refused is not None and "different checksums" in outcome.refused.reason
    assert pl.read_parquet(warehouse / "raw/boei/tenancies/2007-06-30.parquet").height == 3
