"""Locale formatting (orchestration.lib.locale_format): the nb and en forms, and the edge cases a
list or a release page meets (negative, zero, large, rounding, unknown)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from orchestration.lib import locale_format as lf

NBSP = "\u00a0"
MINUS = "\u2212"
NEW_YEARS_EVE = dt.date(2007, 12, 31)


@pytest.mark.parametrize(
    ("value", "nb", "en"),
    [
        (1234.5, f"1{NBSP}234,5", "1,234.5"),
        (0, "0", "0"),
        (-3, f"{MINUS}3", "-3"),
        (-1234.5, f"{MINUS}1{NBSP}234,5", "-1,234.5"),
        (1234567890123, f"1{NBSP}234{NBSP}567{NBSP}890{NBSP}123", "1,234,567,890,123"),
        (Decimal("0.1250"), "0,125", "0.125"),
        (-0.0, "0", "0"),
    ],
)
def test_numbers_for_reading(value, nb, en):
    assert lf.number(value, "nb") == nb
    assert lf.number(value, "en") == en


@pytest.mark.parametrize(
    ("value", "nb", "en"),
    [
        (1234.5, f"1{NBSP}234,50", "1,234.50"),
        (0, "0,00", "0.00"),
        (-12, f"{MINUS}12,00", "-12.00"),
        (0.125, "0,13", "0.13"),  # half away from zero, not Babel's half to even (0,12)
        (2.675, "2,68", "2.68"),  # the float's decimal form, not its binary value 2.67499…
        (-0.004, "0,00", "0.00"),  # rounds to zero: no sign
        (Decimal("-0.005"), f"{MINUS}0,01", "-0.01"),
        (Decimal("98765432109.999"), f"98{NBSP}765{NBSP}432{NBSP}110,00", "98,765,432,110.00"),
    ],
)
def test_amounts_for_reading(value, nb, en):
    assert lf.amount(value, "nb") == nb
    assert lf.amount(value, "en") == en


def test_fixed_decimals():
    assert lf.number(7, "nb", 1) == "7,0"
    assert lf.number(7.46, "nb", 0) == "7"
    assert lf.number(7.5, "en", 0) == "8"


@pytest.mark.parametrize(
    ("value", "decimals", "nb", "en"),
    [
        (26.4, 1, f"26,4{NBSP}%", "26.4%"),
        (26.45, 1, f"26,5{NBSP}%", "26.5%"),
        (0, 1, f"0,0{NBSP}%", "0.0%"),
        (-50, 0, f"{MINUS}50{NBSP}%", "-50%"),
        (108.2, 1, f"108,2{NBSP}%", "108.2%"),
        (1234.5, 1, f"1{NBSP}234,5{NBSP}%", "1,234.5%"),
    ],
)
def test_percentages_on_the_0_to_100_scale(value, decimals, nb, en):
    assert lf.percent(value, "nb", decimals) == nb
    assert lf.percent(value, "en", decimals) == en


def test_dates():
    assert lf.long_date(NEW_YEARS_EVE, "nb") == "31. desember 2007"
    assert lf.long_date(NEW_YEARS_EVE, "en") == "31 December 2007"
    assert lf.short_date(NEW_YEARS_EVE, "nb") == "31.12.2007"
    assert lf.short_date(NEW_YEARS_EVE, "en") == "31/12/2007"
    assert lf.short_date(dt.date(2007, 3, 4), "nb") == "04.03.2007"
    assert lf.short_date(dt.date(5, 1, 2), "nb") == "02.01.0005"  # four-digit years always
    assert lf.short_date(dt.datetime(2007, 3, 4, 23, 59), "nb") == "04.03.2007"


def test_yes_no():
    assert [lf.yes_no(v, "nb") for v in (True, False)] == ["ja", "nei"]
    assert [lf.yes_no(v, "en") for v in (True, False)] == ["yes", "no"]


@pytest.mark.parametrize(
    ("value", "nb", "en"),
    [
        (9000.5, "9000,50", "9000.50"),
        (-1234.5, "-1234,50", "-1234.50"),  # ASCII minus, so the spreadsheet reads a number
        (0, "0,00", "0.00"),
        (-0.001, "0,00", "0.00"),
        (1234567.125, "1234567,13", "1234567.13"),  # no group separator
        (None, "", ""),
    ],
)
def test_list_amounts_read_as_numbers(value, nb, en):
    assert lf.list_amount(value, "nb") == nb
    assert lf.list_amount(value, "en") == en
    assert NBSP not in nb and MINUS not in nb


def test_unknown_values_are_written_as_the_caller_says():
    for render in (lf.number, lf.amount, lf.percent, lf.long_date, lf.short_date, lf.yes_no):
        assert render(None, "nb") == ""
        assert render(None, "en", missing="–") == "–"


def test_what_is_not_a_number_or_language_is_refused():
    with pytest.raises(ValueError, match="unsupported language"):
        lf.amount(1, "de")
    with pytest.raises(ValueError, match="finite"):
        lf.amount(float("nan"))
    with pytest.raises(TypeError):
        lf.amount(True)
    with pytest.raises(TypeError):
        lf.list_amount("12,50")
