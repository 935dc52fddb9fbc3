"""Whole landing zones following the contract, and hypothesis strategies for them.

A zone covers the contract's space by construction: every code of every code list (the
first delivery of each file cycles through them), a row with every optional value empty,
zero-row files, exact duplicate rows, snapshots that change between deliveries (a tenancy
ends, another vanishes), ledger postings delivered again unchanged, a source with no
delivery, ``namsfogd/forced_sales.xlsx`` only from a later delivery on, quoted separators,
quotes and line breaks in the RFC 4180 sources, every amount and date spelling, Excel dates
and text dates in one sheet, extra sheets and trailing empty rows. The rest is drawn.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from hypothesis import strategies as st

from orchestration.lib.contract import FILES, SOURCES, FileSpec, files_of
from tests.contract_zone.model import DeliveryModel, FileModel, Outcome, Row, Zone, render
from tests.contract_zone.values import Context, RowMaker, rfc4180, unknown_code_text

LINE_BREAK_TEXT = "\r\nandre linje på Ørnefjellet"


@dataclass(frozen=True)
class Shape:
    seed: int
    # Deliveries per source (0: the source has not delivered).
    deliveries: tuple[tuple[str, int], ...]
    # New rows per file and delivery, beyond the code-coverage rows and the sparse row.
    new_rows: int = 3
    # (source, file, delivery index) delivered with a header and no data row.
    empty: frozenset[tuple[str, str, int]] = frozenset()
    # Index of the first namsfogd delivery with forced_sales.xlsx.
    forced_sales_from: int = 1
    # (source, file, delivery index) with one row the contract quarantines (an unknown code).
    quarantined: frozenset[tuple[str, str, int]] = frozenset()
    duplicates: bool = True
    # Some bailiff cases refer to the collector's petitions (by reference and by case number).
    link_petitions: bool = True

    def count(self, source: str) -> int:
        return dict(self.deliveries).get(source, 0)


def build_zone(shape: Shape) -> Zone:
    ctx = Context(random.Random(shape.seed))
    rnd = ctx.rnd
    zone = Zone(ctx)
    for source in SOURCES:
        date = dt.date(2006, 1, 1) + dt.timedelta(days=rnd.randint(0, 700))
        previous: dict[str, tuple[FileModel, list[Outcome]]] = {}
        for index in range(shape.count(source)):
            files = {}
            for spec in files_of(source):
                if not spec.in_every_delivery and index < shape.forced_sales_from:
                    continue
                file = make_file(
                    spec,
                    ctx,
                    date,
                    previous.get(spec.name),
                    empty=(source, spec.name, index) in shape.empty,
                    new_rows=shape.new_rows,
                    quarantine_one=(source, spec.name, index) in shape.quarantined,
                    duplicates=shape.duplicates,
                )
                if shape.link_petitions and (source, spec.name) == ("namsfogd", "cases.xlsx"):
                    link_to_petitions(zone, file, rnd)
                files[spec.name] = file
            names = list(files)
            rnd.shuffle(names)
            delivery = DeliveryModel(
                source, date, {n: files[n] for n in names}, upper_case_checksums=rnd.random() < 0.2
            )
            zone.deliveries[source].append(delivery)
            expectations = zone.expectations()
            for name, file in files.items():
                previous[name] = (file, expectations[(source, delivery.delivery_date, name)].outcomes)
            date += dt.timedelta(days=rnd.randint(20, 200))
    return zone


def new_row(maker: RowMaker, values: dict, person=None, case: str = "valid") -> Row:
    values, person = maker.with_person(values, person)
    return Row(values, render(maker.spec, values, maker.rnd), person, case=case)


def make_file(
    spec: FileSpec,
    ctx: Context,
    date: dt.date,
    previous: tuple[FileModel, list[Outcome]] | None,
    *,
    empty: bool = False,
    new_rows: int = 3,
    quarantine_one: bool = False,
    duplicates: bool = True,
    coverage: bool | None = None,
) -> FileModel:
    rnd = ctx.rnd
    maker = RowMaker(spec, ctx, date)
    rows: list[Row] = []
    capacity = maker.key_capacity()
    if not empty:
        loaded_before = [o.row for o in previous[1] if o.status == "loaded"] if previous else []
        if spec.kind == "snapshot":
            rows += _carried(maker, loaded_before)
        else:
            # Postings delivered again unchanged (as written, or spelled differently): counted once.
            for row in rnd.sample(loaded_before, min(2, len(loaded_before))):
                maker.used_keys.add(tuple(row.values[k] for k in spec.key))
                rows.append(
                    row.copy("delivered_again")
                    if rnd.random() < 0.5
                    else new_row(maker, row.values, row.person, "delivered_again")
                )
        first_with_rows = previous is None or not previous[0].rows if coverage is None else coverage
        if first_with_rows:
            rows += _code_coverage(maker)
        rows.append(new_row(maker, maker.row(sparse=True), case="sparse"))
        for _ in range(new_rows):
            if capacity is not None and len(maker.used_keys) >= capacity - 2:
                break
            rows.append(new_row(maker, maker.row()))
        if quarantine_one:
            rows.append(quarantined_row(maker))
        if duplicates and rnd.random() < 0.6:
            original = rnd.choice([r for r in rows if not r.reasons])
            rows.append(original.copy("exact_duplicate"))
        rnd.shuffle(rows)
        if rfc4180(spec):
            _line_break(spec, rows, rnd)
    file = FileModel(spec, rows, _header(spec, rnd))
    if spec.format.container == "csv":
        file.final_newline = rnd.random() < 0.8
        file.quote_all = rfc4180(spec) and rnd.random() < 0.3
    else:
        file.sheets_before = ("Om uttrekket",) if rnd.random() < 0.5 else ()
        file.sheets_after = ("Merknader",) if not file.sheets_before or rnd.random() < 0.5 else ()
        file.trailing_empty_rows = rnd.randint(1, 3)
    return file


def _header(spec: FileSpec, rnd: random.Random) -> list[str]:
    """The contract's columns, in its order or (a header names its columns) another."""
    header = list(spec.column_names)
    if rnd.random() < 0.3:
        rnd.shuffle(header)
    return header


