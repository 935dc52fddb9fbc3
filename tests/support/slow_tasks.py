"""Tasks for worker processes that do not finish in time (importable by a spawned process)."""

from __future__ import annotations

import time


def hang(*_: object) -> None:
    """A validation that never ends (as a GX stuck on a file would)."""
    time.sleep(3600)
