"""``evictions``: the project's command line.

- ``evictions setup``    build the dbt manifest and the Dagster instance folder;
- ``evictions refresh``  run the whole asset graph through Dagster (in-process);
- ``evictions sample``   write the synthetic sample landing zone (``--scale N`` for benchmarks);
- ``evictions generate`` rewrite what is derived from the contract's declaration (dbt staging,
  GX suites); ``--check`` only compares and exits 1 when a file is out of date.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time
from pathlib import Path

from orchestration.settings import DEFAULT_WAREHOUSE_DIR, REPO_ROOT, Settings, SettingsError, load_settings

DOTENV_MARKER = "# written by `evictions` so that `uv run dagster dev` uses the warehouse's Dagster instance"
# No Dagster concurrency pools: a run killed while holding a pool slot keeps it, and with no
# daemon beside the CLI every later refresh would wait forever. The warehouse's file locks
# (orchestration/lib/locking.py) serialise the database writers and die with their process.
DAGSTER_YAML = """\
# Dagster instance of the eviction-prevention warehouse (written by `evictions`).
telemetry:
  enabled: false
# Dagster's SQLite event log with reused connections and a write-ahead log
# (orchestration/dagster_storage.py): storing events was half of a refresh's time.
event_log_storage:
  module: orchestration.dagster_storage
  class: WarehouseEventLogStorage
  config:
    base_dir: {event_log_dir}
"""


def dagster_yaml_text(settings: Settings) -> str:
    """The instance's dagster.yaml: absolute paths, so it is rewritten when the warehouse moves."""
    import json

    # Dagster's own default place for the event log (history/runs), as a quoted YAML string.
    return DAGSTER_YAML.format(event_log_dir=json.dumps(str(settings.dagster_home / "history" / "runs")))


def _say(message: str) -> None:
    from orchestration.lib.console import line

    line(message)


def prepare_environment(settings: Settings) -> None:
    """Make every part of the stack (Dagster, dbt subprocesses) see the same settings."""
    os.environ["EVICTIONS_LANDING_DIR"] = str(settings.landing_dir)
    os.environ["EVICTIONS_WAREHOUSE_DIR"] = str(settings.warehouse_dir)
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    if not sys.stdout.isatty() or "NO_COLOR" in os.environ:
        os.environ.setdefault("DBT_USE_COLORS", "false")  # no terminal codes in a log file
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    dagster_yaml = settings.dagster_home / "dagster.yaml"
    text = dagster_yaml_text(settings)
    if not dagster_yaml.exists() or dagster_yaml.read_text(encoding="utf-8") != text:
        dagster_yaml.write_text(text, encoding="utf-8")
    _write_dotenv(settings)


def _write_dotenv(settings: Settings) -> None:
    """Point ``dagster dev`` (run from the repository) at the default warehouse's instance.

    Only for the default warehouse directory: a run against another directory (a test,
    a benchmark) must not redirect the UI. Dagster needs an absolute DAGSTER_HOME, so
    this file is written here rather than committed.
    """
    if settings.warehouse_dir != DEFAULT_WAREHOUSE_DIR:
        return
    dotenv = REPO_ROOT / ".env"
    if dotenv.exists() and DOTENV_MARKER not in dotenv.read_text(encoding="utf-8"):
        return  # the user's own .env: leave it alone
    dotenv.write_text(f"{DOTENV_MARKER}\nDAGSTER_HOME={settings.dagster_home}\n", encoding="utf-8")


