"""Ingesting the ready deliveries of one source into typed raw Parquet.

For each delivery, oldest first: verify the manifest, decode and read every file,
validate its rows, and only when every file of the delivery is acceptable, move the
raw Parquet and quarantine files into place and record the delivery in the ingest
log. A refused delivery leaves nothing behind; the earlier state stays as it was.

Layout written (under the warehouse directory):
- ``raw/<source>/<file stem>/<delivery date>.parquet``: loaded rows, pseudonymised;
- ``quarantine/<source>/<delivery date>/<file stem>.parquet``: rejected rows as delivered;
- ``state/ingest_log/<source>.json``: what has been loaded, skipped and refused (``quality/ingest_audit``).
  One log per source, so sources can be ingested in parallel processes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import fastexcel
import polars as pl

from orchestration.lib import atomic
from orchestration.lib.contract import (
    QUARANTINE_SHARE_WARNING,
    SOURCES,
    VOLUME_DROP_WARNING_RATIO,
    FileSpec,
    file_spec,
    files_of,
    raw_table_name,
)
from orchestration.lib.delivery import (
    MANIFEST_NAME,
    MAX_MANIFEST_ROWS,
    Delivery,
    DeliveryRefused,
    ManifestEntry,
    Scratch,
    read_manifest,
    ready_delivery_folders,
    transcode_and_verify,
)
from orchestration.lib.paths import (
    DELIVERY_FILES,
    RAW_SCHEMA_FILE,
    WarehousePaths,
    quarantine_file,
    raw_file,
    raw_table_dir,
)
from orchestration.lib.rows import (
    REASON,
    ROW_NUMBER,
    ValidatedFile,
    file_row_index,
    loaded_key_and_content,
    validate_rows,
)

Progress = Callable[[str], None]

# What polars and its Excel reader raise for a file they cannot read.
_UNREADABLE = (pl.exceptions.PolarsError, fastexcel.FastExcelError, ValueError, OSError)
# Quoted parts of a reader's error message: they quote the file's content (or a header that
# is really a data row), which can be national ids and names. An unclosed quote runs to the end.
_QUOTED = re.compile(r"`[^`]*(?:`|$)|'[^']*(?:'|$)|\"[^\"]*(?:\"|$)")
# Unknown header columns are shown by position only, and only the first few.
_SHOWN_POSITIONS = 10


def _reader_message(error: BaseException) -> str:
    """First line of a reader's error, with every quoted value replaced by an ellipsis."""
    text = str(error).strip()
    first_line = text.splitlines()[0] if text else type(error).__name__
    return _QUOTED.sub("'…'", first_line)[:200]


AUDIT_SCHEMA = {
    "source": pl.String,
    "delivery_date": pl.Date,
    "file": pl.String,
    "status": pl.String,
    "rows_in_manifest": pl.Int64,
    "rows_loaded": pl.Int64,
    "rows_quarantined": pl.Int64,
    "rows_collapsed": pl.Int64,
    "reason": pl.String,
    "warnings": pl.String,
    "quarantine_reasons": pl.String,
    "recorded_at": pl.String,
}
AUDIT_DESCRIPTIONS = {
    "source": "Source system (landing-zone folder).",
    "delivery_date": "Delivery date (folder name).",
    "file": "File of the delivery.",
    "status": "loaded, skipped_duplicate_delivery or refused.",
    "rows_in_manifest": "Data rows the manifest announces.",
    "rows_loaded": "Rows loaded into the raw layer.",
    "rows_quarantined": "Rows written to quarantine/ with a reason.",
    "rows_collapsed": "Rows identical to an earlier row (of the file, or an earlier delivery) loaded once.",
    "reason": "Why the delivery was refused or skipped.",
    "warnings": "Checks beyond the contract that the file did not pass (never blocking): empty_file, "
    "volume_drop (rows against the previous delivery), quarantine_share; '; '-separated.",
    "quarantine_reasons": "Quarantined rows by reason code, as JSON {code: {rows, first_rows}}: counts and row "
    "numbers only, never a value.",
    "recorded_at": "When the warehouse recorded this row (UTC).",
}


@dataclass
class AuditRow:
    source: str
    delivery_date: str
    file: str
    status: str
    rows_in_manifest: int | None
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_collapsed: int = 0
    reason: str | None = None
    warnings: str | None = None
    quarantine_reasons: str | None = None
    recorded_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))