def _carried(maker: RowMaker, loaded_before: list[Row]) -> list[Row]:
    """A later full snapshot: rows kept, spelled differently, changed (one ends), or gone (one vanishes)."""
    spec, rnd = maker.spec, maker.rnd
    rows = []
    for i, row in enumerate(loaded_before):
        key = {k: row.values[k] for k in spec.key}
        maker.used_keys.add(tuple(key.values()))
        action = (
            "ended"
            if i == 0
            else "vanished"
            if i == 1
            else rnd.choice(["kept", "kept", "respelled", "changed", "vanished"])
        )
        if action == "vanished":
            continue
        if action == "kept":
            rows.append(row.copy("kept"))
        elif action == "respelled":
            rows.append(new_row(maker, row.values, row.person, "respelled"))
        else:
            # "ended": the optional dates still empty get a value (a tenancy's til_dato).
            empty_dates = tuple(c.name for c in spec.columns if c.type == "date" and row.values.get(c.name) is None)
            values = maker.row(key, prefer_present=empty_dates if action == "ended" else ())
            rows.append(new_row(maker, values, row.person, action))
    return rows


def _code_coverage(maker: RowMaker) -> list[Row]:
    """Rows that together hold every code of every code column of the file."""
    spec, rnd = maker.spec, maker.rnd
    columns = [c for c in spec.columns if c.type in ("code", "codes")]
    if not columns:
        return []
    orders = {c.name: rnd.sample(c.codes, len(c.codes)) for c in columns}
    rows = []
    for r in range(max(len(c.codes) for c in columns)):
        forced = {}
        for column in columns:
            codes = orders[column.name]
            first = codes[r % len(codes)]
            if column.type == "code":
                forced[column.name] = first
            else:
                others = [c for c in codes if c != first]
                forced[column.name] = [first, *rnd.sample(others, rnd.randint(0, 2))]
        rows.append(new_row(maker, maker.row(forced=forced), case="code_coverage"))
    return rows


