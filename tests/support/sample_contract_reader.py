"""A small, independent reader of landing-zone deliveries, written from sources.md only.

The sample tests use it to recompute the report's figures from the files. It must
not import the generator or any ``orchestration`` module: it is a second,
independent reading of the contract, so a mistake in the generator cannot hide
itself by being read back with the same mistake. (Its mod-11 check is the tests' one,
``tests.support.national_ids``, which imports nothing of the warehouse either.)
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import fastexcel

from tests.support.national_ids import with_check_digits

REPO_ROOT = Path(__file__).resolve().parents[2]
COMMITTED_SAMPLE = REPO_ROOT / "sample" / "landing"

# sources.md, "Codes shared by several sources" and "Files".
DISTRICTS = ("Arna", "Bergenhus", "Fana", "Fyllingsdalen", "Laksevåg", "Ytrebygda", "Årstad", "Åsane")
COLUMNS = {
    ("boei", "tenancies.csv"): [
        "leieforhold_id", "bolig_id", "fodselsnummer", "navn", "bydel", "boligtype",
        "antall_personer", "antall_barn", "husleie", "fra_dato", "til_dato",
    ],
    ("boei", "rent_ledger.csv"): ["bilag_id", "leieforhold_id", "bokfort_dato", "posttype", "belop"],
    ("kemner", "petitions.csv"): [
        "begjaering_id", "leieforhold_id", "fodselsnummer", "innsendt_dato", "krav_belop",
        "namsfogd_saksnr", "status", "status_dato", "nemnd_godkjent_dato",
    ],
    ("kemner", "notifications.csv"): [
        "varsel_id", "leieforhold_id", "fodselsnummer", "varsel_dato", "restanse_belop", "bydel", "varseltype",
    ],
    ("namsfogd", "cases.xlsx"): [
        "Saksnr", "Mottatt", "Saksokertype", "Saksoker", "Saksokers_ref", "Fodselsnummer",
        "Berammet", "Utfall", "Utfall_dato",
    ],
    ("prosjekt", "cases.csv"): [
        "sak_id", "leieforhold_id", "fodselsnummer", "opprettet", "sosialtjeneste", "kjent_sosialtjenesten",
        "barn_i_husstand", "inntektskilde", "krav_belop", "utfall", "losning", "tiltak", "avsluttet",
    ],
    ("regnskap", "ledger.csv"): ["art", "tekst", "belop"],
    ("namsfogd", "forced_sales.xlsx"): [
        "Saksnr", "Mottatt", "Saksokertype", "Saksoker", "Saksokers_ref", "Fodselsnummer", "Objekttype", "Utfall",
        "Utfall_dato",
    ],
    ("bbl", "arrears.csv"): [
        "sak_id", "boligbyggelag", "borettslag", "andel_nr", "fodselsnummer", "navn", "bydel", "barn_i_husstand",
        "restanse_belop", "forfalt_siden", "trinn", "trinn_dato", "sosialtjeneste_varslet", "begjaert_dato",
    ],
}  # fmt: skip
SOURCE_FILES = {
    "boei": ("tenancies.csv", "rent_ledger.csv"),
    "kemner": ("petitions.csv", "notifications.csv"),
    "namsfogd": ("cases.xlsx",),
    "prosjekt": ("cases.csv",),
    "regnskap": ("ledger.csv",),
    "bbl": ("arrears.csv",),
}
# sources.md: namsfogd/forced_sales.xlsx starts with the bailiff's first forced-sale extract; a
# namsfogd delivery without it is complete.
LATER_FILES = {"namsfogd": ("forced_sales.xlsx",)}
SHEETS = {"cases.xlsx": "Saker", "forced_sales.xlsx": "Tvangssalg"}
# (separator, encoding, byte-order mark) of each CSV source.
CSV_FORMATS = {
    "boei": (";", "cp1252", False),
    "regnskap": (";", "cp1252", False),
    "kemner": (",", "utf-8", False),
    "prosjekt": (";", "utf-8", True),
    "bbl": (";", "utf-8", False),
}
UTF8_BOM = b"\xef\xbb\xbf"


# -- deliveries ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    source: str
    date: dt.date
    folder: Path

    @property
    def manifest(self) -> dict:
        return json.loads((self.folder / "_manifest.json").read_text(encoding="utf-8"))


def deliveries(landing: Path, source: str) -> list[Delivery]:
    """Ready deliveries of a source (folders with a manifest), oldest first."""
    found = []
    for folder in sorted((landing / source).iterdir()):
        if (folder / "_manifest.json").exists():
            found.append(Delivery(source, dt.date.fromisoformat(folder.name), folder))
    return found


def latest(landing: Path, source: str) -> Delivery:
    return deliveries(landing, source)[-1]


def files_in(delivery: Delivery) -> tuple[str, ...]:
    """The contract's files of a delivery: every file of its source, and a later-starting one once it has come."""
    later = tuple(n for n in LATER_FILES.get(delivery.source, ()) if (delivery.folder / n).exists())
    return (*SOURCE_FILES[delivery.source], *later)


