"""The contract's "Bad input" section, one small fixture per rule, each asserting its stated effect."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from orchestration.lib.ingest import IngestLog, ingest_log_path, ingest_source, write_ingest_audit
from tests.support.landing import csv_bytes, write_delivery, xlsx_bytes
from tests.support.national_ids import synthetic_national_id

KEY = "test-key"
TENANCY_HEADER = [
    "leieforhold_id",
    "bolig_id",
    "fodselsnummer",
    "navn",
    "bydel",
    "boligtype",
    "antall_personer",
    "antall_barn",
    "husleie",
    "fra_dato",
    "til_dato",
]
LEDGER_HEADER = ["bilag_id", "leieforhold_id", "bokfort_dato", "posttype", "belop"]
PETITION_HEADER = [
    "begjaering_id",
    "leieforhold_id",
    "fodselsnummer",
    "innsendt_dato",
    "krav_belop",
    "namsfogd_saksnr",
    "status",
    "status_dato",
    "nemnd_godkjent_dato",
]
BAILIFF_HEADER = [
    "Saksnr",
    "Mottatt",
    "Saksokertype",
    "Saksoker",
    "Saksokers_ref",
    "Fodselsnummer",
    "Berammet",
    "Utfall",
    "Utfall_dato",
]

NID_A = synthetic_national_id(12, 3, 71, 234)
NID_B = synthetic_national_id(4, 11, 58, 120)


def tenancy(tenancy_id: int = 1, **changes: str) -> list[str]:
    row = {
        "leieforhold_id": str(tenancy_id),
        "bolig_id": f"B-{tenancy_id}",
        "fodselsnummer": NID_A,
        "navn": "Åse Ærlig Øvrebø",
        "bydel": "Årstad",
        "boligtype": "ORDINAER",
        "antall_personer": "3",
        "antall_barn": "1",
        "husleie": "kr 5 250,00",
        "fra_dato": "01.02.2004",
        "til_dato": "",
    }
    row.update(changes)
    return [row[c] for c in TENANCY_HEADER]


def deliver_tenancies(landing: Path, rows: list[list[str]], date: str = "2007-06-30", **kw) -> Path:
    data = csv_bytes("boei", "tenancies.csv", TENANCY_HEADER, rows)
    return write_delivery(landing, "boei", date, {"tenancies.csv": data}, {"tenancies.csv": len(rows)}, **kw)


def run(source: str, landing: Path, warehouse: Path):
    return ingest_source(source, landing, warehouse, KEY, progress=lambda _: None)


def audit(warehouse: Path) -> pl.DataFrame:
    return write_ingest_audit(warehouse)


def assert_balanced(warehouse: Path) -> None:
    frame = audit(warehouse).filter(pl.col("status") == "loaded")
    assert frame.height > 0
    balance = frame["rows_loaded"] + frame["rows_quarantined"] + frame["rows_collapsed"]
    assert (frame["rows_in_manifest"] == balance).all()


def quarantine(warehouse: Path, source: str, date: str, stem: str) -> pl.DataFrame:
    return pl.read_parquet(warehouse / "quarantine" / source / date / f"{stem}.parquet")


@pytest.fixture
def zones(tmp_path):
    return tmp_path / "landing", tmp_path / "warehouse"


# ---- Delivery refused -------------------------------------------------------------------


def _assert_refused(result, warehouse: Path, source: str, file: str, reason_part: str):
    assert len(result.refused) == 1
    refusal = result.refused[0]
    assert (refusal.source, refusal.file) == (source, file)
    assert reason_part in refusal.reason
    assert source in str(refusal) and refusal.delivery_date in str(refusal) and file in str(refusal)
    assert not list((warehouse / "raw" / source).rglob("[0-9]*.parquet")), "nothing of a refused delivery is loaded"
    rows = audit(warehouse).filter(pl.col("status") == "refused")
    assert rows.height >= 1 and reason_part in rows["reason"][0]


def test_manifest_lists_a_missing_file(zones):
    landing, warehouse = zones
    folder = deliver_tenancies(landing, [tenancy()])
    (folder / "rent_ledger.csv").unlink()
    _assert_refused(run("boei", landing, warehouse), warehouse, "boei", "rent_ledger.csv", "missing")


@pytest.mark.parametrize("listed", [[], ["tenancies.csv"]])
def test_manifest_that_omits_a_file_of_every_delivery_is_refused(zones, listed):
    """An empty ``files`` list (or one without rent_ledger.csv) is an incomplete delivery, not a loaded one."""
    landing, warehouse = zones
    folder = deliver_tenancies(landing, [tenancy()])
    manifest = json.loads((folder / "_manifest.json").read_text())
    manifest["files"] = [f for f in manifest["files"] if f["name"] in listed]
    (folder / "_manifest.json").write_text(json.dumps(manifest))
    result = run("boei", landing, warehouse)
    _assert_refused(result, warehouse, "boei", "_manifest.json", "does not list")
    assert "rent_ledger.csv" in str(result.refused[0])
    assert IngestLog(ingest_log_path(warehouse, "boei")).loaded_dates("boei") == []


def test_row_count_mismatch(zones):
    landing, warehouse = zones
    folder = deliver_tenancies(landing, [tenancy()])
    manifest = json.loads((folder / "_manifest.json").read_text())
    manifest["files"][0]["rows"] = 2
    (folder / "_manifest.json").write_text(json.dumps(manifest))
    _assert_refused(run("boei", landing, warehouse), warehouse, "boei", "tenancies.csv", "manifest says 2")


def test_checksum_mismatch(zones):
    landing, warehouse = zones
    folder = deliver_tenancies(landing, [tenancy()])
    with (folder / "tenancies.csv").open("ab") as handle:
        handle.write(b"\r\n")
    _assert_refused(run("boei", landing, warehouse), warehouse, "boei", "tenancies.csv", "checksum")


@pytest.mark.parametrize(
    ("header", "reason"), [(TENANCY_HEADER[:-1], "missing columns"), (TENANCY_HEADER + ["ekstra"], "unknown columns")]
)
def test_missing_or_unknown_header_columns(zones, header, reason):
    landing, warehouse = zones
    rows = [tenancy()[: len(header)] + [""] * (len(header) - len(TENANCY_HEADER))]
    data = csv_bytes("boei", "tenancies.csv", header, rows)
    write_delivery(landing, "boei", "2007-06-30", {"tenancies.csv": data}, {"tenancies.csv": 1})
    _assert_refused(run("boei", landing, warehouse), warehouse, "boei", "tenancies.csv", reason)


def test_file_not_valid_in_its_encoding(zones):
    landing, warehouse = zones
    data = csv_bytes("boei", "tenancies.csv", TENANCY_HEADER, [tenancy()]).replace("Åse".encode("cp1252"), b"\x81se")
    write_delivery(landing, "boei", "2007-06-30", {"tenancies.csv": data}, {"tenancies.csv": 1})
    _assert_refused(run("boei", landing, warehouse), warehouse, "boei", "tenancies.csv", "not valid cp1252")


def test_utf8_source_delivered_in_windows_1252_is_refused(zones):
    landing, warehouse = zones
    row = ["K-1", "1", NID_A, "2007-01-10", "15000.00", "", "SENDT", "2007-01-10", ""]
    data = csv_bytes("kemner", "petitions.csv", PETITION_HEADER, [row]).replace(b"K-1", "K-æ".encode("cp1252"))
    write_delivery(landing, "kemner", "2007-06-30", {"petitions.csv": data}, {"petitions.csv": 1})
    _assert_refused(run("kemner", landing, warehouse), warehouse, "kemner", "petitions.csv", "not valid utf-8")


def test_xlsx_without_the_saker_sheet(zones):
    landing, warehouse = zones
    folder = landing / "namsfogd" / "2007-06-30"
    folder.mkdir(parents=True)
    data = xlsx_bytes(folder, BAILIFF_HEADER, [["1"] * 9], sheet="Ark1")
    write_delivery(landing, "namsfogd", "2007-06-30", {"cases.xlsx": data}, {"cases.xlsx": 1})
    _assert_refused(run("namsfogd", landing, warehouse), warehouse, "namsfogd", "cases.xlsx", "Saker")


def test_file_that_claims_to_be_xlsx_but_is_not(zones):
    landing, warehouse = zones
    write_delivery(landing, "namsfogd", "2007-06-30", {"cases.xlsx": b"Saksnr;Mottatt\n1;2\n"}, {"cases.xlsx": 1})
    _assert_refused(run("namsfogd", landing, warehouse), warehouse, "namsfogd", "cases.xlsx", "not an xlsx")


def test_manifest_pointing_outside_the_delivery_is_refused(zones):
    landing, warehouse = zones
    folder = deliver_tenancies(landing, [tenancy()])
    manifest = json.loads((folder / "_manifest.json").read_text())
    manifest["files"][0]["name"] = "../../etc/tenancies.csv"
    (folder / "_manifest.json").write_text(json.dumps(manifest))
    result = run("boei", landing, warehouse)
    assert len(result.refused) == 1 and "not a file of source" in result.refused[0].reason


def test_refused_delivery_keeps_the_last_good_state(zones):
    landing, warehouse = zones
    deliver_tenancies(landing, [tenancy(1)], date="2007-06-30")
    assert run("boei", landing, warehouse).loaded == ["2007-06-30"]
    before = (warehouse / "raw/boei/tenancies/2007-06-30.parquet").read_bytes()
    folder = deliver_tenancies(landing, [tenancy(2)], date="2007-12-31")
    (folder / "tenancies.csv").write_bytes(b"garbage")
    result = run("boei", landing, warehouse)
    assert result.refused and not (warehouse / "raw/boei/tenancies/2007-12-31.parquet").exists()
    assert (warehouse / "raw/boei/tenancies/2007-06-30.parquet").read_bytes() == before


# ---- Rows quarantined -------------------------------------------------------------------

QUARANTINE_CASES = [
    ("required value missing", tenancy(2, bolig_id=""), "missing_required:bolig_id"),
    ("value does not parse", tenancy(2, husleie="fem tusen"), "unparseable:husleie"),
    ("date does not parse", tenancy(2, fra_dato="31.02.2004"), "unparseable:fra_dato"),
    ("code outside its list", tenancy(2, boligtype="HYTTE"), "unknown_code:boligtype"),
    ("unknown district", tenancy(2, bydel="Oslo"), "unknown_code:bydel"),
    (
        "invalid national id",
        tenancy(2, fodselsnummer=NID_A[:10] + str((int(NID_A[10]) + 1) % 10)),
        "invalid_national_id",
    ),
    (
        "meaning rule: children < persons",
        tenancy(2, antall_personer="2", antall_barn="2"),
        "rule:children_fewer_than_persons",
    ),
    ("meaning rule: end before start", tenancy(2, til_dato="01.01.2004"), "rule:end_not_before_start"),
    ("meaning rule: rent > 0", tenancy(2, husleie="0,00"), "rule:rent_positive"),
]


@pytest.mark.parametrize(("case", "bad_row", "reason"), QUARANTINE_CASES, ids=[c[0] for c in QUARANTINE_CASES])
def test_bad_row_is_quarantined_with_its_original_values(zones, case, bad_row, reason):
    landing, warehouse = zones
    deliver_tenancies(landing, [tenancy(1), bad_row])
    result = run("boei", landing, warehouse)
    assert result.loaded == ["2007-06-30"] and result.rows_loaded == 1 and result.rows_quarantined == 1
    rejected = quarantine(warehouse, "boei", "2007-06-30", "tenancies")
    assert rejected["row_number"].to_list() == [2]
    assert reason in rejected["reason"][0]
    assert rejected.select(TENANCY_HEADER).row(0) == tuple(v if v != "" else None for v in bad_row)
    assert_balanced(warehouse)


def test_payment_with_positive_amount_is_quarantined(zones):
    landing, warehouse = zones
    rows = [["R-1", "1", "05.01.2007", "HUSLEIE", "5 250,00"], ["R-2", "1", "20.01.2007", "INNBETALING", "5 250,00"]]
    data = csv_bytes("boei", "rent_ledger.csv", LEDGER_HEADER, rows)
    write_delivery(landing, "boei", "2007-06-30", {"rent_ledger.csv": data}, {"rent_ledger.csv": 2})
    run("boei", landing, warehouse)
    rejected = quarantine(warehouse, "boei", "2007-06-30", "rent_ledger")
    assert rejected["bilag_id"].to_list() == ["R-2"]
    assert rejected["reason"][0] == "rule:amount_sign_matches_posting_type"


def test_same_key_different_content_quarantines_both(zones):
    landing, warehouse = zones
    deliver_tenancies(landing, [tenancy(1), tenancy(7, husleie="100,00"), tenancy(7, husleie="200,00")])
    result = run("boei", landing, warehouse)
    assert result.rows_loaded == 1 and result.rows_quarantined == 2
    rejected = quarantine(warehouse, "boei", "2007-06-30", "tenancies")
    assert rejected["row_number"].to_list() == [2, 3]
    assert all("duplicate_key" in r for r in rejected["reason"])
    assert_balanced(warehouse)


def test_identical_rows_are_collapsed(zones):
    landing, warehouse = zones
    deliver_tenancies(landing, [tenancy(1), tenancy(2), tenancy(1), tenancy(1)])
    result = run("boei", landing, warehouse)
    assert (result.rows_loaded, result.rows_quarantined, result.rows_collapsed) == (2, 0, 2)
    assert_balanced(warehouse)


def test_petition_without_board_approval_is_kept(zones):
    landing, warehouse = zones
    row = ["K-9", "1", NID_A, "2008-04-02", "15000.00", "", "SENDT", "2008-04-02", ""]
    data = csv_bytes("kemner", "petitions.csv", PETITION_HEADER, [row])
    write_delivery(landing, "kemner", "2008-06-30", {"petitions.csv": data}, {"petitions.csv": 1})
    assert run("kemner", landing, warehouse).rows_loaded == 1


# ---- Deliveries over time ---------------------------------------------------------------


def test_folder_without_manifest_is_ignored(zones):
    landing, warehouse = zones
    folder = deliver_tenancies(landing, [tenancy()])
    (folder / "_manifest.json").unlink()
    result = run("boei", landing, warehouse)
    assert (result.loaded, result.refused) == ([], [])


def test_redelivered_delivery_is_skipped(zones):
    landing, warehouse = zones
    folder = deliver_tenancies(landing, [tenancy(1)])
    run("boei", landing, warehouse)
    (folder / "_manifest.json").write_text((folder / "_manifest.json").read_text())  # delivered again, same bytes
    result = run("boei", landing, warehouse)
    assert result.loaded == [] and result.skipped == ["2007-06-30"] and not result.refused
    statuses = audit(warehouse).filter(pl.col("file") == "tenancies.csv")["status"].to_list()
    assert statuses.count("loaded") == 1
    assert_balanced(warehouse)


def test_changed_redelivery_is_refused_and_nothing_changes(zones):
    landing, warehouse = zones
    deliver_tenancies(landing, [tenancy(1)])
    run("boei", landing, warehouse)
    before = (warehouse / "raw/boei/tenancies/2007-06-30.parquet").read_bytes()
    deliver_tenancies(landing, [tenancy(1, husleie="6 000,00")])
    result = run("boei", landing, warehouse)
    assert len(result.refused) == 1 and "different checksums" in result.refused[0].reason
    assert (warehouse / "raw/boei/tenancies/2007-06-30.parquet").read_bytes() == before


def test_rent_ledger_accumulates_and_counts_a_redelivered_posting_once(zones):
    landing, warehouse = zones
    first = [["R-1", "1", "05.01.2007", "HUSLEIE", "5 250,00"], ["R-2", "1", "20.01.2007", "INNBETALING", "-5 250,00"]]
    second = [
        first[1],
        ["R-3", "1", "05.02.2007", "HUSLEIE", "kr 5 250,00"],
        ["R-1", "1", "05.01.2007", "HUSLEIE", "9 999,00"],
    ]
    for date, rows in (("2007-01-31", first), ("2007-02-28", second)):
        data = csv_bytes("boei", "rent_ledger.csv", LEDGER_HEADER, rows)
        write_delivery(landing, "boei", date, {"rent_ledger.csv": data}, {"rent_ledger.csv": len(rows)})
    run("boei", landing, warehouse)
    ledger = pl.read_parquet(warehouse / "raw/boei/rent_ledger/[0-9]*.parquet")
    assert sorted(ledger["bilag_id"].to_list()) == ["R-1", "R-2", "R-3"]
    rejected = quarantine(warehouse, "boei", "2007-02-28", "rent_ledger")
    assert rejected["bilag_id"].to_list() == ["R-1"] and "earlier_delivery" in rejected["reason"][0]
    row = audit(warehouse).filter(pl.col("delivery_date") == dt.date(2007, 2, 28)).row(0, named=True)
    assert (row["rows_loaded"], row["rows_quarantined"], row["rows_collapsed"]) == (1, 1, 1)
    assert_balanced(warehouse)


# ---- Encodings and privacy --------------------------------------------------------------


def test_norwegian_letters_survive_every_encoding(zones):
    landing, warehouse = zones
    deliver_tenancies(landing, [tenancy(1, bydel="  ÅSANE ", bolig_id="Bø-Æ1")])
    petition = ["K-å", "1", NID_A, "2007-01-10", "15000.00", "NF-ø", "SENDT", "2007-01-10", ""]
    write_delivery(
        landing,
        "kemner",
        "2007-06-30",
        {"petitions.csv": csv_bytes("kemner", "petitions.csv", PETITION_HEADER, [petition])},
        {"petitions.csv": 1},
    )
    header = [
        "sak_id",
        "leieforhold_id",
        "fodselsnummer",
        "opprettet",
        "sosialtjeneste",
        "kjent_sosialtjenesten",
        "barn_i_husstand",
        "inntektskilde",
        "krav_belop",
        "utfall",
        "losning",
        "tiltak",
        "avsluttet",
    ]
    case = [
        "P-æøå",
        "1",
        NID_B,
        "01.03.2006",
        "laksevåg",
        "JA",
        "0",
        "TRYGD",
        "12 500,00",
        "LOST_FOR_UTKASTELSE",
        "BETALT_SELV",
        "TELEFON|BREV",
        "01.06.2006",
    ]
    write_delivery(
        landing,
        "prosjekt",
        "2007-06-30",
        {"cases.csv": csv_bytes("prosjekt", "cases.csv", header, [case])},
        {"cases.csv": 1},
    )
    folder = landing / "namsfogd" / "2007-06-30"
    folder.mkdir(parents=True)
    bailiff = [
        "NF-ø",
        dt.datetime(2007, 1, 15),
        "KOMMUNE",
        "Kemneren i Bergen",
        "K-å",
        NID_A,
        "",
        "UNDER_BEHANDLING",
        "",
    ]
    bailiff2 = ["NF-Å2", "16.01.2007", "BORETTSLAG", "Fjellsiden Borettslag", "", NID_B, "", "BORTFALT", "01.03.2007"]
    write_delivery(
        landing,
        "namsfogd",
        "2007-06-30",
        {"cases.xlsx": xlsx_bytes(folder, BAILIFF_HEADER, [bailiff, bailiff2])},
        {"cases.xlsx": 2},
    )
    for source in ("boei", "kemner", "prosjekt", "namsfogd"):
        assert not run(source, landing, warehouse).refused
    raw = warehouse / "raw"
    tenancies = pl.read_parquet(raw / "boei/tenancies/2007-06-30.parquet")
    assert tenancies.select("bydel", "bolig_id").row(0) == ("Åsane", "Bø-Æ1")
    assert pl.read_parquet(raw / "kemner/petitions/2007-06-30.parquet").select("begjaering_id", "namsfogd_saksnr").row(
        0
    ) == ("K-å", "NF-ø")
    cases = pl.read_parquet(raw / "prosjekt/cases/2007-06-30.parquet")
    assert cases.select("sak_id", "sosialtjeneste").row(0) == ("P-æøå", "Laksevåg")
    assert cases["tiltak"].to_list() == [["TELEFON", "BREV"]]
    bailiff_raw = pl.read_parquet(raw / "namsfogd/cases/2007-06-30.parquet").sort("Saksnr")
    assert bailiff_raw["Saksnr"].to_list() == ["NF-Å2", "NF-ø"]
    assert bailiff_raw["Mottatt"].to_list() == [dt.date(2007, 1, 16), dt.date(2007, 1, 15)]


def test_no_national_id_name_or_birth_date_past_ingestion(zones):
    landing, warehouse = zones
    deliver_tenancies(landing, [tenancy(1), tenancy(2, fodselsnummer=NID_B, navn="Bjørn Ødegård")])
    run("boei", landing, warehouse)
    audit(warehouse)
    for path in (warehouse / "raw").rglob("*.parquet"):
        text = pl.read_parquet(path).write_csv()
        for secret in (NID_A, NID_B, "Åse Ærlig Øvrebø", "Bjørn Ødegård", "1971-03-12", "12.03.1971"):
            assert secret not in text, f"{secret} leaked into {path}"
    raw = pl.read_parquet(warehouse / "raw/boei/tenancies/2007-06-30.parquet")
    assert {"fodselsnummer", "navn"}.isdisjoint(raw.columns)
    assert set(raw["sex"]) <= {"F", "M"} and raw["person_key"].str.len_chars().to_list() == [64, 64]


def test_one_delivery_can_be_rerun_on_request(zones):
    landing, warehouse = zones
    deliver_tenancies(landing, [tenancy(1)], date="2007-06-30")
    deliver_tenancies(landing, [tenancy(2)], date="2007-12-31")
    run("boei", landing, warehouse)
    target = warehouse / "raw/boei/tenancies/2007-06-30.parquet"
    target.unlink()  # e.g. lost, or to be rebuilt after a fix in the parser
    result = ingest_source("boei", landing, warehouse, KEY, progress=lambda _: None, only={"2007-06-30"}, reload=True)
    assert result.loaded == ["2007-06-30"] and result.skipped == []
    assert target.exists()
    loaded = audit(warehouse).filter((pl.col("status") == "loaded") & (pl.col("file") == "tenancies.csv"))
    assert loaded.height == 2  # one audit row per file and delivery, not per run


# ---- owner-only quarantine, warnings beyond the contract ----------------------------------


def _modes(root: Path) -> set[tuple[str, int]]:
    found = {("dir", root.stat().st_mode & 0o777)}
    for path in root.rglob("*"):
        found.add(("dir" if path.is_dir() else "file", path.stat().st_mode & 0o777))
    return found


def test_quarantine_is_owner_only(zones):
    """quarantine/ holds national ids and names as delivered: folders 0700, files 0600."""
    landing, warehouse = zones
    deliver_tenancies(landing, [tenancy(1), tenancy(2, husleie="fem tusen")])
    run("boei", landing, warehouse)
    assert (warehouse / "quarantine/boei/2007-06-30/tenancies.parquet").exists()
    assert _modes(warehouse / "quarantine") == {("dir", 0o700), ("file", 0o600)}


def test_a_warehouse_from_before_the_rule_gets_an_owner_only_quarantine(zones):
    landing, warehouse = zones
    old = warehouse / "quarantine/boei/2006-12-31/tenancies.parquet"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"PAR1")
    for path in (warehouse / "quarantine", old.parent.parent, old.parent):
        path.chmod(0o755)
    old.chmod(0o644)
    deliver_tenancies(landing, [tenancy(1)])
    run("boei", landing, warehouse)
    assert _modes(warehouse / "quarantine") == {("dir", 0o700), ("file", 0o600)}


def test_nul_in_a_text_value_is_quarantined_as_unparseable(zones):
    landing, warehouse = zones
    deliver_tenancies(landing, [tenancy(1), tenancy(2, bolig_id="B-\x00-2")])
    result = run("boei", landing, warehouse)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    quarantined = pl.read_parquet(warehouse / "quarantine/boei/2007-06-30/tenancies.parquet")
    assert quarantined["reason"].to_list() == ["unparseable:bolig_id"]


def test_checks_beyond_the_contract_warn_in_the_audit_and_never_refuse(zones):
    """An empty file, a volume drop and a high quarantine share are findings, not refusals."""
    landing, warehouse = zones
    deliver_tenancies(landing, [tenancy(n) for n in range(1, 11)], date="2007-06-30")
    deliver_tenancies(landing, [tenancy(1), tenancy(2, husleie="x")], date="2007-12-31")
    result = run("boei", landing, warehouse)
    assert result.loaded == ["2007-06-30", "2007-12-31"] and not result.refused
    frame = audit(warehouse).filter(pl.col("delivery_date") == dt.date(2007, 12, 31)).sort("file")
    warnings = dict(zip(frame["file"].to_list(), frame["warnings"].to_list()))
    assert warnings["rent_ledger.csv"].startswith("empty_file")
    assert "volume_drop: 1 rows loaded, 10 in the previous delivery" in warnings["tenancies.csv"]
    assert "quarantine_share: 1 of 2 rows quarantined" in warnings["tenancies.csv"]
    assert any("volume_drop" in w for w in result.warnings)
