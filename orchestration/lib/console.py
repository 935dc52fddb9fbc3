"""What a refresh prints: one readable line per stage, and no terminal codes in a log file.

``evictions refresh`` prints, per stage, what it did with its counts and time; ingest one line
per file (loaded, quarantined by reason code with the first row numbers, collapsed); dbt a
summary (models built, tests passed, warned and failed, each failure named); a blocking
failure names the file or model, the rule and the count. ``--verbose`` (``EVICTIONS_VERBOSE=1``)
gives Dagster's and dbt's full output instead. Colour only on a terminal (and never with
``NO_COLOR``).
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path
from typing import TextIO

VERBOSE_ENV = "EVICTIONS_VERBOSE"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def verbose() -> bool:
    return os.environ.get(VERBOSE_ENV) == "1"


def use_color(stream: TextIO | None = None) -> bool:
    stream = stream or sys.stdout
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def line(message: str, stream: TextIO | None = None) -> None:
    """``[evictions HH:MM:SS] message``, without terminal codes unless the stream is a terminal."""
    stream = stream or sys.stdout
    text = f"[evictions {time.strftime('%H:%M:%S')}] {message}"
    stream.write((text if use_color(stream) else strip_ansi(text)) + "\n")
    stream.flush()


def dbt_summary(run_results: Path) -> tuple[str, list[str]]:
    """One line for a dbt build (from its ``run_results.json``) and one line per failure or warning."""
    document = json.loads(run_results.read_text(encoding="utf-8"))
    models = {"success": 0, "error": 0, "skipped": 0}
    tests = {"pass": 0, "warn": 0, "fail": 0, "error": 0, "skipped": 0}
    problems = []
    for result in document.get("results", []):
        kind, name = result["unique_id"].split(".")[0], result["unique_id"].split(".")[-1]
        status = result["status"]
        if kind in ("model", "seed"):
            models[status] = models.get(status, 0) + 1
            if status == "error":
                problems.append(f"dbt {kind} {name} FAILED: {strip_ansi(result.get('message') or '')[:300]}")
        elif kind == "test":
            tests[status] = tests.get(status, 0) + 1
            if status in ("fail", "warn", "error"):
                failures = result.get("failures")
                rows = f"{failures} failing row(s)" if failures is not None else strip_ansi(result.get("message") or "")
                problems.append(f"dbt test {name} {status.upper()}: {rows}")
    elapsed = document.get("elapsed_time") or 0
    summary = (
        f"dbt: {models['success']} models and seeds built"
        + (f", {models['error']} failed" if models["error"] else "")
        + (f", {models['skipped']} skipped" if models["skipped"] else "")
        + f"; {sum(tests.values())} tests: {tests['pass']} passed, {tests['warn']} warned, "
        f"{tests['fail'] + tests['error']} failed ({elapsed:.1f} s)"
    )
    return summary, problems
