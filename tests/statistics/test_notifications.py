"""Restricted notification lists (published.md, "restricted/"): who is on them, in which order,
how they are written (owner-only, spreadsheet-safe) and that nothing is written without the flag."""

from __future__ import annotations

import csv
import io
import os
import stat
from pathlib import Path

import polars as pl
import pytest

from orchestration.lib.notifications import FOLDER, build_lists, neutralise, to_csv, write_lists, write_notification_lists
from orchestration.settings import load_settings
from tests.support.landing import csv_bytes, write_delivery
from tests.support.national_ids import synthetic_national_id

TENANCY_HEADER = [
    "leieforhold_id", "bolig_id", "fodselsnummer", "navn", "bydel", "boligtype",
    "antall_personer", "antall_barn", "husleie", "fra_dato", "til_dato",
]  # fmt: skip
PETITION_HEADER = [
    "begjaering_id", "leieforhold_id", "fodselsnummer", "innsendt_dato", "krav_belop",
    "namsfogd_saksnr", "status", "status_dato", "nemnd_godkjent_dato",
]  # fmt: skip
NOTICE_HEADER = ["varsel_id", "leieforhold_id", "fodselsnummer", "varsel_dato", "restanse_belop", "bydel", "varseltype"]

IDS = [synthetic_national_id(day, 5, 70, 100 + day) for day in range(1, 8)]
# tenancy, name, district; 1 is a priority household (children), 2 an ordinary one, 3 a
# service dwelling (priority), 4 a tenant whose name a spreadsheet would run as a formula.
TENANTS = [
    (1, "Åse Ærlig Øvrebø", "Årstad"),
    (2, "Ola Nordmann", "Årstad"),
    (3, "Kari Lie", "Laksevåg"),
    (4, "=HYPERLINK(\"x\";\"klikk\")", "Årstad"),
    (5, "@SUM(A1)", "Fana"),
]


def tenancy_row(tenancy_id: int, name: str, district: str) -> list[str]:
    return [
        str(tenancy_id), f"B-{tenancy_id}", IDS[tenancy_id], name, district, "ORDINAER", "2", "0",
        "kr 5 000,00", "01.01.2004", "",
    ]  # fmt: skip


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("landing")
    tenancies = [tenancy_row(*t) for t in TENANTS]
    write_delivery(
        landing, "boei", "2007-12-31",
        {"tenancies.csv": csv_bytes("boei", "tenancies.csv", TENANCY_HEADER, tenancies)},
        {"tenancies.csv": len(tenancies)},
    )  # fmt: skip
    notices = [
        ["V-1", "2", IDS[2], "2007-01-10", "4000.00", "Årstad", "RESTANSE"],
        ["V-2", "1", IDS[1], "2007-03-01", "9000.50", "Årstad", "RESTANSE"],
        ["V-3", "4", IDS[4], "2007-02-01", "1200.00", "Årstad", "RESTANSE"],
        # An owner-occupier at risk of a forced sale: not a tenant, not on these lists.
        ["V-4", "", IDS[6], "2007-04-01", "150000.00", "Årstad", "TVANGSSALG"],
        ["V-5", "5", IDS[5], "2007-05-01", "2500.00", "Fana", "RESTANSE"],
    ]
    petitions = [
        ["K-1", "3", IDS[3], "2007-06-01", "20000.00", "", "SENDT", "2007-06-01", ""],
        # Withdrawn: no longer a filed petition.
        ["K-2", "2", IDS[2], "2007-02-01", "4000.00", "", "TRUKKET", "2007-03-01", ""],
    ]
    write_delivery(
        landing, "kemner", "2007-12-31",
        {
            "petitions.csv": csv_bytes("kemner", "petitions.csv", PETITION_HEADER, petitions),
            "notifications.csv": csv_bytes("kemner", "notifications.csv", NOTICE_HEADER, notices),
        },
        {"petitions.csv": len(petitions), "notifications.csv": len(notices)},
    )  # fmt: skip
    return landing


@pytest.fixture(scope="module")
def households() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "tenancy_id": [1, 2, 3, 4, 5],
            "priority": [True, False, True, False, False],
            "children_count": [2, 0, 0, 0, 0],
            "dwelling_type": ["ordinary", "ordinary", "service", "ordinary", "ordinary"],
            "head_age_band": ["30-39", "40-49", "50-59", "40-49", "30-39"],
        }
    )


@pytest.fixture(scope="module")
def lists(landing, households) -> dict[str, pl.DataFrame]:
    return build_lists(landing, households, landing.parent / "scratch")


