"""Hand-made raw tables (the typed, pseudonymised Parquet schema of ingest) that follow the contract."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import polars as pl

DELIVERY = "2007-12-31"
AMOUNT = pl.Decimal(12, 2)


def person_key(n: int) -> str:
    return hashlib.sha256(f"person-{n}".encode()).hexdigest()


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _lineage(n: int) -> dict:
    return {
        "delivery_date": pl.Series([_d(DELIVERY)] * n, dtype=pl.Date),
        "row_number": pl.Series(range(1, n + 1), dtype=pl.Int64),
    }


def _persons(n: int) -> dict:
    return {
        "person_key": [person_key(i) for i in range(n)],
        "sex": ["F", "M", "F"][:n],
        "age_band": ["under 30", "40-49", "67+"][:n],
    }


def tenancies() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "leieforhold_id": pl.Series([101, 102, 103], dtype=pl.Int64),
            "bolig_id": ["B-1", "B-2", "B-3"],
            "bydel": ["Laksevåg", "Årstad", "Åsane"],
            "boligtype": ["ORDINAER", "SERVICEBOLIG", "TRYGDEBOLIG"],
            "antall_personer": pl.Series([3, 1, 2], dtype=pl.Int64),
            "antall_barn": pl.Series([2, 0, 0], dtype=pl.Int64),
            "husleie": pl.Series([Decimal("5400.00"), Decimal("4100.50"), Decimal("6000.00")], dtype=AMOUNT),
            "fra_dato": pl.Series([_d("1998-05-01"), _d("2003-01-01"), _d("2006-09-15")], dtype=pl.Date),
            "til_dato": pl.Series([None, _d("2007-06-30"), _d("2011-09-14")], dtype=pl.Date),
            **_persons(3),
            **_lineage(3),
        }
    )


def rent_ledger(rows: int = 4) -> pl.DataFrame:
    types = ["HUSLEIE", "INNBETALING", "KREDIT", "AVSKREVET"]
    posttype = [types[i % 4] for i in range(rows)]
    belop = [Decimal("5400.00") if t == "HUSLEIE" else Decimal("-1200.00") for t in posttype]
    return pl.DataFrame(
        {
            "bilag_id": [f"BIL-{i:08d}" for i in range(rows)],
            "leieforhold_id": pl.Series([101 + i % 3 for i in range(rows)], dtype=pl.Int64),
            "bokfort_dato": pl.Series(
                [_d("2007-01-01") + dt.timedelta(days=i % 360) for i in range(rows)], dtype=pl.Date
            ),
            "posttype": posttype,
            "belop": pl.Series(belop, dtype=AMOUNT),
            **_lineage(rows),
        }
    )


def petitions() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "begjaering_id": ["K-1", "K-2", "K-3"],
            "leieforhold_id": pl.Series([101, 102, 103], dtype=pl.Int64),
            "innsendt_dato": pl.Series([_d("2007-02-01"), _d("2007-05-10"), _d("2007-11-30")], dtype=pl.Date),
            "krav_belop": pl.Series([Decimal("12000.00"), Decimal("8000.00"), Decimal("31000.00")], dtype=AMOUNT),
            "namsfogd_saksnr": ["07-001", None, "07-099"],
            "status": ["FULLFORT", "TRUKKET", "SENDT"],
            "status_dato": pl.Series([_d("2007-06-01"), _d("2007-05-20"), _d("2007-11-30")], dtype=pl.Date),
            "nemnd_godkjent_dato": pl.Series([None, None, None], dtype=pl.Date),
            **_persons(3),
            **_lineage(3),
        }
    )


def notifications() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "varsel_id": ["V-1", "V-2", "V-3"],
            "leieforhold_id": pl.Series([101, None, 103], dtype=pl.Int64),
            "varsel_dato": pl.Series([_d("2007-01-15"), _d("2007-03-01"), _d("2007-12-01")], dtype=pl.Date),
            "restanse_belop": pl.Series([Decimal("3000.00"), Decimal("150000.00"), Decimal("900.10")], dtype=AMOUNT),
            "bydel": ["Fana", "Bergenhus", "Laksevåg"],
            "varseltype": ["RESTANSE", "TVANGSSALG", "RESTANSE"],
            **_persons(3),
            **_lineage(3),
        }
    )


def bailiff_cases() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "Saksnr": ["07-001", "07-050", "07-099"],
            "Mottatt": pl.Series([_d("2007-02-05"), _d("2007-04-01"), _d("2007-12-03")], dtype=pl.Date),
            "Saksokertype": ["KOMMUNE", "PRIVAT", "KOMMUNE"],
            "Saksokers_ref": ["K-1", None, "K-3"],
            "Berammet": pl.Series([_d("2007-05-20"), None, _d("2008-02-10")], dtype=pl.Date),
            "Utfall": ["GJENNOMFORT", "BORTFALT", "UNDER_BEHANDLING"],
            "Utfall_dato": pl.Series([_d("2007-05-20"), _d("2007-04-20"), None], dtype=pl.Date),
            **_persons(3),
            **_lineage(3),
        }
    )


def project_cases() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "sak_id": ["P-1", "P-2", "P-3"],
            "leieforhold_id": pl.Series([101, 102, 103], dtype=pl.Int64),
            "opprettet": pl.Series([_d("2006-03-01"), _d("2007-01-10"), _d("2007-09-01")], dtype=pl.Date),
            "sosialtjeneste": ["Årstad", "Fana", "Arna"],
            "kjent_sosialtjenesten": ["JA", "NEI", "FELLES"],
            "barn_i_husstand": pl.Series([2, 0, 1], dtype=pl.Int64),
            "inntektskilde": ["SOSIALHJELP", "ARBEID", "TRYGD"],
            "krav_belop": pl.Series([Decimal("15000.00"), Decimal("4000.00"), Decimal("22000.00")], dtype=AMOUNT),
            "utfall": ["LOST_FOR_UTKASTELSE", "UTKASTET", "FORTSATT_I_ARBEID"],
            "losning": ["SOSIALTJENESTEN_BETALT", None, None],
            "tiltak": pl.Series([["TELEFON", "HJEMMEBESOK"], [], None], dtype=pl.List(pl.String)),
            "avsluttet": pl.Series([_d("2006-08-01"), _d("2007-04-01"), None], dtype=pl.Date),
            **_persons(3),
            **_lineage(3),
        }
    )


def ledger() -> pl.DataFrame:
    from orchestration.lib.reference import account_codes

    codes = account_codes()[:3]
    return pl.DataFrame(
        {
            "art": codes,
            "tekst": ["Lønn", "Honorar", "Tilskudd"],
            "belop": pl.Series([Decimal("250000.00"), Decimal("12000.00"), Decimal("800000.00")], dtype=AMOUNT),
            **_lineage(3),
        }
    )


def forced_sales() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "Saksnr": ["TS-07-01", "TS-07-02", "TS-07-03"],
            "Mottatt": pl.Series([_d("2007-03-05"), _d("2007-06-01"), _d("2007-11-20")], dtype=pl.Date),
            "Saksokertype": ["BORETTSLAG", "BANK", "KOMMUNE"],
            "Saksokers_ref": ["BBL-1", None, None],
            "Objekttype": ["ANDEL", "SELVEIER", "EIERSEKSJON"],
            "Utfall": ["BORTFALT", "SOLGT", "UNDER_BEHANDLING"],
            "Utfall_dato": pl.Series([_d("2007-05-01"), _d("2007-10-15"), None], dtype=pl.Date),
            **_persons(3),
            **_lineage(3),
        }
    )


def co_op_arrears() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "sak_id": ["BBL-1", "BBL-2", "BBL-3"],
            "boligbyggelag": ["BOB", "VESTBO", "STOR_BERGEN"],
            "borettslag": ["Fjellsiden borettslag", "Åsane Terrasse", "Solhøgda"],
            "andel_nr": ["12", "7", "103"],
            "bydel": ["Åsane", "Fana", "Årstad"],
            "barn_i_husstand": pl.Series([0, 2, 1], dtype=pl.Int64),
            "restanse_belop": pl.Series([Decimal("0.00"), Decimal("18250.50"), Decimal("6400.00")], dtype=AMOUNT),
            "forfalt_siden": pl.Series([_d("2006-10-01"), _d("2007-05-01"), _d("2007-09-01")], dtype=pl.Date),
            "trinn": ["LOST", "BEGJAERT", "VARSEL"],
            "trinn_dato": pl.Series([_d("2007-05-01"), _d("2007-11-01"), _d("2007-10-01")], dtype=pl.Date),
            "sosialtjeneste_varslet": pl.Series([None, _d("2007-10-20"), None], dtype=pl.Date),
            "begjaert_dato": pl.Series([_d("2007-03-01"), _d("2007-11-01"), None], dtype=pl.Date),
            **_persons(3),
            **_lineage(3),
        }
    )


def good_tables(source: str) -> dict[str, pl.DataFrame]:
    return {
        "boei": lambda: {"tenancies": tenancies(), "rent_ledger": rent_ledger()},
        "kemner": lambda: {"petitions": petitions(), "notifications": notifications()},
        "namsfogd": lambda: {"cases": bailiff_cases(), "forced_sales": forced_sales()},
        "prosjekt": lambda: {"cases": project_cases()},
        "regnskap": lambda: {"ledger": ledger()},
        "bbl": lambda: {"arrears": co_op_arrears()},
    }[source]()
