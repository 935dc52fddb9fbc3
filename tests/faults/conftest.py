"""The process-level fault story, run once per session and judged by several test modules.

Refreshes cost a minute or more each (Dagster, GX and dbt overheads), so the crash,
concurrency and privacy tests share one sequence of real ``evictions refresh`` processes
on a small landing zone (``tests/support/small_landing.py``) and record what they left behind; the tests
then judge those records.

Crash warehouse (readers keep reading its curated/ and published/ files throughout):

1. first refresh, SIGKILLed while ingesting;
2. a complete refresh (with ``EVICTIONS_WRITE_RESTRICTED=1``): the previous good version;
   then a stray temporary is planted in curated/ and a second accounts delivery arrives;
3. SIGKILLed while dbt builds, 4. SIGKILLed while publishing, 5. SIGKILLed after a
   random delay (fixed seed);
6. two refreshes started at once; both run to completion, one after the other.

A refresh killed while it holds Dagster's ``warehouse_database`` pool slot keeps that slot
for good, and the next refresh waits for it forever (a defect outside this folder's reach,
see ``test_a_killed_refresh_does_not_block_the_next_one``). The story records when that
happens and then releases the slot as an operator would have to, so it can go on.

Reference warehouse (in a background thread, alongside): one uninterrupted refresh of the
same final landing zone, then a refresh with a refused delivery whose header line is
missing (its first line, a data row with a national id and a name, could be echoed).
"""

from __future__ import annotations

import concurrent.futures
import importlib
import random
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.faults.processes import (
    DBT_BUILDING,
    INGEST,
    PUBLISHING,
    FileState,
    Readers,
    Refresh,
    glob_read,
    pending_pool_runs,
    pool_slot_holders,
    published_files,
    read_fully,
    release_dead_runs,
    snapshot,
    start_refresh,
    temporaries,
    unfinished_runs,
)
from tests.support.small_landing import ZYXWA, write_ledger_update, write_small_landing

# Distinctive, so that a scan can find it anywhere it leaks.
PSEUDONYM_KEY = "faults-pseudonym-key-7Gq2vXw9Lm4R"
RANDOM_SEED = 20070630
PLANTED = ".households.parquet.tmp-planted0000"
REFUSED_DATE = "2008-06-30"


@dataclass
class Checkpoint:
    """The crash warehouse as consumers saw it right after a kill."""

    label: str
    stage: str  # how far the refresh had got, from its output
    killed_after: float | None
    files: dict[str, FileState] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)
    temporaries: list[str] = field(default_factory=list)
    glob_error: str | None = None
    html_incomplete: list[str] = field(default_factory=list)


@dataclass
class Story:
    root: Path
    landing: Path
    warehouse: Path
    reference_landing: Path
    reference: Path
    logs: Path
    checkpoints: dict[str, Checkpoint] = field(default_factory=dict)
    previous_good: dict[str, FileState] = field(default_factory=dict)
    final: dict[str, FileState] = field(default_factory=dict)
    reference_files: dict[str, FileState] = field(default_factory=dict)
    refreshes: dict[str, Refresh] = field(default_factory=dict)
    codes: dict[str, int] = field(default_factory=dict)
    readers: Readers | None = None
    planted_seen_by_glob: bool = False
    random_delay: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    reference_error: BaseException | None = None
    after_refused: dict[str, FileState] = field(default_factory=dict)
    # Dagster runs of killed refreshes, the pool slots they still held after the kill, and
    # the refreshes that were blocked by such a slot (until the story released it).
    dead_runs: set[str] = field(default_factory=set)
    stale_slots: dict[str, set[str]] = field(default_factory=dict)
    blocked: list[str] = field(default_factory=list)

    @property
    def dagster_home(self) -> Path:
        return self.warehouse / "dagster_home"

    def unblocker(self, label: str):
        """While ``label`` runs: if it waits for a pool slot that a killed run still holds, record
        that and release the slot (as an operator would have to), so the story can go on."""

        def check() -> None:
            stuck = pool_slot_holders(self.dagster_home) & self.dead_runs
            if stuck and pending_pool_runs(self.dagster_home) - self.dead_runs:
                if label not in self.blocked:
                    self.blocked.append(label)
                release_dead_runs(self.dagster_home, stuck)

        return check


