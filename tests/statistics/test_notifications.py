"""Restricted notification lists (published.md, "restricted/"): who is on them, in which order,
how they are written (Norwegian, CSV and .xlsx, owner-only, spreadsheet-safe) and that nothing is
written without the flag."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import stat
import subprocess
import tempfile
import zipfile
from pathlib import Path

import polars as pl
import pytest

from orchestration.lib.notifications import (
    COLUMNS,
    FOLDER,
    PRIORITY_REASONS,
    REASONS,
    build_lists,
    neutralise,
    to_csv,
    to_xlsx,
    write_lists,
    write_notification_lists,
)
from orchestration.settings import load_settings
from tests.support.archive_text import archive_text
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
    (4, '=HYPERLINK("x";"klikk")', "Årstad"),
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


def read_xlsx(path: Path) -> pl.DataFrame:
    return pl.read_excel(path, engine="calamine")


def test_one_list_per_district_with_tenants_on_the_notice_list_or_with_a_filed_petition(lists):
    assert set(lists) == {"Årstad", "Laksevåg", "Fana"}
    arstad = lists["Årstad"]
    assert sorted(arstad["leieforhold"].to_list()) == [1, 2, 4]
    assert set(arstad["årsak"]) == {"varsel fra kemneren"}
    assert lists["Laksevåg"].select("leieforhold", "årsak").rows() == [(3, "begjæring om fravikelse sendt")]
    everyone = pl.concat(lists.values())
    assert IDS[6] not in everyone["fødselsnummer"].to_list()  # the owner-occupier
    assert everyone["navn"].null_count() == 0 and everyone["fødselsnummer"].null_count() == 0


def test_priority_households_come_first(lists):
    arstad = lists["Årstad"]
    assert arstad["prioritet"].to_list() == [True, False, False]
    assert arstad["leieforhold"].to_list() == [1, 2, 4]  # then the oldest notice first
    assert arstad["prioriteringsgrunn"].to_list() == ["barn i husstanden", "", ""]
    assert lists["Laksevåg"]["prioriteringsgrunn"][0] == "servicebolig"


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
    ],
)
def test_values_a_spreadsheet_would_run_are_neutralised(value, written):
    assert neutralise(value) == written


def test_written_owner_only_with_formulas_neutralised(tmp_path, lists):
    restricted = tmp_path / "warehouse" / "restricted"
    written = write_lists(restricted, lists)
    folder = restricted / FOLDER
    assert sorted(p.name for p in written) == [
        "Fana.csv", "Fana.xlsx", "Laksevåg.csv", "Laksevåg.xlsx", "Årstad.csv", "Årstad.xlsx",
    ]  # fmt: skip
    for path in (restricted, folder):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert path.stat().st_uid == os.getuid()
    arstad = read_csv(folder / "Årstad.csv")
    assert [r["leieforhold"] for r in arstad] == ["1", "2", "4"]
    assert arstad[0]["navn"] == "Åse Ærlig Øvrebø" and arstad[0]["bydel"] == "Årstad"
    assert arstad[2]["navn"].startswith("'=HYPERLINK")
    assert read_csv(folder / "Fana.csv")[0]["navn"] == "'@SUM(A1)"
    assert arstad[0]["beløp (kr)"] == "9000,50" and arstad[0]["prioritet"] == "ja"
    assert arstad[0]["dato"] == "01.03.2007" and arstad[1]["prioritet"] == "nei"
    # No text cell of any list starts with a formula sign (an amount may be negative: a number).
    for path in folder.glob("*.csv"):
        for row in read_csv(path):
            texts = [v for k, v in row.items() if k != COLUMNS["amount_nok"]]
            assert not any(v.startswith(("=", "+", "-", "@")) for v in texts), row


def test_xlsx_reads_back_typed_in_the_csv_order(tmp_path, lists):
    write_lists(tmp_path, lists)
    folder = tmp_path / FOLDER
    for district, frame in lists.items():
        sheet = read_xlsx(folder / f"{district}.xlsx")
        assert sheet.columns == list(COLUMNS.values()) == frame.columns
        # number cells (the reader infers whole numbers as integers), date cells, text cells
        kinds = {c: "number" if t.is_numeric() else "date" if t == pl.Date else str(t) for c, t in sheet.schema.items()}
        assert kinds == {
            "prioritet": "String", "prioriteringsgrunn": "String", "årsak": "String", "bydel": "String",
            "leieforhold": "number", "fødselsnummer": "String", "navn": "String", "beløp (kr)": "number",
            "dato": "date",
        }, district  # fmt: skip
        csv_rows = read_csv(folder / f"{district}.csv")
        assert sheet["leieforhold"].to_list() == [int(r["leieforhold"]) for r in csv_rows]
        assert sheet["navn"].to_list() == [r["navn"] for r in csv_rows]  # neutralised alike
        assert sheet["prioritet"].to_list() == [r["prioritet"] for r in csv_rows]
    arstad = read_xlsx(folder / "Årstad.xlsx")
    assert arstad["prioritet"].to_list() == ["ja", "nei", "nei"]  # priority households first
    assert arstad["beløp (kr)"].to_list() == [9000.5, 4000.0, 1200.0]
    assert arstad["dato"].to_list() == [dt.date(2007, 3, 1), dt.date(2007, 1, 10), dt.date(2007, 2, 1)]
    # A national id is text: its leading zero stays.
    assert arstad["fødselsnummer"][0] == IDS[1] and IDS[1].startswith("0")
    assert arstad["navn"][2] == '\'=HYPERLINK("x";"klikk")'
    assert read_xlsx(folder / "Fana.xlsx")["navn"][0] == "'@SUM(A1)"


def test_xlsx_has_no_formula_a_filtered_frozen_header_and_widths_that_fit(tmp_path, lists):
    write_lists(tmp_path, lists)
    with zipfile.ZipFile(tmp_path / FOLDER / "Årstad.xlsx") as workbook:
        parts = {name: workbook.read(name).decode("utf-8") for name in workbook.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert "<f>" not in sheet and "<f " not in sheet, "a cell holds a formula"
    assert not any("hyperlink" in name.lower() for name in parts)
    assert 'ySplit="1"' in sheet and 'state="frozen"' in sheet
    assert '<autoFilter ref="A1:I4"/>' in sheet
    assert 'formatCode="dd.mm.yyyy"' in parts["xl/styles.xml"]
    widths = {
        column: float(m["width"])
        for m in re.finditer(r'<col min="(?P<min>\d+)" max="(?P<max>\d+)" width="(?P<width>[\d.]+)"', sheet)
        for column in range(int(m["min"]), int(m["max"]) + 1)
    }
    names = list(COLUMNS)
    assert sorted(widths) == list(range(1, len(names) + 1))
    longest_name = max(len(n) for n in lists["Årstad"]["navn"].to_list())
    assert widths[names.index("name") + 1] >= longest_name + 1  # with the neutralising apostrophe
    assert widths[names.index("event_date") + 1] >= len("01.03.2007")
    assert widths[names.index("priority") + 1] >= len("prioritet")


def test_the_privacy_scans_read_inside_the_xlsx(tmp_path, lists):
    """The scans of everything outside restricted/ unpack zip archives: the .xlsx's compressed
    bytes hide its names and ids from a plain text scan, archive_text does not."""
    write_lists(tmp_path, lists)
    xlsx = tmp_path / FOLDER / "Årstad.xlsx"
    raw = xlsx.read_bytes().decode("utf-8", errors="replace")
    assert IDS[1] not in raw and "Øvrebø" not in raw
    text = archive_text(xlsx)
    assert IDS[1] in text and "Åse Ærlig Øvrebø" in text
    assert archive_text(tmp_path / FOLDER / "Årstad.csv") is None


def test_xlsx_is_built_without_any_temporary_file(monkeypatch, lists):
    """Names and national ids never reach the system's temporary folder (xlsxwriter's default)."""

    def refuse(*args, **kwargs):
        raise AssertionError("a temporary file was created")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", refuse)
    monkeypatch.setattr(tempfile, "TemporaryFile", refuse)
    assert to_xlsx(lists["Årstad"], "Årstad").startswith(b"PK")


EDGES = pl.DataFrame(
    {
        "prioritet": [True, False, False],
        "navn": ["-Lie", "+47 555", "Ærlig"],
        "beløp (kr)": [-1234.5, 0.0, 1234567.125],
        "dato": [dt.date(2007, 12, 31), None, dt.date(5, 1, 2)],
    }
)


def test_negative_zero_and_large_amounts_read_as_numbers():
    lines = to_csv(EDGES).lstrip("\ufeff").split("\r\n")
    assert lines[1:4] == [
        "ja;'-Lie;-1234,50;31.12.2007",  # the name neutralised, the negative amount a number
        "nei;'+47 555;0,00;",
        "nei;Ærlig;1234567,13;02.01.0005",
    ]
    sheet = pl.read_excel(to_xlsx(EDGES, "kanter"), engine="calamine")
    assert sheet["beløp (kr)"].to_list() == [-1234.5, 0.0, 1234567.125]
    assert sheet["navn"].to_list() == ["'-Lie", "'+47 555", "Ærlig"]


def test_csv_round_trip_in_the_norwegian_form(lists):
    """As a spreadsheet in the Norwegian locale reads the CSV: decimal comma, dd.mm.yyyy, ja/nei."""
    for frame in lists.values():
        text = to_csv(frame)
        back = pl.read_csv(
            io.BytesIO(text.encode("utf-8")), separator=";", decimal_comma=True,
            schema_overrides={"fødselsnummer": pl.String, "beløp (kr)": pl.Float64, "dato": pl.String},
        ).with_columns(
            pl.col("prioritet") == "ja",
            pl.col("dato").str.to_date("%d.%m.%Y"),
            pl.col("prioriteringsgrunn").fill_null(""),
            pl.col("navn").str.strip_prefix("'"),
        )  # fmt: skip
        expected = frame.with_columns(pl.col("navn").str.strip_prefix("'"))
        assert back.equals(expected), (back, expected)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_spreadsheet_in_the_norwegian_locale_reads_numbers_dates_and_letters(tmp_path, lists):
    """LibreOffice, headless, imports the CSV as a Norwegian (bokmål, 1044) spreadsheet and opens
    the .xlsx; both become .ods, read back: amounts sum, dates sort, æøå intact, priority first.
    Its profile and temporary files stay in the test's folder."""
    write_lists(tmp_path / "restricted", lists)
    folder = tmp_path / "restricted" / FOLDER
    out = tmp_path / "restricted" / "opened"
    env = {**os.environ, "TMPDIR": str(tmp_path), "HOME": str(tmp_path)}
    profile = f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}"
    for source, import_filter in (
        (folder / "Årstad.csv", ["--infilter=CSV:59,34,76,1,,1044"]),
        (folder / "Årstad.xlsx", []),
    ):
        subprocess.run(
            ["soffice", profile, "--headless", *import_filter, "--convert-to", "ods", "--outdir",
             str(out / source.suffix[1:]), str(source)],
            env=env, check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        sheet = pl.read_excel(out / source.suffix[1:] / "Årstad.ods", engine="calamine")
        assert sheet["beløp (kr)"].dtype == pl.Float64 and sheet["beløp (kr)"].sum() == 9000.5 + 4000 + 1200
        assert sheet["dato"].dtype == pl.Date and sheet["dato"][0] == dt.date(2007, 3, 1)
        assert sheet["navn"].to_list() == ["Åse Ærlig Øvrebø", "Ola Nordmann", '\'=HYPERLINK("x";"klikk")']
        assert sheet["prioritet"].to_list() == ["ja", "nei", "nei"] and sheet["bydel"][0] == "Årstad"
        # The .xlsx keeps the national id as text; from the CSV a spreadsheet reads it as a number
        # (README: open the .xlsx, or import that column as text).
        ids = sheet["fødselsnummer"].cast(pl.String).to_list()
        assert ids[0] == (IDS[1] if source.suffix == ".xlsx" else IDS[1].lstrip("0"))


def test_every_word_on_the_lists_is_norwegian(lists):
    everyone = pl.concat(lists.values())
    assert set(everyone["årsak"]) <= set(REASONS.values())
    reasons = {r for joined in everyone["prioriteringsgrunn"] for r in joined.split(", ") if r}
    assert reasons and reasons <= set(PRIORITY_REASONS.values())


def test_existing_folder_is_tightened_and_stale_lists_removed(tmp_path, lists):
    restricted = tmp_path / "restricted"
    (restricted / FOLDER).mkdir(parents=True)
    os.chmod(restricted, 0o755)
    os.chmod(restricted / FOLDER, 0o777)
    (restricted / FOLDER / "Arna.csv").write_text("old list")
    (restricted / FOLDER / "Arna.xlsx").write_text("old list")
    write_lists(restricted, lists)
    assert not (restricted / FOLDER / "Arna.xlsx").exists()
    assert stat.S_IMODE(restricted.stat().st_mode) == 0o700
    assert stat.S_IMODE((restricted / FOLDER).stat().st_mode) == 0o700
    assert not (restricted / FOLDER / "Arna.csv").exists()


def test_nothing_is_written_without_the_flag(tmp_path, landing, households):
    env = {
        "EVICTIONS_LANDING_DIR": str(landing),
        "EVICTIONS_WAREHOUSE_DIR": str(tmp_path / "wh"),
        "EVICTIONS_PSEUDONYM_KEY": "k",
    }
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
    assert header == "prioritet;prioriteringsgrunn;årsak;bydel;leieforhold;fødselsnummer;navn;beløp (kr);dato"
