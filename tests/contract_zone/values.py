"""Rows that follow (or break, one thing at a time) the contract's declaration.

Everything here is read from ``orchestration.lib.contract``: the columns, their types,
required values and code lists, the keys and the row rules (``Compare``, ``OneOf``,
``Present``, ``Matches``, ``InReference``, ``Implies``). A rule the generator cannot satisfy or
break raises ``NotImplementedError``: a new kind of rule must be taught to it, never skipped.

A row is first made of logical values (what the warehouse must load: ``int``, ``str``,
``Decimal``, ``date``, a code in its canonical spelling, a list of codes, or ``None``), then
rendered to cells in the file's declared format, with every spelling the contract allows.
"""

from __future__ import annotations

import datetime as dt
import operator
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal

from orchestration.lib.contract import (
    Col,
    Column,
    Compare,
    Condition,
    FileSpec,
    Implies,
    InReference,
    Matches,
    OneOf,
    Present,
    reference_values,
    rule_columns,
)
from tests.contract_zone.national_ids import INVALID_KINDS, Person, make_invalid_national_id, make_national_id

NBSP = "\u00a0"
NORWEGIAN = "æøåÆØÅ"
# Kept texts (ids, co-operatives, case numbers): place words. Names come from other lists, so
# that a name never occurs in a text the warehouse keeps (the privacy scan looks for names).
PLACES = (
    "Ærfuglveien",
    "Øvregaten",
    "Åsaneveien",
    "Sjøhagen",
    "Bråtet",
    "Løvstakken",
    "Fjæreveien",
    "Mølleplassen",
    "Nøstet",
    "Skålevik",
    "Tøvikåsen",
    "Ådland",
    "Ørnefjellet",
    "Kjøkkelvik",
)
FIRST_NAMES = ("Åse", "Kåre", "Bjørn", "Ærling", "Øystein", "Pål", "Siv Åshild", "Jørgen", "Mæhre", "Søren", "Ådne")
LAST_NAMES = ("Ødegård", "Bråthen", "Ærøy", "Løkkebø", "Håøya", "Sæterdal", "Fjørtoft", "Åkrevik", "Grønnæs")
# Inside RFC 4180 fields: separators, quotes and line breaks (a record then spans lines).
SPECIALS = (";", ",", '"', "\r\n", "\n", '""')
OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
NEGATED = {">": "<=", ">=": "<", "<": ">=", "<=": ">"}
AMOUNT_LIMIT = 10**12 - 1  # cents: decimal(12, 2)


class GeneratorError(AssertionError):
    pass


# ---- the declaration's conditions, evaluated on logical values ---------------------------------


def holds(check: Condition, values: dict) -> bool | None:
    """True, False, or None when the check reads a missing value (the contract: not judged)."""
    if isinstance(check, Compare):
        left = values.get(check.left.name)
        right = values.get(check.right.name) if isinstance(check.right, Col) else check.right
        if left is None or right is None:
            return None
        return OPS[check.op](left, right)
    if isinstance(check, OneOf):
        value = values.get(check.column.name)
        if value is None:
            return None
        return (value in check.values) != check.negated
    if isinstance(check, Present):
        return (values.get(check.column.name) is not None) != check.negated
    if isinstance(check, Matches):
        value = values.get(check.column.name)
        return None if value is None else re.search(check.regex, value) is not None
    if isinstance(check, InReference):
        value = values.get(check.column.name)
        return None if value is None else value in reference_values(check)
    if isinstance(check, Implies):
        if not holds(check.when, values):
            return True
        then = holds(check.then, values)
        return True if then is None else then
    raise NotImplementedError(f"the generator does not know the condition {check!r}")


def broken_rules(spec: FileSpec, values: dict) -> list[str]:
    return [rule.name for rule in spec.rules if any(holds(c, values) is False for c in rule.checks)]


# ---- the zone's shared state ------------------------------------------------------------------


