import datetime as dt

import polars as pl
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from orchestration.lib.national_id import (
    _FAILURES,
    InvalidNationalId,
    NationalId,
    parse_national_id,
    parse_national_ids,
)
from orchestration.lib.pseudonym import person_key
from tests.support.national_id_reference import described, outcome, reference_parse
from tests.support.national_ids import synthetic_national_id, with_check_digits


def test_synthetic_number_gives_birth_date_and_sex():
    number = synthetic_national_id(17, 5, 71, 234)
    identity = parse_national_id(number)
    assert identity.kind == "synthetic"
    assert identity.birth_date == dt.date(1971, 5, 17)
    assert identity.sex == ("M" if int(number[8]) % 2 else "F")


def test_d_number():
    number = with_check_digits("450371123") or with_check_digits("450371125")
    identity = parse_national_id(number)
    assert identity.kind == "d_number"
    assert identity.birth_date == dt.date(1971, 3, 5)


@pytest.mark.parametrize(
    ("nine", "century"),
    [("010180499", 1980), ("010160749", 1860), ("010120500", 2020), ("010150900", 1950)],
)
def test_century_from_individual_digits(nine, century):
    number = None
    for last in range(10):
        candidate = with_check_digits(nine[:8] + str((int(nine[8]) + last) % 10))
        # Only the last individual digit moves, so the individual number stays in its century's range.
        if candidate and candidate[6:8] == nine[6:8]:
            number = candidate
            break
    assert number is not None
    assert parse_national_id(number).birth_date.year == century


@pytest.mark.parametrize("bad", ["", "1234567890", "123456789012", "abcdefghijk", "01018012345"])
def test_malformed_or_wrong_check_digits_are_invalid(bad):
    with pytest.raises(InvalidNationalId):
        parse_national_id(bad)


def test_changing_one_digit_invalidates():
    number = synthetic_national_id(1, 2, 80, 123)
    broken = number[:10] + str((int(number[10]) + 1) % 10)
    with pytest.raises(InvalidNationalId, match="check_digit"):
        parse_national_id(broken)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)), st.integers(0, 499))
def test_every_valid_synthetic_number_round_trips(birth, individual):
    number = synthetic_national_id(birth.day, birth.month, birth.year % 100, individual)
    if int(number[6:9]) > 499:
        return  # ran past the 1900s range while skipping invalid check digits
    assert parse_national_id(number).birth_date == birth


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_any_eleven_digits_validate_or_raise_without_echoing_the_number(number):
    try:
        parse_national_id(number)
    except InvalidNationalId as error:
        assert number not in str(error)


def test_person_key_is_keyed_hmac():
    number = synthetic_national_id(1, 2, 80, 123)
    assert person_key(number, "a") != person_key(number, "b")
    assert len(person_key(number, "a")) == 64 and person_key(number, "a") == person_key(number, "a").lower()


# ---- The polars rules against the per-character reference --------------------------------

eleven_digits = st.text(alphabet="0123456789", min_size=11, max_size=11)
# Any nine digits with matching check digits: past both checks, so the century and date rules decide.
checked_digits = st.text(alphabet="0123456789", min_size=9, max_size=9).map(with_check_digits).filter(bool)


@st.composite
def valid_ids(draw) -> tuple[str, NationalId]:
    """A valid id of any kind and century, with the identity it stands for."""
    birth = draw(st.dates(min_value=dt.date(1854, 1, 1), max_value=dt.date(2039, 12, 31)))
    yy = birth.year % 100
    if birth.year < 1900:
        individual = draw(st.integers(500, 749))
    elif birth.year >= 2000:
        individual = draw(st.integers(500, 999))
    elif yy >= 40:
        individual = draw(st.one_of(st.integers(0, 499), st.integers(900, 999)))
    else:
        individual = draw(st.integers(0, 499))
    kind = draw(st.sampled_from(["ordinary", "d_number", "synthetic"]))
    day = birth.day + (40 if kind == "d_number" else 0)
    month = birth.month + (80 if kind == "synthetic" else 0)
    number = with_check_digits(f"{day:02d}{month:02d}{yy:02d}{individual:03d}")
    assume(number is not None)
    return number, NationalId(birth_date=birth, sex="M" if individual % 2 else "F", kind=kind)


@given(valid_ids())
def test_valid_ids_of_every_kind_and_century_decode(valid):
    number, identity = valid
    assert parse_national_id(number) == identity == reference_parse(number)


@given(st.one_of(eleven_digits, checked_digits, st.text(max_size=13)))
@example("\ud800" * 11)  # a lone surrogate is not even UTF-8
@example(None)
def test_parse_national_id_agrees_with_the_reference(value):
    assert outcome(parse_national_id, value) == outcome(reference_parse, value)


def _assert_parse_national_ids_agrees_with_the_reference(values: list[str | None]) -> pl.DataFrame:
    parsed = parse_national_ids(pl.Series(values, dtype=pl.String))
    assert parsed["national_id"].to_list() == values
    for row in parsed.iter_rows(named=True):
        if row["failure"] is None:
            got = NationalId(birth_date=row["birth_date"], sex=row["sex"], kind=row["kind"])
        else:
            assert (row["birth_date"], row["sex"], row["kind"]) == (None, None, None)
            got = described(InvalidNationalId(*_FAILURES[row["failure"]]))
        assert got == outcome(reference_parse, row["national_id"])
    return parsed


@given(st.lists(st.one_of(eleven_digits, checked_digits, valid_ids().map(lambda v: v[0]), st.text(), st.none())))
def test_parse_national_ids_agrees_with_the_reference_row_by_row(values):
    _assert_parse_national_ids_agrees_with_the_reference(values)


def _ids_on_every_boundary() -> list[str]:
    """Days, months, years and individual numbers on each edge of the date and century rules.

    Each with its check digits where they exist, and with its last digit changed.
    """
    days = ["00", "01", "28", "29", "30", "31", "32", "40", "41", "69", "70", "71", "72", "99"]
    months = ["00", "01", "02", "04", "12", "13", "80", "81", "82", "84", "92", "93", "99"]
    years = ["00", "04", "39", "40", "53", "54", "96", "99"]
    individuals = ["000", "001", "498", "499", "500", "501", "748", "749", "750", "751", "898", "899", "900", "999"]
    ids = []
    for nine in (d + m + y + i for d in days for m in months for y in years for i in individuals):
        number = with_check_digits(nine)
        if number is not None:
            ids += [number, number[:10] + str((int(number[10]) + 1) % 10)]
    return ids


def test_parse_national_ids_agrees_with_the_reference_on_every_boundary():
    parsed = _assert_parse_national_ids_agrees_with_the_reference(_ids_on_every_boundary())
    assert parsed["failure"].null_count() > 1000  # valid ones are among them, not only failures
    assert set(parsed["failure"].drop_nulls()) == {"second_check_digit", "century", "birth_date"}