@dataclass
class SourceIngestResult:
    source: str
    loaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    refused: list[DeliveryRefused] = field(default_factory=list)
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_collapsed: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def deliveries(self) -> list[str]:
        return self.loaded + self.skipped


class IngestLog:
    """What the warehouse has taken in: the source of truth for skipping and refusing."""

    def __init__(self, path: Path):
        self.path = path
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        self.deliveries: dict[str, dict] = data.get("deliveries", {})
        self.audit: list[dict] = data.get("audit", [])

    @staticmethod
    def key(source: str, delivery_date: str) -> str:
        return f"{source}/{delivery_date}"

    def loaded(self, source: str, delivery_date: str) -> dict | None:
        return self.deliveries.get(self.key(source, delivery_date))

    def loaded_dates(self, source: str) -> list[str]:
        return sorted(d["delivery_date"] for d in self.deliveries.values() if d["source"] == source)

    def record(self, rows: list[AuditRow]) -> None:
        for row in rows:
            fresh = asdict(row)
            # A refusal repeated run after run is one finding, not many.
            same = [
                a
                for a in self.audit
                if (a["source"], a["delivery_date"], a["file"], a["status"], a["reason"])
                == (row.source, row.delivery_date, row.file, row.status, row.reason)
            ]
            if not same:
                self.audit.append(fresh)

    def save(self) -> None:
        document = {"deliveries": self.deliveries, "audit": self.audit}
        atomic.write_text_atomic(json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True), self.path)

    def audit_frame(self) -> pl.DataFrame:
        rows = [{k: a.get(k) for k in AUDIT_SCHEMA} for a in self.audit]  # older logs lack newer columns
        frame = pl.DataFrame(rows, schema={k: pl.String if v == pl.Date else v for k, v in AUDIT_SCHEMA.items()})
        return frame.with_columns(pl.col("delivery_date").str.to_date()).sort(
            "source", "delivery_date", "file", "recorded_at"
        )


def ingest_log_path(warehouse_dir: Path, source: str) -> Path:
    return WarehousePaths(warehouse_dir).ingest_log(source)


def loaded_deliveries(warehouse_dir: Path) -> list[str]:
    """``source/date`` of every delivery in the raw layer, for lineage metadata."""
    return sorted(key for source in SOURCES for key in IngestLog(ingest_log_path(warehouse_dir, source)).deliveries)


def raw_path(raw_dir: Path, spec: FileSpec, delivery_date: str) -> Path:
    return raw_file(raw_dir, spec.source, spec.stem, delivery_date)


def quarantine_path(quarantine_dir: Path, spec: FileSpec, delivery_date: str) -> Path:
    return quarantine_file(quarantine_dir, spec.source, spec.stem, delivery_date)


def empty_raw_schema(spec: FileSpec) -> pl.Schema:
    empty = pl.DataFrame(schema={n: pl.String for n in (*spec.column_names, ROW_NUMBER)})
    empty = empty.with_columns(pl.col(ROW_NUMBER).cast(pl.Int64))
    return validate_rows(spec, empty, dt.date(2000, 1, 1), "schema").loaded.schema


def ensure_raw_schema_files(raw_dir: Path, source: str) -> None:
    """Each raw table has an empty ``_schema.parquet``, so dbt can read a source with no delivery yet."""
    for spec in files_of(source):
        target = raw_table_dir(raw_dir, spec.source, spec.stem) / RAW_SCHEMA_FILE
        if not target.exists():
            atomic.write_parquet_atomic(pl.DataFrame(schema=empty_raw_schema(spec)), target)


