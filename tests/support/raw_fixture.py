"""Small hand-made raw-layer fixture for the dbt project, with answers known in advance.

Writes ``<warehouse>/raw/<source>/<table>/<delivery date>.parquet`` (plus the empty
``_schema.parquet``) with exactly the schemas the Python ingestion writes. The scenario and its
expected results are spelled out next to the rows and asserted in ``test_dbt_project.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path

import polars as pl

D = dt.date
AMOUNT = pl.Decimal(12, 2)

SCHEMAS: dict[tuple[str, str], dict[str, pl.DataType]] = {
    ("boei", "tenancies"): {
        "leieforhold_id": pl.Int64,
        "bolig_id": pl.String,
        "bydel": pl.String,
        "boligtype": pl.String,
        "antall_personer": pl.Int64,
        "antall_barn": pl.Int64,
        "husleie": AMOUNT,
        "fra_dato": pl.Date,
        "til_dato": pl.Date,
        "person_key": pl.String,
        "sex": pl.String,
        "age_band": pl.String,
        "delivery_date": pl.Date,
        "row_number": pl.Int64,
    },
    ("boei", "rent_ledger"): {
        "bilag_id": pl.String,
        "leieforhold_id": pl.Int64,
        "bokfort_dato": pl.Date,
        "posttype": pl.String,
        "belop": AMOUNT,
        "delivery_date": pl.Date,
        "row_number": pl.Int64,
    },
    ("kemner", "petitions"): {
        "begjaering_id": pl.String,
        "leieforhold_id": pl.Int64,
        "innsendt_dato": pl.Date,
        "krav_belop": AMOUNT,
        "namsfogd_saksnr": pl.String,
        "status": pl.String,
        "status_dato": pl.Date,
        "nemnd_godkjent_dato": pl.Date,
        "person_key": pl.String,
        "sex": pl.String,
        "age_band": pl.String,
        "delivery_date": pl.Date,
        "row_number": pl.Int64,
    },
    ("kemner", "notifications"): {
        "varsel_id": pl.String,
        "leieforhold_id": pl.Int64,
        "varsel_dato": pl.Date,
        "restanse_belop": AMOUNT,
        "bydel": pl.String,
        "varseltype": pl.String,
        "person_key": pl.String,
        "sex": pl.String,
        "age_band": pl.String,
        "delivery_date": pl.Date,
        "row_number": pl.Int64,
    },
    ("namsfogd", "cases"): {
        "Saksnr": pl.String,
        "Mottatt": pl.Date,
        "Saksokertype": pl.String,
        "Saksokers_ref": pl.String,
        "Berammet": pl.Date,
        "Utfall": pl.String,
        "Utfall_dato": pl.Date,
        "person_key": pl.String,
        "sex": pl.String,
        "age_band": pl.String,
        "delivery_date": pl.Date,
        "row_number": pl.Int64,
    },
    ("prosjekt", "cases"): {
        "sak_id": pl.String,
        "leieforhold_id": pl.Int64,
        "opprettet": pl.Date,
        "sosialtjeneste": pl.String,
        "kjent_sosialtjenesten": pl.String,
        "barn_i_husstand": pl.Int64,
        "inntektskilde": pl.String,
        "krav_belop": AMOUNT,
        "utfall": pl.String,
        "losning": pl.String,
        "tiltak": pl.List(pl.String),
        "avsluttet": pl.Date,
        "person_key": pl.String,
        "sex": pl.String,
        "age_band": pl.String,
        "delivery_date": pl.Date,
        "row_number": pl.Int64,
    },
    ("regnskap", "ledger"): {
        "art": pl.String,
        "tekst": pl.String,
        "belop": AMOUNT,
        "delivery_date": pl.Date,
        "row_number": pl.Int64,
    },
}


def person(name: str) -> str:
    """A stand-in pseudonym: 64 lowercase hex characters, like the real HMAC-SHA256 person_key."""
    return hashlib.sha256(name.encode()).hexdigest()


A, B, C, E, F, G, H, J, K = (person(n) for n in "ABCEFGHJK")


def nok(value: str) -> Decimal:
    return Decimal(value)


# --- boei/tenancies: two snapshots; 1007 is only in the first, 1001's rent changes. -------------
# Latest snapshot (2007-12-31): 1001-1006 -> 6 households.
#   priority: 1002 service, 1003 social-security, 1004 children, 1005 head 67+ -> true;
#             1001 ordinary, 1006 care dwelling head 60-66 -> false.
TENANCY_COLUMNS = (
    "leieforhold_id",
    "bolig_id",
    "bydel",
    "boligtype",
    "antall_personer",
    "antall_barn",
    "husleie",
    "fra_dato",
    "til_dato",
    "person_key",
    "sex",
    "age_band",
)
_T = {
    1001: ("B-1001", "Årstad", "ORDINAER", 2, 0, nok("5000.00"), D(2004, 1, 1), None, A, "F", "40-49"),
    1002: ("B-1002", "Laksevåg", "SERVICEBOLIG", 1, 0, nok("4000.00"), D(2005, 1, 1), None, B, "M", "50-59"),
    1003: ("B-1003", "Fana", "TRYGDEBOLIG", 1, 0, nok("3000.00"), D(2005, 6, 1), None, C, "F", "30-39"),
    1004: ("B-1004", "Åsane", "ORDINAER", 3, 1, nok("6000.00"), D(2003, 2, 1), None, E, "F", "30-39"),
    1005: ("B-1005", "Arna", "ORDINAER", 1, 0, nok("4500.00"), D(2001, 3, 1), None, F, "M", "67+"),
    1006: ("B-1006", "Bergenhus", "OMSORGSBOLIG", 1, 0, nok("4200.00"), D(2002, 4, 1), D(2008, 6, 30), G, "M", "60-66"),
    1007: ("B-1007", "Fana", "ORDINAER", 2, 1, nok("5500.00"), D(2000, 1, 1), D(2007, 9, 30), H, "F", "under 30"),
}


def _with_rent(row: tuple, rent: Decimal) -> tuple:
    return (*row[:6], rent, *row[7:])


TENANCIES = {
    # 1001 paid 4800 in the first snapshot: a second version of the tenancy in the history.
    D(2007, 6, 30): [_with_rent((k, *v), nok("4800.00")) if k == 1001 else (k, *v) for k, v in _T.items() if k != 1006],
    D(2007, 12, 31): [(k, *v) for k, v in _T.items() if k != 1007],
}

# --- boei/rent_ledger (incremental). Arrears on the snapshot date 2007-12-31:
#   1001: 5000 - 2000 + 5000 (posted on the snapshot date, counts) = 8000.00; the 2008-01-02 rent does not count.
#   1003: 3000 - 3000 = 0.00;  1002, 1004-1006: no postings = 0.00.
LEDGER_COLUMNS = ("bilag_id", "leieforhold_id", "bokfort_dato", "posttype", "belop")
LEDGER = {
    D(2007, 11, 30): [
        ("L-1", 1001, D(2007, 10, 1), "HUSLEIE", nok("5000.00")),
        ("L-2", 1001, D(2007, 10, 15), "INNBETALING", nok("-2000.00")),
        ("L-3", 1003, D(2007, 10, 1), "HUSLEIE", nok("3000.00")),
        ("L-4", 1003, D(2007, 10, 20), "INNBETALING", nok("-3000.00")),
    ],
    D(2008, 1, 15): [
        ("L-5", 1001, D(2007, 12, 31), "HUSLEIE", nok("5000.00")),
        ("L-6", 1001, D(2008, 1, 2), "HUSLEIE", nok("5000.00")),
    ],
}

# --- kemner/petitions: two snapshots. --------------------------------------------------------------
#   K-1 matched by reference to N-1 (both executed); K-2 matched by case number to N-2 (withdrawn/lapsed);
#   K-3 collector_only, SENDT in the first delivery, TRUKKET (2007-08-01) in the second;
#   K-4 collector_only FULLFORT (executed 2007-04-15); K-5 matched by reference to N-5, but the
#   collector still says SENDT while the bailiff executed (status_disagreement);
#   K-6 filed 2008-03-15 without board approval (AVVIST); K-7 filed 2008-03-20 with approval (SENDT).
#   Person A was petitioned twice in 2006 (K-1, K-2): serial_petitions.
PETITION_COLUMNS = (
    "begjaering_id",
    "leieforhold_id",
    "innsendt_dato",
    "krav_belop",
    "namsfogd_saksnr",
    "status",
    "status_dato",
    "nemnd_godkjent_dato",
    "person_key",
    "sex",
    "age_band",
)
_P = {
    "K-1": (1001, D(2006, 3, 1), nok("4999.99"), None, "FULLFORT", D(2006, 5, 10), None, A, "F", "40-49"),
    "K-2": (1001, D(2006, 4, 1), nok("5000.00"), "N-2", "TRUKKET", D(2006, 6, 1), None, A, "F", "40-49"),
    "K-3": (1003, D(2007, 2, 1), nok("30000.00"), None, "TRUKKET", D(2007, 8, 1), None, C, "F", "30-39"),
    "K-4": (1004, D(2007, 3, 1), nok("12000.00"), None, "FULLFORT", D(2007, 4, 15), None, E, "F", "30-39"),
    "K-5": (1002, D(2007, 5, 1), nok("25000.00"), "N-5", "SENDT", D(2007, 5, 1), None, B, "M", "50-59"),
    "K-6": (1005, D(2008, 3, 15), nok("8000.00"), None, "AVVIST", D(2008, 3, 25), None, F, "M", "67+"),
    "K-7": (1006, D(2008, 3, 20), nok("9000.00"), None, "SENDT", D(2008, 3, 20), D(2008, 3, 18), G, "M", "60-66"),
}
PETITIONS = {
    D(2007, 6, 30): [
        (k, *v) if k != "K-3" else (k, *v[:4], "SENDT", D(2007, 2, 1), *v[6:])
        for k, v in _P.items()
        if k in ("K-1", "K-2", "K-3", "K-4", "K-5")
    ],
    D(2008, 4, 1): [(k, *v) for k, v in _P.items()],
}

# --- kemner/notifications: one snapshot. -----------------------------------------------------------
NOTIFICATION_COLUMNS = (
    "varsel_id",
    "leieforhold_id",
    "varsel_dato",
    "restanse_belop",
    "bydel",
    "varseltype",
    "person_key",
    "sex",
    "age_band",
)
NOTIFICATIONS = {
    D(2007, 12, 31): [
        ("V-1", 1001, D(2007, 11, 1), nok("3000.00"), "Årstad", "RESTANSE", A, "F", "40-49"),
        ("V-2", None, D(2007, 11, 5), nok("120000.00"), "Fana", "TVANGSSALG", J, "M", "50-59"),
    ],
}

# --- namsfogd/cases: two snapshots. ----------------------------------------------------------------
#   N-1 KOMMUNE ref K-1 executed 2006-05-10; N-2 KOMMUNE without ref (matched by K-2's case number),
#   lapsed; N-5 KOMMUNE ref K-5, pending in the first delivery, executed 2007-07-01 in the second;
#   N-8 KOMMUNE with an unknown ref: bailiff_only (postponed); N-9 PRIVAT executed 2007-11-01;
#   N-10 BORETTSLAG rejected; N-11 PRIVAT pending.
BAILIFF_COLUMNS = (
    "Saksnr",
    "Mottatt",
    "Saksokertype",
    "Saksokers_ref",
    "Berammet",
    "Utfall",
    "Utfall_dato",
    "person_key",
    "sex",
    "age_band",
)
_N = {
    "N-1": (D(2006, 3, 5), "KOMMUNE", "K-1", D(2006, 5, 10), "GJENNOMFORT", D(2006, 5, 10), A, "F", "40-49"),
    "N-2": (D(2006, 4, 3), "KOMMUNE", None, None, "BORTFALT", D(2006, 6, 1), A, "F", "40-49"),
    "N-5": (D(2007, 5, 3), "KOMMUNE", "K-5", D(2007, 7, 1), "GJENNOMFORT", D(2007, 7, 1), B, "M", "50-59"),
    "N-8": (D(2007, 6, 1), "KOMMUNE", "K-99", D(2007, 9, 1), "UTSATT", D(2007, 8, 1), J, "M", "50-59"),
    "N-9": (D(2007, 9, 1), "PRIVAT", "L-77", D(2007, 11, 1), "GJENNOMFORT", D(2007, 11, 1), H, "F", "under 30"),
    "N-10": (D(2006, 10, 1), "BORETTSLAG", None, None, "AVVIST", D(2006, 11, 1), J, "M", "50-59"),
    "N-11": (D(2007, 10, 1), "PRIVAT", "L-78", None, "UNDER_BEHANDLING", None, K, "F", "30-39"),
}
BAILIFF_CASES = {
    D(2007, 6, 30): [
        (k, *v) if k != "N-5" else (k, *v[:4], "UNDER_BEHANDLING", None, *v[6:])
        for k, v in _N.items()
        if k in ("N-1", "N-2", "N-5", "N-8", "N-10")
    ],
    D(2008, 4, 1): [(k, *v) for k, v in _N.items()],
}

# --- prosjekt/cases: one snapshot, 4 cases. ----------------------------------------------------------
#   S-3's tenancy 9999 is in no register delivery (finding); S-2's 1007 is only in the first one (fine).
PROJECT_COLUMNS = (
    "sak_id",
    "leieforhold_id",
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
    "person_key",
    "sex",
    "age_band",
)
PROJECT_CASES = {
    D(2007, 12, 31): [
        (
            "S-1",
            1001,
            D(2007, 2, 1),
            "Årstad",
            "JA",
            0,
            "SOSIALHJELP",
            nok("4999.99"),
            "LOST_FOR_UTKASTELSE",
            "SOSIALTJENESTEN_BETALT",
            ["TELEFON", "BREV"],
            D(2007, 5, 1),
            A,
            "F",
            "40-49",
        ),
        (
            "S-2",
            1007,
            D(2007, 3, 1),
            "Fana",
            "NEI",
            1,
            "ARBEID",
            nok("5000.00"),
            "UTKASTET",
            None,
            None,
            D(2007, 9, 1),
            H,
            "F",
            "under 30",
        ),
        (
            "S-3",
            9999,
            D(2007, 4, 1),
            "Fana",
            "FELLES",
            2,
            "TRYGD",
            nok("30000.00"),
            "FORTSATT_I_ARBEID",
            None,
            ["HJEMMEBESOK"],
            None,
            J,
            "M",
            "50-59",
        ),
        (
            "S-4",
            1002,
            D(2007, 5, 1),
            "Laksevåg",
            "JA",
            0,
            "TRYGD",
            nok("10000.00"),
            "UTKASTET",
            "INGEN",
            ["KOORDINERING", "TELEFON", "BOSTOTTE_SOKNAD"],
            D(2007, 9, 1),
            B,
            "M",
            "50-59",
        ),
    ],
}

# --- regnskap/ledger: two snapshots; the latest one counts. ------------------------------------------
#   income 500000.00, expenses 551246.54 + 848.90 = 552095.44, balance -52095.44.
ACCOUNT_COLUMNS = ("art", "tekst", "belop")
ACCOUNTS = {
    D(2007, 6, 30): [
        ("170050", "Tilskudd fra Husbanken", nok("250000.00")),
        ("103010", "Engasjementer", nok("200000.00")),
    ],
    D(2007, 12, 31): [
        ("170050", "Tilskudd fra Husbanken", nok("500000.00")),
        ("103010", "Engasjementer", nok("551246.54")),
        ("120000", "Inventar", nok("848.90")),
    ],
}

TABLES = {
    ("boei", "tenancies"): (TENANCY_COLUMNS, TENANCIES),
    ("boei", "rent_ledger"): (LEDGER_COLUMNS, LEDGER),
    ("kemner", "petitions"): (PETITION_COLUMNS, PETITIONS),
    ("kemner", "notifications"): (NOTIFICATION_COLUMNS, NOTIFICATIONS),
    ("namsfogd", "cases"): (BAILIFF_COLUMNS, BAILIFF_CASES),
    ("prosjekt", "cases"): (PROJECT_COLUMNS, PROJECT_CASES),
    ("regnskap", "ledger"): (ACCOUNT_COLUMNS, ACCOUNTS),
}


def write_raw_fixture(warehouse_dir: Path) -> None:
    """Write every raw table of the scenario under ``warehouse_dir/raw``."""
    for (source, table), (columns, deliveries) in TABLES.items():
        schema = SCHEMAS[(source, table)]
        folder = warehouse_dir / "raw" / source / table
        folder.mkdir(parents=True, exist_ok=True)
        pl.DataFrame(schema=schema).write_parquet(folder / "_schema.parquet")
        for delivery_date, rows in deliveries.items():
            records = [
                {**dict(zip(columns, row, strict=True)), "delivery_date": delivery_date, "row_number": number}
                for number, row in enumerate(rows, start=1)
            ]
            frame = pl.DataFrame(records, schema=schema)
            frame.write_parquet(folder / f"{delivery_date.isoformat()}.parquet")
    # Every other contract file as the ingestion leaves a source with no delivery: its empty schema file.
    from orchestration.lib.contract import SOURCES
    from orchestration.lib.ingest import ensure_raw_schema_files

    for source in SOURCES:
        ensure_raw_schema_files(warehouse_dir / "raw", source)


if __name__ == "__main__":
    import sys

    write_raw_fixture(Path(sys.argv[1]))
