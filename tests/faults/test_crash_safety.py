"""Crash safety and concurrency with real processes: nothing lost, nothing half-written.

Judges the session's fault story (``conftest.py``): refreshes SIGKILLed (whole process
group) while ingesting, while dbt builds, while publishing and at a random moment; two
refreshes started at once; readers reading every published file all along.
"""

from __future__ import annotations

import pytest

from tests.faults.conftest import PLANTED, Checkpoint, Story
from tests.faults.processes import HISTORY_TABLES


def _consistent(point: Checkpoint) -> None:
    """Whatever the moment of the kill: no file under a final name that is not a complete table."""
    assert not point.unreadable, f"{point.label}: partial or corrupt files under final names: {point.unreadable}"
    assert point.glob_error is None, f"{point.label}: read_parquet('<folder>/*.parquet') failed: {point.glob_error}"
    for temporary in point.temporaries:
        name = temporary.rsplit("/", 1)[-1]
        assert name.startswith(".") and not name.endswith(".parquet"), f"{point.label}: {temporary} could match a glob"
    assert not point.html_incomplete, f"{point.label}: half-written pages {point.html_incomplete}"


def _old_or_complete_new(story: Story, point: Checkpoint) -> dict[str, str]:
    """Each file is the previous good version byte for byte, or a complete new version whose
    content is what the finished refresh publishes. Returns which one, per file."""
    assert set(story.previous_good) <= set(point.files), f"{point.label}: a published file disappeared"
    which = {}
    for name, state in point.files.items():
        before = story.previous_good.get(name)
        if before is not None and state.sha256 == before.sha256:
            which[name] = "previous"
            continue
        assert state.run_id != (before.run_id if before else None), f"{point.label}: {name} changed, same run"
        if name not in HISTORY_TABLES:
            assert state.same_content(story.final[name]), f"{point.label}: {name} is neither the old nor the new table"
        which[name] = "new"
    return which


def test_kill_while_ingesting_the_first_refresh_publishes_nothing(story):
    point = story.checkpoints["kill-ingest"]
    assert point.stage == "ingest", point
    _consistent(point)
    assert point.files == {} and not point.unreadable, "the first refresh died before publishing: nothing may be there"


def test_kill_while_dbt_builds_keeps_the_previous_version_byte_for_byte(story):
    point = story.checkpoints["kill-dbt"]
    assert point.stage == "dbt", point
    _consistent(point)
    assert {n: s.sha256 for n, s in point.files.items()} == {n: s.sha256 for n, s in story.previous_good.items()}


def test_kill_while_publishing_leaves_each_table_old_or_new_never_partial(story):
    point = story.checkpoints["kill-publish"]
    assert point.stage == "publish", point
    _consistent(point)
    which = _old_or_complete_new(story, point)
    assert "new" in which.values(), "the kill came after a publish marker: some table must be new"


def test_kill_at_a_random_moment(story):
    point = story.checkpoints["kill-random"]
    print(f"random kill after {story.random_delay} s, at stage {point.stage!r}")
    _consistent(point)
    _old_or_complete_new(story, point)


def test_after_the_kills_the_refresh_publishes_what_an_uninterrupted_one_does(story):
    assert story.codes["pair-a"] == 0 and story.codes["pair-b"] == 0, (
        story.refreshes["pair-a"].tail(),
        story.refreshes["pair-b"].tail(),
    )
    ours = {n: s for n, s in story.final.items() if n not in HISTORY_TABLES}
    theirs = {n: s for n, s in story.reference_files.items() if n not in HISTORY_TABLES}
    assert set(ours) == set(theirs)
    differing = [n for n in ours if not ours[n].same_content(theirs[n])]
    assert not differing, f"tables that differ from the uninterrupted refresh: {differing}"
    # and the comparison has teeth: the second accounts delivery changed these since the previous good version
    changed = {n for n in ours if n in story.previous_good and not ours[n].same_content(story.previous_good[n])}
    assert {"curated/project_expenses.parquet", "published/project_accounts_summary.parquet"} <= changed


def test_a_crash_temporary_is_never_read_and_is_removed_by_the_next_write(story):
    for label in ("kill-dbt", "kill-publish", "kill-random"):
        assert story.checkpoints[label].glob_error is None
    assert not (story.warehouse / "curated" / PLANTED).exists()
    assert [p for p in (story.warehouse / "curated").iterdir() if ".tmp-" in p.name] == []


def test_readers_never_see_a_partial_file(story):
    readers = story.readers
    assert not readers.errors, "\n".join(readers.errors[:20])
    assert all(count > 50 for count in readers.reads.values()), readers.reads
    replaced = [name for name, runs in readers.run_ids.items() if len(runs) >= 3]
    assert replaced, "the readers should have seen files replaced several times while reading"


def test_two_refreshes_started_at_once_take_turns(story):
    outputs = [story.refreshes[label].output for label in ("pair-a", "pair-b")]
    codes = [story.codes[label] for label in ("pair-a", "pair-b")]
    waited = [o for o in outputs if "waiting for another process" in o]
    if codes == [0, 0]:
        assert len(waited) == 1, "one of the two must have waited for the other"
        assert "refresh.lock" in waited[0]
    else:  # the other acceptable outcome: one of them refuses cleanly
        assert sorted(codes) == [0, 3], codes
        assert any("another process holds the warehouse lock" in o for o in outputs)


def test_a_refused_delivery_fails_the_run_and_changes_nothing_published(story):
    refused = story.refreshes["reference-refused"]
    assert story.codes["reference-refused"] != 0
    assert "boei/2008-06-30/tenancies.csv" in refused.output and "refresh FAILED" in refused.output
    assert {n: s.sha256 for n, s in story.after_refused.items()} == {
        n: s.sha256 for n, s in story.reference_files.items()
    }


@pytest.mark.parametrize("label", ["kill-ingest", "kill-dbt", "kill-publish", "kill-random"])
def test_the_kill_really_hit_a_running_refresh(story, label):
    refresh = story.refreshes[label]
    assert refresh.process.returncode == -9, (label, refresh.process.returncode)
    assert "refresh succeeded" not in refresh.output


def test_a_killed_refresh_does_not_block_the_next_one(story):
    assert not story.blocked, (
        f"refreshes blocked by a killed run's pool slot: {story.blocked}; "
        f"slots still held after each kill: { {k: sorted(v) for k, v in story.stale_slots.items()} }"
    )
