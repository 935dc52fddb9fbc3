"""The national-id rules as plain per-character Python: the oracle for the polars version.

This is ``orchestration.lib.national_id`` as it was before the rules became polars
expressions, kept verbatim (its check digits are the tests' one mod-11, ``tests.support.national_ids``)
so that tests can show the two agree on every value.
"""

from __future__ import annotations

import datetime as dt

from orchestration.lib.national_id import InvalidNationalId, NationalId
from tests.support.national_ids import WEIGHTS_K1, WEIGHTS_K2, check_digit


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


def reference_parse(value: str) -> NationalId:
    if value is None or len(value) != 11 or not value.isascii() or not value.isdigit():
        raise InvalidNationalId("format", "not 11 digits")
    k1 = check_digit(value[:9], WEIGHTS_K1)
    if k1 is None or k1 != int(value[9]):
        raise InvalidNationalId("check_digit", "first check digit does not match")
    k2 = check_digit(value[:10], WEIGHTS_K2)
    if k2 is None or k2 != int(value[10]):
        raise InvalidNationalId("check_digit", "second check digit does not match")

    day, month, yy = int(value[0:2]), int(value[2:4]), int(value[4:6])
    kind = "ordinary"
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
    sex = "M" if int(value[8]) % 2 else "F"
    return NationalId(birth_date=birth_date, sex=sex, kind=kind)


def described(error: InvalidNationalId) -> tuple[str, str]:
    return error.reason, str(error)


def outcome(parse, value: str) -> NationalId | tuple[str, str]:
    """What ``parse`` makes of ``value``: the identity, or the error it raises, described."""
    try:
        return parse(value)
    except InvalidNationalId as error:
        return described(error)