def _read_strings(spec: FileSpec, path: Path, delivery: Delivery, entry: ManifestEntry) -> pl.DataFrame:
    """The file's data rows as strings, with the 1-based data-row number; header checked."""
    try:
        if spec.format.container == "xlsx":
            try:
                # drop_empty_rows=False: an empty row between data rows is a data row (sources.md
                # counts it; its missing values quarantine it, at its own row number). Only the
                # trailing empty rows are not data rows (``_without_trailing_empty_rows``).
                frame = pl.read_excel(
                    path,
                    sheet_name=spec.sheet,
                    engine="calamine",
                    read_options={"dtypes": "string"},
                    drop_empty_rows=False,
                )
            except ValueError as error:
                if "sheet" in str(error).lower():
                    raise delivery.refuse(f"the workbook has no sheet {spec.sheet!r}", entry.name) from None
                raise
        else:
            frame = pl.read_csv(
                path,
                separator=spec.format.separator,
                infer_schema=False,
                quote_char='"',
                raise_if_empty=False,
            )
    except DeliveryRefused:
        raise
    except _UNREADABLE as error:
        raise delivery.refuse(f"cannot be read as {spec.format.name}: {_reader_message(error)}", entry.name) from None
    if spec.format.container == "xlsx":
        frame = _without_trailing_empty_rows(frame)

    header = [c.strip() for c in frame.columns]
    frame.columns = header
    _check_header(spec, header, delivery, entry)
    expected = list(spec.column_names)
    if frame.height != entry.rows:
        raise delivery.refuse(f"the file has {frame.height} data rows, the manifest says {entry.rows}", entry.name)
    return frame.select(expected).with_row_index(ROW_NUMBER, offset=1).with_columns(pl.col(ROW_NUMBER).cast(pl.Int64))


def _check_header(spec: FileSpec, header: list[str], delivery: Delivery, entry: ManifestEntry) -> None:
    """Refuse a file whose header (names stripped) is not exactly the contract's columns."""
    expected = list(spec.column_names)
    missing = [c for c in expected if c not in header]
    unknown = [c for c in header if c not in expected]
    if missing or unknown or len(header) != len(set(header)):
        details = []
        if missing:
            details.append(f"missing columns {missing}")
        if unknown:
            # By position, not by name: a first line that is not the contract's header is often
            # a data row (a header line missing, or CR-only line ends), i.e. national ids and names,
            # and this message goes to logs, the ingest log and quality/ingest_audit.
            positions = [i + 1 for i, c in enumerate(header) if c not in expected]
            more = f" and {len(positions) - _SHOWN_POSITIONS} more" if len(positions) > _SHOWN_POSITIONS else ""
            details.append(
                f"unknown columns at positions {positions[:_SHOWN_POSITIONS]}{more} (names not shown: they may be data)"
            )
        if len(header) != len(set(header)):
            details.append("a column appears twice")
        raise delivery.refuse("header does not match the contract: " + ", ".join(details), entry.name)


def _without_trailing_empty_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """A sheet's trailing empty rows are not data rows (sources.md: the manifest does not count them)."""
    if frame.is_empty() or not frame.columns:
        return frame
    filled = frame.select(
        pl.any_horizontal(pl.col(c).str.strip_chars().fill_null("").str.len_chars() > 0 for c in frame.columns)
    ).to_series()
    last = filled.arg_true()
    return frame.head(int(last[-1]) + 1 if len(last) else 0)


def _earlier_deliveries(spec: FileSpec, raw_dir: Path, delivery_date: str) -> list[Path]:
    return [p for p in raw_table_dir(raw_dir, spec.source, spec.stem).glob(DELIVERY_FILES) if p.stem != delivery_date]


def _postings_delivered_before(
    spec: FileSpec, raw_dir: Path, delivery_date: str, keys: pl.DataFrame, content: list[str]
) -> pl.DataFrame:
    """The earlier deliveries' rows (``content`` columns) whose key is among ``keys``.

    Streamed, so only the earlier postings that share a key with this delivery are held, never
    the whole earlier ledger. The keys are matched first, on the key column alone, and the
    content kept only for the few that match: matching with every content column streamed
    through the join held 1.4 GB for a 7.3 M-row delivery against 17 M earlier postings. With no
    key shared (the usual case) the earlier content is not read at all.
    """
    key = spec.key[0]
    earlier = pl.scan_parquet(_earlier_deliveries(spec, raw_dir, delivery_date))
    shared = earlier.select(key).join(keys.lazy(), on=key, how="semi").collect(engine="streaming")
    if shared.is_empty():
        return earlier.select(content).head(0).collect()
    return earlier.select(content).join(shared.lazy(), on=key, how="semi").collect(engine="streaming")