@dataclass
class Context:
    """What the files of one zone share: people, tenancies, id counters."""

    rnd: random.Random
    people: list[Person] = field(default_factory=list)
    tenancy_ids: list[int] = field(default_factory=list)
    personal_texts: set[str] = field(default_factory=set)
    counter: int = 0

    def serial(self) -> int:
        self.counter += 1
        return self.counter

    def new_person(self) -> Person:
        nid, born, sex = make_national_id(self.rnd)
        while any(p.national_id == nid for p in self.people):
            nid, born, sex = make_national_id(self.rnd)
        name = self.new_name()
        person = Person(nid, name, born, sex, _kind(nid))
        self.people.append(person)
        return person

    def person(self) -> Person:
        if self.people and self.rnd.random() < 0.5:
            return self.rnd.choice(self.people)
        return self.new_person()

    def new_name(self) -> str:
        while True:
            name = f"{self.rnd.choice(FIRST_NAMES)} {self.rnd.choice(LAST_NAMES)}-{self.rnd.choice(LAST_NAMES)}"
            if name not in self.personal_texts:
                self.personal_texts.add(name)
                return name

    def tenancy_id(self) -> int:
        if self.tenancy_ids and self.rnd.random() < 0.8:
            return self.rnd.choice(self.tenancy_ids)
        return self.new_tenancy_id()

    def new_tenancy_id(self) -> int:
        while True:
            candidate = self.rnd.choice([self.rnd.randint(1, 99_999), self.rnd.randint(100_000, 2_000_000_000)])
            if candidate not in self.tenancy_ids:
                self.tenancy_ids.append(candidate)
                return candidate


def _kind(nid: str) -> str:
    return "synthetic" if int(nid[2:4]) > 80 else "d_number" if int(nid[:2]) > 40 else "ordinary"


def rfc4180(spec: FileSpec) -> bool:
    """Formats whose contract text promises RFC 4180 quoting (kemner, bbl); the others get plain texts."""
    return "RFC 4180" in spec.format.description


# ---- logical values ------------------------------------------------------------------------


@dataclass
class Violation:
    """Break this check of this rule (the only rule meant to break)."""

    rule: str
    check: Condition


