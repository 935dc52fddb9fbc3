"""Norwegian national identity numbers (fødselsnummer), as the source contract defines them.

Validation covers both mod-11 check digits, D-numbers (day + 40) and synthetic test
numbers (month + 80). Sex and birth date are derived here, before the number is
replaced by its pseudonym, and never stored.

The rules are written once, as polars expressions (``parse_national_ids``), because a
file holds up to millions of ids; ``parse_national_id`` runs the same expressions on one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import polars as pl

_WEIGHTS_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_WEIGHTS_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

Kind = Literal["ordinary", "d_number", "synthetic"]

# The first failed check of an id, in the order they are checked: failure -> (reason, detail).
_FAILURES: dict[str, tuple[str, str]] = {
    "format": ("format", "not 11 digits"),
    "first_check_digit": ("check_digit", "first check digit does not match"),
    "second_check_digit": ("check_digit", "second check digit does not match"),
    "century": ("century", "individual number does not fit the birth year"),
    "birth_date": ("birth_date", "first six digits are not a valid date"),
}


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


def _digits(number: pl.Expr, first: int, count: int) -> pl.Expr:
    """``count`` digits from position ``first`` (0 = leftmost) of an 11-digit number, as an integer."""
    return (number // 10 ** (11 - first - count)) % 10**count


def _check_digit_remainder(number: pl.Expr, weights: tuple[int, ...]) -> pl.Expr:
    """The mod-11 remainder of the weighted leading digits, from which the next digit follows."""
    return pl.sum_horizontal([_digits(number, i, 1) * w for i, w in enumerate(weights)], ignore_nulls=False) % 11


def _check_digit_mismatch(remainder: pl.Expr, digit: pl.Expr) -> pl.Expr:
    """Whether ``digit`` is not the check digit for ``remainder``.

    A remainder of 1 would need check digit 10: no number with those leading digits is valid.
    """
    check_digit = pl.when(remainder == 0).then(0).when(remainder != 1).then(11 - remainder)
    return check_digit.ne_missing(digit)


def _century(individual: pl.Expr, yy: pl.Expr) -> pl.Expr:
    """The century the individual number (digits 7-9) gives a two-digit birth year; null if none."""
    return (
        pl.when(individual <= 499)
        .then(1900)
        .when((individual <= 749) & (yy >= 54))
        .then(1800)
        .when((individual >= 500) & (yy <= 39))
        .then(2000)
        .when((individual >= 900) & (yy >= 40))
        .then(1900)
    )


def _parse_steps() -> list[list[pl.Expr]]:
    """The parse of a ``national_id`` column, as successive ``with_columns`` steps.

    Every intermediate is a column of its own: polars plans a deeply nested expression
    in time that grows faster than its size, which a single id would feel.
    """
    text, number, failure = pl.col("national_id"), pl.col("__number__"), pl.col("failure")
    day_field, month_field, yy, individual = (
        pl.col(c) for c in ("__day_field__", "__month_field__", "__yy__", "__individual__")
    )
    day, month, century, first_of_month = (
        pl.col(c) for c in ("__day__", "__month__", "__century__", "__first_of_month__")
    )
    month_exists = month.is_between(1, 12)
    return [
        # [0-9], not \d: polars' \d also matches the digits of other scripts.
        [pl.when(text.str.contains(r"^[0-9]{11}$")).then(text.str.to_integer(strict=False)).alias("__number__")],
        [
            _digits(number, 0, 2).alias("__day_field__"),
            _digits(number, 2, 2).alias("__month_field__"),
            _digits(number, 4, 2).alias("__yy__"),
            _digits(number, 6, 3).alias("__individual__"),
            _check_digit_remainder(number, _WEIGHTS_K1).alias("__first_remainder__"),
            _check_digit_remainder(number, _WEIGHTS_K2).alias("__second_remainder__"),
        ],
        [
            _check_digit_mismatch(pl.col("__first_remainder__"), _digits(number, 9, 1)).alias("__first_mismatch__"),
            _check_digit_mismatch(pl.col("__second_remainder__"), _digits(number, 10, 1)).alias("__second_mismatch__"),
            # D-numbers add 40 to the day, synthetic numbers 80 to the month.
            pl.when(day_field > 40).then(day_field - 40).otherwise(day_field).alias("__day__"),
            pl.when(month_field > 80).then(month_field - 80).otherwise(month_field).alias("__month__"),
            _century(individual, yy).alias("__century__"),
        ],
        # pl.date raises on an impossible date: take the first of an existing month, then check the day.
        [pl.date(century + yy, pl.when(month_exists).then(month).otherwise(1), 1).alias("__first_of_month__")],
        [(month_exists & day.is_between(1, first_of_month.dt.month_end().dt.day())).alias("__date_exists__")],
        [
            pl.when(number.is_null())
            .then(pl.lit("format"))
            .when(pl.col("__first_mismatch__"))
            .then(pl.lit("first_check_digit"))
            .when(pl.col("__second_mismatch__"))
            .then(pl.lit("second_check_digit"))
            .when(century.is_null())
            .then(pl.lit("century"))
            .when(~pl.col("__date_exists__"))
            .then(pl.lit("birth_date"))
            .alias("failure")
        ],
        [
            text,
            failure,
            pl.when(failure.is_null()).then(first_of_month + pl.duration(days=day - 1)).alias("birth_date"),
            # The ninth digit, the last of the individual number, is odd for men.
            pl.when(failure.is_null())
            .then(pl.when(individual % 2 == 1).then(pl.lit("M")).otherwise(pl.lit("F")))
            .alias("sex"),
            pl.when(failure.is_null())
            .then(
                pl.when(month_field > 80)
                .then(pl.lit("synthetic"))
                .when(day_field > 40)
                .then(pl.lit("d_number"))
                .otherwise(pl.lit("ordinary"))
            )
            .alias("kind"),
        ],
    ]


# Built once: building the expressions takes about as long as running them on a single id.
_PARSE_STEPS = _parse_steps()


def parse_national_ids(values: pl.Series) -> pl.DataFrame:
    """``parse_national_id`` of every value at once: one row per value, in order.

    Columns: ``national_id`` (the value), ``failure`` (null for a valid id, else a key of
    ``_FAILURES``), and ``birth_date``, ``sex`` and ``kind`` (null unless valid).
    """
    frame = pl.LazyFrame({"national_id": values}, schema={"national_id": pl.String})
    *steps, outputs = _PARSE_STEPS
    for step in steps:
        frame = frame.with_columns(step)
    return frame.select(outputs).collect()


def parse_national_id(value: str) -> NationalId:
    """Validate an 11-digit national id; raise ``InvalidNationalId`` (without echoing it)."""
    # Text that is not ASCII is never 11 ASCII digits, and a lone surrogate cannot enter polars at all.
    if value is not None and not value.isascii():
        raise InvalidNationalId(*_FAILURES["format"])
    parsed = parse_national_ids(pl.Series([value], dtype=pl.String)).row(0, named=True)
    if parsed["failure"] is not None:
        raise InvalidNationalId(*_FAILURES[parsed["failure"]])
    return NationalId(birth_date=parsed["birth_date"], sex=parsed["sex"], kind=parsed["kind"])


AGE_BANDS: tuple[str, ...] = ("under 30", "30-39", "40-49", "50-59", "60-66", "67+")