def _drop_postings_loaded_before(
    spec: FileSpec,
    validated: ValidatedFile,
    raw_dir: Path,
    strings: pl.DataFrame,
    delivery_date: str,
    delivered_before: pl.DataFrame | None = None,
) -> ValidatedFile:
    """Incremental files: a posting delivered again unchanged counts once; changed, it is quarantined.

    ``delivered_before``: the earlier rows sharing a key with the whole file, looked up once
    for a file validated in chunks (``_postings_delivered_before``).
    """
    if validated.loaded.is_empty() or not _earlier_deliveries(spec, raw_dir, delivery_date):
        return validated
    key = spec.key[0]
    content = [c for c in validated.loaded.columns if c not in (ROW_NUMBER, "delivery_date")]
    new_keys = validated.loaded.select(key)
    if delivered_before is None:
        earlier = _postings_delivered_before(spec, raw_dir, delivery_date, new_keys, content)
    else:
        earlier = delivered_before.join(new_keys, on=key, how="semi")
    if earlier.is_empty():
        return validated
    seen = validated.loaded.join(earlier.with_columns(pl.lit(True).alias("__same__")), on=content, how="left")
    repeated = seen.filter(pl.col("__same__").fill_null(False))
    conflicting_keys = validated.loaded.join(earlier.select(key), on=key, how="semi").join(
        repeated.select(key), on=key, how="anti"
    )
    conflicts = strings.join(conflicting_keys.select(ROW_NUMBER), on=ROW_NUMBER, how="semi").with_columns(
        pl.lit(f"duplicate_key_earlier_delivery:{key}").alias(REASON)
    )
    loaded = validated.loaded.join(earlier.select(key), on=key, how="anti")
    return ValidatedFile(
        loaded=loaded,
        # in row order, as every quarantine file (a file validated in chunks is written chunk by chunk)
        quarantined=pl.concat([validated.quarantined, conflicts.select(validated.quarantined.columns)]).sort(
            ROW_NUMBER
        ),
        rows=validated.rows,
        collapsed=validated.collapsed + repeated.height,
    )


@dataclass
class CheckedFile:
    """One validated file of a delivery: its counts, and its tables staged beside their targets."""

    spec: FileSpec
    rows: int
    loaded: int
    quarantined: int
    collapsed: int
    staged: list[atomic.StagedFile]
    # Reason code -> (rows, the first few row numbers): values-free, for the audit and the console.
    reasons: dict[str, tuple[int, list[int]]] = field(default_factory=dict)

    def summary(self) -> str:
        """``4210 rows: 4205 loaded, 3 quarantined (rule:rent_positive: 2, rows 17, 940; ...), 2 collapsed``."""
        detail = "; ".join(
            f"{code}: {count}, row{'s' if count > 1 else ''} {', '.join(map(str, first))}{', …' if count > len(first) else ''}"
            for code, (count, first) in self.reasons.items()
        )
        quarantined = f"{self.quarantined} quarantined" + (f" ({detail})" if detail else "")
        return f"{self.rows} rows: {self.loaded} loaded, {quarantined}, {self.collapsed} collapsed"


def _validate_delivery(
    delivery: Delivery, raw_dir: Path, quarantine_dir: Path, scratch: Scratch, pseudonym_key: str, run_id: str | None
) -> dict[str, CheckedFile]:
    """Validate every file of the delivery and stage its tables; nothing is visible until committed.

    Each file's tables are written (staged) as soon as it is validated, so only one file is
    held in memory at a time. A refused file discards what the earlier ones staged.
    """
    results: dict[str, CheckedFile] = {}
    try:
        for entry in delivery.files:
            spec = file_spec(delivery.source, entry.name)
            readable = transcode_and_verify(delivery, spec, entry, scratch)
            if spec.format.container != "xlsx" and entry.rows > CHUNK_ROWS:
                results[entry.name] = _validate_in_chunks(
                    delivery, spec, entry, readable, raw_dir, quarantine_dir, pseudonym_key, run_id
                )
                continue
            strings = _read_strings(spec, readable, delivery, entry)
            validated = validate_rows(spec, strings, delivery.date, pseudonym_key)
            if spec.kind == "incremental":
                validated = _drop_postings_loaded_before(spec, validated, raw_dir, strings, delivery.delivery_date)
            assert validated.rows == validated.loaded.height + validated.quarantined.height + validated.collapsed
            meta = dict(
                table_name=f"raw.{raw_table_name(spec)}",
                description=spec.description,
                deliveries=[f"{delivery.source}/{delivery.delivery_date}"],
                run_id=run_id,
            )
            checked = CheckedFile(
                spec,
                validated.rows,
                validated.loaded.height,
                validated.quarantined.height,
                validated.collapsed,
                [],
                reason_counts(validated.quarantined),
            )
            results[entry.name] = checked
            checked.staged.append(
                atomic.stage_parquet(validated.loaded, raw_path(raw_dir, spec, delivery.delivery_date), **meta)
            )
            if validated.quarantined.height:
                target = quarantine_path(quarantine_dir, spec, delivery.delivery_date)
                checked.staged.append(
                    atomic.stage_parquet(validated.quarantined, target, private_root=quarantine_dir, **meta)
                )
            del strings, validated
    except BaseException:
        for checked in results.values():
            for staged in checked.staged:
                staged.discard()
        raise
    return results