def cmd_setup(_: argparse.Namespace) -> int:
    from orchestration.lib.dbt_manifest import build_manifest

    settings = load_settings()
    prepare_environment(settings)
    _say("building the dbt manifest (dbt parse)")
    path = build_manifest()
    _say(f"manifest: {path}")
    _say(f"Dagster instance: {settings.dagster_home}")
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    from orchestration.lib.console import VERBOSE_ENV
    from orchestration.lib.dbt_manifest import ensure_manifest
    from orchestration.lib.locking import WarehouseBusy, warehouse_lock

    started = time.monotonic()
    if getattr(args, "verbose", False):
        os.environ[VERBOSE_ENV] = "1"
    settings = load_settings()
    prepare_environment(settings)
    _say(f"landing zone: {settings.landing_dir}")
    _say(f"warehouse:    {settings.warehouse_dir}")
    _say("checking the dbt manifest")
    ensure_manifest()
    from orchestration.lib import fingerprint

    try:
        with warehouse_lock(settings.state_dir, "refresh", wait_seconds=3600, on_wait=_say):
            current = fingerprint.refresh_fingerprint(settings)
            last = None if args.force else fingerprint.unchanged_since_last_refresh(settings, current)
            if last is not None:
                _say(
                    f"nothing new since the refresh of {last['finished_at']} (run {last['run_id']}): no delivery, "
                    "code or setting has changed, so nothing is rebuilt (--force rebuilds anyway)"
                )
                return 0
            # A refresh that does not finish leaves no record: the next one rebuilds.
            fingerprint.forget_last_refresh(settings)
            success, run_id = _run_refresh_job(settings, full_rebuild=args.force)
            if success:
                fingerprint.record_successful_refresh(settings, current, run_id)
    except WarehouseBusy as busy:
        _say(str(busy))
        return 3
    elapsed = time.monotonic() - started
    if success:
        _say(f"refresh succeeded in {elapsed:.1f} s; outputs under {settings.warehouse_dir}")
        return 0
    _say(f"refresh FAILED after {elapsed:.1f} s; published tables keep their previous version")
    return 1


def _run_refresh_job(settings: Settings, full_rebuild: bool = False) -> tuple[bool, str]:
    _say("loading the Dagster definitions")
    import dagster as dg

    from orchestration.definitions import build_definitions
    from orchestration.defs.schedules.definitions import REFRESH_JOB_NAME
    from orchestration.lib import incremental

    job = build_definitions().resolve_job_def(REFRESH_JOB_NAME)
    with dg.DagsterInstance.get() as instance:
        for run_id in mark_dead_runs_failed(instance):
            _say(f"Dagster run {run_id} was left STARTED by a process that died: marked failed")
        _say(f"running job '{REFRESH_JOB_NAME}' in-process (Dagster instance {settings.dagster_home})")
        from orchestration.lib.console import verbose

        loggers = {"console": {"config": {"log_level": "INFO"}}} if verbose() else {"operator": {}}
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": loggers},
            tags={
                PID_TAG: str(os.getpid()),
                HOST_TAG: socket.gethostname(),
                # --force: dbt rebuilds every table, not only what reads a new delivery.
                **({incremental.FULL_REBUILD_TAG: "true"} if full_rebuild else {}),
            },
        )
        failures = [event for event in result.all_events if event.is_step_failure]
        for event in failures:
            _say(f"step {event.step_key} failed: {_root_cause(event)}")
        _say(f"Dagster run {result.run_id}: {'success' if result.success else 'failure'}")
        return result.success, result.run_id


PID_TAG = "evictions/pid"
HOST_TAG = "evictions/host"


def mark_dead_runs_failed(instance) -> list[str]:
    """Runs of ``evictions refresh`` still STARTED whose process is gone (killed, e.g. SIGKILL).

    A killed in-process run cannot report its own end, so the Dagster UI would show it as
    running for ever. The CLI tags each run with its process; the next refresh (which holds the
    refresh lock, so no other CLI refresh is running) marks those whose process is gone failed.
    Runs launched from the UI carry no such tag and are left to Dagster's own run monitoring.
    """
    import dagster as dg

    marked = []
    records = instance.get_run_records(
        filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING])
    )
    for record in records:
        run = record.dagster_run
        pid, host = run.tags.get(PID_TAG), run.tags.get(HOST_TAG)
        if pid is None or host != socket.gethostname():
            continue
        if not _refresh_process_alive(pid):
            instance.report_run_failed(run, "the process running it died (found by the next evictions refresh)")
            marked.append(run.run_id)
    return marked


def _refresh_process_alive(pid: str) -> bool:
    """Whether ``pid`` is still an ``evictions`` process (a reused pid runs something else)."""
    try:
        cmdline = Path(f"/proc/{int(pid)}/cmdline").read_bytes()
    except (OSError, ValueError):
        return False
    return b"evictions" in cmdline or b"orchestration" in cmdline


