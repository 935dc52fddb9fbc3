"""The model of a generated landing zone: what each file holds, written in its declared format,
and what the contract says the warehouse must make of it.

Expected values come from here (what the generator wrote), never from the code under test.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from orchestration.lib.contract import SOURCES, FileSpec
from tests.contract_zone.national_ids import Person
from tests.contract_zone.values import NBSP, Context

_TRIM = " " + NBSP


@dataclass(frozen=True)
class ExcelDate:
    """A real Excel date cell (a serial number with a date format)."""

    value: dt.date
    num_format: str = "dd.mm.yyyy"


@dataclass(frozen=True)
class ExcelNumber:
    """A plain number cell."""

    value: float


Cell = str | ExcelDate | ExcelNumber | None


# ---- rendering logical values in a file's format --------------------------------------------


def _grouped(digits: str, separator: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return separator.join(groups)


def render_amount(value: Decimal, style: str, rnd: random.Random) -> str:
    cents = int(value * 100)
    negative, cents = cents < 0, abs(cents)
    whole, fraction = divmod(cents, 100)
    decimal_mark = "." if style == "decimal_point" else ","
    if style == "either":
        decimal_mark = rnd.choice([",", ".", ","])
    if fraction == 0 and rnd.random() < 0.3:
        tail = ""
    elif fraction % 10 == 0 and rnd.random() < 0.3:
        tail = f"{decimal_mark}{fraction // 10}"
    else:
        tail = f"{decimal_mark}{fraction:02d}"
    digits = str(whole)
    if style == "decimal_comma" or (style == "either" and decimal_mark == ","):
        separator = rnd.choice(["", " ", NBSP]) if style == "decimal_comma" else rnd.choice(["", " "])
        number = _grouped(digits, separator) + tail
        if style == "decimal_comma":
            prefix = rnd.choice(["", "", "kr "])
            if negative:
                return prefix + rnd.choice([f"({number})", f"-{number}"])
            return prefix + number
        return ("-" if negative else "") + number
    return ("-" if negative else "") + digits + tail


def render_date(value: dt.date, style: str, rnd: random.Random) -> Cell:
    if style == "iso":
        return value.isoformat()
    if style == "dmy":
        return value.strftime("%d.%m.%Y")
    # excel_or_dmy: a real Excel date (with one of several display formats) or dd.mm.yyyy text.
    if rnd.random() < 0.5 and value >= dt.date(1900, 3, 1):
        return ExcelDate(value, rnd.choice(["dd.mm.yyyy", "yyyy-mm-dd", "d. mmm yyyy", "dd.mm.yy"]))
    return value.strftime("%d.%m.%Y")


def render_code(value: str, case_insensitive: bool, rnd: random.Random) -> str:
    if not case_insensitive:
        return value
    spelled = rnd.choice(
        [
            value,
            value,
            value.lower(),
            value.upper(),
            "".join(c.upper() if rnd.random() < 0.5 else c.lower() for c in value),
        ]
    )
    return rnd.choice(["", " ", "  "]) + spelled + rnd.choice(["", " ", "   "])


def render(spec: FileSpec, values: dict, rnd: random.Random) -> dict[str, Cell]:
    cells: dict[str, Cell] = {}
    for column in spec.columns:
        value = values.get(column.name)
        if value is None:
            cells[column.name] = None
        elif column.type == "int":
            cells[column.name] = str(value)
        elif column.type == "amount":
            cells[column.name] = render_amount(value, spec.format.amount_style, rnd)
        elif column.type == "date":
            cells[column.name] = render_date(value, spec.format.date_style, rnd)
        elif column.type == "code":
            cells[column.name] = render_code(value, column.case_insensitive, rnd)
        elif column.type == "codes":
            cells[column.name] = spec.format.list_separator.join(value)
        else:
            cells[column.name] = value
    return cells


# ---- rows and files ------------------------------------------------------------------------


@dataclass
class Row:
    values: dict  # logical values, national id and names included; None = empty
    cells: dict[str, Cell]  # what the file holds
    person: Person | None = None
    # Row errors the contract gives this row on its own (the model adds duplicate keys).
    reasons: frozenset[str] = frozenset()
    case: str = "valid"

    def copy(self, case: str) -> Row:
        return Row(dict(self.values), dict(self.cells), self.person, self.reasons, case)

    def identity(self, spec: FileSpec) -> tuple:
        return tuple(_as_read(self.cells[c]) for c in spec.column_names)


def _as_read(cell: Cell) -> object:
    return cell if cell != "" else None


@dataclass
class FileModel:
    spec: FileSpec
    rows: list[Row]
    header: list[str]
    final_newline: bool = True
    quote_all: bool = False
    sheets_before: tuple[str, ...] = ()
    sheets_after: tuple[str, ...] = ()
    trailing_empty_rows: int = 0
    # The bytes, once written (a refusal test may replace them).
    _data: bytes | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def manifest_rows(self) -> int:
        return len(self.rows)

    def data(self) -> bytes:
        if self._data is None:
            self._data = xlsx_bytes(self) if self.spec.format.container == "xlsx" else csv_bytes(self)
        return self._data


def _csv_field(value: str, separator: str, quote_all: bool) -> str:
    if (quote_all and value != "") or any(c in value for c in (separator, '"', "\r", "\n")):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_bytes(file: FileModel, header: list[str] | None = None, rows: list[list[str]] | None = None) -> bytes:
    spec = file.spec
    separator = spec.format.separator
    header = header if header is not None else file.header
    if rows is None:
        rows = [["" if r.cells[c] is None else r.cells[c] for c in header] for r in file.rows]
    lines = [separator.join(_csv_field(h, separator, False) for h in header)]
    lines += [separator.join(_csv_field(v, separator, file.quote_all) for v in row) for row in rows]
    text = "\r\n".join(lines) + ("\r\n" if file.final_newline else "")
    if spec.format.name == "csv_utf8_bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode(spec.format.encoding)


def xlsx_bytes(file: FileModel, header: list[str] | None = None, sheet: str | None = None) -> bytes:
    spec = file.spec
    header = header if header is not None else file.header
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    formats: dict[str, object] = {}

    def date_format(num_format: str):
        if num_format not in formats:
            formats[num_format] = workbook.add_format({"num_format": num_format})
        return formats[num_format]

    for name in file.sheets_before:
        workbook.add_worksheet(name).write_string(0, 0, "Uttrekk fra namsfogden i Bergen: sjå arket")
    worksheet = workbook.add_worksheet(sheet or spec.sheet)
    worksheet.write_row(0, 0, header)
    for r, row in enumerate(file.rows, start=1):
        for c, name in enumerate(header):
            cell = row.cells.get(name)
            if cell is None or cell == "":
                continue
            if isinstance(cell, ExcelDate):
                worksheet.write_datetime(r, c, dt.datetime.combine(cell.value, dt.time()), date_format(cell.num_format))
            elif isinstance(cell, ExcelNumber):
                worksheet.write_number(r, c, cell.value)
            else:
                worksheet.write_string(r, c, cell)
    border = workbook.add_format({"border": 1})
    for extra in range(file.trailing_empty_rows):
        r = len(file.rows) + 1 + extra
        worksheet.write_blank(r, extra % len(header), None, border)
        worksheet.write_string(r, (extra + 1) % len(header), "")
    for name in file.sheets_after:
        workbook.add_worksheet(name).write_string(0, 0, "Merknader")
    workbook.close()
    return buffer.getvalue()


# ---- deliveries and zones ------------------------------------------------------------------


@dataclass
class DeliveryModel:
    source: str
    date: dt.date
    files: dict[str, FileModel]
    upper_case_checksums: bool = False

    @property
    def delivery_date(self) -> str:
        return self.date.isoformat()

    def manifest(self) -> dict:
        entries = []
        for name, file in self.files.items():
            digest = hashlib.sha256(file.data()).hexdigest()
            entries.append(
                {
                    "name": name,
                    "rows": file.manifest_rows,
                    "sha256": digest.upper() if self.upper_case_checksums else digest,
                }
            )
        return {"source": self.source, "delivery_date": self.delivery_date, "files": entries}

    def write(self, landing: Path, manifest: dict | None = None) -> Path:
        folder = landing / self.source / self.delivery_date
        folder.mkdir(parents=True, exist_ok=True)
        for name, file in self.files.items():
            (folder / name).write_bytes(file.data())
        (folder / "_manifest.json").write_text(
            json.dumps(manifest or self.manifest(), ensure_ascii=False), encoding="utf-8"
        )
        return folder


@dataclass
class Outcome:
    """What the contract says becomes of one row: loaded, quarantined (with reasons) or collapsed."""

    row: Row
    row_number: int
    status: str
    reasons: frozenset[str] = frozenset()


@dataclass
class FileExpectation:
    source: str
    delivery_date: str
    file: str
    rows: int
    outcomes: list[Outcome]

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def loaded(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "loaded"]

    @property
    def quarantined(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "quarantined"]


def kept_values(spec: FileSpec, values: dict) -> tuple:
    """What the raw layer keeps of a row (the national id standing in for person_key, sex, age band)."""
    return tuple(values.get(c.name) for c in spec.columns if not c.personal)


def expect_file(spec: FileSpec, file: FileModel, delivery_date: str, earlier: dict[tuple, tuple]) -> FileExpectation:
    """The contract's "Bad input" and "Collapsed", applied to what the generator wrote.

    ``earlier``: for an incremental file, key -> kept values of the rows loaded by earlier deliveries.
    """
    outcomes: list[Outcome] = []
    seen: set[tuple] = set()
    distinct: list[Outcome] = []
    for number, row in enumerate(file.rows, start=1):
        identity = row.identity(spec)
        if identity in seen:
            outcomes.append(Outcome(row, number, "collapsed"))
            continue
        seen.add(identity)
        outcome = Outcome(row, number, "quarantined" if row.reasons else "loaded", row.reasons)
        outcomes.append(outcome)
        distinct.append(outcome)
    # Two different rows with the same key: both quarantined.
    by_key: dict[tuple, list[Outcome]] = {}
    for outcome in distinct:
        key = tuple(_key_text(outcome.row.cells[k]) for k in spec.key)
        if all(k is not None for k in key):
            by_key.setdefault(key, []).append(outcome)
    for group in by_key.values():
        if len(group) > 1:
            for outcome in group:
                outcome.status = "quarantined"
                outcome.reasons = outcome.reasons | {f"duplicate_key:{','.join(spec.key)}"}
    if spec.kind == "incremental":
        for outcome in distinct:
            if outcome.status != "loaded":
                continue
            key = tuple(outcome.row.values[k] for k in spec.key)
            if key in earlier:
                if earlier[key] == kept_values(spec, outcome.row.values):
                    outcome.status = "collapsed"
                else:
                    outcome.status = "quarantined"
                    outcome.reasons = frozenset({f"duplicate_key_earlier_delivery:{spec.key[0]}"})
    return FileExpectation(spec.source, delivery_date, spec.name, file.manifest_rows, outcomes)


def _key_text(cell: Cell) -> str | None:
    if cell is None or not isinstance(cell, str):
        return None if cell is None else str(cell)
    text = cell.strip(_TRIM)
    return text or None


@dataclass
class Zone:
    ctx: Context
    deliveries: dict[str, list[DeliveryModel]] = field(default_factory=lambda: {s: [] for s in SOURCES})

    def write(self, landing: Path) -> Path:
        for deliveries in self.deliveries.values():
            for delivery in deliveries:
                delivery.write(landing)
        return landing

    def expectations(self) -> dict[tuple[str, str, str], FileExpectation]:
        """(source, delivery date, file) -> what the contract says of it, deliveries oldest first."""
        found = {}
        for source, deliveries in self.deliveries.items():
            earlier: dict[str, dict[tuple, tuple]] = {}
            for delivery in sorted(deliveries, key=lambda d: d.date):
                for name, file in delivery.files.items():
                    expectation = expect_file(file.spec, file, delivery.delivery_date, earlier.setdefault(name, {}))
                    found[(source, delivery.delivery_date, name)] = expectation
                    for outcome in expectation.loaded:
                        key = tuple(outcome.row.values[k] for k in file.spec.key)
                        earlier[name][key] = kept_values(file.spec, outcome.row.values)
        return found

    def latest(self, source: str, file: str) -> FileExpectation | None:
        """The file's current state: its latest delivery that has it (sources.md)."""
        expectations = self.expectations()
        dates = sorted(d.delivery_date for d in self.deliveries[source] if file in d.files)
        return expectations[(source, dates[-1], file)] if dates else None

    def national_ids(self) -> set[str]:
        """Every national id written, valid or not."""
        found = set()
        for deliveries in self.deliveries.values():
            for delivery in deliveries:
                for file in delivery.files.values():
                    column = file.spec.national_id_column
                    found |= {r.values[column] for r in file.rows if column and isinstance(r.values.get(column), str)}
        return found

    def names(self) -> set[str]:
        """Every name written (the contract's personal columns)."""
        found = set()
        for deliveries in self.deliveries.values():
            for delivery in deliveries:
                for file in delivery.files.values():
                    for row in file.rows:
                        for column in file.spec.columns:
                            value = row.values.get(column.name)
                            if column.personal and isinstance(value, str):
                                found.add(value)
        return found


def person_key(national_id: str, key: str) -> str:
    """``published.md``: the lowercase hex HMAC-SHA256 of the national id under the key."""
    return hmac.new(key.encode("utf-8"), national_id.encode("ascii"), hashlib.sha256).hexdigest()