def quarantined_row(maker: RowMaker) -> Row:
    """A row the contract quarantines: an unknown code in a required code column."""
    spec, rnd = maker.spec, maker.rnd
    row = new_row(maker, maker.row(), case="quarantined")
    column = next(
        (c for c in spec.columns if c.type == "code" and c.required and c.code_list != "district"),
        next(c for c in spec.columns if c.type in ("code", "codes")),
    )
    row.cells[column.name] = unknown_code_text(column, rnd)
    row.reasons = frozenset({f"unknown_code:{column.name}"})
    return row


def _line_break(spec: FileSpec, rows: list[Row], rnd: random.Random) -> None:
    """At least one quoted field with a line break in a file of an RFC 4180 source."""
    texts = [c.name for c in spec.columns if c.type == "text" and not c.national_id]
    identities = [r.identity(spec) for r in rows]
    candidates = [
        r
        for r in rows
        if r.case not in ("exact_duplicate", "kept", "delivered_again")
        and not r.reasons
        and identities.count(r.identity(spec)) == 1
    ]
    pairs = [(r, c) for r in candidates for c in texts if r.values.get(c) is not None]
    if not pairs or any("\n" in str(v) for r in rows for v in r.cells.values()):
        return
    row, column = rnd.choice(pairs)
    row.values[column] = row.values[column] + LINE_BREAK_TEXT
    row.cells[column] = row.values[column]


def link_to_petitions(zone: Zone, file: FileModel, rnd: random.Random) -> None:
    """Bailiff cases that are the collector's petitions: by reference (Saksokers_ref = begjaering_id)
    and by case number (the petition's namsfogd_saksnr = Saksnr), one to one."""
    kemner = zone.deliveries["kemner"]
    if not kemner or "petitions.csv" not in kemner[-1].files:
        return
    petitions = [r for r in kemner[-1].files["petitions.csv"].rows if not r.reasons and r.case != "exact_duplicate"]
    rnd.shuffle(petitions)
    spec = file.spec
    identities = [r.identity(spec) for r in file.rows]
    used_case_numbers = {r.values["Saksnr"] for r in file.rows}
    for case in file.rows:
        if not petitions:
            break
        if (
            case.reasons
            or case.case in ("code_coverage", "exact_duplicate")
            or identities.count(case.identity(spec)) > 1
        ):
            continue
        if rnd.random() < 0.3:
            continue
        petition = petitions.pop()
        if "\r" in petition.values["begjaering_id"]:
            continue
        case.values["Saksokertype"] = "KOMMUNE"
        number = petition.values.get("namsfogd_saksnr")
        if number and "\r" not in number and number not in used_case_numbers and rnd.random() < 0.5:
            used_case_numbers.add(number)
            case.values["Saksnr"] = number
            case.values["Saksokers_ref"] = None
        else:
            case.values["Saksokers_ref"] = petition.values["begjaering_id"]
        for column in ("Saksokertype", "Saksnr", "Saksokers_ref"):
            case.cells[column] = case.values[column]


# ---- hypothesis ----------------------------------------------------------------------------

ALL_FILES = tuple((s.source, s.name) for s in FILES)


@st.composite
def shapes(draw, max_deliveries: int = 3) -> Shape:
    """Zones across the contract's space: which sources deliver how often, empty files, sizes."""
    seed = draw(st.integers(0, 2**32 - 1))
    silent = draw(st.sampled_from(SOURCES))
    deliveries = tuple((s, 0 if s == silent else draw(st.integers(1, max_deliveries))) for s in SOURCES)
    namsfogd = dict(deliveries)["namsfogd"]
    forced_sales_from = draw(st.integers(min(1, namsfogd), max(namsfogd, 1)))
    empty = draw(st.frozensets(st.tuples(st.sampled_from(ALL_FILES), st.integers(0, max_deliveries - 1)), max_size=3))
    return Shape(
        seed=seed,
        deliveries=deliveries,
        new_rows=draw(st.integers(0, 4)),
        empty=frozenset((s, f, i) for (s, f), i in empty),
        forced_sales_from=forced_sales_from,
    )


def zones(max_deliveries: int = 3) -> st.SearchStrategy[Zone]:
    return shapes(max_deliveries).map(build_zone)
