"""Benchmark of `evictions refresh` at national scale, against a hand-written DuckDB baseline.

    uv run python benchmarks/run_benchmark.py [--sizes 1M,10M,25M] [--no-25m] [--out benchmarks/output] [--keep]

For each size (rent-ledger postings) it generates a landing zone with the project's own
generator (cached under <out>/landing/scale-<N> and reused), then measures, each in a fresh
process and a fresh warehouse directory:

* a full cold `evictions refresh`: wall time, peak RSS of the whole process tree (dbt runs in
  a subprocess) and the wall time per stage, read from the run's Dagster instance;
* the baseline: benchmarks/baseline.sql driven by the `baseline` subcommand of this script
  (decode, parse, arrears per tenancy, petitions and evictions by year), checked against the
  warehouse's published/petitions_evictions_by_year and curated/households;

and, on the 10 M warehouse (not the largest), one new monthly delivery and a second refresh,
then a third refresh with nothing new (which must skip); and a cold refresh of the bundled
sample. Results are printed as a table, with issue #15's targets, and written to
<out>/results-<timestamp>.json. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import calendar
import concurrent.futures
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import string
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

# The project's own code (importable through the editable install `uv run` provides): the
# list of sources and delivery discovery are the warehouse's, not written again here.
from orchestration.lib.contract import SOURCES
from orchestration.lib.delivery import (
    MANIFEST_NAME,
    read_manifest,
    ready_delivery_folders,
)
from orchestration.lib.paths import WarehousePaths, table_file

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = Path(__file__).resolve().parent
BASELINE_SQL = BENCH_DIR / "baseline.sql"
BIN_DIR = Path(sys.executable).parent  # the project's virtual environment (uv run)
EVICTIONS = BIN_DIR / "evictions"

GB = 1024**3

# The targets of issue #15, as ratios measured in one run on one machine.
TARGET_MONTHLY_SHARE = 0.15  # a monthly delivery on the 10 M history, of the full 10 M refresh
TARGET_NOTHING_NEW_SHARE = 0.05  # a refresh with nothing new, of the full 10 M refresh
TARGET_NOTHING_NEW_OF_SAMPLE = 1 / 3  # ... and of a cold sample refresh
TARGET_SLOPE_RATIO = 2.0  # marginal wall time per posting 1 M -> 10 M, refresh over baseline
TARGET_SAMPLE_REFRESH_S = 20.0
TARGET_PEAK_RSS_BYTES = 2 * GB  # at every size up to 25 M

# The sizes the targets name: the slope is taken between SLOPE_FROM and HISTORY, the monthly
# delivery and the nothing-new refresh run on the HISTORY warehouse, and RSS is bounded up to LARGEST.
SLOPE_FROM = 1_000_000
HISTORY = 10_000_000
LARGEST = 25_000_000
DEFAULT_SIZES = "1M,10M,25M"

# What `evictions refresh` prints when nothing it depends on changed since the last refresh
# (orchestration/cli.py, orchestration/lib/fingerprint.py): it then starts no Dagster run.
NOTHING_NEW_MESSAGE = "nothing new since the refresh of"

T0 = time.monotonic()


def say(message: str) -> None:
    elapsed = time.monotonic() - T0
    print(f"[bench +{int(elapsed // 60):02d}:{elapsed % 60:04.1f}] {message}", flush=True)


def human_bytes(n: float | None) -> str:
    if n is None:
        return "-"
    return f"{n / GB:.2f} GB" if n >= 0.95 * GB else f"{n / 1024**2:.0f} MB"


def fmt_s(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"


# ======================================================================================
# Measuring a process tree: wall time, peak RSS (sum over the tree, polled with psutil)
# ======================================================================================


def tree_rss(root: int) -> tuple[int, int, int]:
    """(sum of RSS, largest single RSS, process count) over the root, its descendants and its
    process group (a child orphaned by its parent leaves the tree but keeps the group)."""
    members: dict[int, psutil.Process] = {}
    try:
        top = psutil.Process(root)
        members[root] = top
        members.update((child.pid, child) for child in top.children(recursive=True))
    except psutil.NoSuchProcess:
        pass
    for process in psutil.process_iter():
        if process.pid in members:
            continue
        try:
            if os.getpgid(process.pid) == root:
                members[process.pid] = process
        except (ProcessLookupError, PermissionError):
            continue
    rss = []
    for process in members.values():
        try:
            rss.append(process.memory_info().rss)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue  # ended (or unreadable) between listing and reading: it holds nothing now
    return sum(rss), max(rss, default=0), len(rss)


@dataclass
class Measured:
    command: list[str]
    exit_code: int | None = None
    wall_s: float = 0.0
    peak_rss_tree: int = 0  # bytes: max over time of the sum of RSS over the process tree
    peak_rss_single_polled: int = 0  # bytes: max over time of the largest process's RSS
    max_rss_single_rusage: int = 0  # bytes: ru_maxrss from wait4 (largest process, exact)
    # bytes: this benchmark's own RSS when it started the command. Linux keeps a process's
    # high-water RSS across fork and exec, so ru_maxrss is at least this, whatever the command
    # used: a figure no larger says nothing about the command (rss_peak).
    benchmark_rss_at_start: int = 0
    cpu_s: float = 0.0  # user + system CPU seconds of the process and every descendant it reaped
    peak_processes: int = 0
    started_epoch: float = 0.0
    ended_epoch: float = 0.0
    stopped: str | None = None  # why the benchmark stopped the process, if it did
    log: str = ""


def run_measured(
    command: list[str],
    env: dict[str, str],
    log_path: Path,
    label: str,
    timeout_s: float | None = None,
    max_rss: int | None = None,
    heartbeat_s: float = 30.0,
) -> Measured:
    """Run a command in its own session; poll its tree's RSS every 100 ms; log to a file."""
    m = Measured(command=command, log=str(log_path))
    m.benchmark_rss_at_start = psutil.Process().memory_info().rss
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        m.started_epoch = time.time()
        started = time.monotonic()
        proc = subprocess.Popen(
            command,
            env=env,
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        done = threading.Event()

        def poll() -> None:
            next_beat = started + heartbeat_s
            while not done.is_set():
                total, single, count = tree_rss(proc.pid)
                m.peak_rss_tree = max(m.peak_rss_tree, total)
                m.peak_rss_single_polled = max(m.peak_rss_single_polled, single)
                m.peak_processes = max(m.peak_processes, count)
                now = time.monotonic()
                if timeout_s is not None and now - started > timeout_s and m.stopped is None:
                    m.stopped = f"timeout: still running after {timeout_s:.0f} s"
                    _kill_group(proc.pid)
                if max_rss is not None and total > max_rss and m.stopped is None:
                    m.stopped = f"memory: process tree RSS {human_bytes(total)} above the limit {human_bytes(max_rss)}"
                    _kill_group(proc.pid)
                if now >= next_beat:
                    next_beat += heartbeat_s
                    say(
                        f"  {label}: {now - started:.0f} s, tree RSS {human_bytes(total)} "
                        f"(peak {human_bytes(m.peak_rss_tree)}), {count} processes; {_last_activity(log_path)}"
                    )
                done.wait(0.1)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except KeyboardInterrupt:
            _kill_group(proc.pid)
            raise
        m.wall_s = time.monotonic() - started
        m.ended_epoch = time.time()
        done.set()
        poller.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        m.exit_code = proc.returncode
        m.max_rss_single_rusage = usage.ru_maxrss * 1024
        m.cpu_s = usage.ru_utime + usage.ru_stime
        # Whatever the command left behind in its group (it should be nothing).
        _kill_group(proc.pid, quiet=True)
    return m


def _kill_group(pgid: int, quiet: bool = False) -> None:
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    if not quiet:
        say(f"  stopping process group {pgid}")
    time.sleep(3)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


_STEP_EVENT = re.compile(r" - (\S+) - (STEP_START|STEP_SUCCESS|STEP_FAILURE)\b")


def _last_activity(log_path: Path) -> str:
    """The Dagster step running now (from the refresh's console log), else the last line."""
    try:
        with log_path.open("rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 65536))
            tail = f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return ""
    for line in reversed(tail):
        hit = _STEP_EVENT.search(line)
        if hit:
            return f"step {hit.group(1)} ({hit.group(2).lower().replace('step_', '')})"
    last = next((line.strip() for line in reversed(tail) if line.strip()), "")
    return last[-120:]


# ======================================================================================
# Landing zones
# ======================================================================================


def ledger_rows(landing: Path) -> int:
    """Rent-ledger data rows over all boei deliveries, as the manifests count them."""
    return sum(
        entry.rows
        for folder in ready_delivery_folders(landing, "boei")
        for entry in read_manifest("boei", folder).files
        if entry.name == "rent_ledger.csv"
    )


def landing_complete(landing: Path) -> bool:
    """Every delivery the generator writes is ready (it writes each manifest last, boei's last of all)."""
    from sample.shared import DELIVERY_DATES

    dates = [str(d) for d in DELIVERY_DATES]
    for source in ("boei", "kemner", "namsfogd", "prosjekt"):
        if [p.name for p in ready_delivery_folders(landing, source)][: len(dates)] != dates:
            return False
    return bool(ready_delivery_folders(landing, "regnskap"))


def ensure_landing(cache_dir: Path, scale: int) -> tuple[Path, float | None]:
    """The generator's landing zone at this scale: reused when complete, else written (timed)."""
    landing = cache_dir / f"scale-{scale}"
    if landing_complete(landing):
        say(f"scale {scale}: reusing the landing zone {landing}")
        return landing, None
    say(f"scale {scale}: generating the landing zone {landing} (sample.write_sample)")
    from sample import write_sample

    if landing.exists():
        shutil.rmtree(landing)
    started = time.monotonic()
    last = [started]

    def progress(message: str) -> None:
        if time.monotonic() - last[0] > 20 or "written" in message:
            last[0] = time.monotonic()
            say(f"  generator: {message}")

    write_sample(landing, scale=scale, progress=progress)
    took = time.monotonic() - started
    say(f"scale {scale}: generated in {took:.1f} s")
    return landing, took


def link_landing(source_landing: Path, target: Path) -> Path:
    """A private copy of a landing zone made of hard links (no bytes copied; files stay regular
    files), so a benchmark can add a delivery without touching the cached landing zone."""
    if target.exists():
        shutil.rmtree(target)
    for source in SOURCES:
        for folder in ready_delivery_folders(source_landing, source):
            into = target / source / folder.name
            into.mkdir(parents=True)
            for file in folder.iterdir():
                try:
                    os.link(file, into / file.name)
                except OSError:
                    shutil.copy2(file, into / file.name)
    return target


# ======================================================================================
# One new monthly delivery in the contract's format (for the incremental refresh)
# ======================================================================================


def write_monthly_delivery(landing: Path) -> dict:
    """Add boei/<last day of the month after the latest delivery>/ with rent_ledger.csv,
    tenancies.csv and _manifest.json: Windows-1252, ';', decimal comma, dd.mm.yyyy, CRLF,
    SHA-256 and data-row counts in the manifest (docs/contracts/sources.md). Amounts are read with
    the warehouse's parser (``orchestration.lib.parsing.amount``) and written with the sample
    generator's formatting (``sample.files.amount_comma``, in its mix of styles).

    The postings: for every tenancy the ledger charged rent in the latest month, the month's
    rent (HUSLEIE, on the 1st); a payment of it (INNBETALING, 5th-20th) for about 85 %, a credit
    note (KREDIT) for about 2 %. The tenancies snapshot is the latest one (nothing changed).
    """
    import numpy as np
    import polars as pl

    from orchestration.lib.parsing import amount
    from sample.files import amount_comma
    from sample.shared import AMOUNT_STYLE_SHARES

    latest = ready_delivery_folders(landing, "boei")[-1]
    last_date = dt.date.fromisoformat(latest.name)
    year, month = (last_date.year + 1, 1) if last_date.month == 12 else (last_date.year, last_date.month + 1)
    new_date = dt.date(year, month, calendar.monthrange(year, month)[1])
    folder = landing / "boei" / new_date.isoformat()
    folder.mkdir(parents=True, exist_ok=False)

    # Who paid rent in the latest month, and how much. polars reads only UTF-8: decoded lossily,
    # the one non-ASCII character an amount holds (Windows-1252's no-break space, 0xA0) comes back
    # as U+FFFD, and is put back before the warehouse's parser reads the amount.
    month_suffix = f".{last_date.month:02d}.{last_date.year}"
    ledger = pl.scan_csv(
        latest / "rent_ledger.csv",
        separator=";",
        infer_schema=False,
        encoding="utf8-lossy",
    )
    bilag_max = ledger.select(pl.col("bilag_id").str.slice(1).cast(pl.Int64).max()).collect().item()
    width = ledger.select(pl.col("bilag_id").str.len_chars().max()).collect().item() - 1
    rents = (
        ledger.filter((pl.col("posttype") == "HUSLEIE") & pl.col("bokfort_dato").str.ends_with(month_suffix))
        .select(
            pl.col("leieforhold_id").cast(pl.Int64),
            (amount(pl.col("belop").str.replace_all("\ufffd", "\u00a0", literal=True), "decimal_comma") * 100)
            .cast(pl.Int64)
            .alias("ore"),
        )
        .unique("leieforhold_id", keep="first")
        .sort("leieforhold_id")
        .collect()
    )
    rng = np.random.default_rng(20080131)
    tenancy = rents["leieforhold_id"].to_numpy()
    rent = rents["ore"].to_numpy()
    n = len(tenancy)
    pays = rng.random(n) < 0.85
    credit = rng.random(n) < 0.02
    pay_day = rng.integers(5, 21, n)
    rows: list[tuple[int, int, str, int]] = []  # (day, tenancy, type, øre)
    rows += [(1, int(t), "HUSLEIE", int(r)) for t, r in zip(tenancy, rent)]
    rows += [(int(d), int(t), "INNBETALING", -int(r)) for t, r, d in zip(tenancy[pays], rent[pays], pay_day[pays])]
    rows += [
        (10, int(t), "KREDIT", -max(100, int(r) // 10 // 100 * 100)) for t, r in zip(tenancy[credit], rent[credit])
    ]
    rows.sort()
    day, tenancies, kinds, ore = zip(*rows) if rows else ((), (), (), ())
    postings = pl.DataFrame(
        {
            "bilag_id": [f"B{bilag_max + k:0{width}d}" for k in range(1, len(rows) + 1)],
            "leieforhold_id": list(tenancies),
            "bokfort_dato": [f"{d:02d}.{month:02d}.{year}" for d in day],
            "posttype": list(kinds),
            "ore": pl.Series(ore, dtype=pl.Int64),
            "style": rng.choice(len(AMOUNT_STYLE_SHARES), size=len(rows), p=AMOUNT_STYLE_SHARES),
        }
    ).select(
        "bilag_id", "leieforhold_id", "bokfort_dato", "posttype",
        amount_comma(pl.col("ore"), pl.col("style")).alias("belop"),
    )  # fmt: skip
    ledger_text = postings.write_csv(separator=";", line_terminator="\r\n", quote_style="necessary")
    ledger_bytes = ledger_text.encode("cp1252")
    tenancies_bytes = (latest / "tenancies.csv").read_bytes()
    tenancy_rows = tenancies_bytes.count(b"\n") - 1
    files = []
    for name, data, count in (
        ("tenancies.csv", tenancies_bytes, tenancy_rows),
        ("rent_ledger.csv", ledger_bytes, len(rows)),
    ):
        (folder / name).write_bytes(data)
        files.append({"name": name, "rows": count, "sha256": hashlib.sha256(data).hexdigest()})
    manifest = {"source": "boei", "delivery_date": new_date.isoformat(), "files": files}
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return {
        "delivery": f"boei/{new_date}",
        "postings": len(rows),
        "tenancies": tenancy_rows,
        "ledger_bytes": len(ledger_bytes),
        "tenancies_charged": n,
    }


# ======================================================================================
# Reading the finished run from the Dagster instance the refresh used
# ======================================================================================


def stage_of(step_key: str) -> str:
    if "release" in step_key:
        return "release"
    if step_key in {f"ingest_{s}" for s in SOURCES}:
        return "ingest"
    # GX validates in a worker process beside ingest and dbt: these steps are what is left to wait for.
    if step_key in {"great_expectations_validation", "great_expectations_suites"}:
        return "validation"
    if step_key == "warehouse_dbt":
        return "dbt"
    if step_key.startswith(("publish_", "quality__", "restricted__")):
        return "publish"
    return "other checks"


STAGES = ("ingest", "validation", "dbt", "publish", "release", "other checks")


def run_stats(dagster_home: Path, measured: Measured) -> dict:
    """Step timings of the newest run of the instance, grouped into stages."""
    if not (dagster_home / "dagster.yaml").exists():
        return {"error": "no Dagster instance (the refresh stopped before Dagster started)"}
    try:
        from dagster import DagsterInstance

        with DagsterInstance.from_config(str(dagster_home)) as instance:
            records = instance.get_run_records(limit=1)
            if not records:
                return {"error": "no run in the Dagster instance"}
            record = records[0]
            steps = {}
            for s in instance.get_run_step_stats(record.dagster_run.run_id):
                took = (s.end_time - s.start_time) if (s.start_time and s.end_time) else None
                steps[s.step_key] = {
                    "seconds": took,
                    "status": str(s.status.value if s.status else None),
                }
    except Exception as error:
        return {"error": f"{type(error).__name__}: {error}"}
    stages = {name: 0.0 for name in STAGES}
    for key, step in steps.items():
        stages[stage_of(key)] += step["seconds"] or 0.0
    in_steps = sum(stages.values())
    start, end = record.start_time, record.end_time
    return {
        "run_id": record.dagster_run.run_id,
        "run_status": str(record.dagster_run.status.value),
        "steps": steps,
        "stages": stages,
        "sum_of_steps_s": in_steps,
        # Dagster and process start-up and everything between steps: total - sum of steps.
        "startup_and_overhead_s": measured.wall_s - in_steps,
        "before_run_start_s": (start - measured.started_epoch) if start else None,
        "run_overhead_between_steps_s": ((end - start) - in_steps) if (start and end) else None,
        "after_run_end_s": (measured.ended_epoch - end) if end else None,
    }


# ======================================================================================
# The baseline (benchmarks/baseline.sql + this driver), run in its own process
# ======================================================================================


def _sql_str(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _transcode_iconv(files: list[Path], scratch: Path) -> list[Path]:
    """cp1252 -> UTF-8 with iconv, one process per file, as many at once as there are cores."""
    iconv = shutil.which("iconv")
    if iconv is None:
        return _transcode_python(files, scratch)
    targets = [scratch / f"{i}-{p.name}" for i, p in enumerate(files)]

    def one(pair: tuple[Path, Path]) -> None:
        src, dst = pair
        with dst.open("wb") as out:
            subprocess.run([iconv, "-f", "CP1252", "-t", "UTF-8", str(src)], stdout=out, check=True)

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(one, zip(files, targets)))
    return targets


def _transcode_python(files: list[Path], scratch: Path) -> list[Path]:
    import codecs

    targets = []
    for i, src in enumerate(files):
        dst = scratch / f"{i}-{src.name}"
        decoder = codecs.getincrementaldecoder("cp1252")(errors="strict")
        with src.open("rb") as f, dst.open("w", encoding="utf-8", newline="") as out:
            while chunk := f.read(16 << 20):
                out.write(decoder.decode(chunk))
            out.write(decoder.decode(b"", final=True))
        targets.append(dst)
    return targets


def baseline_main(landing: Path, out_dir: Path, decode: str, result_path: Path) -> int:
    """The baseline's driver (`run_benchmark.py baseline ...`): time each part, write a JSON report."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    import duckdb
    import polars as pl

    timings["imports"] = time.perf_counter() - started
    out_dir.mkdir(parents=True, exist_ok=True)
    scratch = out_dir / "scratch"
    scratch.mkdir(exist_ok=True)

    t = time.perf_counter()
    boei = ready_delivery_folders(landing, "boei")
    ledger_files = [d / "rent_ledger.csv" for d in boei if (d / "rent_ledger.csv").exists()]
    with_tenancies = [d for d in boei if (d / "tenancies.csv").exists()]
    tenancies_file = with_tenancies[-1] / "tenancies.csv"
    snapshot_date = with_tenancies[-1].name
    petitions_file = [d for d in ready_delivery_folders(landing, "kemner")][-1] / "petitions.csv"
    cases_file = [d for d in ready_delivery_folders(landing, "namsfogd")][-1] / "cases.xlsx"
    timings["find_deliveries"] = time.perf_counter() - t

    con = duckdb.connect()
    t = time.perf_counter()
    sheet = pl.read_excel(
        cases_file,
        sheet_name="Saker",
        engine="calamine",
        columns=["Mottatt", "Utfall", "Utfall_dato"],
        read_options={"dtypes": "string"},
    ).to_arrow()
    con.register("bailiff_sheet", sheet)
    timings["read_xlsx"] = time.perf_counter() - t

    sql_template = string.Template(BASELINE_SQL.read_text(encoding="utf-8"))
    arrears_out, counts_out = out_dir / "arrears.parquet", out_dir / "counts.parquet"

    def statements(encoding: str, ledgers: list[Path], tenancies: Path) -> list[str]:
        sql = sql_template.substitute(
            ledger_files="[" + ", ".join(_sql_str(p) for p in ledgers) + "]",
            ledger_encoding=_sql_str(encoding),
            tenancies_file=_sql_str(tenancies),
            tenancies_encoding=_sql_str(encoding),
            snapshot_date=_sql_str(snapshot_date),
            petitions_file=_sql_str(petitions_file),
            arrears_out=_sql_str(arrears_out),
            counts_out=_sql_str(counts_out),
        )
        # Statements end with ';' at the end of a line; comments are dropped first.
        body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
        return [s.strip() for s in re.split(r";\s*$", body, flags=re.MULTILINE) if s.strip()]

    decode_used = decode
    ledgers, tenancies, encoding = ledger_files, tenancies_file, "utf-8"
    transcode = {"iconv": _transcode_iconv, "python": _transcode_python}.get(decode)
    if transcode is not None:
        t = time.perf_counter()
        ledgers, (tenancies,) = transcode(ledger_files, scratch), transcode([tenancies_file], scratch)
        timings["transcode"] = time.perf_counter() - t
    else:  # latin1: exact for Windows-1252 unless a byte 0x80-0x9F occurs, which DuckDB refuses
        encoding = "latin-1"

    names = ["ledger_to_postings", "arrears", "counts", "write_arrears", "write_counts"]
    try:
        parts = statements(encoding, ledgers, tenancies)
        for name, statement in zip(names, parts, strict=True):
            t = time.perf_counter()
            con.execute(statement)
            timings[name] = time.perf_counter() - t
    except duckdb.InvalidInputException as error:
        if encoding != "latin-1" or "latin-1" not in str(error):
            raise
        # A byte 0x80-0x9F (e.g. '–', '€'): Windows-1252 proper is needed. Transcode and redo.
        decode_used = "latin1->iconv"
        t = time.perf_counter()
        ledgers, (tenancies,) = (
            _transcode_iconv(ledger_files, scratch),
            _transcode_iconv([tenancies_file], scratch),
        )
        timings["transcode"] = time.perf_counter() - t
        con.execute("drop table if exists postings; drop table if exists arrears; drop table if exists counts")
        for name, statement in zip(names, statements("utf-8", ledgers, tenancies), strict=True):
            t = time.perf_counter()
            con.execute(statement)
            timings[name] = time.perf_counter() - t
    unique_postings = con.execute("select count(*) from postings").fetchone()[0]
    counts = con.execute("select source, year, petitions, evictions from counts").fetchall()
    total = time.perf_counter() - started
    shutil.rmtree(scratch, ignore_errors=True)
    result_path.write_text(
        json.dumps(
            {
                "decode": decode_used,
                "timings_s": timings,
                "in_process_total_s": total,
                "ledger_files": len(ledger_files),
                "postings_unique": unique_postings,
                "snapshot_date": snapshot_date,
                "counts": [list(r) for r in counts],
                "arrears_parquet": str(arrears_out),
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    return 0


def verify_against_warehouse(baseline_dir: Path, warehouse: Path, baseline: dict) -> dict:
    """The baseline's counts and arrears against the warehouse's published and curated tables."""
    import polars as pl

    report: dict = {}
    where = WarehousePaths(warehouse)
    published = table_file(where.published_dir, "petitions_evictions_by_year")
    households = table_file(where.curated_dir, "households")
    if not published.exists() or not households.exists():
        return {
            "status": "NOT CHECKED",
            "reason": "the refresh did not publish its tables",
        }
    pub = pl.read_parquet(published)
    ours = {(s, int(y)): (int(p), int(e)) for s, y, p, e in baseline["counts"]}
    theirs = {}
    suppressed = 0
    for row in pub.iter_rows(named=True):
        if row.get("suppressed"):
            suppressed += 1
        p, e = row["petitions"], row["evictions"]
        if (p or 0) == 0 and (e or 0) == 0:
            continue  # a year of the warehouse's spine without any event
        theirs[(row["source"], int(row["year"]))] = (p, e)
    count_rows = []
    for key in sorted(set(ours) | set(theirs)):
        a, b = ours.get(key), theirs.get(key)
        count_rows.append(
            {
                "source": key[0],
                "year": key[1],
                "baseline": a,
                "warehouse": b,
                "ok": a == b,
            }
        )
    report["counts_ok"] = all(r["ok"] for r in count_rows)
    report["counts"] = count_rows
    report["published_rows_suppressed"] = suppressed

    ours_arrears = pl.read_parquet(baseline_dir / "arrears.parquet").select(
        "tenancy_id", pl.col("arrears_nok").cast(pl.Decimal(14, 2)).alias("baseline")
    )
    theirs_arrears = pl.read_parquet(households).select(
        pl.col("tenancy_id").cast(pl.Int64),
        pl.col("arrears_nok").cast(pl.Decimal(14, 2)).alias("warehouse"),
        "snapshot_date",
    )
    joined = ours_arrears.join(theirs_arrears, on="tenancy_id", how="full", coalesce=True)
    mismatched = joined.filter(
        pl.col("baseline").is_null() | pl.col("warehouse").is_null() | (pl.col("baseline") != pl.col("warehouse"))
    )
    # A few tenancies to show: the largest arrears, some ordinary non-zero ones, and zeros.
    nonzero = joined.filter(pl.col("warehouse") != 0).sort("tenancy_id")
    shown = pl.concat(
        [
            joined.sort("warehouse", descending=True, nulls_last=True).head(2),
            nonzero.gather_every(max(1, nonzero.height // 3)).head(3) if nonzero.height else nonzero,
            joined.filter(pl.col("warehouse") == 0).head(1),
        ]
    ).unique("tenancy_id", maintain_order=True)
    report["arrears_tenancies_compared"] = joined.height
    report["arrears_mismatches"] = mismatched.height
    report["arrears_nonzero"] = nonzero.height
    report["arrears_ok"] = mismatched.height == 0
    report["arrears_examples"] = [
        {
            "tenancy_id": r["tenancy_id"],
            "baseline": str(r["baseline"]),
            "warehouse": str(r["warehouse"]),
        }
        for r in shown.iter_rows(named=True)
    ]
    report["arrears_mismatch_examples"] = [
        {
            "tenancy_id": r["tenancy_id"],
            "baseline": str(r["baseline"]),
            "warehouse": str(r["warehouse"]),
        }
        for r in mismatched.head(5).iter_rows(named=True)
    ]
    report["status"] = "OK" if report["counts_ok"] and report["arrears_ok"] else "MISMATCH"
    return report


# ======================================================================================
# The benchmark
# ======================================================================================


def parse_size(text: str) -> int:
    text = text.strip().upper().replace("_", "")
    factor = {"K": 1_000, "M": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in "KM" else text
    return int(float(number) * factor)


def size_label(n: int) -> str:
    return f"{n / 1e6:g}M" if n >= 1_000_000 else f"{n / 1e3:g}k"


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EVICTIONS_", "DAGSTER_"))}
    env.update(
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DAGSTER_DISABLE_TELEMETRY="1",
        GX_ANALYTICS_ENABLED="False",
        PYTHONUNBUFFERED="1",
    )
    return env


def refresh_env(landing: Path | None, warehouse: Path) -> dict[str, str]:
    env = base_env()
    env["EVICTIONS_WAREHOUSE_DIR"] = str(warehouse)
    if landing is not None:
        env["EVICTIONS_LANDING_DIR"] = str(landing)
        env["EVICTIONS_PSEUDONYM_KEY"] = "benchmark"
    return env


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def dbt_build_timings(warehouse: Path, started_epoch: float, top: int = 12) -> dict:
    """dbt's own figures for the build this refresh ran, from its ``run_results.json``.

    ``elapsed_s`` is dbt's build from its first node to its last; the dbt step's time beyond
    it is dbt's process start, imports, parse and the events Dagster makes of its results.
    Empty when the newest results are older than the refresh (it ran no dbt).
    """
    path = WarehousePaths(warehouse).dbt_run_results
    if not path.exists() or path.stat().st_mtime < started_epoch:
        return {"nodes": 0, "elapsed_s": None, "seconds_by_kind": {}, "slowest": []}
    results = json.loads(path.read_text(encoding="utf-8"))
    nodes = [(r["unique_id"], float(r.get("execution_time") or 0.0)) for r in results.get("results", [])]
    kinds: dict[str, float] = {}
    for unique_id, seconds in nodes:
        kind = unique_id.split(".", 1)[0]
        kinds[kind] = kinds.get(kind, 0.0) + seconds
    return {
        "nodes": len(nodes),
        "elapsed_s": results.get("elapsed_time"),
        "seconds_by_kind": {k: round(v, 2) for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])},
        "slowest": [{"node": n, "seconds": round(t, 3)} for n, t in sorted(nodes, key=lambda x: -x[1])[:top]],
    }


# The parts of a refresh (time_shares) that do not depend on how much data it reads or writes.
FIXED_PARTS = ("start-up and Dagster", "dbt outside its build")


def time_shares(refresh: dict) -> dict[str, float] | None:
    """A refresh's wall time in the parts #15 asks about, in seconds; None without a Dagster run.

    - ``start-up and Dagster``: before the run starts, between its steps and after it ends;
    - ``dbt outside its build``: the dbt step beyond dbt's own elapsed build time;
    - ``dbt's build``, ``ingest``, and ``publication`` (Great Expectations' wait, publication,
      the release, the checks): the work that reads or writes the data.
    """
    dagster, dbt = refresh.get("dagster", {}), refresh.get("dbt_nodes", {})
    stages = dagster.get("stages")
    if not stages or dagster.get("before_run_start_s") is None or dbt.get("elapsed_s") is None:
        return None
    build = min(dbt["elapsed_s"], stages["dbt"])
    return {
        "start-up and Dagster": dagster["before_run_start_s"]
        + (dagster.get("run_overhead_between_steps_s") or 0.0)
        + (dagster.get("after_run_end_s") or 0.0),
        "dbt outside its build": stages["dbt"] - build,
        "dbt's build": build,
        "ingest": stages["ingest"],
        "publication": sum(v for k, v in stages.items() if k not in ("dbt", "ingest")),
    }


def measure_refresh(
    label: str,
    landing: Path | None,
    warehouse: Path,
    logs: Path,
    args,
    previous_run_id: str | None = None,
) -> dict:
    """One `evictions refresh`, measured. ``previous_run_id``: the Dagster run of the refresh before
    on this warehouse; when the newest run is still that one, this refresh started none."""
    say(f"{label}: evictions refresh (fresh process, warehouse {warehouse})")
    load_before = load_average()
    manifest = REPO_ROOT / "dbt_project" / "target" / "manifest.json"
    manifest_mtime = manifest.stat().st_mtime if manifest.exists() else None
    m = run_measured(
        [str(EVICTIONS), "refresh"],
        refresh_env(landing, warehouse),
        logs / f"{label}-refresh.log",
        label=f"{label} refresh",
        timeout_s=args.refresh_timeout,
        max_rss=int(args.max_rss_gb * GB),
    )
    stats = run_stats(WarehousePaths(warehouse).dagster_home, m)
    if previous_run_id is not None and stats.get("run_id") == previous_run_id:
        # The newest run is the previous refresh's: its step timings are not this refresh's.
        stats = {
            "no_new_run": True,
            "newest_run_id": previous_run_id,
            "stages": {},
            "startup_and_overhead_s": m.wall_s,
        }
    log_text = Path(m.log).read_text(encoding="utf-8", errors="replace")
    result = {
        "label": label,
        "status": "ok" if m.exit_code == 0 and not m.stopped else ("stopped" if m.stopped else "failed"),
        "measured": asdict(m),
        "dagster": stats,
        # A changed model makes the refresh run `dbt parse` first (others edit dbt_project/ too).
        "dbt_manifest_rebuilt": (manifest.stat().st_mtime if manifest.exists() else None) != manifest_mtime,
        "failures": re.findall(r"step (\S+) failed: (.*)", log_text)[:10],
        "dbt_nodes": dbt_build_timings(warehouse, m.started_epoch),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        # The CLI's message when the fingerprint says nothing changed (orchestration/cli.py).
        "said_nothing_new": NOTHING_NEW_MESSAGE in log_text,
    }
    stages = stats.get("stages", {})
    say(
        f"{label}: refresh {result['status']} (exit {m.exit_code}) in {m.wall_s:.1f} s, "
        f"peak RSS {human_bytes(m.peak_rss_tree)} (process tree) / {human_bytes(m.max_rss_single_rusage)} "
        f"(largest process), CPU {m.cpu_s:.0f} s; "
        + ", ".join(f"{k} {v:.1f} s" for k, v in stages.items())
        + ("" if stages else "no Dagster run")
        + (f"; start-up/overhead {stats['startup_and_overhead_s']:.1f} s" if "startup_and_overhead_s" in stats else "")
        + (f"; {m.stopped}" if m.stopped else "")
    )
    if result["status"] != "ok":
        say(f"{label}: see {m.log}; last activity: {_last_activity(Path(m.log))}")
        for step, reason in result["failures"]:
            say(f"{label}: step {step} failed: {reason[:300]}")
    return result


def measure_baseline(label: str, landing: Path, out: Path, logs: Path, decode: str) -> dict:
    say(f"{label}: baseline ({decode}) in a fresh process")
    result_file = out / "baseline.json"
    m = run_measured(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "baseline",
            "--landing",
            str(landing),
            "--out",
            str(out),
            "--decode",
            decode,
            "--result",
            str(result_file),
        ],
        base_env(),
        logs / f"{label}-baseline-{decode}.log",
        label=f"{label} baseline",
    )
    if m.exit_code != 0:
        say(f"{label}: baseline FAILED (exit {m.exit_code}); see {m.log}")
        return {"decode": decode, "status": "failed", "measured": asdict(m)}
    report = json.loads(result_file.read_text(encoding="utf-8"))
    say(
        f"{label}: baseline ({report['decode']}) {m.wall_s:.1f} s wall, CPU {m.cpu_s:.1f} s, peak RSS {human_bytes(m.peak_rss_tree)}; "
        + ", ".join(f"{k} {v:.2f}" for k, v in report["timings_s"].items())
    )
    return {
        "decode": decode,
        "status": "ok",
        "measured": asdict(m),
        "report": report,
        "dir": str(out),
    }


def prepare_manifest() -> dict:
    """Bring the dbt manifest up to date before timing anything (a deployment has a current one)."""
    say("checking the dbt manifest (untimed; `dbt parse` only when a model changed)")
    started = time.monotonic()
    code = (
        "from orchestration.lib.dbt_manifest import manifest_is_current, build_manifest\n"
        "print('current' if manifest_is_current() else 'rebuilt:' + str(build_manifest()))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=base_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    state = done.stdout.strip() or done.stderr.strip()[-300:]
    say(f"dbt manifest: {state} ({time.monotonic() - started:.1f} s)")
    return {
        "state": state,
        "seconds": time.monotonic() - started,
        "exit_code": done.returncode,
    }


def code_fingerprint() -> dict:
    """The commit and a hash of the code under test as it is on disk (others may be editing it)."""
    digest = hashlib.sha256()
    files = 0
    for folder in (
        "orchestration",
        "dbt_project",
        "expectations",
        "sample",
    ):  # sample: the generator and the bundled zone
        for path in sorted((REPO_ROOT / folder).rglob("*")):
            parts = set(path.relative_to(REPO_ROOT).parts)
            if not path.is_file() or parts & {
                "target",
                "logs",
                "__pycache__",
                "dbt_packages",
            }:
                continue
            digest.update(str(path.relative_to(REPO_ROOT)).encode() + b"\0" + path.read_bytes())
            files += 1
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "git_head": head,
        "working_tree_sha256": digest.hexdigest()[:16],
        "files": files,
    }


def machine_info() -> dict:
    cpu = ""
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_total = psutil.virtual_memory().total
    free = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False).stdout
    versions = {}
    from importlib.metadata import PackageNotFoundError, version

    for package in (
        "dagster",
        "dagster-dbt",
        "dbt-core",
        "dbt-duckdb",
        "duckdb",
        "polars",
        "great-expectations",
        "pyarrow",
    ):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu,
        "mem_total_bytes": mem_total,
        "free_h": free,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "iconv": shutil.which("iconv"),
        "versions": versions,
    }


def planned_sizes(args) -> list[int]:
    """The sizes to run, smallest first; --no-25m drops 25 M (and anything larger)."""
    sizes = sorted({parse_size(s) for s in args.sizes.split(",") if s.strip()})
    if args.no_25m:
        sizes = [s for s in sizes if s < LARGEST]
    return sizes


def history_size(sizes: list[int]) -> int | None:
    """The size whose warehouse gets the monthly delivery and the nothing-new refresh: 10 M, as
    the targets say; in a run without 10 M the largest size below it (measured, reported, but
    not judged against the targets); none when every size is above it."""
    return max((s for s in sizes if s <= HISTORY), default=None)


def scale_for(target_postings: int, per_unit: int) -> int:
    """The generator's --scale for a number of rent-ledger postings (scale 1 = per_unit postings)."""
    return max(1, round(target_postings / per_unit))


def measure_monthly_and_nothing_new(results: dict, entry: dict, run_dir: Path, logs: Path, args) -> None:
    """One new monthly delivery and a refresh on this size's warehouse, then one more refresh
    with nothing new (same warehouse, same landing), which must skip."""
    label = entry["size"]
    landing, warehouse = run_dir / "landing", run_dir / "warehouse"
    say(f"=== {label} +1 month: one new monthly delivery on top of the {label} warehouse ===")
    delivery = write_monthly_delivery(landing)
    say(
        f"{label} +1 month: wrote {delivery['delivery']} ({delivery['postings']:,} postings, "
        f"{delivery['tenancies']:,} tenancies)"
    )
    refresh = measure_refresh(f"{label}-monthly", landing, warehouse, logs, args)
    full = entry["refresh"]["measured"]["wall_s"]
    results["incremental"] = {
        "size": label,
        "target_postings": entry["target_postings"],
        "delivery": delivery,
        "refresh": refresh,
        "share_of_full": refresh["measured"]["wall_s"] / full if full else None,
    }
    households = table_file(WarehousePaths(warehouse).curated_dir, "households")
    if refresh["status"] == "ok" and households.exists():
        import polars as pl

        snap = pl.read_parquet(households, columns=["snapshot_date"])["snapshot_date"].max()
        results["incremental"]["households_snapshot_date"] = str(snap)
        say(f"{label} +1 month: curated/households now at snapshot {snap}")
    if refresh["status"] != "ok":
        results["notes"].append(f"nothing-new refresh not measured: the {label} monthly refresh did not finish")
        return

    say(f"=== {label} nothing new: the same warehouse and landing zone once more ===")
    again = measure_refresh(
        f"{label}-nothing-new",
        landing,
        warehouse,
        logs,
        args,
        previous_run_id=refresh["dagster"].get("run_id"),
    )
    # It skipped when it exited 0, said so, and started no Dagster run.
    skipped = again["status"] == "ok" and again["said_nothing_new"] and again["dagster"].get("no_new_run", False)
    results["nothing_new"] = {
        "size": label,
        "target_postings": entry["target_postings"],
        "refresh": again,
        "skipped": skipped,
        "share_of_full": again["measured"]["wall_s"] / full if full else None,
    }
    say(
        f"{label} nothing new: {'skipped' if skipped else 'DID NOT SKIP'} "
        f"(exit {again['measured']['exit_code']}, said nothing new: {again['said_nothing_new']}, "
        f"new Dagster run: {not again['dagster'].get('no_new_run', False)})"
    )


def best_baseline(entry: dict) -> dict | None:
    ok = [b for b in entry.get("baselines", []) if b["status"] == "ok"]
    return min(ok, key=lambda b: b["measured"]["wall_s"]) if ok else None


def benchmark(args) -> int:
    out = Path(args.out).resolve()
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    work = out / "runs" / stamp
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    cache = out / "landing"
    sizes = planned_sizes(args)
    decodes = [d.strip() for d in args.baseline_decode.split(",") if d.strip()]
    results: dict = {
        "started_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "machine": machine_info(),
        "load_average_at_start": load_average(),
        "code_at_start": code_fingerprint(),
        "notes": [],
    }
    m = results["machine"]
    say(
        f"machine: {m['nproc']} cores, {m['cpu_model']}, {human_bytes(m['mem_total_bytes'])} RAM; "
        f"load average {results['load_average_at_start']}; work folder {work}"
    )
    results["dbt_manifest"] = prepare_manifest()

    # Postings per unit of scale, measured on the generator's scale-1 output.
    unit_landing, _ = ensure_landing(cache, 1)
    per_unit = ledger_rows(unit_landing)
    results["ledger_rows_per_scale_unit"] = per_unit
    say(f"scale 1 = {per_unit:,} rent-ledger rows (all deliveries, as the manifests count them)")
    history = history_size(sizes)
    for target in sizes:
        say(
            f"planned: {size_label(target)} -> scale {scale_for(target, per_unit)} "
            f"(~{scale_for(target, per_unit) * per_unit:,} postings)"
            + (" + monthly delivery + nothing new" if target == history and not args.no_incremental else "")
        )
    if args.plan:
        shutil.rmtree(work, ignore_errors=True)  # nothing was run
        return 0

    # 1. The bundled sample, cold (EVICTIONS_LANDING_DIR unset).
    if not args.no_sample:
        warehouse = work / "sample" / "warehouse"
        results["sample"] = measure_refresh("sample", None, warehouse, logs, args)
        if not args.keep:
            shutil.rmtree(warehouse, ignore_errors=True)

    # 2. Each size: generate (or reuse), full refresh, baseline, verification.
    results["runs"] = []
    for target in sizes:
        label = size_label(target)
        scale = scale_for(target, per_unit)
        say(f"=== {label}: scale {scale} (~{scale * per_unit:,} postings) ===")
        landing_cache, generated_s = ensure_landing(cache, scale)
        rows = ledger_rows(landing_cache)
        say(
            f"{label}: {rows:,} rent-ledger rows in {len(ready_delivery_folders(landing_cache, 'boei'))} deliveries "
            f"({sum(p.stat().st_size for p in landing_cache.glob('boei/*/rent_ledger.csv')) / 1e6:.0f} MB)"
        )
        run_dir = work / label
        landing = link_landing(landing_cache, run_dir / "landing")
        warehouse = run_dir / "warehouse"
        entry = {
            "size": label,
            "target_postings": target,
            "scale": scale,
            "ledger_rows": rows,
            "landing_cache": str(landing_cache),
            "generation_s": generated_s,
            "refresh": measure_refresh(label, landing, warehouse, logs, args),
            "baselines": [],
        }
        for decode in decodes:
            entry["baselines"].append(measure_baseline(label, landing, run_dir / f"baseline-{decode}", logs, decode))
        best = best_baseline(entry)
        if best:
            entry["postings_unique"] = best["report"]["postings_unique"]
            if entry["refresh"]["status"] == "ok":
                verification = verify_against_warehouse(Path(best["dir"]), warehouse, best["report"])
                entry["verification"] = verification
                say(
                    f"{label}: baseline vs warehouse: {verification['status']} "
                    f"(counts {'OK' if verification.get('counts_ok') else 'MISMATCH'}; arrears of "
                    f"{verification.get('arrears_tenancies_compared', 0):,} tenancies, "
                    f"{verification.get('arrears_mismatches', '?')} mismatches)"
                )
                for r in verification.get("counts", []):
                    say(
                        f"  {r['source']:9} {r['year']}: baseline {r['baseline']} warehouse {r['warehouse']} "
                        f"{'OK' if r['ok'] else 'MISMATCH'}"
                    )
                for r in verification.get("arrears_examples", []):
                    say(
                        f"  tenancy {r['tenancy_id']}: baseline {r['baseline']} warehouse {r['warehouse']} "
                        f"{'OK' if r['baseline'] == r['warehouse'] else 'MISMATCH'}"
                    )
                for r in verification.get("arrears_mismatch_examples", []):
                    say(f"  MISMATCH tenancy {r['tenancy_id']}: baseline {r['baseline']} warehouse {r['warehouse']}")
            else:
                entry["verification"] = {
                    "status": "NOT CHECKED",
                    "reason": "the refresh did not finish",
                }
        results["runs"].append(entry)
        # 3. On the 10 M history (not the largest size): one new monthly delivery, then nothing new.
        if target == history and not args.no_incremental:
            if entry["refresh"]["status"] == "ok":
                measure_monthly_and_nothing_new(results, entry, run_dir, logs, args)
            else:
                results["notes"].append(f"monthly delivery not measured: the {label} refresh did not finish")
        if not args.keep:
            shutil.rmtree(run_dir, ignore_errors=True)  # before the next, larger size needs the disk
        _write_results(out, stamp, results)  # partial results survive a later failure

    results["finished_at"] = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    results["load_average_at_end"] = load_average()
    results["code_at_end"] = code_fingerprint()
    if results["code_at_end"] != results["code_at_start"]:
        results["notes"].append(
            "the code under test (orchestration/, dbt_project/, expectations/) changed during the benchmark"
        )
    results["targets"] = evaluate_targets(results)
    path = _write_results(out, stamp, results)
    print_table(results)
    say(f"results written to {path}")
    return 0


def _write_results(out: Path, stamp: str, results: dict) -> Path:
    path = out / f"results-{stamp}.json"
    path.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    return path


def _run_of(results: dict, postings: int) -> dict | None:
    return next((e for e in results.get("runs", []) if e["target_postings"] == postings), None)


def _not_finished(what: str, refresh: dict) -> str:
    return f"{what} {refresh['status']} after {refresh['measured']['wall_s']:.0f} s" + (
        f" ({refresh['measured']['stopped']})" if refresh["measured"].get("stopped") else ""
    )


# ru_maxrss of a child is at least its parent's RSS at the fork (give or take the pages the fork
# itself touches): a figure within this of the benchmark's own RSS may be only that.
_INHERITED_RSS_SLACK = 64 * 2**20


def rss_peak(measured: dict) -> int:
    """The polled process-tree peak, or the largest process's exact ru_maxrss when that is higher
    (a 100 ms poll can miss a short process) and says something about the command: clearly above
    the benchmark's own RSS when it started it, which ru_maxrss inherits through fork and exec
    (also with posix_spawn: checked). A nothing-new refresh of 0.10 GB showed 0.62-0.67 GB so."""
    rusage = measured["max_rss_single_rusage"]
    inherited = measured.get("benchmark_rss_at_start", 0) * 1.05 + _INHERITED_RSS_SLACK
    return max(measured["peak_rss_tree"], rusage if rusage > inherited else 0)


def _monthly_breakdown(refresh: dict, full_s: float) -> str:
    """Where the monthly refresh's time went, and what its parts that do not read or write the
    delivery's rows (start-up, Dagster, dbt outside its build) leave of the target's budget."""
    shares = time_shares(refresh)
    if shares is None:
        return ""
    parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in shares.items())
    fixed = sum(shares[name] for name in FIXED_PARTS)
    budget = TARGET_MONTHLY_SHARE * full_s
    data_work = sum(shares.values()) - fixed
    return (
        f"; {parts}; start-up, Dagster and dbt outside its build alone {fixed:.1f} s = "
        f"{100 * fixed / full_s:.1f} % of the full refresh, leaving {budget - fixed:.1f} s of the "
        f"{budget:.1f} s budget for ingest, dbt's build and publication ({data_work:.1f} s here)"
    )


def _slope_breakdown(one: dict, ten: dict, baseline_delta_s: float) -> str:
    """Each part's share of the slope, as a multiple of the baseline's whole slope."""
    low, high = time_shares(one), time_shares(ten)
    if low is None or high is None or baseline_delta_s <= 0:
        return ""
    return "; by part: " + ", ".join(f"{name} {(high[name] - low[name]) / baseline_delta_s:.1f}x" for name in high)


def evaluate_targets(results: dict) -> list[dict]:
    """Issue #15's targets, each MET (True), NOT MET (False) or not measured (None), with its
    ratio and the figures it is computed from. A size a target needs that was not run is
    reported as such, never replaced by another size."""
    targets = []
    one, ten = _run_of(results, SLOPE_FROM), _run_of(results, HISTORY)
    full_10m = ten["refresh"] if ten else None
    full_ok = full_10m is not None and full_10m["status"] == "ok"
    sample = results.get("sample")

    def add(target: str, met: bool | None, detail: str) -> None:
        targets.append({"target": target, "met": met, "detail": detail})

    # A monthly delivery on the 10 M history: at most 15 % of the full 10 M refresh.
    name = f"monthly delivery on the 10 M history <= {100 * TARGET_MONTHLY_SHARE:.0f} % of a full 10 M refresh"
    inc = results.get("incremental")
    if ten is None:
        add(name, None, "not measured (needs 10M)")
    elif not full_ok:
        add(name, False, _not_finished("the full 10 M refresh", full_10m))
    elif inc is None or inc["target_postings"] != HISTORY:
        add(name, None, "not measured (the monthly delivery was not run on 10M)")
    elif inc["refresh"]["status"] != "ok":
        add(name, False, _not_finished("the monthly refresh", inc["refresh"]))
    else:
        t_inc, t_full = inc["refresh"]["measured"]["wall_s"], full_10m["measured"]["wall_s"]
        ratio = t_inc / t_full
        add(
            name,
            ratio <= TARGET_MONTHLY_SHARE,
            f"{t_inc:.1f} s / {t_full:.1f} s = {100 * ratio:.1f} % "
            f"(CPU {inc['refresh']['measured']['cpu_s']:.0f} s / {full_10m['measured']['cpu_s']:.0f} s)"
            + _monthly_breakdown(inc["refresh"], t_full),
        )

    # A refresh with nothing new: at most 5 % of the full 10 M refresh, and a third of a cold sample refresh.
    nothing = results.get("nothing_new")
    names = (
        f"nothing new <= {100 * TARGET_NOTHING_NEW_SHARE:.0f} % of a full 10 M refresh",
        "nothing new <= 1/3 of a cold sample refresh",
    )
    if nothing is None or nothing["target_postings"] != HISTORY:
        reason = (
            "not measured (needs 10M)" if ten is None else "not measured (the nothing-new refresh was not run on 10M)"
        )
        if ten is not None and not full_ok:
            add(names[0], False, _not_finished("the full 10 M refresh", full_10m))
        else:
            add(names[0], None, reason)
        add(names[1], None, reason)
    elif not nothing["skipped"]:
        detail = (
            f"it did not skip (status {nothing['refresh']['status']}, said nothing new: "
            f"{nothing['refresh']['said_nothing_new']}, started a Dagster run: "
            f"{not nothing['refresh']['dagster'].get('no_new_run', False)})"
        )
        add(names[0], False, detail)
        add(names[1], False, detail)
    else:
        t_none, t_full = nothing["refresh"]["measured"]["wall_s"], full_10m["measured"]["wall_s"]
        ratio = t_none / t_full
        add(names[0], ratio <= TARGET_NOTHING_NEW_SHARE, f"{t_none:.1f} s / {t_full:.1f} s = {100 * ratio:.1f} %")
        if sample is None:
            add(names[1], None, "not measured (needs the cold sample refresh)")
        elif sample["status"] != "ok":
            add(names[1], False, _not_finished("the cold sample refresh", sample))
        else:
            t_sample = sample["measured"]["wall_s"]
            ratio = t_none / t_sample
            add(
                names[1],
                ratio <= TARGET_NOTHING_NEW_OF_SAMPLE,
                f"{t_none:.1f} s / {t_sample:.1f} s = {ratio:.2f}",
            )

    # Marginal cost per posting, 1 M -> 10 M: at most 2x the baseline's slope.
    name = f"slope 1M->10M <= {TARGET_SLOPE_RATIO:g}x the baseline's slope"
    if one is None or ten is None:
        add(name, None, "not measured (needs 1M and 10M)")
    elif one["refresh"]["status"] != "ok" or not full_ok:
        failed = one if one["refresh"]["status"] != "ok" else ten
        add(name, False, _not_finished(f"the {failed['size']} refresh", failed["refresh"]))
    elif best_baseline(one) is None or best_baseline(ten) is None:
        add(name, None, "not measured (a baseline did not finish)")
    else:
        postings = ten["ledger_rows"] - one["ledger_rows"]
        t1, t10 = one["refresh"]["measured"]["wall_s"], ten["refresh"]["measured"]["wall_s"]
        b1, b10 = best_baseline(one)["measured"]["wall_s"], best_baseline(ten)["measured"]["wall_s"]
        slope, base_slope = (t10 - t1) / postings, (b10 - b1) / postings
        ratio = slope / base_slope if base_slope > 0 else float("inf")
        add(
            name,
            ratio <= TARGET_SLOPE_RATIO,
            f"refresh ({t10:.1f} - {t1:.1f} s) / ({ten['ledger_rows']:,} - {one['ledger_rows']:,} postings) "
            f"= {slope * 1e6:.2f} µs; baseline ({b10:.1f} - {b1:.1f} s) / the same = {base_slope * 1e6:.2f} µs; "
            f"ratio {ratio:.1f}x" + _slope_breakdown(one["refresh"], ten["refresh"], (b10 - b1)),
        )

    # A cold refresh of the bundled sample: at most 20 s on an idle 2-core machine.
    name = f"cold sample refresh <= {TARGET_SAMPLE_REFRESH_S:.0f} s (idle 2-core machine)"
    if sample is None:
        add(name, None, "not measured (--no-sample)")
    else:
        wall = sample["measured"]["wall_s"]
        load = sample["load_average_before"][0]
        add(
            name,
            sample["status"] == "ok" and wall <= TARGET_SAMPLE_REFRESH_S,
            f"{wall:.1f} s ({sample['status']}; CPU {sample['measured']['cpu_s']:.0f} s; "
            f"load average {load:.1f} at its start on {results['machine']['nproc']} cores"
            + ("; the machine was not idle" if load >= 0.5 else "")
            + ")",
        )

    # Peak RSS at most 2 GB at every size up to 25 M (every refresh of the run counts).
    name = f"peak RSS <= {human_bytes(TARGET_PEAK_RSS_BYTES)} at every size up to 25 M (process tree, polled)"
    measured = [(e["size"], e["refresh"]) for e in results.get("runs", [])]
    for key, suffix in (("incremental", " +1 month"), ("nothing_new", " nothing new")):
        if key in results:
            measured.append((results[key]["size"] + suffix, results[key]["refresh"]))
    if sample:
        measured.append(("sample", sample))

    peaks = ", ".join(f"{label} {human_bytes(rss_peak(r['measured']))}" for label, r in measured)
    over = [label for label, r in measured if rss_peak(r["measured"]) > TARGET_PEAK_RSS_BYTES]
    sized = {e["target_postings"] for e in results.get("runs", [])}
    if over:
        add(name, False, f"over at {', '.join(over)}; peaks: {peaks}")
    elif _run_of(results, LARGEST) is None or _run_of(results, LARGEST)["refresh"]["status"] != "ok":
        add(name, None, f"not measured (needs 25M); peaks so far: {peaks or 'none'}")
    elif not {SLOPE_FROM, HISTORY} <= sized:
        add(name, None, f"not measured at every size (needs 1M, 10M and 25M); peaks: {peaks}")
    else:
        add(name, True, f"peaks: {peaks}")
    return targets


def print_table(results: dict) -> None:
    head = [
        "size",
        "postings",
        "load",
        "refresh s",
        "CPU s",
        "peak RSS",
        "ingest",
        "GX",
        "dbt",
        "publish",
        "release",
        "start-up",
        "baseline s",
        "refresh/base",
        "check",
    ]
    rows = []

    def line(label: str, postings: str, refresh: dict, best: dict | None, check: str) -> list[str]:
        st = refresh.get("dagster", {}).get("stages", {})
        wall = refresh["measured"]["wall_s"]
        status = "" if refresh["status"] == "ok" else f" ({refresh['status']})"
        base = best["measured"]["wall_s"] if best else None
        return [
            label,
            postings,
            f"{refresh['load_average_before'][0]:.1f}",
            f"{wall:.1f}{status}",
            f"{refresh['measured']['cpu_s']:.0f}",
            human_bytes(refresh["measured"]["peak_rss_tree"]),
            fmt_s(st.get("ingest")),
            fmt_s(st.get("validation")),
            fmt_s(st.get("dbt")),
            fmt_s(st.get("publish")),
            fmt_s(st.get("release")),
            fmt_s(refresh.get("dagster", {}).get("startup_and_overhead_s")),
            fmt_s(base) + (f" ({best['measured']['cpu_s']:.0f} CPU)" if best else ""),
            f"{wall / base:.1f}x" if base and refresh["status"] == "ok" else "-",
            check,
        ]

    if "sample" in results:
        rows.append(
            line(
                "sample",
                f"{results['ledger_rows_per_scale_unit']:,}",
                results["sample"],
                None,
                "",
            )
        )
    for e in results.get("runs", []):
        rows.append(
            line(
                e["size"],
                f"{e['ledger_rows']:,}",
                e["refresh"],
                best_baseline(e),
                e.get("verification", {}).get("status", ""),
            )
        )
    inc = results.get("incremental")
    if inc:
        rows.append(
            line(
                f"{inc['size']} +1 month",
                f"+{inc['delivery']['postings']:,}",
                inc["refresh"],
                None,
                f"{100 * inc['share_of_full']:.0f} % of full",
            )
        )
    nothing = results.get("nothing_new")
    if nothing:
        rows.append(
            line(
                f"{nothing['size']} nothing new",
                "+0",
                nothing["refresh"],
                None,
                f"{'skipped' if nothing['skipped'] else 'DID NOT SKIP'}, {100 * nothing['share_of_full']:.1f} % of full",
            )
        )
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)]
    print()
    print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))
    print()
    print("Stage columns: seconds per stage from the run's Dagster step timings; start-up = wall - sum of steps.")
    print("Peak RSS: the sum of RSS over the refresh's whole process tree (dbt is a subprocess), polled every 100 ms.")
    print("load: 1-minute load average when the refresh started (the machine is shared).")
    print("CPU s: user + system CPU seconds of the process tree (less sensitive than wall time to other load).")
    print(
        f"Load average at start {results.get('load_average_at_start')}, at end {results.get('load_average_at_end')} "
        f"on {results['machine']['nproc']} cores."
    )
    for e in results.get("runs", []):
        for b in e.get("baselines", []):
            if b["status"] == "ok":
                print(
                    f"Baseline {e['size']} ({b['report']['decode']}): {b['measured']['wall_s']:.1f} s, "
                    f"peak RSS {human_bytes(b['measured']['peak_rss_tree'])}"
                )
    print()
    for t in results.get("targets", []):
        mark = {True: "MET    ", False: "NOT MET", None: "n/a    "}[t["met"]]
        print(f"  [{mark}] {t['target']}: {t['detail']}")
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    parser.add_argument(
        "--sizes",
        default=DEFAULT_SIZES,
        help=f"rent-ledger postings per run (default {DEFAULT_SIZES}; 3M and others can be added, e.g. 1M,3M,10M)",
    )
    parser.add_argument(
        "--no-25m",
        action="store_true",
        help="skip the 25 M size (and any larger one); its targets are then reported as not measured",
    )
    parser.add_argument(
        "--plan",
        action="store_true",
        help="print the generator scale planned for each size, and which size gets the monthly delivery, then stop",
    )
    parser.add_argument(
        "--out",
        default=str(BENCH_DIR / "output"),
        help="output folder (landing-zone cache, runs, results)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep each run's warehouse and landing links",
    )
    parser.add_argument(
        "--no-sample",
        action="store_true",
        help="skip the cold refresh of the bundled sample",
    )
    parser.add_argument(
        "--no-incremental",
        action="store_true",
        help="skip the monthly delivery's refresh and the nothing-new refresh",
    )
    parser.add_argument(
        "--baseline-decode",
        default="latin1,iconv",
        help="baseline variants: latin1 (DuckDB reads latin-1; refuses 0x80-0x9F, then iconv), iconv, python",
    )
    parser.add_argument(
        "--refresh-timeout",
        type=float,
        default=25 * 60,
        help="stop a refresh after this many seconds",
    )
    parser.add_argument(
        "--max-rss-gb",
        type=float,
        default=12.0,
        help="stop a refresh whose process tree exceeds this RSS",
    )
    base = sub.add_parser("baseline", help="(internal) run the baseline once and write a JSON report")
    base.add_argument("--landing", required=True)
    base.add_argument("--out", required=True, dest="baseline_out")
    base.add_argument("--decode", default="latin1", choices=["latin1", "iconv", "python"])
    base.add_argument("--result", required=True)
    args = parser.parse_args(argv)
    if args.command == "baseline":
        return baseline_main(Path(args.landing), Path(args.baseline_out), args.decode, Path(args.result))
    return benchmark(args)


if __name__ == "__main__":
    sys.exit(main())
