"""Property-based fuzzing: the parsers, and whole delivery files mutated byte by byte.

Example counts are modest so the suite stays fast; ``EVICTIONS_FUZZ_EXAMPLES=<n>`` raises
them for a longer local run. The whole-file mutations ingest a delivery per example and are
``slow`` (left out of ``pytest -m "not slow"``). Examples are derandomised (the same every run, so CI is
stable); the targeted alphabets make them cover separators, quotes, line ends and
multi-byte characters anyway.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from orchestration.lib.national_id import InvalidNationalId, parse_national_id
from orchestration.lib.parsing import parse_amount, parse_date
from tests.support.hostile import NID, NID_2, deliver, file_bytes, ingest_checked, valid_row
from tests.support.national_ids import synthetic_national_id

EXAMPLES = int(os.environ.get("EVICTIONS_FUZZ_EXAMPLES", "0"))


def fuzz_settings(examples: int):
    return settings(
        max_examples=EXAMPLES or examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# ---- Parsers ---------------------------------------------------------------------------

AMOUNT_ALPHABET = "0123456789 \u00a0,.-+()krKR\t'eE_٣"
amount_texts = st.one_of(st.text(), st.text(alphabet=AMOUNT_ALPHABET, max_size=24))
date_texts = st.one_of(st.text(), st.text(alphabet="0123456789.-/ T:+", max_size=24))
id_texts = st.one_of(
    st.text(),
    st.text(alphabet="0123456789", min_size=9, max_size=13),
    st.text(alphabet="0123456789 -\u0660\u0661\u00b2", min_size=11, max_size=11),
)


@fuzz_settings(400)
@given(amount_texts, st.sampled_from(["decimal_comma", "decimal_point", "either"]))
@example("kr (322 317,41)", "decimal_comma")
@example("99999999999999,99", "decimal_comma")
@example("1e5", "decimal_point")
@example("\x00", "either")
def test_parse_amount_raises_only_value_error(text, style):
    try:
        value = parse_amount(text, style)
    except ValueError:
        return
    assert isinstance(value, Decimal)
    assert value.as_tuple().exponent >= -2 and abs(value) < Decimal(10) ** 10  # fits Decimal(12, 2)


@fuzz_settings(300)
@given(date_texts, st.sampled_from(["dmy", "iso"]))
@example("31.02.2004", "dmy")
@example("2007-13-01", "iso")
@example("00.00.0000", "dmy")
def test_parse_date_raises_only_value_error(text, style):
    try:
        value = parse_date(text, style)
    except ValueError:
        return
    assert isinstance(value, dt.date)


@fuzz_settings(400)
@given(id_texts)
@example("00000000000")
@example("٠١٢٣٤٥٦٧٨٩٠")  # Arabic-Indic digits: isdigit() but not ASCII
def test_parse_national_id_raises_only_invalid_national_id_and_never_echoes(text):
    try:
        parse_national_id(text)
    except InvalidNationalId as error:
        if sum(ch.isdigit() for ch in text) >= 6:  # number-like: the messages themselves hold only "11"
            assert text not in str(error), "an error about a national id must not echo it"
            assert text.strip() not in str(error)


@fuzz_settings(200)
@given(st.integers(1, 28), st.integers(1, 12), st.integers(0, 99), st.integers(0, 480))
def test_synthetic_national_ids_parse_with_their_birth_date(day, month, yy, individual):
    # Individual numbers 000-499 are the 1900s for every year (sources.md).
    nid = synthetic_national_id(day, month, yy, individual)
    identity = parse_national_id(nid)
    assert (identity.birth_date.day, identity.birth_date.month, identity.birth_date.year % 100) == (day, month, yy)
    assert identity.kind == "synthetic"


# ---- Whole files -----------------------------------------------------------------------

FILES = [("boei", "tenancies.csv"), ("kemner", "petitions.csv"), ("prosjekt", "cases.csv"), ("regnskap", "ledger.csv")]
INSERTS = [b";", b",", b'"', b"\r\n", b"\n", b"\r", b"\x00", b"\xef\xbb\xbf", b"\xc3", b"\xe6", b'""', b";;;;", b"|"]


def _base_file(source: str, name: str) -> bytes:
    rows = [valid_row(source, name, n, NID if n % 2 else NID_2) for n in range(1, 5)]
    rows.append(rows[0])  # an exact duplicate: collapsed
    return file_bytes(source, name, rows)


mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10**6), st.integers(0, 255)),
    st.tuples(st.just("truncate"), st.integers(0, 10**6), st.just(0)),
    st.tuples(st.just("insert"), st.integers(0, 10**6), st.integers(0, len(INSERTS) - 1)),
    st.tuples(st.just("delete"), st.integers(0, 10**6), st.integers(1, 40)),
    st.tuples(st.just("duplicate_line"), st.integers(0, 10**6), st.just(0)),
)


def mutate(data: bytes, mutations: list[tuple[str, int, int]]) -> bytes:
    buffer = bytearray(data)
    for kind, position, argument in mutations:
        if not buffer:
            break
        at = position % len(buffer)
        if kind == "flip":
            buffer[at] = argument
        elif kind == "truncate":
            del buffer[at:]
        elif kind == "insert":
            buffer[at:at] = INSERTS[argument]
        elif kind == "delete":
            del buffer[at : at + argument]
        elif kind == "duplicate_line":
            lines = bytes(buffer).split(b"\n")
            line = at % len(lines)
            lines.insert(line, lines[line])
            buffer = bytearray(b"\n".join(lines))
    return bytes(buffer)


def _sender_row_count(data: bytes, how: int) -> int:
    """What a hostile (or careless) sender writes as the row count."""
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return max(0, len(lines) - 1 + (how - 1))  # how = 0, 1, 2: one fewer, exact, one more


@pytest.mark.slow  # a whole ingest per example
@fuzz_settings(150)
@given(st.sampled_from(FILES), st.lists(mutation, min_size=1, max_size=4), st.sampled_from([1, 1, 1, 0, 2]))
def test_mutated_csv_is_refused_or_balanced(file, mutations, how):
    source, name = file
    data = mutate(_base_file(source, name), mutations)
    with tempfile.TemporaryDirectory() as scratch:
        landing, warehouse = Path(scratch) / "landing", Path(scratch) / "warehouse"
        deliver(landing, source, {name: data}, {name: _sender_row_count(data, how)})
        ingest_checked(source, landing, warehouse, seconds=60)


def _workbook_members() -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as scratch:
        rows = [valid_row("namsfogd", "cases.xlsx", n, NID if n % 2 else NID_2) for n in range(1, 4)]
        data = file_bytes("namsfogd", "cases.xlsx", rows, Path(scratch))
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {info.filename: archive.read(info) for info in archive.infolist()}


WORKBOOK = _workbook_members()
XML_INSERTS = [
    b"<",
    b">",
    b'"',
    b"&",
    b"<row>",
    b"</row>",
    b'<c r="A9" t="s"><v>99</v></c>',
    b"<v>",
    b"]]>",
    b"\x00",
    b"\xff",
]


@pytest.mark.slow  # a whole ingest per example
@fuzz_settings(80)
@given(
    st.sampled_from(sorted(WORKBOOK)),
    st.lists(
        st.tuples(st.integers(0, 10**6), st.integers(0, len(XML_INSERTS) - 1), st.booleans()), min_size=1, max_size=4
    ),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=3),
    st.integers(0, 4),
)
def test_mutated_workbook_is_refused_or_balanced(member, xml_edits, byte_flips, rows):
    content = bytearray(WORKBOOK[member])
    for position, insert, delete in xml_edits:
        at = position % max(1, len(content))
        if delete:
            del content[at : at + 5]
        else:
            content[at:at] = XML_INSERTS[insert]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in WORKBOOK.items():
            archive.writestr(name, bytes(content) if name == member else data)
    data = bytearray(buffer.getvalue())
    for position, value in byte_flips:  # damage the container too
        data[position % len(data)] = value
    with tempfile.TemporaryDirectory() as scratch:
        landing, warehouse = Path(scratch) / "landing", Path(scratch) / "warehouse"
        deliver(landing, "namsfogd", {"cases.xlsx": bytes(data)}, {"cases.xlsx": rows})
        ingest_checked("namsfogd", landing, warehouse, seconds=60)


def test_mutation_helper_changes_the_file():
    data = _base_file("boei", "tenancies.csv")
    assert mutate(data, [("insert", 5, 0)]) != data
    assert hashlib.sha256(mutate(data, [("truncate", 10, 0)])).hexdigest() != hashlib.sha256(data).hexdigest()