class RowMaker:
    """Logical rows of one file of one delivery, following the declaration."""

    def __init__(self, spec: FileSpec, ctx: Context, delivery_date: dt.date, specials: bool = True):
        self.spec = spec
        self.ctx = ctx
        self.rnd = ctx.rnd
        self.delivery_date = delivery_date
        self.specials = specials and rfc4180(spec)
        self.used_keys: set[tuple] = set()

    # -- keys
    def new_key(self) -> dict:
        for _ in range(1000):
            key = {name: self._key_value(self.spec.column(name)) for name in self.spec.key}
            if tuple(key.values()) not in self.used_keys:
                self.used_keys.add(tuple(key.values()))
                return key
        raise GeneratorError(f"{self.spec.name}: no unused key left")

    def _key_value(self, column: Column) -> object:
        reference = self._reference(column.name)
        if reference is not None:
            free = [v for v in reference if (v,) not in self.used_keys]
            if not free:
                raise GeneratorError(f"{self.spec.name}: every value of the reference for {column.name} is used")
            return self.rnd.choice(free)
        if column.type == "int":
            return self.ctx.new_tenancy_id() if column.name == "leieforhold_id" else self.ctx.serial()
        if column.type == "text":
            return self.id_text(column.name)
        raise NotImplementedError(f"a key column of type {column.type}")

    def key_capacity(self) -> int | None:
        if len(self.spec.key) == 1 and (reference := self._reference(self.spec.key[0])) is not None:
            return len(reference)
        return None

    def id_text(self, column: str) -> str:
        prefix = column[:3].upper()
        letter = self.rnd.choice(NORWEGIAN)
        text = f"{prefix}-{letter}{self.ctx.serial()}"
        if self.specials and self.rnd.random() < 0.2:
            text += self.rnd.choice(('"x"', ";", ",", " ")) + self.rnd.choice(NORWEGIAN)
        return text

    def _reference(self, column: str) -> list[str] | None:
        found = None
        for rule in self.spec.rules:
            for check in rule.checks:
                if isinstance(check, InReference) and check.column.name == column:
                    found = list(reference_values(check))
        if found is None:
            return None
        for rule in self.spec.rules:
            for check in rule.checks:
                if isinstance(check, Matches) and check.column.name == column:
                    found = [v for v in found if re.search(check.regex, v)]
        return found

    # -- rows
    def row(
        self,
        key: dict | None = None,
        *,
        forced: dict | None = None,
        sparse: bool = False,
        prefer_present: tuple[str, ...] = (),
        violation: Violation | None = None,
        tries: int = 300,
    ) -> dict:
        """Values of one row: every rule holds, or only ``violation.rule`` breaks (when possible).

        ``sparse``: every optional value empty (as far as the rules allow). Raises when no
        row can be found; with a violation, returns the row breaking the fewest other rules.
        """
        if key is None:
            key = self.new_key()
            if violation is not None:
                # A rule over a key column (an account code) is broken in the key itself.
                broken_columns = set(rule_columns(violation.check))
                key = {k: v for k, v in key.items() if k not in broken_columns}
        best = None
        for _ in range(tries):
            values = self._attempt(key, forced or {}, sparse, prefer_present, violation)
            if values is None:
                continue
            broken = broken_rules(self.spec, values)
            if violation is None:
                if not broken and (not sparse or self._sparse_enough(values)):
                    return values
                if not broken and best is None:
                    best = (0, values)
                continue
            if violation.rule in broken:
                if broken == [violation.rule]:
                    return values
                if best is None or len(broken) < best[0]:
                    best = (len(broken), values)
        if best is not None:
            return best[1]
        raise GeneratorError(f"{self.spec.source}/{self.spec.name}: no row for {violation or 'the rules'}")

    def _sparse_enough(self, values: dict) -> bool:
        """Optional values left: only those a rule requires."""
        required_by_rules = {
            c.then.column.name
            for r in self.spec.rules
            for c in r.checks
            if isinstance(c, Implies) and isinstance(c.then, Present) and not c.then.negated and holds(c.when, values)
        }
        return all(
            values.get(c.name) is None for c in self.spec.columns if not c.required and c.name not in required_by_rules
        )

    def _attempt(self, key, forced, sparse, prefer_present, violation) -> dict | None:
        spec, rnd = self.spec, self.rnd
        values: dict = {**key, **forced}
        target = violation.check if violation else None

        # 1. Codes, so that the rules' code conditions (Implies.when) are known.
        if isinstance(target, Implies):
            when = target.when
            choices = [c for c in spec.column(when.column.name).codes if (c in when.values) != when.negated]
            values.setdefault(when.column.name, rnd.choice(choices))
        for column in spec.columns:
            if column.name in values or column.type not in ("code", "codes"):
                continue
            if not column.required and (sparse or rnd.random() < 0.25):
                values[column.name] = None
            elif column.type == "code":
                values[column.name] = rnd.choice(column.codes)
            else:
                values[column.name] = rnd.sample(column.codes, rnd.randint(1, min(3, len(column.codes))))

        # 2. The checks that apply to this row, the violated one negated.
        active: list[tuple[Condition, bool]] = []
        for rule in spec.rules:
            for check in rule.checks:
                negate = check is target
                if isinstance(check, Implies):
                    if not holds(check.when, values):
                        continue
                    check = check.then
                active.append((check, negate))

        # 3. Presence of optional values.
        must, must_not = set(), set()
        for check, negate in active:
            if isinstance(check, Present):
                (must_not if check.negated != negate else must).add(check.column.name)
            elif isinstance(check, Compare) and negate:
                must.add(check.left.name)
                if isinstance(check.right, Col):
                    must.add(check.right.name)
        if must & must_not:
            return None
        for column in spec.columns:
            if column.name in values:
                continue
            if column.required or column.name in must:
                continue
            if column.name in must_not or sparse:
                values[column.name] = None
            elif column.name in prefer_present:
                continue
            elif rnd.random() < 0.4:
                values[column.name] = None

        # 4. Numbers and dates, in the order the comparisons between columns need.
        compares = [
            (c if not negate else Compare(c.left, NEGATED[c.op], c.right))
            for c, negate in active
            if isinstance(c, Compare)
        ]
        negated = [Compare(c.left, NEGATED[c.op], c.right) for c, negate in active if isinstance(c, Compare) and negate]
        pending = [c.name for c in spec.columns if c.name not in values and c.type in ("int", "amount", "date")]
        while pending:
            ready = [
                name
                for name in pending
                if all(
                    not (isinstance(c.right, Col) and c.left.name == name and c.right.name in pending) for c in compares
                )
            ]
            if not ready:
                raise NotImplementedError(f"{spec.name}: circular comparisons between {pending}")
            for name in ready:
                value = self._number(spec.column(name), [c for c in compares if c.left.name == name], values)
                if value is None and violation is not None:
                    # The other rules cannot hold beside the broken one (e.g. no household of 0
                    # persons has fewer children than persons): keep only the broken comparison.
                    value = self._number(spec.column(name), [c for c in negated if c.left.name == name], values)
                if value is None:
                    return None
                values[name] = value
                pending.remove(name)

        # 5. Texts.
        for column in spec.columns:
            if column.name in values:
                continue
            values[column.name] = self._text(column, active, violation)
        if any(isinstance(v, _Fail) for v in values.values()):
            return None
        return values

    def _number(self, column: Column, compares: list[Compare], values: dict):
        kind = column.type
        to_unit = {
            "int": lambda v: v,
            "amount": lambda v: int(Decimal(v) * 100),
            "date": lambda v: v.toordinal(),
        }[kind]
        low, high = None, None
        for check in compares:
            if isinstance(check.right, Col):
                other = values.get(check.right.name)
                if other is None:
                    continue
                bound = to_unit(other)
            else:
                bound = to_unit(check.right)
            if check.op in (">", ">="):
                bound += check.op == ">"
                low = bound if low is None else max(low, bound)
            else:
                bound -= check.op == "<"
                high = bound if high is None else min(high, bound)
        if low is not None and high is not None and low > high:
            return None
        return self._in_interval(column, low, high)

    def _in_interval(self, column: Column, low, high):
        rnd = self.rnd
        kind = column.type
        if kind == "int":
            if column.name == "leieforhold_id" and low is None and high is None:
                return self.ctx.tenancy_id()
            span = rnd.choice([12, 12, 12, 1000])
            lo = low if low is not None else (0 if high is None or high >= 0 else high - span)
            hi = high if high is not None else lo + span
            return rnd.choice([lo, rnd.randint(lo, hi)]) if rnd.random() < 0.2 else rnd.randint(lo, hi)
        if kind == "amount":
            magnitude = rnd.choice([rnd.randint(1, 99), rnd.randint(100, 10**6), rnd.randint(10**6, 10**9)])
            if low is not None and high is not None:
                cents = rnd.randint(low, high)
            elif low is not None:
                cents = low if rnd.random() < 0.15 else low + magnitude
            elif high is not None:
                cents = high if rnd.random() < 0.15 else high - magnitude
            else:
                cents = magnitude * rnd.choice([1, -1])
            cents = max(-AMOUNT_LIMIT, min(AMOUNT_LIMIT, cents))
            return Decimal(cents).scaleb(-2)
        # date
        latest = self.delivery_date.toordinal()
        if low is None and high is None:
            start = dt.date(1995, 1, 1).toordinal() if rnd.random() < 0.85 else dt.date(1950, 1, 1).toordinal()
            end = latest if rnd.random() < 0.9 else latest + 3000
            return dt.date.fromordinal(rnd.randint(start, end))
        if low is not None:
            end = high if high is not None else max(low, latest) + rnd.choice([0, 30, 3000])
            day = low if rnd.random() < 0.15 else rnd.randint(low, max(low, end))
        else:
            day = high if rnd.random() < 0.15 else rnd.randint(high - 3000, high)
        return dt.date.fromordinal(day)

    def _text(self, column: Column, active, violation):
        rnd = self.rnd
        if column.national_id:
            return None  # set by the caller with the row's person
        reference = self._reference(column.name)
        matches = [c for c, _ in active if isinstance(c, Matches) and c.column.name == column.name]
        target = violation.check if violation else None
        if isinstance(target, InReference) and target.column.name == column.name:
            pattern = next(
                (c.regex for c, _ in active if isinstance(c, Matches) and c.column.name == column.name), None
            )
            for _ in range(1000):
                candidate = _from_regex(pattern, rnd) if pattern else self.free_text()
                if candidate not in reference_values(target):
                    return candidate
            return _Fail()
        if isinstance(target, Matches) and target.column.name == column.name:
            return rnd.choice(["12345", "1234567", "12a456", "ÆØÅ"])
        if reference is not None:
            return rnd.choice(reference)
        if matches:
            return _from_regex(matches[0].regex, rnd)
        if column.personal:
            return self.ctx.new_name()
        return self.free_text()

    def free_text(self) -> str:
        rnd = self.rnd
        words = [rnd.choice(PLACES) for _ in range(rnd.randint(1, 3))]
        if rnd.random() < 0.3:
            words.append(str(rnd.randint(1, 999)))
        if self.specials and rnd.random() < 0.5:
            words.insert(rnd.randint(1, len(words)), rnd.choice(SPECIALS))
            if words[-1] in SPECIALS:
                words.append(rnd.choice(NORWEGIAN))
        text = " ".join(words)
        if not any(c in text for c in NORWEGIAN):
            text += " " + rnd.choice(NORWEGIAN)
        return text

    def with_person(self, values: dict, person: Person | None = None) -> tuple[dict, Person | None]:
        nid = self.spec.national_id_column
        if nid is None:
            return values, None
        person = person or self.ctx.person()
        values = dict(values)
        values[nid] = person.national_id
        for column in self.spec.columns:
            if column.personal and column.name in ("navn",):
                values[column.name] = person.name
        return values, person


