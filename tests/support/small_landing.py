"""A small landing zone for process-level fault tests: a slice of the bundled sample plus known people.

Every refresh of the bundled sample costs minutes; a slice of it (the latest delivery of each
source, cut to a few dozen rows) runs the same code paths in a fraction of that. The known
people below are synthetic (month + 80 national ids) with names no generator would produce,
so a privacy scan can look for exactly them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from orchestration.settings import BUNDLED_SAMPLE_DIR
from tests.support.landing import FORMAT, csv_bytes, write_delivery, xlsx_bytes
from tests.support.national_ids import synthetic_national_id

LATEST = {
    "boei": "2007-12-31",
    "kemner": "2007-12-31",
    "namsfogd": "2007-12-31",
    "prosjekt": "2007-12-31",
    "regnskap": "2008-01-31",
}


@dataclass(frozen=True)
class Person:
    national_id: str
    name: str
    tenancy_id: int


# Known people: valid synthetic ids with distinctive names.
ZYXWA = Person(synthetic_national_id(7, 5, 63, 412), "Zyxwå Testesen", 990001)
QWOPR = Person(synthetic_national_id(23, 11, 48, 206), "Qwøpr Prøvesen", 990002)
# A person whose rows are all quarantined (bad amount), so only quarantine/ may hold them.
XQUAR = Person(synthetic_national_id(2, 2, 77, 318), "Xqårantenesen Ugyldig", 990003)
# A national id with a broken check digit: 11 digits that must never leave quarantine either.
_valid = synthetic_national_id(14, 8, 69, 150)
BROKEN_ID = _valid[:10] + str((int(_valid[10]) + 1) % 10)
BROKEN_NAME = "Brøkenid Feilnummersen"
PRIVATE_LANDLORD = "Vrængsøy Utleiersen"
PEOPLE = (ZYXWA, QWOPR, XQUAR)


def read_sample(source: str, name: str) -> pl.DataFrame:
    path = BUNDLED_SAMPLE_DIR / source / LATEST[source] / name
    if name.endswith(".xlsx"):
        return pl.read_excel(path, sheet_name="Saker", engine="calamine", read_options={"dtypes": "string"})
    encoding, separator = FORMAT[(source, name)]
    text = path.read_bytes().decode(encoding)
    rows = list(csv.reader(io.StringIO(text), delimiter=separator))
    return pl.DataFrame(rows[1:], schema=rows[0], orient="row")


def _rows(frame: pl.DataFrame) -> list[list[str]]:
    return [["" if v is None else str(v) for v in row] for row in frame.iter_rows()]


def sliced_files(rows_per_file: int = 40) -> dict[str, dict[str, tuple[list[str], list[list[str]]]]]:
    """source -> file -> (header, rows) of the latest sample deliveries, sliced, plus the known people."""
    tenancies = read_sample("boei", "tenancies.csv").head(rows_per_file)
    kept = set(tenancies["leieforhold_id"])
    ledger = read_sample("boei", "rent_ledger.csv").filter(pl.col("leieforhold_id").is_in(kept))
    petitions = read_sample("kemner", "petitions.csv").head(rows_per_file)
    notifications = read_sample("kemner", "notifications.csv").head(rows_per_file)
    bailiff = read_sample("namsfogd", "cases.xlsx").head(rows_per_file)
    cases = read_sample("prosjekt", "cases.csv").head(rows_per_file)
    accounts = read_sample("regnskap", "ledger.csv")

    def tenancy(p: Person, **changes: str) -> list[str]:
        row = dict(
            zip(
                tenancies.columns,
                [
                    str(p.tenancy_id),
                    f"BL{p.tenancy_id}",
                    p.national_id,
                    p.name,
                    "Årstad",
                    "ORDINAER",
                    "2",
                    "1",
                    "6 100,00",
                    "01.03.2001",
                    "",
                ],
            )
        )
        row.update(changes)
        return list(row.values())

    files = {
        "boei": {
            "tenancies.csv": (
                tenancies.columns,
                _rows(tenancies)
                + [
                    tenancy(ZYXWA),
                    tenancy(QWOPR, navn=QWOPR.name, bydel="Fana"),
                    tenancy(XQUAR, husleie="sju tusen"),  # quarantined: unparseable amount
                    tenancy(Person(BROKEN_ID, BROKEN_NAME, 990004)),  # quarantined: invalid national id
                ],
            ),
            "rent_ledger.csv": (
                ledger.columns,
                _rows(ledger)
                + [
                    ["B99000001", str(ZYXWA.tenancy_id), "05.10.2007", "HUSLEIE", "6 100,00"],
                    ["B99000002", str(ZYXWA.tenancy_id), "05.11.2007", "HUSLEIE", "6 100,00"],
                ],
            ),
        },
        "kemner": {
            "petitions.csv": (
                petitions.columns,
                _rows(petitions)
                + [
                    [
                        "BEG-2007-99001",
                        str(ZYXWA.tenancy_id),
                        ZYXWA.national_id,
                        "2007-11-20",
                        "12200.00",
                        "",
                        "SENDT",
                        "2007-11-20",
                        "",
                    ],
                    [
                        "BEG-2007-99002",
                        str(XQUAR.tenancy_id),
                        XQUAR.national_id,
                        "2007-11-21",
                        "-5.00",
                        "",
                        "SENDT",
                        "2007-11-21",
                        "",
                    ],
                ],
            ),
            "notifications.csv": (
                notifications.columns,
                _rows(notifications)
                + [
                    [
                        "VAR-2007-99001",
                        str(ZYXWA.tenancy_id),
                        ZYXWA.national_id,
                        "2007-11-01",
                        "12200.00",
                        "Årstad",
                        "RESTANSE",
                    ],
                    [
                        "VAR-2007-99002",
                        str(QWOPR.tenancy_id),
                        QWOPR.national_id,
                        "2007-11-02",
                        "4100.00",
                        "Fana",
                        "RESTANSE",
                    ],
                    ["VAR-2007-99003", "", BROKEN_ID, "2007-11-03", "4100.00", "Fana", "TVANGSSALG"],
                ],
            ),
        },
        "namsfogd": {
            "cases.xlsx": (
                bailiff.columns,
                _rows(bailiff)
                + [
                    [
                        "07-099001TVA-BERG",
                        "27.11.2007",
                        "PRIVAT",
                        PRIVATE_LANDLORD,
                        "",
                        QWOPR.national_id,
                        "",
                        "UNDER_BEHANDLING",
                        "",
                    ],
                    [
                        "07-099002TVA-BERG",
                        "28.11.2007",
                        "PRIVAT",
                        PRIVATE_LANDLORD,
                        "",
                        BROKEN_ID,
                        "",
                        "UNDER_BEHANDLING",
                        "",
                    ],
                ],
            ),
        },
        "prosjekt": {
            "cases.csv": (
                cases.columns,
                _rows(cases)
                + [
                    [
                        "2007-99001",
                        str(ZYXWA.tenancy_id),
                        ZYXWA.national_id,
                        "22.11.2007",
                        "Årstad",
                        "JA",
                        "1",
                        "ARBEID",
                        "12 200,00",
                        "FORTSATT_I_ARBEID",
                        "",
                        "TELEFON",
                        "",
                    ],
                ],
            ),
        },
        "regnskap": {"ledger.csv": (accounts.columns, _rows(accounts))},
    }
    return files


def write_files(
    landing: Path, source: str, delivery_date: str, files: dict[str, tuple[list[str], list[list[str]]]]
) -> Path:
    folder = landing / source / delivery_date
    folder.mkdir(parents=True, exist_ok=True)
    data, counts = {}, {}
    for name, (header, rows) in files.items():
        data[name] = (
            xlsx_bytes(folder, header, rows) if name.endswith(".xlsx") else csv_bytes(source, name, header, rows)
        )
        counts[name] = len(rows)
    return write_delivery(landing, source, delivery_date, data, counts)


def write_small_landing(landing: Path, rows_per_file: int = 40) -> Path:
    for source, files in sliced_files(rows_per_file).items():
        write_files(landing, source, LATEST[source], files)
    return landing


def write_ledger_update(landing: Path, delivery_date: str = "2008-02-29") -> Path:
    """A second accounts delivery that changes project_expenses and the published accounts summary."""
    accounts = read_sample("regnskap", "ledger.csv")
    # Every amount raised a little: a full snapshot with different figures.
    changed = [[r[0], r[1], _bump(r[2])] for r in _rows(accounts)]
    return write_files(landing, "regnskap", delivery_date, {"ledger.csv": (accounts.columns, changed)})


def _bump(amount: str) -> str:
    digits = amount.replace("kr", "").replace(" ", "").replace("\u00a0", "").strip()
    negative = digits.startswith("(")
    value = float(digits.strip("()").replace(",", ".")) + 100
    return f"{'-' if negative else ''}{value:.2f}".replace(".", ",")
