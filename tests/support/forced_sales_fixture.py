"""The forced-sale scenario for the dbt project (issue #14): the raw layer of ``raw_fixture`` plus
two deliveries of the housing associations' arrears cases (``bbl/arrears``) and of the bailiff's
forced-sale cases (``namsfogd/forced_sales``), with answers known in advance.

The eviction tables are ``raw_fixture``'s, unchanged; its collector notice V-2 (person J, type
TVANGSSALG, 2007-11-05, Fana, NOK 120 000) is the notice before the municipality's petition F-5.

Arrears cases (bbl; deliveries 2007-06-30 and 2007-12-31):
  A-1  BOB          P  petitioned 2007-03-01, notified 2007-02-01; BEGJAERT, then LOST (F-1 lapsed)
  A-2  VESTBO       Q  petitioned 2007-05-10, never notified; BEGJAERT, then TVANGSSOLGT (F-2 sold)
  A-3  STOR_BERGEN  R  petitioned 2007-01-10, notified 2006-12-15; LOST, only in the first delivery
  A-4  BOB          S  petitioned 2007-12-20, notified 2007-12-10; BEGJAERT, only in the second (67+)
  A-5  BOB          T  petitioned 2007-12-21, never notified; BEGJAERT, only in the second
  A-6  VESTBO       U  VARSEL in both (arrears 8 000, then 12 000), overdue since 2007-04-01
  A-7  STOR_BERGEN  V  PALEGG_SALG in the second, notified 2007-12-05, 3 children, overdue since 2007-02-01
Forced-sale cases (namsfogd/forced_sales; deliveries 2007-06-30 and 2007-12-31):
  F-1  BORETTSLAG ref A-1  P  received 2007-03-05, pending, then BORTFALT 2007-08-01  -> matched (reference)
  F-2  BORETTSLAG no ref   Q  received 2007-05-14, pending, then SOLGT 2007-10-01     -> matched (person and date)
  F-3  BORETTSLAG ref A-3  R  received 2007-01-15, BORTFALT 2007-04-01               -> matched (reference, A-3 closed)
  F-4  BORETTSLAG ref X-9  W  received 2007-09-01, TRUKKET 2007-10-15 (second only)  -> bailiff_only
  F-5  KOMMUNE             J  received 2007-12-01, pending (second only)             -> not_applicable, notified (V-2)
  F-6  BANK                K  received 2006-11-01, SOLGT 2007-02-01                  -> not_applicable
  F-7  KOMMUNE             H  received 2006-09-01, BORTFALT 2006-12-01               -> not_applicable, not notified
  A-4 and A-5 are co-operative petitions the bailiff never received (cooperative_only).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl

from tests.support.raw_fixture import AMOUNT, H, J, K, person, write_raw_fixture

D = dt.date
P, Q, R, S, T, U, V, W = (person(n) for n in ("P", "Q", "R", "S", "T", "U", "V", "W"))
FIRST, SECOND = D(2007, 6, 30), D(2007, 12, 31)

ARREARS_SCHEMA = {
    "sak_id": pl.String, "boligbyggelag": pl.String, "borettslag": pl.String, "andel_nr": pl.String,
    "bydel": pl.String, "barn_i_husstand": pl.Int64, "restanse_belop": AMOUNT, "forfalt_siden": pl.Date,
    "trinn": pl.String, "trinn_dato": pl.Date, "sosialtjeneste_varslet": pl.Date, "begjaert_dato": pl.Date,
    "person_key": pl.String, "sex": pl.String, "age_band": pl.String, "delivery_date": pl.Date,
    "row_number": pl.Int64,
}  # fmt: skip
FORCED_SALE_SCHEMA = {
    "Saksnr": pl.String, "Mottatt": pl.Date, "Saksokertype": pl.String, "Saksokers_ref": pl.String,
    "Objekttype": pl.String, "Utfall": pl.String, "Utfall_dato": pl.Date, "person_key": pl.String,
    "sex": pl.String, "age_band": pl.String, "delivery_date": pl.Date, "row_number": pl.Int64,
}  # fmt: skip
ARREARS_COLUMNS = (
    "sak_id",
    "boligbyggelag",
    "borettslag",
    "andel_nr",
    "bydel",
    "barn_i_husstand",
    "restanse_belop",
    "forfalt_siden",
    "trinn",
    "trinn_dato",
    "sosialtjeneste_varslet",
    "begjaert_dato",
    "person_key",
    "sex",
    "age_band",
)
FORCED_SALE_COLUMNS = (
    "Saksnr",
    "Mottatt",
    "Saksokertype",
    "Saksokers_ref",
    "Objekttype",
    "Utfall",
    "Utfall_dato",
    "person_key",
    "sex",
    "age_band",
)

N = Decimal
_A1 = ("A-1", "BOB", "Landås Borettslag", "12", "Årstad", 2)
_A2 = ("A-2", "VESTBO", "Bønes Borettslag", "7", "Fana", 0)
_A6 = ("A-6", "VESTBO", "Landås Borettslag", "31", "Åsane", 0)
ARREARS = {
    FIRST: [
        (*_A1, N("25000.00"), D(2006, 10, 1), "BEGJAERT", D(2007, 3, 1), D(2007, 2, 1), D(2007, 3, 1), P, "F", "40-49"),
        (*_A2, N("41000.50"), D(2006, 9, 1), "BEGJAERT", D(2007, 5, 10), None, D(2007, 5, 10), Q, "M", "50-59"),
        (
            "A-3",
            "STOR_BERGEN",
            "Søreide Borettslag",
            "3",
            "Ytrebygda",
            1,
            N("0.00"),
            D(2006, 8, 1),
            "LOST",
            D(2007, 4, 1),
            D(2006, 12, 15),
            D(2007, 1, 10),
            R,
            "F",
            "30-39",
        ),
        (*_A6, N("8000.00"), D(2007, 4, 1), "VARSEL", D(2007, 5, 1), None, None, U, "M", "under 30"),
    ],
    SECOND: [
        (*_A1, N("0.00"), D(2006, 10, 1), "LOST", D(2007, 8, 1), D(2007, 2, 1), D(2007, 3, 1), P, "F", "40-49"),
        (*_A2, N("0.00"), D(2006, 9, 1), "TVANGSSOLGT", D(2007, 10, 1), None, D(2007, 5, 10), Q, "M", "50-59"),
        (
            "A-4",
            "BOB",
            "Fjellsiden Borettslag",
            "5",
            "Bergenhus",
            0,
            N("36000.00"),
            D(2007, 3, 1),
            "BEGJAERT",
            D(2007, 12, 20),
            D(2007, 12, 10),
            D(2007, 12, 20),
            S,
            "M",
            "67+",
        ),
        (
            "A-5",
            "BOB",
            "Kronstad Borettslag",
            "44",
            "Årstad",
            0,
            N("19999.99"),
            D(2007, 4, 1),
            "BEGJAERT",
            D(2007, 12, 21),
            None,
            D(2007, 12, 21),
            T,
            "F",
            "50-59",
        ),
        (*_A6, N("12000.00"), D(2007, 4, 1), "VARSEL", D(2007, 5, 1), None, None, U, "M", "under 30"),
        (
            "A-7",
            "STOR_BERGEN",
            "Søreide Borettslag",
            "9",
            "Laksevåg",
            3,
            N("31000.00"),
            D(2007, 2, 1),
            "PALEGG_SALG",
            D(2007, 11, 20),
            D(2007, 12, 5),
            None,
            V,
            "F",
            "30-39",
        ),
    ],
}
_F3 = ("F-3", D(2007, 1, 15), "BORETTSLAG", "A-3", "ANDEL", "BORTFALT", D(2007, 4, 1), R, "F", "30-39")
_F6 = ("F-6", D(2006, 11, 1), "BANK", None, "EIERSEKSJON", "SOLGT", D(2007, 2, 1), K, "F", "30-39")
_F7 = ("F-7", D(2006, 9, 1), "KOMMUNE", None, "SELVEIER", "BORTFALT", D(2006, 12, 1), H, "F", "under 30")
FORCED_SALES = {
    FIRST: [
        ("F-1", D(2007, 3, 5), "BORETTSLAG", "A-1", "ANDEL", "UNDER_BEHANDLING", None, P, "F", "40-49"),
        ("F-2", D(2007, 5, 14), "BORETTSLAG", None, "ANDEL", "UNDER_BEHANDLING", None, Q, "M", "50-59"),
        _F3,
        _F6,
        _F7,
    ],
    SECOND: [
        ("F-1", D(2007, 3, 5), "BORETTSLAG", "A-1", "ANDEL", "BORTFALT", D(2007, 8, 1), P, "F", "40-49"),
        ("F-2", D(2007, 5, 14), "BORETTSLAG", None, "ANDEL", "SOLGT", D(2007, 10, 1), Q, "M", "50-59"),
        _F3,
        ("F-4", D(2007, 9, 1), "BORETTSLAG", "X-9", "ANDEL", "TRUKKET", D(2007, 10, 15), W, "M", "40-49"),
        ("F-5", D(2007, 12, 1), "KOMMUNE", None, "SELVEIER", "UNDER_BEHANDLING", None, J, "M", "50-59"),
        _F6,
        _F7,
    ],
}


def _write(folder: Path, schema: dict, columns: tuple[str, ...], deliveries: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for delivery_date, rows in deliveries.items():
        records = [
            {**dict(zip(columns, row, strict=True)), "delivery_date": delivery_date, "row_number": number}
            for number, row in enumerate(rows, start=1)
        ]
        pl.DataFrame(records, schema=schema).write_parquet(folder / f"{delivery_date.isoformat()}.parquet")


def write_forced_sales_fixture(warehouse_dir: Path) -> None:
    """``raw_fixture``'s raw layer plus the forced-sale deliveries."""
    write_raw_fixture(warehouse_dir)
    raw = warehouse_dir / "raw"
    _write(raw / "bbl" / "arrears", ARREARS_SCHEMA, ARREARS_COLUMNS, ARREARS)
    _write(raw / "namsfogd" / "forced_sales", FORCED_SALE_SCHEMA, FORCED_SALE_COLUMNS, FORCED_SALES)
