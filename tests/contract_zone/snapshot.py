"""What "nothing changed" means for a warehouse after a refused delivery, precisely.

Every file under the warehouse keeps its bytes, no file appears or disappears, with one
exception: the ingest log of the refused source (``state/ingest_log/<source>.json``) records
the refusal. Its ``deliveries`` (what is loaded: the source of truth for skipping and refusing)
stay equal; its ``audit`` list keeps every earlier record unchanged and in order and gains only
the refusal's own records (status ``refused``, that source and delivery, the refusal's
reason, no row counted as loaded), at most once however often the refusal is seen.
"""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path

# Bookkeeping of refresh runs, not warehouse state: Dagster's run storage, and the fingerprint
# of the last successful refresh, which a refresh that does not finish removes on purpose (so
# that the next one rebuilds; ``orchestration/lib/fingerprint.py``).
# The warehouse's file locks (``state/*.lock``) hold their last holder's pid and time.
RUN_BOOKKEEPING = ("dagster_home", "state/last_refresh.json", "state/*.lock")


def snapshot(warehouse: Path, skip: tuple[str, ...] = ()) -> dict[str, bytes]:
    """Every file's bytes by path; ``skip``: folders or files (relative paths) left out."""
    found = {}
    for path in sorted(warehouse.rglob("*")):
        relative = path.relative_to(warehouse).as_posix()
        if path.is_file() and not any(
            relative == s or relative.startswith(s + "/") or fnmatch.fnmatch(relative, s) for s in skip
        ):
            found[relative] = path.read_bytes()
    return found


def ingest_log_name(source: str) -> str:
    return f"state/ingest_log/{source}.json"


def assert_unchanged_but_the_refusal(before: dict[str, bytes], after: dict[str, bytes], refusals: list) -> list[dict]:
    """``refusals``: the DeliveryRefused of this run. Returns the refusal records added to the logs."""
    logs = {ingest_log_name(r.source) for r in refusals}
    assert sorted(after) == sorted(set(before) | (logs & set(after))), (
        f"files appeared or disappeared: added {sorted(set(after) - set(before))}, "
        f"removed {sorted(set(before) - set(after))}"
    )
    changed = [name for name in before if name not in logs and after[name] != before[name]]
    assert not changed, f"a refused delivery changed {changed}"
    added = []
    for name in logs:
        old = json.loads(before[name]) if name in before else {"deliveries": {}, "audit": []}
        new = json.loads(after[name])
        assert new["deliveries"] == old["deliveries"], f"{name}: the loaded deliveries changed"
        assert new["audit"][: len(old["audit"])] == old["audit"], f"{name}: an earlier audit record changed"
        fresh = new["audit"][len(old["audit"]) :]
        assert fresh, f"{name}: the refusal is not recorded"
        for record in fresh:
            refusal = next(
                (r for r in refusals if (r.source, r.delivery_date) == (record["source"], record["delivery_date"])),
                None,
            )
            assert refusal is not None, f"{name}: an audit record not of the refusal: {record}"
            assert record["status"] == "refused"
            assert record["rows_loaded"] == record["rows_quarantined"] == 0
            assert refusal.reason in record["reason"] and (refusal.file is None or refusal.file in record["reason"])
        added += fresh
    return added