class _Fail:
    pass


def _from_regex(regex: str, rnd: random.Random) -> str:
    found = re.fullmatch(r"\^\\d\{(\d+)\}\$", regex)
    if not found:
        raise NotImplementedError(f"the generator writes no value for the regex {regex!r}")
    return "".join(rnd.choice("0123456789") for _ in range(int(found.group(1))))


# ---- breaking single values ------------------------------------------------------------------


def unparseable_text(spec: FileSpec, column: Column, rnd: random.Random) -> str:
    """A non-empty value that is not a value of its type in this file's format."""
    style = spec.format
    if column.type == "int":
        return rnd.choice(["tolv", "12a", "1,5", "1.5", "1 000", "0x1F", "½"])
    if column.type == "amount":
        wrong_style = {
            "decimal_point": ["1234,50", "kr 10.00", "1 234.50"],
            "decimal_comma_plain": ["kr 100,00", "1 000,00", "(100,00)", "100.00"],
            "decimal_comma": ["1.234,50", "100.00", "12,345", "(-5,00)"],
            "either": ["1.234,50", "12,345"],
        }[style.amount_style]
        return rnd.choice(["ti kroner", "12,3,4", "--5", *wrong_style])
    if column.type == "date":
        wrong_style = {
            "dmy": ["2007-01-15", "1.2.2007", "15/01/2007"],
            "iso": ["15.01.2007", "2007-1-5", "20070115"],
            "excel_or_dmy": ["15/01/2007", "39448"],
        }[style.date_style]
        impossible = ["2007-02-30"] if style.date_style == "iso" else ["30.02.2007", "31.04.2006", "15.13.2007"]
        return rnd.choice(["i går", *impossible, *wrong_style])
    if column.type == "text":
        return rnd.choice(["Bø\x00rge", "\x00", "Åse\x00"])
    raise ValueError(column.type)


def unknown_code_text(column: Column, rnd: random.Random) -> str:
    if column.type == "codes":
        good = column.codes[0]
        return rnd.choice([f"{good}|UKJENT", "UKJENT", good.lower(), f"{good}||{column.codes[-1]}"])
    if column.case_insensitive:
        return rnd.choice(["Oslo", "Bergen sentrum", "Åsane nord", "Sandviken"])
    return rnd.choice(["UKJENT", column.codes[0].lower(), column.codes[0] + "X", "Ø"])


def invalid_national_id_text(rnd: random.Random) -> str:
    return make_invalid_national_id(rnd, rnd.choice(INVALID_KINDS))
