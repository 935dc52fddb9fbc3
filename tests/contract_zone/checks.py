"""Comparing what the warehouse made of a generated zone with the zone's model."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from orchestration.lib.contract import SOURCES, file_spec
from orchestration.lib.ingest import ingest_source, write_ingest_audit
from tests.contract_zone.model import ExcelDate, ExcelNumber, FileExpectation, Zone, person_key

KEY = "contract-zone-test-key-æøå"


def ingest(source: str, landing: Path, warehouse: Path, key: str = KEY):
    return ingest_source(source, landing, warehouse, key, progress=lambda _: None)


def ingest_all(landing: Path, warehouse: Path, key: str = KEY) -> dict:
    return {source: ingest(source, landing, warehouse, key) for source in SOURCES}


def audit_rows(warehouse: Path) -> dict[tuple[str, str, str], dict]:
    frame = write_ingest_audit(warehouse).filter(pl.col("status") == "loaded")
    return {(r["source"], r["delivery_date"].isoformat(), r["file"]): r for r in frame.iter_rows(named=True)}


def assert_counts(expected: dict[tuple[str, str, str], FileExpectation], warehouse: Path) -> None:
    """rows_in_manifest = loaded + quarantined + collapsed, each count exactly the model's."""
    audit = audit_rows(warehouse)
    assert sorted(audit) == sorted(expected), "every delivered file has exactly one 'loaded' audit row"
    for where, want in expected.items():
        row = audit[where]
        got = (row["rows_in_manifest"], row["rows_loaded"], row["rows_quarantined"], row["rows_collapsed"])
        assert got == (want.rows, want.count("loaded"), want.count("quarantined"), want.count("collapsed")), (
            f"{'/'.join(where)}: audit (manifest, loaded, quarantined, collapsed) {got}, model "
            f"{(want.rows, want.count('loaded'), want.count('quarantined'), want.count('collapsed'))}: "
            f"{[(o.row_number, o.row.case, o.status, sorted(o.reasons)) for o in want.outcomes]}"
        )
        assert row["rows_in_manifest"] == row["rows_loaded"] + row["rows_quarantined"] + row["rows_collapsed"]


def raw_file(warehouse: Path, source: str, name: str, date: str) -> Path:
    return warehouse / "raw" / source / file_spec(source, name).stem / f"{date}.parquet"


def quarantine_file(warehouse: Path, source: str, name: str, date: str) -> Path:
    return warehouse / "quarantine" / source / date / f"{file_spec(source, name).stem}.parquet"


def assert_loaded_values(expectation: FileExpectation, warehouse: Path, key: str = KEY) -> None:
    """Each loaded row holds exactly the model's values (Norwegian letters, amounts, dates, codes)."""
    spec = file_spec(expectation.source, expectation.file)
    frame = pl.read_parquet(raw_file(warehouse, expectation.source, expectation.file, expectation.delivery_date))
    got = {r["row_number"]: r for r in frame.iter_rows(named=True)}
    want = {o.row_number: o for o in expectation.loaded}
    assert sorted(got) == sorted(want), (
        f"{expectation.source}/{expectation.delivery_date}/{expectation.file}: loaded rows"
    )
    for number, outcome in want.items():
        row = got[number]
        for column in spec.columns:
            if column.personal or column.national_id:
                assert column.name not in row, f"{column.name} reached the raw layer"
                continue
            assert row[column.name] == outcome.row.values[column.name], (
                f"{expectation.source}/{expectation.delivery_date}/{expectation.file} row {number} "
                f"{column.name}: loaded {row[column.name]!r}, written {outcome.row.cells[column.name]!r} "
                f"for {outcome.row.values[column.name]!r}"
            )
        if spec.national_id_column:
            person = outcome.row.person
            assert row["person_key"] == person_key(person.national_id, key)
            assert row["sex"] == person.sex


def assert_quarantined_rows(expectation: FileExpectation, warehouse: Path) -> None:
    """Exactly the broken rows, with their row number, original values and reasons."""
    where = f"{expectation.source}/{expectation.delivery_date}/{expectation.file}"
    path = quarantine_file(warehouse, expectation.source, expectation.file, expectation.delivery_date)
    want = {o.row_number: o for o in expectation.quarantined}
    if not want:
        assert not path.exists(), f"{where}: nothing to quarantine"
        return
    frame = pl.read_parquet(path)
    got = {r["row_number"]: r for r in frame.iter_rows(named=True)}
    assert sorted(got) == sorted(want), f"{where}: quarantined rows {sorted(got)}, model {sorted(want)}: " + "; ".join(
        f"{n}: {got[n]['reason']}" for n in sorted(set(got) - set(want))
    )
    spec = file_spec(expectation.source, expectation.file)
    for number, outcome in want.items():
        reasons = frozenset(got[number]["reason"].split("; "))
        assert reasons == outcome.reasons, (
            f"{where} row {number} ({outcome.row.case}): {sorted(reasons)} != {sorted(outcome.reasons)}"
        )
        for column in spec.column_names:
            cell = outcome.row.cells[column]
            if isinstance(cell, (ExcelDate, ExcelNumber)) or cell is None:
                continue
            assert got[number][column] in (cell, None if cell == "" else cell), (
                f"{where} row {number}: quarantine keeps {got[number][column]!r}, delivered {cell!r}"
            )


def assert_zone_loaded(zone: Zone, landing: Path, warehouse: Path) -> None:
    """Ingest every source: no refusal, every count and value as the model says."""
    results = ingest_all(landing, warehouse)
    for source, result in results.items():
        assert not result.refused, f"a conforming delivery was refused: {[str(r) for r in result.refused]}"
        assert sorted(result.loaded) == sorted(d.delivery_date for d in zone.deliveries[source])
    expected = zone.expectations()
    assert_counts(expected, warehouse)
    for expectation in expected.values():
        assert_loaded_values(expectation, warehouse)
        assert_quarantined_rows(expectation, warehouse)


def ingest_log(warehouse: Path, source: str) -> dict:
    path = warehouse / "state" / "ingest_log" / f"{source}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"deliveries": {}, "audit": []}