# A text file with more data rows than this is validated this many rows at a time, so the memory a
# delivery needs does not grow with the size of its biggest file (issue #15: 25 M postings in 2 GB).
# Measured on the 10 M zone's boei deliveries (2.9 M ledger rows, 970 k tenancies): peak RSS of
# the ingest 1.54 GB whole, 0.83 GB in chunks of 500 000.
CHUNK_ROWS = 500_000


def _scan_strings(spec: FileSpec, path: Path, delivery: Delivery, entry: ManifestEntry) -> pl.LazyFrame:
    """``_read_strings`` as a lazy scan: the header is checked and the data rows counted first."""
    options = dict(separator=spec.format.separator, infer_schema=False, quote_char='"', raise_if_empty=False)
    raw_header = pl.read_csv(path, n_rows=0, **options).columns
    header = [c.strip() for c in raw_header]
    _check_header(spec, header, delivery, entry)
    lazy = pl.scan_csv(path, **options)
    renamed = {raw: clean for raw, clean in zip(raw_header, header, strict=True) if raw != clean}
    if renamed:
        lazy = lazy.rename(renamed)
    rows = lazy.select(pl.len()).collect().item()
    if rows != entry.rows:
        raise delivery.refuse(f"the file has {rows} data rows, the manifest says {entry.rows}", entry.name)
    return (
        lazy.select(list(spec.column_names))
        .with_row_index(ROW_NUMBER, offset=1)
        .with_columns(pl.col(ROW_NUMBER).cast(pl.Int64))
    )


def _merged_reasons(
    counted: dict[str, tuple[int, list[int]]], more: dict[str, tuple[int, list[int]]]
) -> dict[str, tuple[int, list[int]]]:
    """``reason_counts`` of two parts of a file, as of the whole (same order, same first rows)."""
    merged = dict(counted)
    for code, (rows, first) in more.items():
        before, shown = merged.get(code, (0, []))
        merged[code] = (before + rows, sorted(shown + first)[:FIRST_ROWS_SHOWN])
    return dict(sorted(merged.items(), key=lambda item: (-item[1][0], item[0])))


