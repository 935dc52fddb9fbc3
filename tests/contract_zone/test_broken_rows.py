"""Every rule of the declaration, and every kind of bad value the contract names, has a
generated row that breaks it; that row (and only it) is quarantined with exactly its reason
codes, its row number and its values as delivered, and the rest of the file loads.

The cases are enumerated from ``orchestration.lib.contract.FILES``: a rule or column added
to the declaration gets its case here, or the test fails."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from orchestration.lib.contract import FILES, FileSpec
from tests.contract_zone.breaking import broken_zone
from tests.contract_zone.checks import assert_counts, assert_loaded_values, assert_quarantined_rows, ingest


def targets_of(spec: FileSpec) -> set[str]:
    """What the contract's "Bad input" names for this file, read off the declaration."""
    found = {f"rule:{rule.name}" for rule in spec.rules}
    for column in spec.columns:
        if column.required:
            found.add(f"missing_required:{column.name}")
        if column.type in ("int", "amount", "date") or (column.type == "text" and not column.national_id):
            found.add(f"unparseable:{column.name}")  # for a text: one holding a NUL character
        if column.type in ("code", "codes"):
            found.add(f"unknown_code:{column.name}")
        if column.national_id:
            found.add(f"invalid_national_id:{column.name}")
    found.add(f"duplicate_key:{','.join(spec.key)}")
    if spec.kind == "incremental":
        found.add(f"duplicate_key_earlier_delivery:{spec.key[0]}")
    return found


def check_broken_file(spec: FileSpec, seed: int) -> None:
    broken = broken_zone(spec, seed)
    covered = {case.target for case in broken.cases}
    assert targets_of(spec) <= covered, f"{spec.source}/{spec.name}: no breaking case for {targets_of(spec) - covered}"
    with tempfile.TemporaryDirectory() as tmp:
        landing, warehouse = Path(tmp) / "landing", Path(tmp) / "warehouse"
        broken.zone.write(landing)
        result = ingest(spec.source, landing, warehouse)
        assert not result.refused, [str(r) for r in result.refused]
        expected = broken.zone.expectations()
        assert_counts(expected, warehouse)
        for expectation in expected.values():
            assert_quarantined_rows(expectation, warehouse)
            assert_loaded_values(expectation, warehouse)
        # Each case's row carries the reason the case is about (its target).
        outcomes = expected[(spec.source, broken.delivery.delivery_date, spec.name)].outcomes
        by_row = {id(o.row): o for o in outcomes}
        for case in broken.cases:
            for row in case.rows:
                outcome = by_row[id(row)]
                assert outcome.status == "quarantined", case
                if not case.target.endswith("*"):
                    assert case.target in outcome.reasons, (case.target, outcome.reasons)
        # Everything else of the delivery loads.
        in_cases = {id(r) for c in broken.cases for r in c.rows}
        assert all(o.status != "quarantined" for o in outcomes if id(o.row) not in in_cases)


def _settings(examples: int):
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=list(HealthCheck),
    )


FILE_IDS = [f"{s.source}/{s.name}" for s in FILES]


@pytest.mark.parametrize("spec", FILES, ids=FILE_IDS)
@_settings(2)
@given(seed=st.integers(0, 2**32 - 1))
def test_each_broken_row_is_quarantined_with_exactly_its_reasons(spec, seed):
    check_broken_file(spec, seed)


@pytest.mark.slow
@pytest.mark.parametrize("spec", FILES, ids=FILE_IDS)
@_settings(12)
@given(seed=st.integers(0, 2**32 - 1))
def test_each_broken_row_is_quarantined_with_exactly_its_reasons_many(spec, seed):
    check_broken_file(spec, seed)


def test_a_rule_without_a_breaking_case_fails_the_enumeration():
    """The enumeration is the declaration's: a rule the generator cannot break is reported."""
    import dataclasses

    from orchestration.lib.contract import Col, RowRule
    from tests.contract_zone.values import GeneratorError

    spec = next(s for s in FILES if s.name == "tenancies.csv")
    impossible = RowRule("impossible", "never holds nor breaks", (Col("navn"),))  # not a condition the generator knows
    changed = dataclasses.replace(spec, rules=(*spec.rules, impossible))
    with pytest.raises((NotImplementedError, GeneratorError, AssertionError)):
        check_broken_file(changed, 1)
