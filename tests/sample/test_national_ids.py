"""The generator's synthetic national ids at any scale (issue #15: a 25 M-posting landing zone).

Drawing an id until it is unique slows down sharply as a birth date fills up and never
finishes once one is full (scale 578 has birth dates with 203 of their 208 numbers taken
before the forced-sale world adds its people). The generator draws for a fixed number of
rounds and then hands out the numbers left free, from 900-999 too for births from 1940.
"""

from __future__ import annotations

import signal
from contextlib import contextmanager

import numpy as np
import pytest

from sample.files import _national_ids
from sample.forced_sales import _unique_ids_against
from sample.shared import (
    ID_DRAW_ROUNDS,
    _check_digits,
    _free_national_ids,
    _national_id_date_part,
    _synthetic_national_ids,
)
from tests.support.sample_contract_reader import birth_date, is_female, is_valid_synthetic_id


@contextmanager
def _at_most(seconds: int):
    """Fail instead of hanging: the old draw looped for ever on a full birth date."""

    def expire(signum, frame):
        raise TimeoutError(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _drawn_until_unique(rng: np.random.Generator, birth: np.ndarray, female: np.ndarray) -> np.ndarray:
    """The plain rule, comparing everybody every round: redraw invalid and repeated numbers
    (the first person in order keeps a repeated one) until none is left."""
    date_part = _national_id_date_part(birth)
    n = len(birth)
    ids = np.zeros(n, dtype=np.int64)
    todo = np.ones(n, dtype=bool)
    while todo.any():
        idx = np.flatnonzero(todo)
        nine = date_part[idx] * 1000 + rng.integers(0, 250, size=len(idx)) * 2 + (~female[idx]).astype(np.int64)
        first, second = _check_digits(nine)
        ids[idx] = nine * 100 + first * 10 + second
        todo[:] = False
        todo[idx[(first == 10) | (second == 10)]] = True
        _, first_holder = np.unique(np.where(todo, -1 - np.arange(n), ids), return_index=True)
        repeated = np.ones(n, dtype=bool)
        repeated[first_holder] = False
        todo |= repeated
    return ids


def _people(rng: np.random.Generator, n: int, days: int) -> tuple[np.ndarray, np.ndarray]:
    birth = np.datetime64("1950-01-01") + rng.integers(0, days, n).astype("timedelta64[D]")
    return birth, rng.random(n) < 0.5


def _assert_valid(ids: np.ndarray, birth: np.ndarray, female: np.ndarray) -> None:
    assert len(np.unique(ids)) == len(ids), "national ids repeat"
    for fnr, born, woman in zip(_national_ids(ids).to_list(), birth.tolist(), female.tolist()):
        assert is_valid_synthetic_id(fnr) and birth_date(fnr) == born and is_female(fnr) == woman, fnr


@pytest.mark.parametrize("days", [30, 3_000])
def test_the_draw_gives_the_plain_rules_numbers_while_it_finishes_within_its_rounds(days):
    """Same random stream, same numbers: the committed sample keeps its bytes (crowded
    birth dates, 30 days for 4 000 people, need up to about 10 rounds)."""
    birth, female = _people(np.random.default_rng(7), 4_000, days)
    expected = _drawn_until_unique(np.random.default_rng(1), birth, female)
    ids = _synthetic_national_ids(np.random.default_rng(1), birth, female)
    assert ids.tolist() == expected.tolist()
    _assert_valid(ids, birth, female)


def test_a_birth_date_fuller_than_000_499_gets_numbers_from_900_999():
    # 240 women born on one day in 1960: 000-499 holds about 208 valid numbers for them,
    # 900-999 about 40 more.
    birth = np.full(240, np.datetime64("1960-02-28"))
    female = np.ones(240, dtype=bool)
    with _at_most(20):
        ids = _synthetic_national_ids(np.random.default_rng(3), birth, female)
    _assert_valid(ids, birth, female)
    individual = ids // 100 % 1000
    assert (individual < 500).sum() >= 200 and (individual >= 900).sum() > 0
    assert not ((individual >= 500) & (individual < 900)).any()


def test_more_people_on_one_date_than_its_numbers_is_an_error_not_a_hang():
    # Before 1940 there is no 900-999 reserve: about 208 numbers for each sex and date.
    birth = np.full(260, np.datetime64("1930-05-01"))
    with _at_most(20), pytest.raises(AssertionError, match="more people born on"):
        _synthetic_national_ids(np.random.default_rng(3), birth, np.zeros(260, dtype=bool))


def test_new_people_get_numbers_no_one_in_the_sample_has():
    rng = np.random.default_rng(5)
    birth, female = _people(rng, 3_000, 40)
    held = _synthetic_national_ids(rng, birth, female)
    # A second crowd on the same dates, where most numbers are already held.
    new_birth, new_female = _people(np.random.default_rng(5), 3_000, 40)
    with _at_most(20):
        fresh = _unique_ids_against(rng, new_birth, new_female, np.sort(held))
    assert not np.isin(fresh, held).any()
    _assert_valid(fresh, new_birth, new_female)


def test_free_numbers_skip_the_taken_ones_and_keep_to_the_sex():
    day = _national_id_date_part(np.array([np.datetime64("1975-06-15")]))
    everything = _free_national_ids(
        np.random.default_rng(0), np.repeat(day, 200), np.ones(200, dtype=bool), np.empty(0, np.int64)
    )
    taken = np.sort(everything[:150])
    rest = _free_national_ids(np.random.default_rng(0), np.repeat(day, 90), np.ones(90, dtype=bool), taken)
    assert not np.isin(rest, taken).any() and len(np.unique(rest)) == 90
    assert (rest // 100 % 2 == 0).all()  # women: an even ninth digit
    assert ID_DRAW_ROUNDS >= 6  # the committed sample needs six rounds (tests/sample/test_reproducible.py)
