"""Norwegian national identity numbers (fødselsnummer), as the source contract defines them.

Validation covers both mod-11 check digits, D-numbers (day + 40) and synthetic test
numbers (month + 80). Sex and birth date are derived here, before the number is
replaced by its pseudonym, and never stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

_WEIGHTS_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_WEIGHTS_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

Kind = Literal["ordinary", "d_number", "synthetic"]


@dataclass(frozen=True)
class NationalId:
    birth_date: dt.date
    sex: Literal["F", "M"]
    kind: Kind


class InvalidNationalId(ValueError):
    """The value is not a valid national id; ``reason`` is a short code."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


def _check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    remainder = sum(int(d) * w for d, w in zip(digits, weights)) % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None
    return 11 - remainder


def _century(individual: int, yy: int) -> int | None:
    if individual <= 499:
        return 1900
    if individual <= 749 and yy >= 54:
        return 1800
    if individual >= 500 and yy <= 39:
        return 2000
    if individual >= 900 and yy >= 40:
        return 1900
    return None


def parse_national_id(value: str) -> NationalId:
    """Validate an 11-digit national id; raise ``InvalidNationalId`` (without echoing it)."""
    if value is None or len(value) != 11 or not value.isascii() or not value.isdigit():
        raise InvalidNationalId("format", "not 11 digits")
    k1 = _check_digit(value[:9], _WEIGHTS_K1)
    if k1 is None or k1 != int(value[9]):
        raise InvalidNationalId("check_digit", "first check digit does not match")
    k2 = _check_digit(value[:10], _WEIGHTS_K2)
    if k2 is None or k2 != int(value[10]):
        raise InvalidNationalId("check_digit", "second check digit does not match")

    day, month, yy = int(value[0:2]), int(value[2:4]), int(value[4:6])
    kind: Kind = "ordinary"
    if day > 40:
        day -= 40
        kind = "d_number"
    if month > 80:
        month -= 80
        kind = "synthetic"
    century = _century(int(value[6:9]), yy)
    if century is None:
        raise InvalidNationalId("century", "individual number does not fit the birth year")
    try:
        birth_date = dt.date(century + yy, month, day)
    except ValueError:
        raise InvalidNationalId("birth_date", "first six digits are not a valid date") from None
    sex: Literal["F", "M"] = "M" if int(value[8]) % 2 else "F"
    return NationalId(birth_date=birth_date, sex=sex, kind=kind)


def is_valid(value: str) -> bool:
    try:
        parse_national_id(value)
    except InvalidNationalId:
        return False
    return True


AGE_BANDS: tuple[str, ...] = ("under 30", "30-39", "40-49", "50-59", "60-66", "67+")