def checkpoint(story: Story, refresh: Refresh) -> Checkpoint:
    point = Checkpoint(refresh.label, refresh.stage(), refresh.killed_after)
    for path in published_files(story.warehouse):
        key = str(path.relative_to(story.warehouse))
        try:
            point.files[key] = read_fully(path)
        except Exception as error:
            point.unreadable[key] = f"{type(error).__name__}: {error}"
    point.temporaries = [str(p.relative_to(story.warehouse)) for p in temporaries(story.warehouse)]
    try:
        glob_read(story.warehouse)
    except Exception as error:
        point.glob_error = f"{type(error).__name__}: {error}"
    for page in (story.warehouse / "published").rglob("*.html"):
        if not page.name.startswith(".") and not page.read_text(encoding="utf-8", errors="replace").rstrip().endswith(
            "</html>"
        ):
            point.html_incomplete.append(str(page.relative_to(story.warehouse)))
    story.checkpoints[refresh.label] = point
    return point


def _run_reference(story: Story) -> None:
    try:
        started = time.monotonic()
        first = start_refresh("reference", story.reference_landing, story.reference, PSEUDONYM_KEY, story.logs)
        story.refreshes["reference"] = first
        story.codes["reference"] = first.wait()
        story.timings["reference"] = time.monotonic() - started
        if story.codes["reference"] == 0:
            story.reference_files = snapshot(story.reference)
        write_refused_delivery(story.reference_landing)
        started = time.monotonic()
        refused = start_refresh(
            "reference-refused", story.reference_landing, story.reference, PSEUDONYM_KEY, story.logs
        )
        story.refreshes["reference-refused"] = refused
        story.codes["reference-refused"] = refused.wait()
        story.timings["reference-refused"] = time.monotonic() - started
        story.after_refused = snapshot(story.reference)
    except BaseException as error:
        story.reference_error = error


def write_refused_delivery(landing: Path) -> None:
    """A tenancies file whose header line is missing: its first line is a known person's row."""
    from tests.support.hostile import deliver
    from tests.support.landing import csv_bytes
    from tests.support.small_landing import sliced_files

    header, _ = sliced_files(1)["boei"]["tenancies.csv"]
    row = [
        str(ZYXWA.tenancy_id),
        "BL990001",
        ZYXWA.national_id,
        ZYXWA.name,
        "Årstad",
        "ORDINAER",
        "2",
        "1",
        "6 100,00",
        "01.03.2001",
        "",
    ]
    data = csv_bytes("boei", "tenancies.csv", header, [row, row[:1] + ["BL2"] + row[2:]]).split(b"\r\n", 1)[1]
    deliver(landing, "boei", {"tenancies.csv": data}, {"tenancies.csv": 1}, date=REFUSED_DATE)


def _wants_story(item) -> bool:
    return "story" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config, items):
    """Tests that judge the story run last: the story is built in the background meanwhile."""
    items.sort(key=_wants_story)  # stable: everything else keeps its order


@pytest.fixture(scope="session", autouse=True)
def _story_in_background(request, tmp_path_factory):
    """Start the story (minutes of refreshes, mostly waiting on subprocesses) as soon as the
    first test of this folder runs, so the in-process tests run while it does."""
    if not any(_wants_story(item) for item in request.session.items):
        yield None
        return
    request.getfixturevalue("dbt_manifest")
    root = tmp_path_factory.mktemp("faults")
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="fault-story") as executor:
        future = executor.submit(build_story, root)
        yield future
        future.exception()  # wait for it (and its refreshes) to end before the session does


@pytest.fixture(scope="session")
def story(_story_in_background) -> Story:
    return _story_in_background.result(timeout=3600)


