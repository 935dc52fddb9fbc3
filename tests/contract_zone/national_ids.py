"""National ids written from the contract text (``sources.md``, "Codes shared by several sources"),
independently of ``orchestration.lib.national_id``.

11 digits ``ddmmyy iii k1 k2``: both mod-11 check digits valid (weights 3 7 6 1 8 9 4 5 2 and
5 4 3 2 7 6 5 4 3 2; remainder 0 gives 0, remainder 1 makes the number invalid); the first six
digits a valid date after removing one offset (D-number: day + 40; synthetic: month + 80); the
century from the individual number ``iii``; the ninth digit odd for men.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from dataclasses import dataclass
from typing import Literal

from hypothesis import strategies as st

from tests.support.national_ids import WEIGHTS_K1, check_digit, with_check_digits

Kind = Literal["ordinary", "d_number", "synthetic"]
KINDS: tuple[Kind, ...] = ("ordinary", "d_number", "synthetic")

# The contract's century rules: (name, century, individual numbers, two-digit years).
CENTURIES: tuple[tuple[str, int, range, range], ...] = (
    ("1900s, 000-499", 1900, range(0, 500), range(0, 100)),
    ("1800s, 500-749", 1800, range(500, 750), range(54, 100)),
    ("2000s, 500-999", 2000, range(500, 1000), range(0, 40)),
    ("1900s, 900-999", 1900, range(900, 1000), range(40, 100)),
)


def _date_digits(born: dt.date, kind: Kind) -> str:
    day = born.day + (40 if kind == "d_number" else 0)
    month = born.month + (80 if kind == "synthetic" else 0)
    return f"{day:02d}{month:02d}{born.year % 100:02d}"


@dataclass(frozen=True)
class Person:
    national_id: str
    name: str
    birth_date: dt.date
    sex: Literal["F", "M"]
    kind: Kind


def national_id(born: dt.date, kind: Kind, individual: int) -> str | None:
    return with_check_digits(_date_digits(born, kind) + f"{individual:03d}")


def century_rule(century: int, individual: int, yy: int) -> bool:
    """Whether the contract gives this individual number and two-digit year this century."""
    return any(c == century and individual in ind and yy in years for _, c, ind, years in CENTURIES)


def make_national_id(rnd: random.Random, kind: Kind | None = None, rule: int | None = None) -> tuple[str, dt.date, str]:
    """A valid id: (id, birth date, sex). ``rule`` indexes ``CENTURIES``."""
    kind = kind or rnd.choice(KINDS)
    _, century, individuals, years = CENTURIES[rnd.randrange(len(CENTURIES)) if rule is None else rule]
    while True:
        year = century + rnd.choice(years)
        month = rnd.randint(1, 12)
        # The last days of months (29 February of leap years among them) are drawn often.
        last = calendar.monthrange(year, month)[1]
        day = rnd.choice([rnd.randint(1, last), last, 1])
        born = dt.date(year, month, day)
        start = rnd.choice(individuals)
        for step in range(len(individuals)):
            individual = individuals[(individuals.index(start) + step) % len(individuals)]
            nid = national_id(born, kind, individual)
            if nid is not None:
                return nid, born, "M" if individual % 2 else "F"


def is_valid(nid: str) -> bool:
    """The contract's rules, checked on one value (for the invalid ids below)."""
    if len(nid) != 11 or not all(c in "0123456789" for c in nid):
        return False
    if with_check_digits(nid[:9]) != nid:
        return False
    day, month, yy, individual = int(nid[0:2]), int(nid[2:4]), int(nid[4:6]), int(nid[6:9])
    offsets = [(day, month), (day - 40, month), (day, month - 80)]
    for d, m in offsets:
        for _, century, individuals, years in CENTURIES:
            if individual in individuals and yy in years:
                try:
                    dt.date(century + yy, m, d)
                    return True
                except ValueError:
                    pass
    return False


# Ways an 11-digit value breaks the contract's national-id rules.
INVALID_KINDS = ("check_digit", "remainder_one", "no_such_date", "no_century", "ten_digits", "letters")


def make_invalid_national_id(rnd: random.Random, how: str) -> str:
    for _ in range(10_000):
        nid, _, _ = make_national_id(rnd)
        if how == "check_digit":
            candidate = nid[:10] + str((int(nid[10]) + rnd.randint(1, 9)) % 10)
        elif how == "remainder_one":
            base = f"{rnd.randint(0, 999_999_999):09d}"
            if check_digit(base, WEIGHTS_K1) is not None:
                continue
            candidate = base + f"{rnd.randint(0, 99):02d}"
        elif how == "no_such_date":
            # 30 February, 31 April, month 13: valid check digits, no such date.
            day, month = rnd.choice([(30, 2), (31, 4), (15, 13), (0, 5)])
            candidate = with_check_digits(f"{day:02d}{month:02d}{rnd.randint(0, 99):02d}{rnd.randint(0, 499):03d}")
        elif how == "no_century":
            # Individual numbers 750-899 with a year from 40 on fit no century.
            candidate = with_check_digits(f"{nid[:4]}{rnd.randint(40, 99):02d}{rnd.randint(750, 899):03d}")
        elif how == "ten_digits":
            candidate = nid[:10]
        elif how == "letters":
            candidate = nid[:5] + "O" + nid[6:]
        else:
            raise ValueError(how)
        if candidate is not None and not is_valid(candidate):
            return candidate
    raise AssertionError(f"no invalid national id of kind {how}")


@st.composite
def national_ids(draw, kind: Kind | None = None) -> tuple[str, dt.date, str]:
    """(id, birth date, sex) of a valid national id of any kind and century rule."""
    seed = draw(st.integers(0, 2**32 - 1))
    rule = draw(st.integers(0, len(CENTURIES) - 1))
    return make_national_id(random.Random(seed), kind or draw(st.sampled_from(KINDS)), rule)
