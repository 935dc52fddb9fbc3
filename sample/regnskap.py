"""``regnskap``: the project's accounts (chapter 6 of the 2008 report), one delivery."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from sample.files import (
    _csv_bytes,
    _delivery_dir,
    _write_bytes,
    _write_manifest,
    amount_comma,
)
from sample.shared import (
    ACCOUNT_COLUMNS,
    ACCOUNTS_DELIVERY_DATE,
    KR_NBSPS,
    KR_SPACES,
    NBSPS,
    PLAIN,
    SPACES,
    Progress,
)

# Chapter 6 of the report: (account, text, amount in øre, style). Every amount is
# positive, for income and expense alike (sources.md); codes 17xxxx are income.
ACCOUNT_LINES = (
    ("170073", "Refunderte trygdeytelser", 907_500, PLAIN),
    ("170050", "Tilskudd fra Husbanken", 50_000_000, KR_SPACES),
    ("120052", "Edb-maskinvare", 1_843_178, NBSPS),
    ("120019", "Kommunikasjonsutstyr", 216_240, KR_SPACES),
    ("120000", "Inventar", 84_890, PLAIN),
    ("117020", "Transport ansatte", 1_803_834, KR_NBSPS),
    ("116020", "Kilometergodtgjørelse", 693_050, PLAIN),
    ("116010", "Oppgavepl. kostgodtgjørelse", 184_000, KR_SPACES),
    ("115003", "Fagsamlinger", 486_453, SPACES),
    ("115001", "Kursavgifter", 231_000, PLAIN),
    ("114000", "Brosjyrer/informasjon", 415_500, KR_SPACES),
    ("113022", "Mobiltelefon", 60_769, PLAIN),
    ("112090", "Andre driftsutgifter", 11_000, KR_SPACES),
    ("112067", "Overnatting", 562_000, PLAIN),
    ("109910", "Arbeidsgiveravgift", 9_459_395, NBSPS),
    ("109080", "Avgiftspl. ytelser uten utbet.", 94_520, PLAIN),
    ("109010", "Pensjonspremie BKP", 10_637_309, KR_SPACES),
    ("105037", "Honorar", 627_000, PLAIN),
    ("104010", "Overtid", 604_449, KR_NBSPS),
    ("103010", "Engasjementer", 55_124_654, SPACES),
)
ACCOUNTS_INCOME_ORE = 50_907_500
ACCOUNTS_EXPENSES_ORE = 83_139_241


def _write_regnskap(landing_dir: Path, progress: Progress) -> None:
    income = sum(line[2] for line in ACCOUNT_LINES if line[0].startswith("17"))
    if (income, sum(line[2] for line in ACCOUNT_LINES) - income) != (ACCOUNTS_INCOME_ORE, ACCOUNTS_EXPENSES_ORE):
        raise AssertionError("the account lines do not add up to the report's totals")
    frame = (
        pl.DataFrame(
            {
                "art": [line[0] for line in ACCOUNT_LINES],
                "tekst": [line[1] for line in ACCOUNT_LINES],
                "ore": [line[2] for line in ACCOUNT_LINES],
                "style": [line[3] for line in ACCOUNT_LINES],
            }
        )
        .select("art", "tekst", amount_comma(pl.col("ore"), pl.col("style")).alias("belop"))
        .select(ACCOUNT_COLUMNS)
    )
    folder = _delivery_dir(landing_dir, "regnskap", ACCOUNTS_DELIVERY_DATE)
    data = _csv_bytes(frame, ";", "cp1252")
    _write_manifest(
        folder, "regnskap", ACCOUNTS_DELIVERY_DATE, [_write_bytes(folder / "ledger.csv", data, frame.height)]
    )
    progress(f"regnskap/{ACCOUNTS_DELIVERY_DATE}/ledger.csv: {frame.height} account lines")