def _validate_in_chunks(
    delivery: Delivery,
    spec: FileSpec,
    entry: ManifestEntry,
    readable: Path,
    raw_dir: Path,
    quarantine_dir: Path,
    pseudonym_key: str,
    run_id: str | None,
) -> CheckedFile:
    """Validate a big text file ``CHUNK_ROWS`` rows at a time, with the same result as at once.

    A first pass over the whole file keeps only a hash and the key of each row, for the two
    checks that need the whole file (identical rows loaded once, a key shared by two different
    rows); then each chunk is parsed and checked like a small file and appended to the staged
    raw (and quarantine) Parquet files. The raw file's rows and the quarantine's are those the
    whole-file path writes, in the same order.
    """
    meta = dict(
        table_name=f"raw.{raw_table_name(spec)}",
        description=spec.description,
        deliveries=[f"{delivery.source}/{delivery.delivery_date}"],
        run_id=run_id,
    )
    loaded_writer = atomic.StagedParquetWriter(raw_path(raw_dir, spec, delivery.delivery_date), **meta)
    quarantine_writer = atomic.StagedParquetWriter(
        quarantine_path(quarantine_dir, spec, delivery.delivery_date), private_root=quarantine_dir, **meta
    )
    rows = loaded = quarantined = collapsed = 0
    reasons: dict[str, tuple[int, list[int]]] = {}
    staged: list[atomic.StagedFile] = []
    try:
        try:
            lazy = _scan_strings(spec, readable, delivery, entry)
            whole_file = file_row_index(spec, lazy)
            delivered_before = None
            if spec.kind == "incremental" and _earlier_deliveries(spec, raw_dir, delivery.delivery_date):
                keys, content = loaded_key_and_content(spec, lazy)
                delivered_before = _postings_delivered_before(spec, raw_dir, delivery.delivery_date, keys, content)
            for strings in lazy.collect_batches(chunk_size=CHUNK_ROWS, maintain_order=True):
                validated = validate_rows(spec, strings, delivery.date, pseudonym_key, whole_file=whole_file)
                if spec.kind == "incremental":
                    validated = _drop_postings_loaded_before(
                        spec, validated, raw_dir, strings, delivery.delivery_date, delivered_before
                    )
                rows += validated.rows
                loaded += validated.loaded.height
                quarantined += validated.quarantined.height
                collapsed += validated.collapsed
                reasons = _merged_reasons(reasons, reason_counts(validated.quarantined))
                loaded_writer.write(validated.loaded)
                if validated.quarantined.height:
                    quarantine_writer.write(validated.quarantined)
                del strings, validated
        except DeliveryRefused:
            raise
        except _UNREADABLE as error:
            raise delivery.refuse(
                f"cannot be read as {spec.format.name}: {_reader_message(error)}", entry.name
            ) from None
        if rows != entry.rows:  # the count and the chunks read the file alike; never trust it blindly
            raise delivery.refuse(f"the file has {rows} data rows, the manifest says {entry.rows}", entry.name)
        staged.append(loaded_writer.finish())
        if quarantine_writer.rows_written:
            staged.append(quarantine_writer.finish())
    except BaseException:
        loaded_writer.abort()
        quarantine_writer.abort()
        for file in staged:
            file.discard()
        raise
    assert rows == loaded + quarantined + collapsed
    return CheckedFile(spec, rows, loaded, quarantined, collapsed, staged, reasons)