def latest_with(landing: Path, source: str, name: str) -> Delivery | None:
    """The latest delivery that has the file (a later-starting file's current state)."""
    having = [d for d in deliveries(landing, source) if (d.folder / name).exists()]
    return having[-1] if having else None


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- reading files --------------------------------------------------------------------------


def csv_rows(delivery: Delivery, name: str) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows; every value is text, empty fields are ``""``."""
    separator, encoding, bom = CSV_FORMATS[delivery.source]
    data = (delivery.folder / name).read_bytes()
    if bom:
        assert data.startswith(UTF8_BOM), f"{delivery.folder / name} lacks the UTF-8 byte-order mark"
        data = data[len(UTF8_BOM) :]
    text = data.decode(encoding)  # strict: a byte invalid in the encoding raises
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    header = next(reader)
    return header, [dict(zip(header, row, strict=True)) for row in reader]


def xlsx_rows(delivery: Delivery, name: str, sheet: str | None = None) -> tuple[list[str], list[dict[str, str | None]]]:
    """Header and rows of the sheet (the file's named sheet by default), every cell read as text (dates too)."""
    sheet = sheet or SHEETS[name]
    loaded = fastexcel.read_excel(str(delivery.folder / name)).load_sheet_by_name(sheet, dtypes="string")
    columns = loaded.to_arrow().to_pydict()
    header = list(columns)
    return header, [dict(zip(header, values)) for values in zip(*columns.values())]


# -- values ----------------------------------------------------------------------------------

_COMMA_AMOUNT = re.compile(r"^(kr )?(\()?(-)?(\d{1,3}(?:[ \u00a0]\d{3})+|\d+),(\d{2})(\))?$")


def amount_comma(text: str) -> Decimal:
    """``1234,50``, ``kr 1 234,50`` (space or no-break space), ``-1234,50``, ``kr (1 234,50)``."""
    match = _COMMA_AMOUNT.match(text)
    assert match, f"not a decimal-comma amount: {text!r}"
    _, opening, minus, kroner, ore, closing = match.groups()
    assert bool(opening) == bool(closing), f"unbalanced parentheses: {text!r}"
    value = Decimal(re.sub(r"[ \u00a0]", "", kroner) + "." + ore)
    return -value if (opening or minus) else value


def amount_point(text: str) -> Decimal:
    assert re.fullmatch(r"\d+\.\d{2}", text), f"not a decimal-point amount: {text!r}"
    return Decimal(text)


def date_dmy(text: str) -> dt.date:
    assert re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", text), f"not dd.mm.yyyy: {text!r}"
    return dt.datetime.strptime(text, "%d.%m.%Y").date()


def date_iso(text: str) -> dt.date:
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", text), f"not yyyy-mm-dd: {text!r}"
    return dt.date.fromisoformat(text)


def excel_date(text: str) -> tuple[dt.date, bool]:
    """A namsfogd date cell read as text: an Excel date (as ISO text) or ``dd.mm.yyyy``.
    Returns the date and whether the cell held text."""
    if re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", text):
        return date_dmy(text), True
    return dt.date.fromisoformat(text[:10]), False


def optional(text: str | None) -> str | None:
    return text if text not in (None, "") else None


def district(text: str) -> str:
    """Canonical district name; the contract matches ignoring case and surrounding spaces."""
    wanted = text.strip().casefold()
    matches = [d for d in DISTRICTS if d.casefold() == wanted]
    assert matches, f"not a district: {text!r}"
    return matches[0]


# -- national ids ----------------------------------------------------------------------------


def is_valid_synthetic_id(fnr: str) -> bool:
    """11 digits, both mod-11 check digits right, a real date after removing the +80
    month offset, individual number consistent with the century, and NOT valid as an
    ordinary number (month 1-12) or a D-number."""
    if not re.fullmatch(r"\d{11}", fnr):
        return False
    if with_check_digits(fnr[:9]) != fnr:
        return False
    month = int(fnr[2:4])
    if not 81 <= month <= 92 or int(fnr[0:2]) > 31:
        return False
    try:
        birth_date(fnr)
    except ValueError:
        return False
    return True


def birth_date(fnr: str) -> dt.date:
    day, month, yy, individual = int(fnr[0:2]), int(fnr[2:4]) - 80, int(fnr[4:6]), int(fnr[6:9])
    if individual <= 499:
        century = 1900
    elif individual <= 749 and yy >= 54:
        century = 1800
    elif individual >= 500 and yy <= 39:
        century = 2000
    elif individual >= 900 and yy >= 40:
        century = 1900
    else:
        raise ValueError(f"individual number {individual} does not fit year {yy}")
    return dt.date(century + yy, month, day)


def is_female(fnr: str) -> bool:
    return int(fnr[8]) % 2 == 0


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


AGE_BANDS = (
    ("under 30", 0, 29),
    ("30-39", 30, 39),
    ("40-49", 40, 49),
    ("50-59", 50, 59),
    ("60-66", 60, 66),
    ("67+", 67, 200),
)
CLAIM_BANDS = (
    ("under 5000", 0, 5000),
    ("5000-9999", 5000, 10000),
    ("10000-19999", 10000, 20000),
    ("20000-29999", 20000, 30000),
    ("30000+", 30000, 10**12),
)


def age_band(age: int) -> str:
    return next(name for name, low, high in AGE_BANDS if low <= age <= high)


def claim_band(claim: Decimal) -> str:
    return next(name for name, low, high in CLAIM_BANDS if low <= claim < high)


# -- the report's tables, recomputed --------------------------------------------------------


def table_1_and_2(landing: Path) -> dict[str, dict[int, int]]:
    """Petitions and evictions by year, collector and bailiff, from the latest deliveries."""
    _, petitions = csv_rows(latest(landing, "kemner"), "petitions.csv")
    _, cases = xlsx_rows(latest(landing, "namsfogd"), "cases.xlsx")
    petition_ids = {p["begjaering_id"] for p in petitions}
    figures: dict[str, dict[int, int]] = {
        "collector_petitions": {},
        "bailiff_cases": {},
        "collector_evictions": {},
        "bailiff_evictions": {},
    }

    def count(table: str, year: int) -> None:
        figures[table][year] = figures[table].get(year, 0) + 1

    for p in petitions:
        count("collector_petitions", date_iso(p["innsendt_dato"]).year)
    for c in cases:
        count("bailiff_cases", excel_date(c["Mottatt"])[0].year)
        if c["Utfall"] == "GJENNOMFORT":
            year = excel_date(c["Utfall_dato"])[0].year
            count("bailiff_evictions", year)
            if c["Saksokertype"] == "KOMMUNE" and c["Saksokers_ref"] in petition_ids:
                count("collector_evictions", year)
    return figures


# -- the forced-sale follow-up project, recomputed -------------------------------------------

PETITIONER_TYPES = {"BORETTSLAG": "cooperative", "KOMMUNE": "municipality", "BANK": "bank", "ANNEN": "other"}
MATCH_WINDOW_DAYS = 31  # by person and date: begjaert_dato within a month of Mottatt


def _day(text: str | None) -> dt.date | None:
    return None if text in (None, "") else excel_date(text)[0]


def forced_sale_figures(landing: Path) -> dict:
    """The follow-up project's figures from the extracts alone.

    - petitions / forced_sales / lapsed_or_withdrawn per (year, petitioner type): the latest
      forced_sales.xlsx, by year received and by year of the outcome;
    - matches of the bailiff's BORETTSLAG cases to arrears cases: by reference (Saksokers_ref =
      sak_id of any bbl delivery), else, without a reference, by the same national id and a
      begjaert_dato within a month of Mottatt; arrears cases at BEGJAERT / TVANGSSOLGT (latest
      version) no bailiff case matches are co-operative petitions the bailiff never received;
    - notified_before per (year, cooperative | municipality): a notice to the social service
      dated before Mottatt - the matched arrears case's sosialtjeneste_varslet, or a collector
      notice of type TVANGSSALG (any kemner delivery) for the same national id;
    - co_op_stages: the arrears cases of the latest bbl delivery per (boligbyggelag, trinn).
    """
    extract = latest_with(landing, "namsfogd", "forced_sales.xlsx")
    cases = xlsx_rows(extract, "forced_sales.xlsx")[1] if extract else []
    arrears: dict[str, dict] = {}
    varslet: dict[str, dt.date] = {}
    for delivery in deliveries(landing, "bbl"):
        for row in csv_rows(delivery, "arrears.csv")[1]:
            arrears[row["sak_id"]] = row  # the latest version of every case ever delivered
            if row["sosialtjeneste_varslet"]:
                day = date_dmy(row["sosialtjeneste_varslet"])
                varslet[row["sak_id"]] = min(day, varslet.get(row["sak_id"], day))
    notices: dict[str, list[dt.date]] = {}
    for delivery in deliveries(landing, "kemner"):
        for row in csv_rows(delivery, "notifications.csv")[1]:
            if row["varseltype"] == "TVANGSSALG":
                notices.setdefault(row["fodselsnummer"], []).append(date_iso(row["varsel_dato"]))
    figures: dict = {
        "petitions": {},
        "forced_sales": {},
        "lapsed_or_withdrawn": {},
        "notified_before": {},
        "notice_days": {},
        "matches": {"reference": 0, "person_and_date": 0, "bailiff_only": 0},
    }

    def count(table: str, key: tuple) -> None:
        figures[table][key] = figures[table].get(key, 0) + 1

    matched: dict[str, str] = {}  # Saksnr -> sak_id
    co_op = [c for c in cases if c["Saksokertype"] == "BORETTSLAG"]
    for c in co_op:
        if c["Saksokers_ref"] in arrears and c["Saksokers_ref"] not in matched.values():
            matched[c["Saksnr"]] = c["Saksokers_ref"]
            figures["matches"]["reference"] += 1
    for c in co_op:
        if c["Saksnr"] in matched:
            continue
        if optional(c["Saksokers_ref"]):  # a reference that is no arrears case: no match by person and date
            figures["matches"]["bailiff_only"] += 1
            continue
        received = _day(c["Mottatt"])
        candidates = sorted(
            (abs((date_dmy(a["begjaert_dato"]) - received).days), sak_id)
            for sak_id, a in arrears.items()
            if a["fodselsnummer"] == c["Fodselsnummer"]
            and a["begjaert_dato"]
            and sak_id not in matched.values()
            and abs((date_dmy(a["begjaert_dato"]) - received).days) <= MATCH_WINDOW_DAYS
        )
        if candidates:
            matched[c["Saksnr"]] = candidates[0][1]
            figures["matches"]["person_and_date"] += 1
        else:
            figures["matches"]["bailiff_only"] += 1
    figures["matches"]["cooperative_only"] = sum(
        1
        for sak_id, a in arrears.items()
        if a["trinn"] in ("BEGJAERT", "TVANGSSOLGT") and sak_id not in matched.values()
    )
    for c in cases:
        kind = PETITIONER_TYPES[c["Saksokertype"]]
        received = _day(c["Mottatt"])
        count("petitions", (received.year, kind))
        decided = _day(c["Utfall_dato"])
        if c["Utfall"] == "SOLGT":
            count("forced_sales", (decided.year, kind))
        if c["Utfall"] in ("BORTFALT", "TRUKKET"):
            count("lapsed_or_withdrawn", (decided.year, kind))
        if kind in ("cooperative", "municipality"):
            earlier = [d for d in notices.get(c["Fodselsnummer"], []) if d < received]
            sak_id = matched.get(c["Saksnr"])
            if sak_id in varslet and varslet[sak_id] < received:
                earlier.append(varslet[sak_id])
            if earlier:
                count("notified_before", (received.year, kind))
                figures["notice_days"].setdefault((received.year, kind), []).append((received - min(earlier)).days)
    latest_bbl = deliveries(landing, "bbl")
    figures["co_op_stages"] = {}
    if latest_bbl:
        for row in csv_rows(latest_bbl[-1], "arrears.csv")[1]:
            key = (row["boligbyggelag"], row["trinn"])
            figures["co_op_stages"][key] = figures["co_op_stages"].get(key, 0) + 1
    return figures
