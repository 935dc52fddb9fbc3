"""Rows that break the contract one thing at a time, each with the reason codes the contract's
"Bad input" gives it, enumerated from the declaration: every rule, every required column,
every typed column, every code column, the national id, the key."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from dataclasses import dataclass

from orchestration.lib.contract import FileSpec, files_of
from tests.contract_zone.model import DeliveryModel, ExcelNumber, Row, Zone
from tests.contract_zone.national_ids import INVALID_KINDS, make_invalid_national_id
from tests.contract_zone.values import (
    Context,
    RowMaker,
    Violation,
    broken_rules,
    unknown_code_text,
    unparseable_text,
)
from tests.contract_zone.zones import make_file, new_row


@dataclass
class Case:
    target: str  # the reason code the case is about
    rows: list[Row]
    note: str = ""


def _with_reasons(spec: FileSpec, row: Row, reason: str, unreadable: str | None, case: str) -> Row:
    """The row with the reason of its broken value, and the rules that then break too
    (a value that is missing or does not parse is missing for the rules)."""
    values = dict(row.values)
    if unreadable is not None:
        values[unreadable] = None
    reasons = {reason} | {f"rule:{r}" for r in broken_rules(spec, values)}
    return Row(row.values, row.cells, row.person, frozenset(reasons), case)


def _broken_cell(maker: RowMaker, column: str, cell, reason: str, case: str) -> Row:
    spec = maker.spec
    row = new_row(maker, maker.row())
    row.cells = {**row.cells, column: cell}
    readable = None if reason.startswith("invalid_national_id") else column
    return _with_reasons(spec, row, reason, readable, case)


def breaking_cases(maker: RowMaker) -> list[Case]:
    spec, rnd = maker.spec, maker.rnd
    cases: list[Case] = []

    for rule in spec.rules:
        for check in rule.checks:
            values = maker.row(violation=Violation(rule.name, check))
            broken = broken_rules(spec, values)
            assert rule.name in broken, f"{spec.name}: the generator could not break {rule.name}"
            row = new_row(maker, values, case=f"rule:{rule.name}")
            row.reasons = frozenset(f"rule:{r}" for r in broken)
            cases.append(Case(f"rule:{rule.name}", [row], f"breaks {check}"))

    for column in spec.columns:
        name = column.name
        if column.required:
            cases.append(
                Case(
                    f"missing_required:{name}", [_broken_cell(maker, name, None, f"missing_required:{name}", "missing")]
                )
            )
        if column.type in ("int", "amount", "date") or (column.type == "text" and not column.national_id):
            for _ in range(2 if column.type != "text" else 1):
                text = unparseable_text(spec, column, rnd)
                cases.append(
                    Case(
                        f"unparseable:{name}",
                        [_broken_cell(maker, name, text, f"unparseable:{name}", "unparseable")],
                        repr(text),
                    )
                )
        if column.type == "date" and spec.format.container == "xlsx":
            # A number cell is neither an Excel date nor dd.mm.yyyy text.
            cell = ExcelNumber(float(rnd.randint(30_000, 45_000)))
            cases.append(
                Case(f"unparseable:{name}", [_broken_cell(maker, name, cell, f"unparseable:{name}", "number_cell")])
            )
        if column.type in ("code", "codes"):
            text = unknown_code_text(column, rnd)
            cases.append(
                Case(
                    f"unknown_code:{name}",
                    [_broken_cell(maker, name, text, f"unknown_code:{name}", "unknown_code")],
                    repr(text),
                )
            )
        if column.national_id:
            for how in INVALID_KINDS:
                text = make_invalid_national_id(rnd, how)
                reason = f"invalid_national_id:{name}"
                cases.append(Case(reason, [_broken_cell(maker, name, text, reason, f"invalid_national_id_{how}")], how))

    # Two different rows with the same key: both quarantined.
    first = new_row(maker, maker.row(), case="duplicate_key")
    key = {k: first.values[k] for k in spec.key}
    for _ in range(100):
        second = new_row(maker, maker.row(dict(key)), case="duplicate_key")
        if second.identity(spec) != first.identity(spec):
            break
    reason = f"duplicate_key:{','.join(spec.key)}"
    cases.append(Case(reason, [first, second]))

    if spec.format.container == "xlsx":
        # An empty row between data rows is a data row (only trailing empty rows are not):
        # every required value is missing.
        blank = Row({c.name: None for c in spec.columns}, {c.name: None for c in spec.columns}, case="empty_row")
        reasons = {f"missing_required:{c.name}" for c in spec.columns if c.required}
        blank.reasons = frozenset(reasons | {f"rule:{r}" for r in broken_rules(spec, blank.values)})
        cases.append(Case("missing_required:*", [blank], "an empty row between data rows"))
    return cases


@dataclass
class BrokenZone:
    zone: Zone
    spec: FileSpec
    cases: list[Case]
    delivery: DeliveryModel  # the delivery holding the broken rows


def broken_zone(spec: FileSpec, seed: int) -> BrokenZone:
    """Two deliveries of the file's source: a valid one, then valid rows and every breaking case
    of the file (and, for an incremental file, postings of the first delivery: one again
    unchanged, one changed)."""
    ctx = Context(random.Random(seed))
    rnd = ctx.rnd
    zone = Zone(ctx)
    first_date = dt.date(2007, 1, 1) + dt.timedelta(days=rnd.randint(0, 300))
    second_date = first_date + dt.timedelta(days=rnd.randint(30, 120))
    first = DeliveryModel(
        spec.source,
        first_date,
        {s.name: make_file(s, ctx, first_date, None, new_rows=3, duplicates=False) for s in files_of(spec.source)},
    )
    zone.deliveries[spec.source].append(first)
    earlier = zone.expectations()

    files = {}
    cases: list[Case] = []
    for other in files_of(spec.source):
        previous = first.files[other.name]
        outcomes = earlier[(spec.source, first.delivery_date, other.name)].outcomes
        file = make_file(other, ctx, second_date, (previous, outcomes), new_rows=2, duplicates=False, coverage=False)
        if other is spec:
            maker = RowMaker(spec, ctx, second_date)
            maker.used_keys |= {tuple(r.values[k] for k in spec.key) for r in file.rows + previous.rows}
            cases = breaking_cases(maker)
            if spec.kind == "incremental":
                again = {tuple(r.values[k] for k in spec.key) for r in file.rows}
                cases += _changed_postings(
                    maker,
                    [
                        o.row
                        for o in outcomes
                        if o.status == "loaded" and tuple(o.row.values[k] for k in spec.key) not in again
                    ],
                )
            rows = list(file.rows) + [r for c in cases for r in c.rows]
            rnd.shuffle(rows)
            # An empty last row would be a trailing empty row: keep data after it.
            while rows and all(v is None for v in rows[-1].cells.values()):
                rows.insert(0, rows.pop())
            file = dataclasses.replace(file, rows=rows, _data=None)
        files[other.name] = file
    delivery = DeliveryModel(spec.source, second_date, files)
    zone.deliveries[spec.source].append(delivery)
    return BrokenZone(zone, spec, cases, delivery)


def _changed_postings(maker: RowMaker, loaded_before: list[Row]) -> list[Case]:
    """A posting delivered again with other content: quarantined (the earlier one stays)."""
    spec = maker.spec
    key = spec.key[0]
    changed = []
    for row in loaded_before[:1]:
        for _ in range(100):
            values = maker.row({key: row.values[key]})
            if values != row.values:
                break
        again = new_row(maker, values, case="changed_posting")
        again.reasons = frozenset()  # the model derives duplicate_key_earlier_delivery itself
        changed.append(Case(f"duplicate_key_earlier_delivery:{key}", [again]))
    return changed