def ingest_source(
    source: str,
    landing_dir: Path,
    warehouse_dir: Path,
    pseudonym_key: str,
    progress: Progress = print,
    run_id: str | None = None,
    only: set[str] | None = None,
    reload: bool = False,
) -> SourceIngestResult:
    """Bring one source up to date with the landing zone. Refusals are returned, not raised.

    ``only`` limits the work to these delivery dates; ``reload`` loads a delivery again
    even though it was loaded with the same checksums (to re-run it after a fix).
    """
    paths = WarehousePaths(warehouse_dir)
    raw_dir, quarantine_dir, state_dir = paths.raw_dir, paths.quarantine_dir, paths.state_dir
    state_dir.mkdir(parents=True, exist_ok=True)
    log = IngestLog(ingest_log_path(warehouse_dir, source))
    result = SourceIngestResult(source)
    ensure_raw_schema_files(raw_dir, source)
    # quarantine/ holds national ids and names: owner-only, also in a warehouse from before.
    if quarantine_dir.is_dir():
        quarantine_dir.chmod(0o700)
    atomic.make_tree_private(quarantine_dir / source)
    # Earlier versions transcoded into named scratch folders, which a kill left behind: remove
    # them. Only this source's: other sources may be ingesting in parallel processes.
    for stale in state_dir.glob(f"{_scratch_prefix(source)}*"):
        shutil.rmtree(stale, ignore_errors=True)

    for folder in ready_delivery_folders(landing_dir, source):
        delivery_date = folder.name
        if only is not None and delivery_date not in only:
            continue
        try:
            delivery = read_manifest(source, folder)
            manifest_mtime = (folder / MANIFEST_NAME).stat().st_mtime_ns
            previous = log.loaded(source, delivery_date)
            if previous is not None and reload and previous["checksums"] == delivery.checksums:
                progress(f"{source}/{delivery_date}: loading again on request")
                previous = None
            if previous is not None:
                if previous["checksums"] != delivery.checksums:
                    raise delivery.refuse(
                        "a delivery with this date was already loaded with different checksums "
                        "(a changed re-delivery); nothing already loaded was changed",
                        next((n for n, s in delivery.checksums.items() if previous["checksums"].get(n) != s), None),
                    )
                if previous.get("manifest_mtime_ns") != manifest_mtime:
                    # The same delivery was delivered again: record it once, load nothing.
                    previous["manifest_mtime_ns"] = manifest_mtime
                    log.record(
                        [
                            AuditRow(
                                source,
                                delivery_date,
                                e.name,
                                "skipped_duplicate_delivery",
                                e.rows,
                                rows_collapsed=e.rows,
                                reason="identical to the delivery already loaded; every row counted once",
                            )
                            for e in delivery.files
                        ]
                    )
                result.skipped.append(delivery_date)
                continue

            progress(f"{source}/{delivery_date}: validating {', '.join(e.name for e in delivery.files)}")
            with Scratch(paths.scratch_dir) as scratch:
                validated = _validate_delivery(delivery, raw_dir, quarantine_dir, scratch, pseudonym_key, run_id)
                # Every file is acceptable: now (and only now) put the delivery in place.
                audit_rows = []
                for name, checked in validated.items():
                    for staged in checked.staged:
                        staged.commit()
                    if not checked.quarantined:
                        quarantine_path(quarantine_dir, checked.spec, delivery_date).unlink(missing_ok=True)
                    warnings = file_warnings(checked, _previous_rows_loaded(log, source, name, delivery_date))
                    audit_rows.append(
                        AuditRow(
                            source,
                            delivery_date,
                            name,
                            "loaded",
                            checked.rows,
                            rows_loaded=checked.loaded,
                            rows_quarantined=checked.quarantined,
                            rows_collapsed=checked.collapsed,
                            warnings="; ".join(warnings) or None,
                            quarantine_reasons=json.dumps(
                                {code: {"rows": n, "first_rows": first} for code, (n, first) in checked.reasons.items()}
                            )
                            if checked.reasons
                            else None,
                        )
                    )
                    result.warnings += [f"{source}/{delivery_date}/{name}: {w}" for w in warnings]
                    result.rows_loaded += checked.loaded
                    result.rows_quarantined += checked.quarantined
                    result.rows_collapsed += checked.collapsed
                    progress(f"{source}/{delivery_date}/{name}: {checked.summary()}")
            log.deliveries[log.key(source, delivery_date)] = {
                "source": source,
                "delivery_date": delivery_date,
                "checksums": delivery.checksums,
                "manifest_mtime_ns": manifest_mtime,
                "run_id": run_id,
            }
            log.record(audit_rows)
            result.loaded.append(delivery_date)
        except DeliveryRefused as refusal:
            progress(str(refusal))
            result.refused.append(refusal)
            log.record(_refusal_rows(refusal, folder))
            if log.loaded(source, delivery_date) is None:
                _remove_unrecorded(raw_dir, quarantine_dir, source, delivery_date)
        log.save()
    return result


FIRST_ROWS_SHOWN = 5


def reason_counts(quarantined: pl.DataFrame) -> dict[str, tuple[int, list[int]]]:
    """Quarantined rows per reason code (a row with several reasons counts under each), with the
    first few row numbers: what an operator needs to find the rows, and no value of them."""
    if quarantined.is_empty():
        return {}
    exploded = quarantined.select(ROW_NUMBER, pl.col(REASON).str.split("; ")).explode(REASON)
    grouped = (
        exploded.group_by(REASON)
        .agg(pl.len().alias("rows"), pl.col(ROW_NUMBER).sort().head(FIRST_ROWS_SHOWN).alias("first"))
        .sort(["rows", REASON], descending=[True, False])
    )
    return {code: (int(n), [int(r) for r in first]) for code, n, first in grouped.iter_rows()}


def file_warnings(checked: CheckedFile, previous_rows_loaded: int | None) -> list[str]:
    """The checks beyond the contract (severity WARNING, see ``contract``): reported, never blocking."""
    found = []
    if checked.rows == 0:
        found.append("empty_file: the file holds no data rows (valid under the contract)")
    if (
        checked.spec.kind == "snapshot"
        and previous_rows_loaded
        and checked.loaded < VOLUME_DROP_WARNING_RATIO * previous_rows_loaded
    ):
        found.append(f"volume_drop: {checked.loaded} rows loaded, {previous_rows_loaded} in the previous delivery")
    if checked.rows and checked.quarantined / checked.rows > QUARANTINE_SHARE_WARNING:
        found.append(
            f"quarantine_share: {checked.quarantined} of {checked.rows} rows quarantined "
            f"({100 * checked.quarantined / checked.rows:.1f} % > {100 * QUARANTINE_SHARE_WARNING:g} %)"
        )
    return found


