"""How each way of reading a published file fares while the warehouse replaces it.

    uv run python benchmarks/torn_reads.py [--seconds 5] [--rows 5000]

A writer thread replaces one Parquet file over and over with the warehouse's own atomic
writer (``orchestration.lib.atomic.write_parquet_atomic``: a temporary beside it, fsync,
rename), cycling through versions of different sizes and contents. For each reader form the
script reads the file for ``--seconds`` and prints how many reads succeeded, how many raised,
and how many returned rows that are not exactly one of the versions written (a torn read that
went unnoticed). The writer replaces far more often than a refresh does (a refresh replaces
each file once), so the figures are a stress rate, not the chance of one read during one
refresh.

What it showed (README, "Reading while a refresh runs"): a reader that opens the file once
and reads everything through that handle never failed; DuckDB's ``read_parquet('<path>')``
opens the path several times per query (bind, then every scan thread) and pyarrow's
``pq.read_table('<path>')`` twice, so across a replacement they can pair one version's footer
with another's pages.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq

from orchestration.lib.atomic import read_frame, read_table, write_parquet_atomic

VERSIONS = 7


def versions(rows: int) -> list[pl.DataFrame]:
    """Tables of one schema whose sizes and values differ, as successive refreshes' would."""
    return [
        pl.DataFrame(
            {
                "household_id": [f"h{k}-{i:07d}" for i in range(rows + 97 * k)],
                "arrears_nok": [float((i * (k + 3)) % 100_003) for i in range(rows + 97 * k)],
            }
        )
        for k in range(VERSIONS)
    ]


def fingerprint(frame: pl.DataFrame) -> tuple[int, str, str]:
    """Row count and first and last key: enough to tell the versions apart and spot a mix."""
    keys = frame.get_column("household_id")
    return frame.height, str(keys.min()), str(keys.max())


def readers(connection: duckdb.DuckDBPyConnection) -> dict[str, Callable[[Path], pl.DataFrame]]:
    def duckdb_by_path(path: Path) -> pl.DataFrame:
        return connection.sql(f"select * from read_parquet('{path}')").pl()

    def duckdb_glob(path: Path) -> pl.DataFrame:
        return connection.sql(f"select * from read_parquet('{path.parent}/*.parquet')").pl()

    def duckdb_one_handle(path: Path) -> pl.DataFrame:
        with path.open("rb") as handle:
            return connection.read_parquet(handle).pl()

    def pyarrow_by_path(path: Path) -> pl.DataFrame:
        return pl.from_arrow(pq.read_table(path))

    def pyarrow_one_handle(path: Path) -> pl.DataFrame:
        return pl.from_arrow(read_table(path))  # the warehouse's own reads

    def polars_by_path(path: Path) -> pl.DataFrame:
        return pl.read_parquet(path)

    def polars_one_handle(path: Path) -> pl.DataFrame:
        return read_frame(path)  # the warehouse's own reads

    return {  # the keys are the forms README names; tests/faults/test_torn_reads.py reads them
        "duckdb read_parquet('<path>')": duckdb_by_path,
        "duckdb read_parquet('<folder>/*.parquet')": duckdb_glob,
        "duckdb read_parquet(open(path, 'rb'))": duckdb_one_handle,
        "pyarrow pq.read_table('<path>')": pyarrow_by_path,
        "pyarrow pq.read_table(open(path, 'rb'))": pyarrow_one_handle,
        "polars pl.read_parquet('<path>')": polars_by_path,
        "polars pl.read_parquet(open(path, 'rb'))": polars_one_handle,
    }


@contextlib.contextmanager
def replacing(target: Path, tables: list[pl.DataFrame]):
    """A thread that keeps replacing ``target`` until the block ends; yields the count."""
    stop = threading.Event()
    replaced = [0]

    def loop() -> None:
        k = 0
        while not stop.is_set():
            k += 1
            write_parquet_atomic(tables[k % len(tables)], target, table_name="torn_reads")
            replaced[0] += 1

    thread = threading.Thread(target=loop, name="replacer", daemon=True)
    thread.start()
    try:
        yield replaced
    finally:
        stop.set()
        thread.join()


def measure(
    read: Callable[[Path], pl.DataFrame],
    target: Path,
    tables,
    seconds: float,
    *,
    until_more_than: int = 0,
    at_most_seconds: float | None = None,
) -> dict[str, object]:
    """Read ``target`` for ``seconds`` while it is replaced; then on, up to ``at_most_seconds``,
    until more than ``until_more_than`` reads succeeded and as many replacements overlapped them
    (a slow machine replaces fewer times a second: the count, not the time, makes a test)."""
    valid = {fingerprint(t) for t in tables}
    full = {fingerprint(t): t for t in tables}
    reads = failed = wrong = 0
    messages: Counter[str] = Counter()
    with replacing(target, tables) as replaced:
        start = time.monotonic()
        end, latest = start + seconds, start + max(seconds, at_most_seconds or seconds)

        def reading() -> bool:
            now = time.monotonic()
            enough = reads > until_more_than and replaced[0] > until_more_than
            return now < end or (now < latest and not enough)

        while reading():
            try:
                frame = read(target)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as error:  # polars' torn read is a Rust panic, a BaseException
                failed += 1
                messages[f"{type(error).__name__}: {str(error).splitlines()[0][:60]}"] += 1
                continue
            reads += 1
            key = fingerprint(frame)
            if key not in valid or not frame.equals(full[key]):
                wrong += 1
    return {"ok": reads, "failed": failed, "wrong": wrong, "replaced": replaced[0], "messages": messages}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="reading time per reader form")
    parser.add_argument("--rows", type=int, default=5000, help="rows of the smallest version")
    args = parser.parse_args()
    tables = versions(args.rows)
    print(f"{VERSIONS} versions of {args.rows}–{args.rows + 97 * (VERSIONS - 1)} rows, {args.seconds:g} s per form")
    with tempfile.TemporaryDirectory(prefix="torn-reads-") as scratch, duckdb.connect() as connection:
        target = Path(scratch) / "table.parquet"
        write_parquet_atomic(tables[0], target, table_name="torn_reads")
        print(f"{'reader':<44} {'reads':>7} {'failed':>7} {'wrong':>6} {'failed %':>9} {'replaced':>9}")
        for name, read in readers(connection).items():
            result = measure(read, target, tables, args.seconds)
            attempts = result["ok"] + result["failed"]
            share = 100 * result["failed"] / attempts if attempts else 0.0
            print(
                f"{name:<44} {attempts:>7} {result['failed']:>7} {result['wrong']:>6} {share:>8.1f}% "
                f"{result['replaced']:>9}"
            )
            for message, count in result["messages"].most_common(3):
                print(f"    {count:>6} × {message}")


if __name__ == "__main__":
    main()