def _root_cause(event) -> str:
    """The innermost error message of a failed step (the part a data engineer can act on)."""
    error = event.step_failure_data.error if event.step_failure_data else None
    while error is not None and error.cause is not None:
        error = error.cause
    if error is None or not error.message:
        return "failed"
    return error.message.strip()


def cmd_sample(args: argparse.Namespace) -> int:
    # The generator is no part of the wheel (see sample/__init__.py): it runs from a checkout.
    try:
        from sample import write_sample
    except ModuleNotFoundError as error:
        if error.name != "sample":
            raise
        print(
            "evictions: the sample generator (sample/ in the repository) is not installed here; "
            "run `uv run evictions sample` from a checkout of the repository",
            file=sys.stderr,
        )
        return 2

    out = Path(args.out).resolve()
    _say(f"writing the sample landing zone (scale {args.scale}) to {out}")
    write_sample(out, scale=args.scale, progress=_say)
    _say("done")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    """The artefacts derived from ``orchestration/lib/contract.py``: dbt staging files and GX suites."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    from expectations import build_suites
    from orchestration.lib import contract, contract_dbt

    problems = contract.declaration_problems()
    if problems:
        for problem in problems:
            print(f"evictions: the contract declaration is inconsistent: {problem}", file=sys.stderr)
        return 1
    stale = [str(p.relative_to(REPO_ROOT)) for p in contract_dbt.stale_files()]
    stale += [
        str(build_suites.suite_path(source).relative_to(REPO_ROOT))
        for source in contract.SOURCES
        if not build_suites.suite_path(source).exists()
        or build_suites.suite_path(source).read_text(encoding="utf-8") != build_suites.render(source)
    ]
    if args.check:
        if stale:
            print(
                "evictions: out of date with the contract declaration: "
                + ", ".join(stale)
                + "; run: uv run evictions generate",
                file=sys.stderr,
            )
            return 1
        _say("every derived file matches the contract declaration")
        return 0
    contract_dbt.write_generated()
    build_suites.main([])
    for path in stale:
        _say(f"wrote {path}")
    _say(f"{len(stale)} file(s) rewritten from the contract declaration")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evictions", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("setup", help="build the dbt manifest and the Dagster instance folder").set_defaults(
        func=cmd_setup
    )
    refresh = commands.add_parser("refresh", help="bring the warehouse up to date through Dagster")
    refresh.add_argument("--verbose", action="store_true", help="Dagster's and dbt's full output (a line per dbt node)")
    refresh.add_argument(
        "--force",
        action="store_true",
        help="rebuild every dbt table, even when nothing changed since the last refresh",
    )
    refresh.set_defaults(func=cmd_refresh)
    sample = commands.add_parser("sample", help="write the synthetic sample landing zone")
    sample.add_argument("--out", default=str(REPO_ROOT / "sample" / "landing"), help="landing-zone folder to write")
    sample.add_argument("--scale", type=int, default=1, help="multiply households, cases, petitions and postings")
    sample.set_defaults(func=cmd_sample)
    generate = commands.add_parser("generate", help="rewrite the dbt staging files and GX suites from the contract")
    generate.add_argument("--check", action="store_true", help="only compare; exit 1 when a file is out of date")
    generate.set_defaults(func=cmd_generate)
    return parser


# polars allocates through its own jemalloc, which by default (polars sets dirty_decay_ms:500) keeps
# freed pages for half a second: within the ingest of one big file that let the freed copies of
# earlier steps pile up (peak 1.54 GB for a 2.9-million-row ledger, 1.36 GB when returned at once,
# in the same time). jemalloc reads this when polars is first loaded, so it is set before anything
# imports polars (polars adds its defaults in front; the later entries win); the GX worker
# inherits it. An operator's own setting wins.
JEMALLOC_CONF_VARIABLE = "_RJEM_MALLOC_CONF"
JEMALLOC_RETURN_MEMORY_AT_ONCE = "dirty_decay_ms:0,muzzy_decay_ms:0"


def return_freed_memory_at_once() -> None:
    if "polars" not in sys.modules:
        os.environ.setdefault(JEMALLOC_CONF_VARIABLE, JEMALLOC_RETURN_MEMORY_AT_ONCE)


def main(argv: list[str] | None = None) -> int:
    return_freed_memory_at_once()
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except SettingsError as error:
        print(f"evictions: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
