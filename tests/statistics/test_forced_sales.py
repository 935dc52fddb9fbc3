"""The forced-sale follow-up project's publication (issue #14): disclosure control of its tables as
declared in the dbt yml, and the restricted early-warning lists (who is on them, in which order, how
they are written: owner-only, spreadsheet-safe, Norwegian letters intact, only with the flag)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import stat
from pathlib import Path

import polars as pl
import pytest

from orchestration.lib.disclosure import DisclosureRule, protect, rule_for, verify
from orchestration.lib.forced_sale_warnings import (
    COLUMNS,
    FOLDER,
    REASONS,
    build_warning_lists,
    whole_months,
    write_forced_sale_warnings,
)
from orchestration.lib.notifications import write_lists
from orchestration.settings import load_settings
from tests.support.landing import csv_bytes, write_delivery
from tests.support.national_ids import synthetic_national_id

BANDS = ["under 5000", "5000-9999", "10000-19999", "20000-29999", "30000+"]
ARREARS_HEADER = [
    "sak_id", "boligbyggelag", "borettslag", "andel_nr", "fodselsnummer", "navn", "bydel", "barn_i_husstand",
    "restanse_belop", "forfalt_siden", "trinn", "trinn_dato", "sosialtjeneste_varslet", "begjaert_dato",
]  # fmt: skip
NOTICE_HEADER = ["varsel_id", "leieforhold_id", "fodselsnummer", "varsel_dato", "restanse_belop", "bydel", "varseltype"]
IDS = [synthetic_national_id(day, 3, 60, 200 + day) for day in range(1, 10)]
ELDERLY = synthetic_national_id(4, 2, 30, 310)  # born 1930: 67+ on the delivery date


# -- disclosure control -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stage_rule(dbt_manifest) -> DisclosureRule:
    return rule_for("co_op_arrears_by_stage")


def test_every_forced_sale_table_declares_its_row_key_and_rule(dbt_manifest):
    from orchestration.lib.revisions import row_key_for

    assert row_key_for("forced_sales_by_year") == ("year", "petitioner_type")
    assert row_key_for("forced_sale_notice_coverage") == ("year", "petitioner_type")
    assert row_key_for("co_op_arrears_by_stage") == ("housing_association", "stage")
    for name in ("forced_sales_by_year", "forced_sale_notice_coverage", "co_op_arrears_by_stage"):
        assert rule_for(name).counts


def test_stage_bands_add_up_to_cases_so_one_small_band_takes_another_with_it(stage_rule):
    frame = pl.DataFrame({
        "housing_association": ["BOB", "BOB", "VESTBO"], "stage": ["warning", "settled", "warning"],
        "cases": [20, 3, 12], "with_children": [6, 1, 0], "arrears_nok_total": [150000.0, 0.0, 90000.0],
        "under 5000": [2, 3, 0], "5000-9999": [8, 0, 5], "10000-19999": [10, 0, 7], "20000-29999": [0, 0, 0],
        "30000+": [0, 0, 0],
    })  # fmt: skip
    protected = protect(frame, stage_rule, 4)
    assert verify(protected, stage_rule, 4) == []
    first = protected.row(0, named=True)
    # "under 5000" = 2 is suppressed, and so is the next smallest band (8): 20 - 10 no longer gives it away
    assert first["under 5000"] is None and first["5000-9999"] is None and first["10000-19999"] == 10
    assert first["cases"] == 20 and first["suppressed"]
    small = protected.row(1, named=True)
    assert small["cases"] is None and small["arrears_nok_total"] is None and small["with_children"] is None
    assert protected.row(2, named=True)["suppressed"] is False


def test_forced_sales_by_year_hides_small_cells_and_what_is_computed_from_them(dbt_manifest):
    rule = rule_for("forced_sales_by_year")
    frame = pl.DataFrame({
        "year": [2006, 2007, 2006, 2007], "petitioner_type": ["cooperative", "cooperative", "other", "other"],
        "petitions": [24, 28, 2, 3], "forced_sales": [2, 5, 0, 0], "lapsed_or_withdrawn": [17, 20, 2, 2],
        "petitions_change": [None, 4, None, 1], "petitions_change_pct": [None, 100 * 4 / 24, None, 50.0],
        "forced_sales_change": [None, 3, None, 0], "forced_sales_change_pct": [None, 150.0, None, None],
        "forced_sale_share_pct": [100 * 2 / 24, 100 * 5 / 28, 0.0, 0.0],
    })  # fmt: skip
    protected = protect(frame, rule, 4)
    assert verify(protected, rule, 4) == []
    got = {(r["year"], r["petitioner_type"]): r for r in protected.iter_rows(named=True)}
    assert got[(2006, "cooperative")]["forced_sales"] is None
    assert got[(2006, "cooperative")]["forced_sale_share_pct"] is None
    # a change from a suppressed count of the earlier year is hidden too
    assert got[(2007, "cooperative")]["forced_sales"] == 5 and got[(2007, "cooperative")]["forced_sales_change"] is None
    assert got[(2007, "cooperative")]["petitions_change"] == 4
    assert got[(2007, "other")]["petitions"] is None and got[(2007, "other")]["petitions_change"] is None
    assert got[(2006, "other")]["forced_sales"] == 0  # zero is not a small count


def test_notice_coverage_hides_a_median_over_a_few_notices(dbt_manifest):
    rule = rule_for("forced_sale_notice_coverage")
    frame = pl.DataFrame({
        "year": [2007, 2007], "petitioner_type": ["cooperative", "municipality"], "petitions": [28, 9],
        "notified_before": [12, 3], "notified_before_pct": [100 * 12 / 28, 100 / 3], "median_notice_days": [43.5, 20.0],
    })  # fmt: skip
    protected = protect(frame, rule, 4)
    municipality = protected.row(1, named=True)
    assert municipality["notified_before"] is None and municipality["median_notice_days"] is None
    assert municipality["notified_before_pct"] is None and municipality["petitions"] == 9
    assert protected.row(0, named=True)["median_notice_days"] == 43.5


# -- the warning lists ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("landing")
    arrears = [
        # id, company, co-op, share, id, name, district, children, arrears, overdue, stage, stage date, notified, petitioned
        [
            "B-1",
            "BOB",
            "Landås Borettslag",
            "1",
            IDS[1],
            "Ærlig, Åse",
            "Årstad",
            "0",
            "9000,00",
            "01.03.2007",
            "VARSEL",
            "01.04.2007",
            "",
            "",
        ],
        [
            "B-2",
            "BOB",
            "Landås Borettslag",
            "2",
            IDS[2],
            "Øvrebø, Pål",
            "Årstad",
            "2",
            "4000,00",
            "01.10.2007",
            "VARSEL",
            "01.11.2007",
            "",
            "",
        ],
        [
            "B-3",
            "VESTBO",
            "Bønes Borettslag",
            "3",
            IDS[3],
            '=HYPERLINK("x";"klikk")',
            "Årstad",
            "0",
            "25000,00",
            "01.01.2007",
            "PALEGG_SALG",
            "01.09.2007",
            "",
            "",
        ],
        # notified already: not on the list
        [
            "B-4",
            "VESTBO",
            "Bønes Borettslag",
            "4",
            IDS[4],
            "Lie, Kari",
            "Årstad",
            "1",
            "30000,00",
            "01.01.2007",
            "PALEGG_SALG",
            "01.09.2007",
            "05.12.2007",
            "",
        ],
        # petitioned or settled: not on the list
        [
            "B-5",
            "BOB",
            "Fjellsiden Borettslag",
            "5",
            IDS[5],
            "Berg, Ola",
            "Årstad",
            "0",
            "40000,00",
            "01.01.2007",
            "BEGJAERT",
            "01.10.2007",
            "",
            "01.10.2007",
        ],
        [
            "B-6",
            "BOB",
            "Fjellsiden Borettslag",
            "6",
            IDS[6],
            "Dahl, Liv",
            "Årstad",
            "0",
            "0,00",
            "01.01.2007",
            "LOST",
            "01.10.2007",
            "",
            "",
        ],
        [
            "B-7",
            "STOR_BERGEN",
            "Nesttun Borettslag",
            "7",
            ELDERLY,
            "Sæther, Bjørg",
            " fana ",
            "0",
            "3000,00",
            "15.11.2007",
            "VARSEL",
            "20.12.2007",
            "",
            "",
        ],
    ]
    write_delivery(
        landing,
        "bbl",
        "2007-12-31",
        {"arrears.csv": csv_bytes("bbl", "arrears.csv", ARREARS_HEADER, arrears)},
        {"arrears.csv": len(arrears)},
    )
    notices = [
        ["V-1", "", IDS[7], "2007-11-01", "120000.00", "Årstad", "TVANGSSALG"],
        ["V-2", "", IDS[8], "2007-11-02", "5000.00", "Fana", "TVANGSSALG"],
        ["V-3", "12", IDS[1], "2007-11-03", "7000.00", "Årstad", "RESTANSE"],  # a tenant: not this list
    ]
    write_delivery(
        landing,
        "kemner",
        "2007-12-31",
        {"notifications.csv": csv_bytes("kemner", "notifications.csv", NOTICE_HEADER, notices)},
        {"notifications.csv": len(notices)},
    )
    return landing


@pytest.fixture(scope="module")
def lists(landing, tmp_path_factory):
    return build_warning_lists(landing, tmp_path_factory.mktemp("scratch"))


def test_who_is_listed_and_in_which_order(lists):
    assert sorted(lists) == ["Fana", "Årstad"]
    arstad = lists["Årstad"]
    # children first (B-2), then the largest arrears: the collector's notice V-1, B-3, B-1
    assert arstad["saksnummer"].to_list() == ["B-2", "V-1", "B-3", "B-1"]
    assert arstad["prioritet"].to_list() == [True, False, False, False]
    assert arstad.row(0, named=True)["prioriteringsgrunn"] == "barn i husstanden"
    b3 = arstad.row(2, named=True)
    assert (b3["boligbyggelag"], b3["borettslag"], b3["restanse (kr)"], b3["måneder forfalt"]) == (
        "VESTBO",
        "Bønes Borettslag",
        25000.0,
        11,
    )
    assert arstad.row(1, named=True)["årsak"] == REASONS["forced_sale_notice"] == "varsel om tvangssalg fra kemneren"
    assert arstad.row(0, named=True)["årsak"] == "restanse til borettslaget"
    fana = lists["Fana"]
    # the member 67+ first although her arrears are the smallest; the district matched ignoring case and spaces
    assert fana["saksnummer"].to_list() == ["B-7", "V-2"]
    assert fana.row(0, named=True)["prioriteringsgrunn"] == "67 år eller eldre"


def test_whole_months_overdue():
    assert whole_months(dt.date(2007, 1, 15), dt.date(2007, 3, 14)) == 1
    assert whole_months(dt.date(2007, 3, 1), dt.date(2007, 12, 31)) == 9


def test_lists_open_in_a_spreadsheet_with_letters_and_order_intact(lists, tmp_path):
    written = write_lists(tmp_path, lists, FOLDER)
    folder = tmp_path / FOLDER
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and stat.S_IMODE(tmp_path.stat().st_mode) == 0o700
    assert sorted(p.name for p in written) == ["Fana.csv", "Fana.xlsx", "Årstad.csv", "Årstad.xlsx"]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in written)
    data = (folder / "Årstad.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    # as a spreadsheet's CSV import reads it: UTF-8 with BOM, ';'
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    header, body = table[0], table[1:]
    assert header == list(COLUMNS.values()) == [
        "prioritet", "prioriteringsgrunn", "årsak", "bydel", "fødselsnummer", "navn", "boligbyggelag",
        "borettslag", "restanse (kr)", "måneder forfalt", "forfalt siden", "trinn", "dato", "saksnummer",
    ]  # fmt: skip
    assert [row[header.index("saksnummer")] for row in body] == ["B-2", "V-1", "B-3", "B-1"]
    # the stage in words, from the seed's bokmål labels, not the delivery's codes
    stages = {row[header.index("saksnummer")]: row[header.index("trinn")] for row in body}
    assert stages["V-1"] == "Fare for begjæring om tvangssalg"
    assert {stages[case] for case in ("B-1", "B-2", "B-3")} <= {"Varsel sendt", "Pålegg om salg"}
    names = [row[header.index("navn")] for row in body]
    assert "Øvrebø, Pål" in names and "Ærlig, Åse" in names
    assert '\'=HYPERLINK("x";"klikk")' in names  # a formula cell is neutralised
    assert all(row[header.index("fødselsnummer")].isdigit() for row in body)
    b3 = body[2]
    assert [
        b3[header.index(c)] for c in ("prioritet", "restanse (kr)", "måneder forfalt", "forfalt siden", "dato")
    ] == ["nei", "25000,00", "11", "01.01.2007", "01.09.2007"]
    # the .xlsx: the same rows, typed, neutralised alike
    sheet = pl.read_excel(folder / "Årstad.xlsx", engine="calamine")
    assert sheet.columns == header
    assert sheet["saksnummer"].to_list() == ["B-2", "V-1", "B-3", "B-1"]
    assert sheet["restanse (kr)"].to_list() == [4000.0, 120000.0, 25000.0, 9000.0]
    assert sheet["forfalt siden"].dtype == pl.Date and sheet["dato"].dtype == pl.Date
    assert sheet["dato"][2] == dt.date(2007, 9, 1) and sheet["måneder forfalt"][2] == 11
    assert sheet["fødselsnummer"].to_list() == [row[header.index("fødselsnummer")] for row in body]
    assert sheet["navn"].to_list() == [n or None for n in names] and sheet["prioritet"].to_list() == [
        "ja",
        "nei",
        "nei",
        "nei",
    ]


def test_nothing_written_without_the_flag(landing, tmp_path, monkeypatch):
    monkeypatch.setenv("EVICTIONS_LANDING_DIR", str(landing))
    monkeypatch.setenv("EVICTIONS_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("EVICTIONS_PSEUDONYM_KEY", "a-test-key-that-is-long-enough-0123456789")
    monkeypatch.delenv("EVICTIONS_WRITE_RESTRICTED", raising=False)
    settings = load_settings()
    assert write_forced_sale_warnings(settings) is None
    assert not (tmp_path / "warehouse" / "restricted").exists()
    monkeypatch.setenv("EVICTIONS_WRITE_RESTRICTED", "1")
    written = write_forced_sale_warnings(load_settings())
    assert sorted(written) == ["Fana", "Årstad"]
    folder = tmp_path / "warehouse" / "restricted" / FOLDER
    assert sorted(p.name for p in folder.iterdir()) == ["Fana.csv", "Fana.xlsx", "Årstad.csv", "Årstad.xlsx"]
    assert oct(os.stat(folder).st_mode & 0o777) == "0o700"