def build_story(root: Path) -> Story:
    # Import Dagster now, beside the first refreshes, so that releasing a stuck pool slot
    # later (``Story.unblocker``) cannot delay a kill by the seconds an import takes.
    threading.Thread(target=importlib.import_module, args=("dagster",), daemon=True).start()
    s = Story(
        root=root,
        landing=write_small_landing(root / "landing"),
        warehouse=root / "warehouse",
        reference_landing=root / "reference-landing",
        reference=root / "reference-warehouse",
        logs=root / "logs",
    )
    shutil.copytree(s.landing, s.reference_landing)
    write_ledger_update(s.reference_landing)
    background = threading.Thread(target=_run_reference, args=(s,), name="reference", daemon=True)
    background.start()

    def run(label: str, **kw) -> Refresh:
        refresh = start_refresh(label, s.landing, s.warehouse, PSEUDONYM_KEY, s.logs, **kw)
        s.refreshes[label] = refresh
        return refresh

    def kill_at(label: str, marker: str | None = None, delay: float | None = None, **kw) -> Checkpoint:
        started = time.monotonic()
        refresh = run(label, **kw)
        if marker is not None:
            refresh.wait_for(marker, idle=s.unblocker(label))
        else:
            deadline = time.monotonic() + delay
            check = s.unblocker(label)
            while time.monotonic() < deadline:
                check()
                time.sleep(min(2, max(0, deadline - time.monotonic())))
        if refresh.process.poll() is not None:
            raise AssertionError(f"{label}: the refresh ended before the kill:\n{refresh.tail()}")
        refresh.kill()
        s.timings[label] = time.monotonic() - started
        dead = unfinished_runs(s.dagster_home)  # nothing of the story runs now: every unfinished run is dead
        s.dead_runs |= dead
        s.stale_slots[label] = pool_slot_holders(s.dagster_home) & dead
        return checkpoint(s, refresh)

    s.readers = Readers(s.warehouse)
    try:
        with s.readers:
            # 1. The very first refresh dies while ingesting.
            kill_at("kill-ingest", INGEST)
            # 2. A complete refresh: the previous good version.
            started = time.monotonic()
            complete = run("complete", extra_env={"EVICTIONS_WRITE_RESTRICTED": "1"})
            s.codes["complete"] = complete.wait(idle=s.unblocker("complete"))
            s.timings["complete"] = time.monotonic() - started
            assert s.codes["complete"] == 0, complete.tail(80)
            s.previous_good = snapshot(s.warehouse)
            # A temporary left by some earlier crash: globs and readers must not see it, the
            # next write of the table removes it.
            (s.warehouse / "curated" / PLANTED).write_bytes(b"PAR1 half a file")
            # New data, so a replaced file differs from the previous good version.
            write_ledger_update(s.landing)
            # 3.-5. Killed while dbt builds, while publishing, and at a random moment.
            kill_at("kill-dbt", DBT_BUILDING)
            kill_at("kill-publish", PUBLISHING)
            # At a random fraction of the time the previous refresh took to reach publication, so
            # the kill lands somewhere in the run whatever the machine's speed (the fraction is
            # fixed by the seed). --force: the previous refresh built dbt in full and was killed
            # after, so without it dbt would find nothing to build and the run would be short.
            fraction = random.Random(RANDOM_SEED).uniform(0.2, 0.9)
            s.random_delay = round(fraction * s.timings["kill-publish"], 1)
            kill_at("kill-random", delay=s.random_delay, args=("--force",))
            # 6. Two refreshes at once, to completion.
            started = time.monotonic()
            pair = [run("pair-a"), run("pair-b")]
            for refresh in pair:
                s.codes[refresh.label] = refresh.wait(idle=s.unblocker(refresh.label))
            s.timings["pair"] = time.monotonic() - started
            time.sleep(1)  # readers: one more pass over the final files
    finally:
        # A failing story must not leave refreshes running: kill whatever is still alive.
        for refresh in s.refreshes.values():
            if refresh.process.poll() is None and refresh.label not in ("reference", "reference-refused"):
                refresh.kill()
    s.final = snapshot(s.warehouse)
    background.join(timeout=1800)
    for label in ("reference", "reference-refused"):
        if label in s.refreshes and s.refreshes[label].process.poll() is None:
            s.refreshes[label].kill()
    if s.reference_error is not None:
        raise s.reference_error
    assert not background.is_alive(), "the reference refreshes did not finish"
    assert s.codes.get("reference") == 0, s.refreshes["reference"].tail(80)
    return s
