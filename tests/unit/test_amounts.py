from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orchestration.lib.parsing import parse_amount, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234,50", "1234.50"),
        ("9 075,00", "9075.00"),
        ("kr      9 075,00", "9075.00"),
        ("kr  500 000,00", "500000.00"),
        ("18\u00a0431,78", "18431.78"),
        ("kr\u00a0500\u00a0000,00", "500000.00"),
        ("kr (322 317,41)", "-322317.41"),
        ("(322 317,41)", "-322317.41"),
        ("-12,5", "-12.50"),
        ("110", "110.00"),
        ("  848,90  ", "848.90"),
        ("KR 5,00", "5.00"),
        ("kr. 5", "5.00"),
        ("kr(5)", "-5.00"),
        ("( 5,00 )", "-5.00"),
    ],
)
def test_every_format_the_contract_allows(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "missing"),
        ("   ", "missing"),
        ("abc", "unparseable"),
        ("1.234,00", "unparseable"),  # a dot is not a thousands separator in the contract
        ("12 34,00", "unparseable"),  # misplaced grouping
        ("1234,567", "unparseable"),  # NOK has two decimals
        ("(-5,00)", "unparseable"),  # a double negative is refused, not guessed
        ("kr", "unparseable"),
        ("1234.50", "unparseable"),  # decimal point where the contract says decimal comma
        ("99999999999,00", "unparseable"),  # beyond decimal(12,2)
        ("-(5,00)", "unparseable"),
        ("((5,00))", "unparseable"),
        ("(5,00", "unparseable"),
        ("5,00 kr", "unparseable"),  # the currency comes first or not at all
        ("kr . 5", "unparseable"),
    ],
)
def test_bad_values_are_refused_with_a_reason(text, reason):
    with pytest.raises(ValueError, match=f"^{reason}"):
        parse_amount(text)


def test_decimal_point_style_for_the_collector():
    assert parse_amount("1234.5", "decimal_point") == Decimal("1234.50")
    with pytest.raises(ValueError):
        parse_amount("1234,50", "decimal_point")


def _norwegian(cents: int, grouping: str, currency: bool, parentheses: bool) -> str:
    negative = cents < 0
    whole, fraction = divmod(abs(cents), 100)
    digits = f"{whole:,}".replace(",", grouping) if grouping else str(whole)
    body = f"{digits},{fraction:02d}"
    if negative:
        body = f"({body})" if parentheses else f"-{body}"
    return f"kr {body}" if currency else body


@given(
    cents=st.integers(min_value=-(10**12) + 1, max_value=10**12 - 1),
    grouping=st.sampled_from(["", " ", "\u00a0"]),
    currency=st.booleans(),
    parentheses=st.booleans(),
)
def test_round_trip_of_any_amount_in_any_allowed_style(cents, grouping, currency, parentheses):
    text = _norwegian(cents, grouping, currency, parentheses)
    assert parse_amount(text) == Decimal(cents).scaleb(-2)


@given(st.text(max_size=30))
def test_arbitrary_text_parses_or_raises_value_error(text):
    try:
        value = parse_amount(text)
    except ValueError:
        return
    assert isinstance(value, Decimal)


@given(st.dates())
def test_dates_round_trip_in_both_styles(day):
    assert parse_date(day.strftime("%d.%m.") + f"{day.year:04d}", "dmy") == day
    assert parse_date(f"{day.year:04d}" + day.strftime("-%m-%d"), "iso") == day


@pytest.mark.parametrize("text", ["31.02.2007", "1.1.2007", "2007-12-31", "31/12/2007", "31.12.07"])
def test_invalid_dates_are_refused(text):
    with pytest.raises(ValueError, match=r"^unparseable"):
        parse_date(text, "dmy")