def read_csv(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff"), "UTF-8 with a byte-order mark, so spreadsheets read æ ø å"
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def test_one_list_per_district_with_tenants_on_the_notice_list_or_with_a_filed_petition(lists):
    assert set(lists) == {"Årstad", "Laksevåg", "Fana"}
    arstad = lists["Årstad"]
    assert sorted(arstad["tenancy_id"].to_list()) == [1, 2, 4]
    assert set(arstad["reason"]) == {"notification"}
    assert lists["Laksevåg"].select("tenancy_id", "reason").rows() == [(3, "petition_filed")]
    everyone = pl.concat(lists.values())
    assert IDS[6] not in everyone["national_id"].to_list()  # the owner-occupier
    assert everyone["name"].null_count() == 0 and everyone["national_id"].null_count() == 0


def test_priority_households_come_first(lists):
    arstad = lists["Årstad"]
    assert arstad["priority"].to_list() == [True, False, False]
    assert arstad["tenancy_id"].to_list() == [1, 2, 4]  # then the oldest notice first
    assert arstad["priority_reasons"][0] == "children"
    assert lists["Laksevåg"]["priority_reasons"][0] == "service_dwelling"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+47 555", "'+47 555"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("Åse Ærlig Øvrebø", "Åse Ærlig Øvrebø"),
        ("Nordmann-Lie", "Nordmann-Lie"),
        (None, ""),
        (True, "yes"),
    ],
)
def test_values_a_spreadsheet_would_run_are_neutralised(value, written):
    assert neutralise(value) == written


def test_written_owner_only_with_formulas_neutralised(tmp_path, lists):
    restricted = tmp_path / "warehouse" / "restricted"
    written = write_lists(restricted, lists)
    folder = restricted / FOLDER
    assert sorted(p.name for p in written) == ["Fana.csv", "Laksevåg.csv", "Årstad.csv"]
    for path in (restricted, folder):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert path.stat().st_uid == os.getuid()
    arstad = read_csv(folder / "Årstad.csv")
    assert [r["tenancy_id"] for r in arstad] == ["1", "2", "4"]
    assert arstad[0]["name"] == "Åse Ærlig Øvrebø" and arstad[0]["district"] == "Årstad"
    assert arstad[2]["name"].startswith("'=HYPERLINK")
    assert read_csv(folder / "Fana.csv")[0]["name"] == "'@SUM(A1)"
    assert arstad[0]["amount_nok"] == "9000.50" and arstad[0]["priority"] == "yes"
    # No cell of any list starts with a formula sign.
    for path in written:
        for row in read_csv(path):
            assert not any(v.startswith(("=", "+", "-", "@")) for v in row.values()), row


def test_existing_folder_is_tightened_and_stale_lists_removed(tmp_path, lists):
    restricted = tmp_path / "restricted"
    (restricted / FOLDER).mkdir(parents=True)
    os.chmod(restricted, 0o755)
    os.chmod(restricted / FOLDER, 0o777)
    (restricted / FOLDER / "Arna.csv").write_text("old list")
    write_lists(restricted, lists)
    assert stat.S_IMODE(restricted.stat().st_mode) == 0o700
    assert stat.S_IMODE((restricted / FOLDER).stat().st_mode) == 0o700
    assert not (restricted / FOLDER / "Arna.csv").exists()


def test_nothing_is_written_without_the_flag(tmp_path, landing, households):
    env = {"EVICTIONS_LANDING_DIR": str(landing), "EVICTIONS_WAREHOUSE_DIR": str(tmp_path / "wh"), "EVICTIONS_PSEUDONYM_KEY": "k"}
    for flag in (None, "", "0", "yes", "true"):
        settings = load_settings({**env, **({"EVICTIONS_WRITE_RESTRICTED": flag} if flag is not None else {})})
        assert write_notification_lists(settings, households) is None
        assert not (tmp_path / "wh" / "restricted").exists()
    settings = load_settings({**env, "EVICTIONS_WRITE_RESTRICTED": "1"})
    written = write_notification_lists(settings, households)
    assert written is not None and set(written) == {"Årstad", "Laksevåg", "Fana"}
    assert stat.S_IMODE((tmp_path / "wh" / "restricted" / FOLDER).stat().st_mode) == 0o700


def test_csv_is_semicolon_separated_with_a_header(lists):
    text = to_csv(lists["Laksevåg"])
    header = text.lstrip("\ufeff").split("\r\n")[0]
    assert header == "priority;priority_reasons;reason;district;tenancy_id;national_id;name;amount_nok;event_date"
