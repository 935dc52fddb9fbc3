"""Inter-process locks on the warehouse: one refresh, and one writer of each store, at a time.

``fcntl.flock`` locks are released by the kernel when the process dies, so a killed
refresh never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from orchestration.lib.paths import lock_file

# Held while a process has the warehouse database open (dbt writing it, publishing reading it).
DATABASE_LOCK = "database"
# Held while GX's Data Docs site is rebuilt (two refreshes must not swap the folder at once).
DATA_DOCS_LOCK = "data_docs"


class WarehouseBusy(RuntimeError):
    pass


@contextmanager
def warehouse_lock(
    state_dir: Path,
    name: str,
    wait_seconds: float = 0,
    on_wait: Callable[[str], None] | None = None,
    poll_seconds: float = 1.0,
) -> Iterator[None]:
    state_dir.mkdir(parents=True, exist_ok=True)
    path = lock_file(state_dir, name)
    handle = path.open("a+")
    deadline = time.monotonic() + wait_seconds
    told = False
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(
                        f"another process holds the warehouse lock {path} ({_holder(path)}); try again when it has finished"
                    ) from None
                if on_wait and not told:
                    on_wait(f"waiting for another process holding {path} ({_holder(path)}) to finish")
                    told = True
                time.sleep(poll_seconds)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        handle.flush()
        yield
    finally:
        handle.close()


def _holder(path: Path) -> str:
    try:
        return path.read_text().strip() or "unknown holder"
    except OSError:
        return "unknown holder"
