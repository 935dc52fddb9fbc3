"""The vectorised national ids of ``validate_rows`` against the per-id Python loop they replaced."""

import datetime as dt
import hashlib
import hmac
import random

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from orchestration.lib import rows
from orchestration.lib.contract import file_spec
from orchestration.lib.national_id import InvalidNationalId
from tests.support.national_id_reference import reference_parse
from tests.support.national_ids import synthetic_national_id, with_check_digits

KEY = "unit-test-key"
MALFORMED = ("abc", "0101801234", "010180123456", "٠١٢٣٤٥٦٧٨٩٠", "+1018012345", "01 01801234")


def _identities_by_python_loop(values: pl.Series, pseudonym_key: str) -> pl.DataFrame:
    """``rows._identities`` as it was: one ``parse_national_id`` and one ``hmac.new`` per distinct id."""
    found = []
    for value in values.drop_nulls().unique().to_list():
        try:
            identity = reference_parse(value)
        except InvalidNationalId:
            continue
        key = hmac.new(pseudonym_key.encode("utf-8"), value.encode("ascii"), hashlib.sha256).hexdigest()
        found.append((value, key, identity.sex, identity.birth_date))
    return pl.DataFrame(
        found,
        schema={"__nid__": pl.String, "person_key": pl.String, "sex": pl.String, "__birth__": pl.Date},
        orient="row",
    )


def _valid_id(rng: random.Random) -> str:
    """A valid id of any kind (ordinary, D-number, synthetic) and century."""
    while True:
        birth = dt.date(1854, 1, 1) + dt.timedelta(days=rng.randrange(186 * 365))
        if birth.year < 1900:
            individual = rng.randint(500, 749)
        elif birth.year >= 2000:
            individual = rng.randint(500, 999)
        elif birth.year >= 1940 and rng.random() < 0.5:
            individual = rng.randint(900, 999)
        else:
            individual = rng.randint(0, 499)
        day = birth.day + rng.choice([0, 40])
        month = birth.month + rng.choice([0, 80])
        number = with_check_digits(f"{day:02d}{month:02d}{birth.year % 100:02d}{individual:03d}")
        if number is not None:
            return number


def _mixed_ids(count: int, seed: int = 20_000) -> list[str | None]:
    """Valid, nearly valid, malformed, blank, padded and repeated national ids."""
    rng = random.Random(seed)
    digits = "0123456789"
    values: list[str | None] = []
    for _ in range(count):
        choice = rng.random()
        if choice < 0.35:
            values.append(_valid_id(rng))
        elif choice < 0.45:
            day, month, yy, individual = rng.randint(1, 28), rng.randint(1, 12), rng.randint(0, 99), rng.randint(0, 400)
            values.append(synthetic_national_id(day, month, yy, individual))
        elif choice < 0.60:  # past the check digits, so the century and date rules decide
            nine = "".join(rng.choices(digits, k=9))
            values.append(with_check_digits(nine) or nine + "00")
        elif choice < 0.70:
            values.append("".join(rng.choices(digits, k=11)))
        elif choice < 0.75:
            valid = _valid_id(rng)
            position = rng.randrange(11)
            changed = str((int(valid[position]) + rng.randint(1, 9)) % 10)
            values.append(valid[:position] + changed + valid[position + 1 :])
        elif choice < 0.80:
            values.append(rng.choice(["", "   ", None]))
        elif choice < 0.85:
            values.append(f" {_valid_id(rng)}\t")
        elif choice < 0.90:
            values.append(rng.choice(MALFORMED))
        else:
            values.append(rng.choice(values) if values else None)
    return values


@pytest.fixture(scope="module")
def mixed_ids() -> pl.Series:
    return pl.Series("fodselsnummer", _mixed_ids(20_000), dtype=pl.String)


def test_identities_match_the_python_loop(mixed_ids):
    expected = _identities_by_python_loop(mixed_ids, KEY).sort("__nid__")
    got = rows._identities(mixed_ids, KEY).sort("__nid__")
    assert_frame_equal(got, expected)
    assert 0.3 < got.height / mixed_ids.n_unique() < 0.7  # both valid and invalid ids are well represented


def test_identities_of_no_ids():
    empty = pl.Series("fodselsnummer", [], dtype=pl.String)
    assert_frame_equal(rows._identities(empty, KEY), _identities_by_python_loop(empty, KEY))


def test_validate_rows_is_unchanged(mixed_ids, monkeypatch):
    spec = file_spec("boei", "tenancies.csv")
    n = mixed_ids.len()
    strings = (
        pl.DataFrame(
            {
                "leieforhold_id": [str(100_000 + i) for i in range(n)],
                "bolig_id": [f"BL{i:06d}" for i in range(n)],
                "fodselsnummer": mixed_ids,
                "navn": "Nordmann, Kari",
                "bydel": "Ytrebygda",
                "boligtype": "ORDINAER",
                "antall_personer": "2",
                "antall_barn": "0",
                "husleie": "3710,00",
                "fra_dato": "01.01.1980",
                "til_dato": "",
            }
        )
        .with_row_index(rows.ROW_NUMBER, offset=1)
        .with_columns(pl.col(rows.ROW_NUMBER).cast(pl.Int64))
    )
    assert strings.columns[1:] == list(spec.column_names)

    got = rows.validate_rows(spec, strings, dt.date(2024, 6, 30), KEY)
    monkeypatch.setattr(rows, "_identities", _identities_by_python_loop)
    expected = rows.validate_rows(spec, strings, dt.date(2024, 6, 30), KEY)

    assert (got.rows, got.collapsed) == (expected.rows, expected.collapsed)
    assert_frame_equal(got.loaded, expected.loaded)
    assert_frame_equal(got.quarantined, expected.quarantined)
    assert got.quarantined[rows.REASON].str.contains("invalid_national_id:fodselsnummer").sum() > 1000
