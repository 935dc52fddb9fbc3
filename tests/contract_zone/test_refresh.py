"""End to end: ``evictions refresh`` (a subprocess, as an operator runs it) over a generated zone
that follows the contract and holds what the sample never does: an empty
kemner/notifications.csv, a source that has not delivered (regnskap), quoted line breaks, the
co-operatives' arrears (bbl), forced_sales.xlsx only from the second bailiff delivery, and one
quarantined row. Then a second refresh with a refused delivery changes nothing.

Expected figures come from the zone's model. Two refreshes in the default run; the slow run
adds one more zone."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from orchestration.lib.atomic import METADATA_KEY
from orchestration.settings import REPO_ROOT
from tests.contract_zone.model import Zone, person_key
from tests.contract_zone.national_ids import is_valid
from tests.contract_zone.privacy import files_under, scan
from tests.contract_zone.snapshot import RUN_BOOKKEEPING, assert_unchanged_but_the_refusal, snapshot
from tests.contract_zone.zones import Shape, build_zone

KEY = "e2e-contract-zone-key-Ørnefjellet-2008"
ALLOWED = ("quarantine", "restricted")

DEFAULT_SHAPE = Shape(
    seed=13,
    deliveries=(("boei", 2), ("kemner", 2), ("namsfogd", 2), ("prosjekt", 2), ("regnskap", 0), ("bbl", 2)),
    new_rows=3,
    empty=frozenset({("kemner", "notifications.csv", 0), ("kemner", "notifications.csv", 1)}),
    forced_sales_from=1,
    quarantined=frozenset({("boei", "tenancies.csv", 1)}),
)
# The slow run: other values, notifications empty only in the latest delivery, the latest prosjekt
# snapshot empty (no case open), forced_sales.xlsx empty in one delivery.
SLOW_SHAPE = Shape(
    seed=2008,
    deliveries=(("boei", 3), ("kemner", 2), ("namsfogd", 3), ("prosjekt", 2), ("regnskap", 0), ("bbl", 2)),
    new_rows=4,
    empty=frozenset(
        {("kemner", "notifications.csv", 1), ("namsfogd", "forced_sales.xlsx", 1), ("prosjekt", "cases.csv", 1)}
    ),
    forced_sales_from=1,
    quarantined=frozenset({("prosjekt", "cases.csv", 0)}),
)


@dataclass
class Refreshed:
    zone: Zone
    landing: Path
    warehouse: Path
    log: Path
    returncode: int
    output: str


def run_refresh(landing: Path, warehouse: Path, log: Path) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EVICTIONS_", "DAGSTER_HOME"))}
    env.update(
        {
            "EVICTIONS_LANDING_DIR": str(landing),
            "EVICTIONS_WAREHOUSE_DIR": str(warehouse),
            "EVICTIONS_PSEUDONYM_KEY": KEY,
            "GX_ANALYTICS_ENABLED": "False",
            "PYTHONUNBUFFERED": "1",
        }
    )
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "refresh"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = completed.stdout + completed.stderr
    log.write_text(output, encoding="utf-8")
    return completed.returncode, output


# ---- known dbt bugs (reported; dbt is not ours to change here) -------------------------------
# Each blocks publication of, or misstates, a delivery the contract accepts:
# Three shapes of valid data once broke the dbt project (found by this generator, fixed):
# an unapproved petition noting a case number the bailiff does not have (a blocking
# relationships test on quality/reconciliation), a bbl oldest due date after its delivery (a
# blocking months_overdue >= 0 on co_op_arrears), and a latest full snapshot with no row
# (macro latest_delivery_rows skipped it and showed the delivery before as the current state).
# Every generated zone includes them (``include_the_shapes_that_once_broke_dbt``).
BOARD_APPROVAL_FROM = dt.date(2008, 3, 1)


def _set(file, row, column: str, value, cell=None) -> None:
    """One value of a row changed, in its exact duplicates too (they stay duplicates)."""
    identity = row.identity(file.spec)
    for other in file.rows:
        if other.identity(file.spec) == identity:
            other.values[column] = value
            other.cells[column] = value if cell is None else cell
    file._data = None


def _unapproved_with_unknown_case_number(zone: Zone):
    bailiff = {r.values["Saksnr"] for d in zone.deliveries["namsfogd"] for r in d.files["cases.xlsx"].rows}
    for delivery in zone.deliveries["kemner"]:
        file = delivery.files["petitions.csv"]
        for row in list(file.rows):
            v = row.values
            if (
                v["innsendt_dato"] >= BOARD_APPROVAL_FROM
                and v["nemnd_godkjent_dato"] is None
                and v["namsfogd_saksnr"] is not None
                and v["namsfogd_saksnr"] not in bailiff
            ):
                yield file, row


def _overdue_after_delivery(zone: Zone):
    for delivery in zone.deliveries["bbl"]:
        file = delivery.files["arrears.csv"]
        for row in list(file.rows):
            if row.values["forfalt_siden"] > delivery.date:
                yield delivery, file, row


def _latest_snapshot_empty(zone: Zone) -> list[str]:
    return [
        f"{s}/{f}"
        for s, f in (
            ("boei", "tenancies.csv"),
            ("prosjekt", "cases.csv"),
            ("bbl", "arrears.csv"),
            ("namsfogd", "cases.xlsx"),
            ("kemner", "petitions.csv"),
        )
        if (latest := zone.latest(s, f)) is not None and not latest.rows
    ]


def include_the_shapes_that_once_broke_dbt(zone: Zone) -> Zone:
    if not any(_unapproved_with_unknown_case_number(zone)):
        file = zone.deliveries["kemner"][-1].files["petitions.csv"]
        row = next(r for r in file.rows if not r.reasons and r.case != "exact_duplicate")
        filed = max(row.values["innsendt_dato"], BOARD_APPROVAL_FROM)
        status = max(row.values["status_dato"], filed)
        _set(file, row, "innsendt_dato", filed, filed.isoformat())
        _set(file, row, "status_dato", status, status.isoformat())
        _set(file, row, "nemnd_godkjent_dato", None)
        _set(file, row, "namsfogd_saksnr", "NF-ukjent-Ø1")
    if not any(d is zone.deliveries["bbl"][-1] for d, _, _ in _overdue_after_delivery(zone)):
        delivery = zone.deliveries["bbl"][-1]
        file = delivery.files["arrears.csv"]
        row = next(r for r in file.rows if not r.reasons and r.values["begjaert_dato"] is None)
        later = max(delivery.date, row.values["trinn_dato"]) + dt.timedelta(days=40)
        _set(file, row, "trinn_dato", later, later.strftime("%d.%m.%Y"))
        _set(file, row, "forfalt_siden", later, later.strftime("%d.%m.%Y"))
    assert any(_unapproved_with_unknown_case_number(zone)) and any(_overdue_after_delivery(zone))
    return zone


def refreshed(tmp: Path, shape: Shape, adjust=include_the_shapes_that_once_broke_dbt) -> Refreshed:
    zone = adjust(build_zone(shape))
    landing, warehouse = tmp / "landing", tmp / "warehouse"
    zone.write(landing)
    code, output = run_refresh(landing, warehouse, tmp / "refresh-1.log")
    return Refreshed(zone, landing, warehouse, tmp / "refresh-1.log", code, output)


@pytest.fixture(scope="module")
def default_zone(tmp_path_factory, dbt_manifest) -> Refreshed:
    return refreshed(tmp_path_factory.mktemp("contract_zone_refresh"), DEFAULT_SHAPE)


# ---- the model's figures ------------------------------------------------------------------


def latest_loaded(zone: Zone, source: str, file: str) -> list[dict]:
    expectation = zone.latest(source, file)
    return [o.row.values for o in expectation.loaded] if expectation else []


def expected_petitions(zone: Zone) -> int:
    """published.md: one row per bailiff case, plus one per collector petition the bailiff never
    received (a KOMMUNE case refers to it by Saksokers_ref, or it notes the case's Saksnr)."""
    petitions = latest_loaded(zone, "kemner", "petitions.csv")
    cases = latest_loaded(zone, "namsfogd", "cases.xlsx")
    collector = [c for c in cases if c["Saksokertype"] == "KOMMUNE"]
    received = set()
    taken = set()
    for case in collector:
        match = next(
            (
                p
                for p in petitions
                if p["begjaering_id"] == case["Saksokers_ref"] and p["begjaering_id"] not in received
            ),
            None,
        )
        if match:
            received.add(match["begjaering_id"])
            taken.add(case["Saksnr"])
    for petition in petitions:
        if petition["begjaering_id"] in received:
            continue
        case = next(
            (c for c in collector if c["Saksnr"] == petition["namsfogd_saksnr"] and c["Saksnr"] not in taken), None
        )
        if case:
            received.add(petition["begjaering_id"])
            taken.add(case["Saksnr"])
    return len(cases) + len(petitions) - len(received)


def check_refreshed(run: Refreshed) -> None:
    zone, warehouse = run.zone, run.warehouse
    assert run.returncode == 0, run.output[-8000:]

    # The zone is what this test says it is (the model, before the warehouse).
    assert not zone.deliveries["regnskap"]
    assert not zone.latest("kemner", "notifications.csv").rows
    assert [("forced_sales.xlsx" in d.files) for d in zone.deliveries["namsfogd"]][:2] == [False, True]
    assert zone.latest("bbl", "arrears.csv") is not None
    for source in ("kemner", "bbl"):
        assert any(
            "\r\n" in v
            for d in zone.deliveries[source]
            for f in d.files.values()
            for r in f.rows
            for v in r.cells.values()
            if isinstance(v, str)
        ), f"{source}: a quoted line break"
    expected = zone.expectations()
    assert sum(e.count("quarantined") for e in expected.values()) == 1

    # rows_in_manifest = loaded + quarantined + collapsed, each as the model says.
    audit = pl.read_parquet(warehouse / "quality" / "ingest_audit.parquet")
    assert audit.filter(pl.col("status") != "loaded").is_empty(), audit.filter(pl.col("status") != "loaded")
    got = {(r["source"], r["delivery_date"].isoformat(), r["file"]): r for r in audit.iter_rows(named=True)}
    assert sorted(got) == sorted(expected)
    for where, want in expected.items():
        row = got[where]
        assert row["rows_in_manifest"] == row["rows_loaded"] + row["rows_quarantined"] + row["rows_collapsed"]
        assert (row["rows_in_manifest"], row["rows_loaded"], row["rows_quarantined"], row["rows_collapsed"]) == (
            want.rows,
            want.count("loaded"),
            want.count("quarantined"),
            want.count("collapsed"),
        ), where

    # Curated tables hold the current state the model says.
    curated = {p.stem: pl.read_parquet(p) for p in (warehouse / "curated").glob("*.parquet")}
    tenancies = latest_loaded(zone, "boei", "tenancies.csv")
    assert sorted(curated["households"]["tenancy_id"].to_list()) == sorted(t["leieforhold_id"] for t in tenancies)
    cases = latest_loaded(zone, "prosjekt", "cases.csv")
    assert sorted(curated["case_outcomes"]["case_id"].to_list()) == sorted(c["sak_id"] for c in cases)
    assert curated["petitions"].height == expected_petitions(zone)
    petitions = latest_loaded(zone, "kemner", "petitions.csv")
    assert sorted(curated["petitions"]["petition_id"].drop_nulls().to_list()) == sorted(
        p["begjaering_id"] for p in petitions
    )
    bailiff = latest_loaded(zone, "namsfogd", "cases.xlsx")
    assert sorted(curated["petitions"]["bailiff_case_no"].drop_nulls().to_list()) == sorted(
        c["Saksnr"] for c in bailiff
    )
    assert curated["project_expenses"].height == 0, "regnskap has not delivered"
    arrears = latest_loaded(zone, "bbl", "arrears.csv")
    assert sorted(curated["co_op_arrears"]["arrears_case_id"].to_list()) == sorted(a["sak_id"] for a in arrears)
    # forced_sale_cases: every case of the latest forced_sales.xlsx (a namsfogd delivery without the
    # file says nothing about forced sales), plus co-operative petitions the bailiff never received.
    sales = latest_loaded(zone, "namsfogd", "forced_sales.xlsx")
    # A co-operative case leaves bbl's extract some time after it closed: its latest known version counts.
    latest_known: dict[str, dict] = {}
    for delivery in sorted(zone.deliveries["bbl"], key=lambda d: d.date):
        for outcome in zone.expectations()[("bbl", delivery.delivery_date, "arrears.csv")].loaded:
            latest_known[outcome.row.values["sak_id"]] = outcome.row.values
    petitioned = {k for k, a in latest_known.items() if a["trinn"] in ("BEGJAERT", "TVANGSSOLGT")}
    forced = curated["forced_sale_cases"]
    assert sorted(forced["bailiff_case_no"].drop_nulls().to_list()) == sorted(c["Saksnr"] for c in sales)
    assert set(forced.filter(pl.col("bailiff_case_no").is_null())["arrears_case_id"]) <= petitioned
    assert len(sales) <= forced.height <= len(sales) + len(petitioned)

    # Every person_key is the HMAC of a generated national id under the configured key.
    keys = {person_key(p.national_id, KEY) for p in zone.ctx.people}
    for name, frame in curated.items():
        if "person_key" in frame.columns:
            assert set(frame["person_key"].drop_nulls()) <= keys, name
    households = curated["households"].sort("tenancy_id")
    by_tenancy = {t["leieforhold_id"]: t for t in tenancies}
    for tenancy_id, key in households.select("tenancy_id", "person_key").iter_rows():
        assert key == person_key(by_tenancy[tenancy_id]["fodselsnummer"], KEY)

    # Disclosure control: no count from 1 to 4 is shown in published/.
    published = sorted((warehouse / "published").glob("*.parquet"))
    assert published
    for path in published:
        document = json.loads(pq.read_schema(path).metadata[METADATA_KEY])
        frame = pl.read_parquet(path)
        for column in document.get("disclosure", {}).get("counts", []):
            if column in frame.columns:
                shown = frame[column].drop_nulls()
                assert not shown.is_between(1, 4).any(), f"{path.name}.{column} shows {shown.to_list()}"
    summary = pl.read_parquet(warehouse / "published" / "project_accounts_summary.parquet")
    assert summary.height == 0, "an unknown account total is no row, not zero"
    assert (warehouse / "published" / "release" / "index.html").is_file()

    # No national id, name, birth date or key outside quarantine/ and restricted/, the refresh's
    # own output and Dagster's run storage and logs included...
    ids, names = zone.national_ids(), zone.names()
    born = pl.DataFrame(
        [
            (person_key(p.national_id, KEY), text)
            for p in zone.ctx.people
            for text in (p.birth_date.isoformat(), p.birth_date.strftime("%d.%m.%Y"))
        ],
        schema={"person_key": pl.String, "__birth__": pl.String},
        orient="row",
    )
    files = files_under(warehouse, ALLOWED) + [run.log]
    assert any("dagster_home" in str(p) and p.suffix == ".db" for p in files)
    findings = scan(files, ids, names, KEY, born)
    assert findings.clean, findings.report()
    assert len(findings.scanned) > 30
    # ...and the same scan does find the quarantined row's person in quarantine/.
    row = next(o.row for e in expected.values() for o in e.quarantined)
    found = scan(files_under(warehouse / "quarantine"), ids, names, KEY)
    assert row.person.national_id in found.ids, "the scan finds no national id where one is"
    assert row.person.name in found.names or not any(c.personal for c in row_spec(zone, row).columns), (
        "the scan finds no name where one is"
    )


def row_spec(zone: Zone, row):
    return next(f.spec for ds in zone.deliveries.values() for d in ds for f in d.files.values() if row in f.rows)


@pytest.mark.process
def test_a_generated_zone_refreshes_and_publishes(default_zone):
    check_refreshed(default_zone)


@pytest.mark.process
def test_a_refused_delivery_fails_the_refresh_and_changes_nothing(default_zone, tmp_path):
    """A third boei delivery whose checksum does not match: the refresh fails naming it, and
    every file of the warehouse (raw, quarantine, curated, published, the release page, quality)
    keeps its bytes but the refusal's own records in the ingest log and the audit."""
    assert default_zone.returncode == 0
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    shutil.copytree(default_zone.landing, landing, copy_function=shutil.copy2)
    shutil.copytree(default_zone.warehouse, warehouse, copy_function=shutil.copy2)
    latest = default_zone.zone.deliveries["boei"][-1]
    folder = landing / "boei" / (latest.date + dt.timedelta(days=31)).isoformat()
    shutil.copytree(landing / "boei" / latest.delivery_date, folder)
    manifest = json.loads((folder / "_manifest.json").read_text(encoding="utf-8"))
    manifest["delivery_date"] = folder.name
    entry = next(e for e in manifest["files"] if e["name"] == "tenancies.csv")
    entry["sha256"] = "0" * 64
    (folder / "_manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    before = snapshot(warehouse, skip=RUN_BOOKKEEPING)
    code, output = run_refresh(landing, warehouse, tmp_path / "refresh-2.log")
    assert code != 0, output[-4000:]
    assert re.search(rf"boei/{folder.name}/tenancies\.csv: checksum does not match", output), output[-4000:]
    after = snapshot(warehouse, skip=RUN_BOOKKEEPING)

    class Refusal:  # what the refusal is, as the contract states it
        source, delivery_date, file, reason = (
            "boei",
            folder.name,
            "tenancies.csv",
            "checksum does not match the manifest",
        )

    # quality/ records the refusal: the audit table gains its rows, and the auditors' evidence
    # page (rebuilt by the ingest step when it refuses) shows it. Everything else keeps its bytes.
    audit, evidence = "quality/ingest_audit.parquet", "quality/index.html"
    records = (audit, evidence)
    assert_unchanged_but_the_refusal(
        {k: v for k, v in before.items() if k not in records},
        {k: v for k, v in after.items() if k not in records},
        [Refusal],
    )
    assert folder.name in after[evidence].decode("utf-8") and "tenancies.csv" in after[evidence].decode("utf-8")
    # The audit table is the ingest log's: it gains the refusal's rows at most, the rest as it was.
    if after[audit] != before[audit]:
        old, new = pl.read_parquet(io.BytesIO(before[audit])), pl.read_parquet(io.BytesIO(after[audit]))
        assert old.join(new, on=old.columns, how="anti", nulls_equal=True).is_empty(), "an audit row changed"
        fresh = new.join(old, on=old.columns, how="anti", nulls_equal=True)
        assert set(fresh["status"]) == {"refused"}
        assert set(fresh["delivery_date"]) == {dt.date.fromisoformat(folder.name)}
        assert all("checksum does not match" in r for r in fresh["reason"])


@pytest.mark.process
def test_another_generated_zone_refreshes_and_publishes(tmp_path, dbt_manifest):
    """Another shape of zone, with the shapes that once broke dbt: every check of the default zone."""
    run = refreshed(tmp_path, SLOW_SHAPE)
    assert _latest_snapshot_empty(run.zone), "this shape has a latest full snapshot with no row"
    assert run.returncode == 0, run.output[-6000:]
    # Includes: curated/case_outcomes holds no case, as the latest (empty) prosjekt snapshot says.
    check_refreshed(run)


def test_the_generated_people_are_valid():
    zone = build_zone(DEFAULT_SHAPE)
    assert zone.ctx.people and all(is_valid(p.national_id) for p in zone.ctx.people)
