"""A small, independent reader of landing-zone deliveries, written from sources.md only.

The sample tests use it to recompute the report's figures from the files. It must
not import the generator or any ``orchestration`` module: it is a second,
independent reading of the contract, so a mistake in the generator cannot hide
itself by being read back with the same mistake.
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

REPO_ROOT = Path(__file__).resolve().parents[1]
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
}  # fmt: skip
SOURCE_FILES = {
    "boei": ("tenancies.csv", "rent_ledger.csv"),
    "kemner": ("petitions.csv", "notifications.csv"),
    "namsfogd": ("cases.xlsx",),
    "prosjekt": ("cases.csv",),
    "regnskap": ("ledger.csv",),
}
# (separator, encoding, byte-order mark) of each CSV source.
CSV_FORMATS = {
    "boei": (";", "cp1252", False),
    "regnskap": (";", "cp1252", False),
    "kemner": (",", "utf-8", False),
    "prosjekt": (";", "utf-8", True),
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


def xlsx_rows(delivery: Delivery, name: str, sheet: str = "Saker") -> tuple[list[str], list[dict[str, str | None]]]:
    """Header and rows of the sheet, every cell read as text (dates too)."""
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


def _check_digit(digits: list[int], weights: tuple[int, ...]) -> int | None:
    remainder = sum(d * w for d, w in zip(digits, weights)) % 11
    return None if remainder == 1 else (0 if remainder == 0 else 11 - remainder)


def is_valid_synthetic_id(fnr: str) -> bool:
    """11 digits, both mod-11 check digits right, a real date after removing the +80
    month offset, individual number consistent with the century, and NOT valid as an
    ordinary number (month 1-12) or a D-number."""
    if not re.fullmatch(r"\d{11}", fnr):
        return False
    digits = [int(c) for c in fnr]
    first = _check_digit(digits[:9], (3, 7, 6, 1, 8, 9, 4, 5, 2))
    second = _check_digit(digits[:10], (5, 4, 3, 2, 7, 6, 5, 4, 3, 2))
    if first is None or second is None or (first, second) != (digits[9], digits[10]):
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


AGE_BANDS = (("under 30", 0, 29), ("30-39", 30, 39), ("40-49", 40, 49), ("50-59", 50, 59), ("60-66", 60, 66), ("67+", 67, 200))
CLAIM_BANDS = (("under 5000", 0, 5000), ("5000-9999", 5000, 10000), ("10000-19999", 10000, 20000), ("20000-29999", 20000, 30000), ("30000+", 30000, 10**12))


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
