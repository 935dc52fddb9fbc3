"""The tests' one writing of the national id's mod-11 check digits (``sources.md``, "Codes shared by
several sources"), independent of ``orchestration.lib.national_id`` so that it can check it.

Weights 3 7 6 1 8 9 4 5 2 (first check digit) and 5 4 3 2 7 6 5 4 3 2 (second, over the
first ten digits); remainder 0 gives 0, remainder 1 means no number has these digits.
Plain Python, no import of the warehouse: the sample's independent reader uses it too.
"""

from __future__ import annotations

WEIGHTS_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
WEIGHTS_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    """The check digit for ``digits`` under ``weights``, or None when the remainder is 1."""
    remainder = sum(int(d) * w for d, w in zip(digits, weights)) % 11
    if remainder == 1:
        return None
    return 0 if remainder == 0 else 11 - remainder


def with_check_digits(nine: str) -> str | None:
    """The nine digits followed by their two check digits, or None if a check digit would be 10."""
    k1 = check_digit(nine, WEIGHTS_K1)
    if k1 is None:
        return None
    k2 = check_digit(nine + str(k1), WEIGHTS_K2)
    if k2 is None:
        return None
    return f"{nine}{k1}{k2}"


def synthetic_national_id(day: int, month: int, yy: int, individual: int) -> str:
    """A valid synthetic test number (month + 80): built, never typed in. The next individual
    number is taken while the check digits do not exist for this one."""
    while True:
        number = with_check_digits(f"{day:02d}{month + 80:02d}{yy:02d}{individual:03d}")
        if number is not None:
            return number
        individual += 1