def _previous_rows_loaded(log: IngestLog, source: str, file: str, delivery_date: str) -> int | None:
    earlier = [
        a
        for a in log.audit
        if a["source"] == source
        and a["file"] == file
        and a["status"] == "loaded"
        and a["delivery_date"] < delivery_date
    ]
    return max(earlier, key=lambda a: (a["delivery_date"], a["recorded_at"]))["rows_loaded"] if earlier else None


def _scratch_prefix(source: str) -> str:
    return f"ingest-{source}-"


def _remove_unrecorded(raw_dir: Path, quarantine_dir: Path, source: str, delivery_date: str) -> None:
    """Files of a refused delivery the ingest log never recorded: left by an attempt that was killed
    between writing them and saving the log. A refused delivery leaves nothing in the raw layer."""
    for spec in files_of(source):
        for path in (raw_path(raw_dir, spec, delivery_date), quarantine_path(quarantine_dir, spec, delivery_date)):
            path.unlink(missing_ok=True)
            atomic.remove_stale_temporaries(path)  # staged by an attempt killed before its commit


def _plausible_rows(rows: object) -> int | None:
    # The manifest as written: a row count that is not a whole number in Int64 range would
    # make the audit table (and every later write of it) fail.
    if isinstance(rows, int) and not isinstance(rows, bool) and 0 <= rows <= MAX_MANIFEST_ROWS:
        return rows
    return None


def _refusal_rows(refusal: DeliveryRefused, folder: Path) -> list[AuditRow]:
    try:
        listed = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8")).get("files", [])
        files = [(str(f.get("name"))[:200], _plausible_rows(f.get("rows"))) for f in listed]
    except Exception:
        files = []
    if not files:
        files = [(refusal.file or MANIFEST_NAME, None)]
    reason = f"{refusal.file}: {refusal.reason}" if refusal.file else refusal.reason
    return [
        AuditRow(refusal.source, refusal.delivery_date, name, "refused", rows, reason=reason) for name, rows in files
    ]


def write_ingest_audit(warehouse_dir: Path, run_id: str | None = None) -> pl.DataFrame:
    frames = [IngestLog(ingest_log_path(warehouse_dir, source)).audit_frame() for source in SOURCES]
    frame = pl.concat(frames).sort("source", "delivery_date", "file", "recorded_at")
    deliveries = loaded_deliveries(warehouse_dir)
    atomic.write_parquet_atomic(
        frame,
        WarehousePaths(warehouse_dir).ingest_audit,
        table_name="ingest_audit",
        description="One row per file of every delivery seen: what was loaded, quarantined, collapsed, skipped or refused.",
        column_descriptions=AUDIT_DESCRIPTIONS,
        deliveries=deliveries,
        run_id=run_id,
    )
    return frame


def read_identified(landing_dir: Path, source: str, file_name: str, scratch: Scratch) -> pl.DataFrame:
    """The valid rows of the latest ready delivery of a file, typed, WITH national id and name.

    Only for the identified operational lists under ``restricted/``: the same checks as
    ingestion decide which rows are valid; the personal columns come from the file as delivered.
    """
    spec = file_spec(source, file_name)
    folders = ready_delivery_folders(landing_dir, source)
    for folder in reversed(folders):
        delivery = read_manifest(source, folder)
        entry = next((e for e in delivery.files if e.name == file_name), None)
        if entry is None:
            continue
        readable = transcode_and_verify(delivery, spec, entry, scratch)
        strings = _read_strings(spec, readable, delivery, entry)
        checked = validate_rows(spec, strings, delivery.date, "unused")
        personal = [c.name for c in spec.columns if c.personal or c.national_id]
        identified = strings.select(ROW_NUMBER, *[pl.col(c).str.strip_chars() for c in personal])
        return checked.loaded.join(identified, on=ROW_NUMBER, how="left")
    return pl.DataFrame()
