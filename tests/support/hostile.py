"""Building hostile deliveries and checking what ingestion made of them.

``ingest_checked`` runs ``ingest_source`` under a watchdog and checks the invariants every
outcome must keep, whatever the input: only ``DeliveryRefused`` (returned, not raised), a
refusal names source, delivery and file, a refused delivery leaves nothing in the raw layer,
every loaded file balances (``rows in manifest = loaded + quarantined + collapsed``), the audit
table can be written, and no refusal message, progress line, ingest log or audit row echoes a
national id or a name of the file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import faulthandler
import hashlib
import json
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from orchestration.lib.contract import file_spec
from orchestration.lib.delivery import DeliveryRefused
from orchestration.lib.ingest import IngestLog, SourceIngestResult, ingest_log_path, ingest_source, write_ingest_audit
from tests.support.landing import FORMAT, csv_bytes, empty_files, xlsx_bytes
from tests.support.national_ids import synthetic_national_id

KEY = "hostile-test-key"
DATE = "2007-06-30"

# Known people of the hostile files: whatever happens, these never leave the landing zone
# and quarantine/.
NID = synthetic_national_id(19, 4, 66, 371)
NID_2 = synthetic_national_id(3, 9, 81, 225)
NAME = "Zyxwå Testesen"
LANDLORD = "Vrængsøy Utleiersen"
SECRETS = (NID, NID_2, NAME, LANDLORD, "Zyxw", "Vrængsøy")
ACCOUNTS = ("103010", "104010", "105037", "109010")


class Hang(Exception):
    pass


@contextlib.contextmanager
def no_hang(seconds: int) -> Iterator[None]:
    """Fail a test that runs longer than ``seconds``.

    ``signal.alarm`` interrupts Python code; a hang inside native code (a Rust reader) never
    returns to the interpreter, so a watchdog thread dumps every stack and ends the process
    a little later: a hang is a loud failure either way, never a stuck suite.
    """

    def alarm(signum, frame):
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    faulthandler.dump_traceback_later(seconds + 30, exit=True, file=sys.stderr)
    try:
        yield
    finally:
        signal.alarm(0)
        faulthandler.cancel_dump_traceback_later()
        signal.signal(signal.SIGALRM, previous)


def header(source: str, name: str) -> list[str]:
    return list(file_spec(source, name).column_names)


def valid_row(source: str, name: str, n: int = 1, nid: str = NID) -> list[str]:
    """One valid row of each contract file, with the known person in it."""
    rows = {
        ("boei", "tenancies.csv"): [
            str(n),
            f"BL-{n}",
            nid,
            NAME,
            "Årstad",
            "ORDINAER",
            "3",
            "1",
            "kr 5 250,00",
            "01.02.2004",
            "",
        ],
        ("boei", "rent_ledger.csv"): [f"B-{n}", "1", "05.01.2007", "HUSLEIE", "5 250,00"],
        ("kemner", "petitions.csv"): [f"K-{n}", "1", nid, "2007-01-10", "15000.00", "", "SENDT", "2007-01-10", ""],
        ("kemner", "notifications.csv"): [f"V-{n}", "1", nid, "2007-01-03", "2649.25", "Åsane", "RESTANSE"],
        ("prosjekt", "cases.csv"): [
            f"P-{n}",
            "1",
            nid,
            "01.03.2006",
            "Laksevåg",
            "JA",
            "0",
            "TRYGD",
            "12 500,00",
            "LOST_FOR_UTKASTELSE",
            "BETALT_SELV",
            "TELEFON|BREV",
            "01.06.2006",
        ],
        ("regnskap", "ledger.csv"): [ACCOUNTS[(n - 1) % len(ACCOUNTS)], "Lønn prosjektleder", "kr 1 000,00"],
        ("namsfogd", "cases.xlsx"): [f"NF-{n}", "15.01.2007", "PRIVAT", LANDLORD, "", nid, "", "UNDER_BEHANDLING", ""],
    }
    return rows[(source, name)]


def file_bytes(source: str, name: str, rows: list[list[str]], folder: Path | None = None) -> bytes:
    if name.endswith(".xlsx"):
        assert folder is not None
        folder.mkdir(parents=True, exist_ok=True)
        return xlsx_bytes(folder, header(source, name), rows)
    return csv_bytes(source, name, header(source, name), rows)


def encoding_of(source: str, name: str) -> tuple[str, str]:
    return FORMAT[(source, name)]


def deliver(
    landing: Path,
    source: str,
    files: dict[str, bytes],
    rows: dict[str, int],
    date: str = DATE,
    manifest: object | None = None,
) -> Path:
    """Write a delivery as a hostile sender would: the manifest's checksums and row counts
    are computed by the sender (so they match), unless ``manifest`` replaces it entirely."""
    folder = landing / source / date
    folder.mkdir(parents=True, exist_ok=True)
    if manifest is None:
        # The other files of every delivery, header only (a valid empty snapshot), so that the
        # case is about the one file it hands in.
        files, rows = dict(files), dict(rows)
        for name, data in empty_files(source, folder).items():
            if name not in files:
                files[name], rows[name] = data, 0
    for name, data in files.items():
        (folder / name).write_bytes(data)
    if manifest is None:
        manifest = {
            "source": source,
            "delivery_date": date,
            "files": [{"name": n, "rows": rows[n], "sha256": hashlib.sha256(d).hexdigest()} for n, d in files.items()],
        }
    text = manifest if isinstance(manifest, (str, bytes)) else json.dumps(manifest)
    target = folder / "_manifest.json"
    target.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return folder


@dataclass
class Outcome:
    result: SourceIngestResult
    audit: pl.DataFrame
    messages: list[str] = field(default_factory=list)

    @property
    def refused(self) -> DeliveryRefused | None:
        return self.result.refused[0] if self.result.refused else None

    @property
    def loaded_rows(self) -> pl.DataFrame:
        return self.audit.filter(pl.col("status") == "loaded")


def ingest_checked(
    source: str, landing: Path, warehouse: Path, seconds: int = 60, secrets: tuple[str, ...] = SECRETS, key: str = KEY
) -> Outcome:
    messages: list[str] = []
    with no_hang(seconds):
        # Anything but a returned DeliveryRefused is a crash: let it fail the test as raised.
        result = ingest_source(source, landing, warehouse, key, progress=messages.append)
        audit = write_ingest_audit(warehouse)
    outcome = Outcome(result, audit, messages)
    check_invariants(outcome, source, landing, warehouse, secrets)
    return outcome


def check_invariants(outcome: Outcome, source: str, landing: Path, warehouse: Path, secrets: tuple[str, ...]) -> None:
    result, audit = outcome.result, outcome.audit
    for refusal in result.refused:
        assert isinstance(refusal, DeliveryRefused)
        text = str(refusal)
        assert refusal.source == source and source in text, text
        assert refusal.delivery_date in text, text
        assert refusal.file and refusal.file in text, f"a refusal must name the file: {text}"
        assert refusal.reason, text
        if IngestLog(ingest_log_path(warehouse, source)).loaded(source, refusal.delivery_date) is None:
            for stem_dir in (warehouse / "raw" / source).glob("*"):
                assert not (stem_dir / f"{refusal.delivery_date}.parquet").exists(), "a refused delivery left raw data"
        statuses = audit.filter(
            (pl.col("source") == source) & (pl.col("delivery_date") == dt.date.fromisoformat(refusal.delivery_date))
        )["status"]
        assert "refused" in statuses.to_list()
    loaded = audit.filter(pl.col("status") == "loaded")
    balance = loaded["rows_loaded"] + loaded["rows_quarantined"] + loaded["rows_collapsed"]
    assert (loaded["rows_in_manifest"] == balance).all(), loaded
    for date in result.loaded:
        for raw in (warehouse / "raw" / source).glob(f"*/{date}.parquet"):
            pl.read_parquet(raw)  # complete and readable
    # Nothing of the file's personal data outside the landing zone and quarantine/.
    log_text = ingest_log_path(warehouse, source).read_text(encoding="utf-8")
    visible = "\n".join([*outcome.messages, *map(str, result.refused), log_text, audit.write_csv()])
    for raw in (warehouse / "raw").rglob("*.parquet"):
        visible += _frame_text(raw)
    for secret in secrets:
        assert secret not in visible, f"{secret!r} escaped ingestion (message, log, audit or raw)"


def _frame_text(path: Path) -> str:
    frame = pl.read_parquet(path)
    nested = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
    return frame.with_columns(pl.col(c).list.join("|") for c in nested).write_csv()
