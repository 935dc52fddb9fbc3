"""Hostile files: every one ends in a clear refusal or quarantined rows, never a crash or a hang.

Each case writes one delivery as a hostile (or merely broken) sender would, with a manifest
whose checksums and row counts match what was sent, and ingests it directly
(``ingest_source``, no Dagster) under a watchdog. ``ingest_checked`` (``tests/support/hostile.py``) checks
the invariants common to all cases; each case states its expected outcome on top.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from tests.support.hostile import (
    DATE,
    LANDLORD,
    NAME,
    NID,
    NID_2,
    deliver,
    encoding_of,
    file_bytes,
    header,
    ingest_checked,
    valid_row,
)
from tests.support.landing import xlsx_bytes


@dataclass(frozen=True)
class Expect:
    source: str
    status: str  # "refused" or "loaded"
    file: str | None = None
    reason: str | None = None  # a part of the refusal reason
    loaded: int | None = None
    quarantined: int | None = None


def _csv(source: str, name: str, rows: list[list[str]], encoding: str | None = None, newline: str = "\r\n") -> bytes:
    default_encoding, separator = encoding_of(source, name)
    lines = [separator.join(header(source, name))] + [separator.join(_quote(v, separator) for v in r) for r in rows]
    return (newline.join(lines) + newline).encode(encoding or default_encoding)


def _quote(value: str, separator: str) -> str:
    if separator in value or '"' in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def _tenancies(*rows: list[str]) -> list[list[str]]:
    return list(rows) or [valid_row("boei", "tenancies.csv", 1), valid_row("boei", "tenancies.csv", 2, NID_2)]


CASES: dict[str, Callable[[Path], Expect]] = {}
# Cases that write and ingest tens of megabytes: left out of the fast subset (`-m "not slow"`).
SLOW_CASES: set[str] = set()


def case(name: str, slow: bool = False):
    def register(build: Callable[[Path], Expect]):
        CASES[name] = build
        if slow:
            SLOW_CASES.add(name)
        return build

    return register


# ---- Encodings -------------------------------------------------------------------------


@case("windows-1252 file for a UTF-8 source (kemner)")
def _(landing):
    rows = [valid_row("kemner", "petitions.csv", 1)]
    rows[0][0] = "K-æøå"
    deliver(landing, "kemner", {"petitions.csv": _csv("kemner", "petitions.csv", rows, "cp1252")}, {"petitions.csv": 1})
    return Expect("kemner", "refused", "petitions.csv", "not valid utf-8")


@case("windows-1252 file for the UTF-8-with-BOM source (prosjekt)")
def _(landing):
    data = b"\xef\xbb\xbf" + _csv("prosjekt", "cases.csv", [valid_row("prosjekt", "cases.csv")], "cp1252")
    deliver(landing, "prosjekt", {"cases.csv": data}, {"cases.csv": 1})
    return Expect("prosjekt", "refused", "cases.csv", "not valid utf-8")


@case("UTF-8 file for a Windows-1252 source (boei): letters would be garbled")
def _(landing):
    deliver(
        landing, "boei", {"tenancies.csv": _csv("boei", "tenancies.csv", _tenancies(), "utf-8")}, {"tenancies.csv": 2}
    )
    return Expect("boei", "refused", "tenancies.csv", "UTF-8")


@case("UTF-8 file for a Windows-1252 source (regnskap)")
def _(landing):
    deliver(
        landing,
        "regnskap",
        {"ledger.csv": _csv("regnskap", "ledger.csv", [valid_row("regnskap", "ledger.csv")], "utf-8")},
        {"ledger.csv": 1},
    )
    return Expect("regnskap", "refused", "ledger.csv", "UTF-8")


@case("ASCII-only file for a Windows-1252 source is fine")
def _(landing):
    rows = [valid_row("boei", "rent_ledger.csv", n) for n in (1, 2)]
    deliver(
        landing, "boei", {"rent_ledger.csv": _csv("boei", "rent_ledger.csv", rows, "ascii")}, {"rent_ledger.csv": 2}
    )
    return Expect("boei", "loaded", loaded=2, quarantined=0)


@case("UTF-16 file for a Windows-1252 source")
def _(landing):
    deliver(
        landing, "boei", {"tenancies.csv": _csv("boei", "tenancies.csv", _tenancies(), "utf-16")}, {"tenancies.csv": 2}
    )
    return Expect("boei", "refused", "tenancies.csv", "header does not match")


@case("UTF-16 file for a UTF-8 source")
def _(landing):
    data = _csv("kemner", "notifications.csv", [valid_row("kemner", "notifications.csv")], "utf-16")
    deliver(landing, "kemner", {"notifications.csv": data}, {"notifications.csv": 1})
    return Expect("kemner", "refused", "notifications.csv", "not valid utf-8")


@case("byte undefined in Windows-1252 (0x81)")
def _(landing):
    data = _csv("boei", "tenancies.csv", _tenancies()).replace("Årstad".encode("cp1252"), b"\x81rstad", 1)
    deliver(landing, "boei", {"tenancies.csv": data}, {"tenancies.csv": 2})
    return Expect("boei", "refused", "tenancies.csv", "not valid cp1252")


@case("invalid UTF-8 bytes")
def _(landing):
    data = _csv("kemner", "petitions.csv", [valid_row("kemner", "petitions.csv")]).replace(b"SENDT", b"SEN\xff\xfeT")
    deliver(landing, "kemner", {"petitions.csv": data}, {"petitions.csv": 1})
    return Expect("kemner", "refused", "petitions.csv", "not valid utf-8")


# ---- Truncated files -------------------------------------------------------------------


@case("cut in the middle of the last line")
def _(landing):
    data = _csv("boei", "tenancies.csv", _tenancies())
    cut = data[: data.rindex(b";ORDINAER;") + 4]  # ...;OR
    deliver(landing, "boei", {"tenancies.csv": cut}, {"tenancies.csv": 2})  # the sender counts the partial line
    return Expect("boei", "loaded", loaded=1, quarantined=1)


@case("cut inside a quoted field")
def _(landing):
    rows = _tenancies()
    rows[1][1] = "BL; med semikolon og mer tekst"
    data = _csv("boei", "tenancies.csv", rows)
    cut = data[: data.rindex(b"semikolon")]
    deliver(landing, "boei", {"tenancies.csv": cut}, {"tenancies.csv": 2})
    return Expect("boei", "refused", "tenancies.csv", "cannot be read")


@case("cut inside a multi-byte character")
def _(landing):
    rows = [valid_row("kemner", "notifications.csv")]
    data = (
        _csv("kemner", "notifications.csv", rows, newline="\n").rstrip(b"\n").replace(b"RESTANSE", b"RESTANSE,\xc3\xb8")
    )
    data = data.replace(
        header("kemner", "notifications.csv")[-1].encode(), b"varseltype,x"
    )  # keep it looking plausible
    deliver(landing, "kemner", {"notifications.csv": data[:-1]}, {"notifications.csv": 1})  # ends with 0xC3
    return Expect("kemner", "refused", "notifications.csv", "ends inside a character")


@case("last line without a line end")
def _(landing):
    data = _csv("boei", "tenancies.csv", _tenancies()).rstrip(b"\r\n")
    deliver(landing, "boei", {"tenancies.csv": data}, {"tenancies.csv": 2})
    return Expect("boei", "loaded", loaded=2, quarantined=0)


# ---- Enormous fields -------------------------------------------------------------------


@case("a 50 MB field", slow=True)
def _(landing):
    rows = _tenancies()
    rows[0][3] = "Ø" * (50 * 1024 * 1024)  # a 50 MB name: dropped at ingestion like every name
    deliver(landing, "boei", {"tenancies.csv": _csv("boei", "tenancies.csv", rows)}, {"tenancies.csv": 2})
    return Expect("boei", "loaded", loaded=2, quarantined=0)


@case("a 50 MB amount is quarantined with its value", slow=True)
def _(landing):
    rows = _tenancies()
    rows[1][8] = "9" * (50 * 1024 * 1024)
    deliver(landing, "boei", {"tenancies.csv": _csv("boei", "tenancies.csv", rows)}, {"tenancies.csv": 2})
    return Expect("boei", "loaded", loaded=1, quarantined=1)


@case("a 1 MB line of separators")
def _(landing):
    data = _csv("boei", "tenancies.csv", _tenancies()) + b";" * (1024 * 1024) + b"\r\n"
    deliver(landing, "boei", {"tenancies.csv": data}, {"tenancies.csv": 3})
    return Expect("boei", "refused", "tenancies.csv", "cannot be read")


@case("a 1 MB text value")
def _(landing):
    rows = [valid_row("kemner", "petitions.csv", 1), valid_row("kemner", "petitions.csv", 2)]
    rows[1][5] = "NF-" + "x" * (1024 * 1024)
    deliver(landing, "kemner", {"petitions.csv": _csv("kemner", "petitions.csv", rows)}, {"petitions.csv": 2})
    return Expect("kemner", "loaded", loaded=2, quarantined=0)


@case("a quote opened and never closed, 20 MB before the end")
def _(landing):
    data = _csv("boei", "tenancies.csv", _tenancies()) + b'1;"' + b"x" * (20 * 1024 * 1024)
    deliver(landing, "boei", {"tenancies.csv": data}, {"tenancies.csv": 3})
    return Expect("boei", "refused", "tenancies.csv")


# ---- Not what it claims to be: xlsx ----------------------------------------------------


@case("a CSV file named cases.xlsx")
def _(landing):
    data = _csv("kemner", "petitions.csv", [valid_row("kemner", "petitions.csv")])
    deliver(landing, "namsfogd", {"cases.xlsx": data}, {"cases.xlsx": 1})
    return Expect("namsfogd", "refused", "cases.xlsx", "not an xlsx")


@case("random bytes after a zip signature")
def _(landing):
    data = b"PK\x03\x04" + os.urandom(4096)
    deliver(landing, "namsfogd", {"cases.xlsx": data}, {"cases.xlsx": 1})
    return Expect("namsfogd", "refused", "cases.xlsx", "xlsx")


@case("a zip archive that is not a workbook")
def _(landing):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("hello.txt", f"{NID};{NAME}\n" * 10)
    deliver(landing, "namsfogd", {"cases.xlsx": buffer.getvalue()}, {"cases.xlsx": 1})
    return Expect("namsfogd", "refused", "cases.xlsx", "cannot be read as xlsx")


def _zip_bomb(path: Path, megabytes: int) -> None:
    """A small zip whose one member inflates to ``megabytes`` MB, written in a stream."""
    chunk = b"\0" * (1024 * 1024)
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(megabytes):
            member.write(chunk)


@case("a zip bomb that declares its size (over 512 MB)")
def _(landing):
    folder = landing / "namsfogd" / DATE
    folder.mkdir(parents=True)
    _zip_bomb(folder / "bomb.tmp", 600)
    data = (folder / "bomb.tmp").read_bytes()
    (folder / "bomb.tmp").unlink()
    assert len(data) < 4 * 1024 * 1024
    deliver(landing, "namsfogd", {"cases.xlsx": data}, {"cases.xlsx": 1})
    return Expect("namsfogd", "refused", "cases.xlsx", "zip bomb")


def lying_workbook(folder: Path, megabytes: int) -> bytes:
    """A real workbook whose sheet XML carries ``megabytes`` MB of comment, while the archive
    declares the sheet to be 4000 bytes (local header and central directory both patched)."""
    good = file_bytes("namsfogd", "cases.xlsx", [valid_row("namsfogd", "cases.xlsx")], folder)
    source = zipfile.ZipFile(io.BytesIO(good))
    path = folder / "lying.tmp"
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for info in source.infolist():
            content = source.read(info)
            if info.filename != sheet:
                archive.writestr(info, content)
                continue
            before, after = content.split(b"</sheetData>")
            declared = zipfile.ZipInfo(sheet)
            declared.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(declared, "w") as member:
                member.write(before + b"<!--")
                for _ in range(megabytes):
                    member.write(b" " * (1024 * 1024))
                member.write(b"--></sheetData>" + after)
    data = bytearray(path.read_bytes())
    path.unlink()
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(sheet)
    struct.pack_into("<I", data, info.header_offset + 22, 4000)  # local header: uncompressed size
    central = data.find(b"PK\x01\x02")
    while central != -1:
        length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + length]) == sheet.encode():
            struct.pack_into("<I", data, central + 24, 4000)  # central directory: uncompressed size
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


@case("a zip bomb that lies about its size", slow=True)
def _(landing):
    folder = landing / "namsfogd" / DATE
    data = lying_workbook(folder, 600)
    assert len(data) < 4 * 1024 * 1024
    assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist()) < 100_000  # what it declares
    deliver(landing, "namsfogd", {"cases.xlsx": data}, {"cases.xlsx": 1})
    return Expect("namsfogd", "refused", "cases.xlsx", "CRC")


@case("a zip that needs an unknown zip version")
def _(landing):
    folder = landing / "namsfogd" / DATE
    data = bytearray(file_bytes("namsfogd", "cases.xlsx", [valid_row("namsfogd", "cases.xlsx")], folder))
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<H", data, central + 6, 0xFF)  # "version needed to extract": 25.5
    deliver(landing, "namsfogd", {"cases.xlsx": bytes(data)}, {"cases.xlsx": 1})
    return Expect("namsfogd", "refused", "cases.xlsx", "xlsx")


@case("a workbook whose first row is data, not the header")
def _(landing):
    folder = landing / "namsfogd" / DATE
    folder.mkdir(parents=True)
    data = xlsx_bytes(folder, valid_row("namsfogd", "cases.xlsx", 1), [valid_row("namsfogd", "cases.xlsx", 2, NID_2)])
    deliver(landing, "namsfogd", {"cases.xlsx": data}, {"cases.xlsx": 1})
    return Expect("namsfogd", "refused", "cases.xlsx", "header does not match")


# ---- Header only, empty ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("boei", "tenancies.csv"),
        ("boei", "rent_ledger.csv"),
        ("kemner", "petitions.csv"),
        ("kemner", "notifications.csv"),
        ("prosjekt", "cases.csv"),
        ("regnskap", "ledger.csv"),
        ("namsfogd", "cases.xlsx"),
    ],
)
def test_header_only_file_with_zero_rows_loads_zero_rows(tmp_path, source, name):
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    data = file_bytes(source, name, [], landing / source / DATE)
    deliver(landing, source, {name: data}, {name: 0})
    outcome = ingest_checked(source, landing, warehouse)
    assert outcome.result.loaded == [DATE] and not outcome.result.refused
    row = outcome.loaded_rows.row(0, named=True)
    assert (row["rows_in_manifest"], row["rows_loaded"], row["rows_quarantined"], row["rows_collapsed"]) == (0, 0, 0, 0)
    stem = name.rsplit(".", 1)[0]
    assert pl.read_parquet(warehouse / "raw" / source / stem / f"{DATE}.parquet").height == 0


@case("an empty file (no header)")
def _(landing):
    deliver(landing, "boei", {"tenancies.csv": b""}, {"tenancies.csv": 0})
    return Expect("boei", "refused", "tenancies.csv", "missing columns")


# ---- The manifest ----------------------------------------------------------------------


def _manifest_case(name: str, mutate: Callable[[dict], object], reason: str):
    @case(f"manifest: {name}")
    def _(landing):
        data = _csv("boei", "tenancies.csv", _tenancies())
        manifest = {
            "source": "boei",
            "delivery_date": DATE,
            "files": [{"name": "tenancies.csv", "rows": 2, "sha256": hashlib.sha256(data).hexdigest()}],
        }
        deliver(landing, "boei", {"tenancies.csv": data}, {}, manifest=mutate(manifest))
        return Expect("boei", "refused", "_manifest.json", reason)


def _set(path: str, value):
    def mutate(manifest: dict):
        target = manifest["files"][0] if path.startswith("files.") else manifest
        target[path.removeprefix("files.")] = value
        return manifest

    return mutate


for _name, _mutate, _reason in [
    ("a name with ../", _set("files.name", "../../etc/tenancies.csv"), "not a file of source"),
    ("an absolute path", _set("files.name", "/etc/passwd"), "not a file of source"),
    ("a name that is a list", _set("files.name", ["tenancies.csv"]), "not a file of source"),
    ("a name that is an object", _set("files.name", {"a": 1}), "not a file of source"),
    ("a name that is a number", _set("files.name", 7), "not a file of source"),
    ("rows as text", _set("files.rows", "2"), "row count"),
    ("rows negative", _set("files.rows", -1), "row count"),
    ("rows fractional", _set("files.rows", 1.5), "row count"),
    ("rows boolean", _set("files.rows", True), "row count"),
    ("rows beyond Int64", _set("files.rows", 10**30), "row count"),
    ("sha256 too short", _set("files.sha256", "abc"), "sha256"),
    ("sha256 a number", _set("files.sha256", 12), "sha256"),
    ("files not a list", _set("files", {"tenancies.csv": 2}), "'files' list"),
    ("files entry not an object", _set("files", ["tenancies.csv"]), "not an object"),
    ("a file listed twice", lambda m: {**m, "files": m["files"] * 2}, "twice"),
    ("another source", _set("source", "kemner"), "source"),
    ("another date", _set("delivery_date", "2007-12-31"), "delivery date"),
    ("a source of 5 MB", _set("source", "x" * (5 * 1024 * 1024)), "source"),
    ("a JSON array", lambda m: [m], "not a JSON object"),
    ("not JSON", lambda m: "source: boei\nfiles: tenancies.csv\n", "not valid JSON"),
    ("JSON with a BOM", lambda m: b"\xef\xbb\xbf" + json.dumps(m).encode(), "not valid JSON"),
    ("UTF-16 JSON", lambda m: json.dumps(m).encode("utf-16"), "not valid JSON"),
    ("nested 100 000 deep", lambda m: "[" * 100_000 + "]" * 100_000, "not valid JSON"),
    ("a 5000-digit row count", lambda m: json.dumps(m).replace('"rows": 2', '"rows": ' + "9" * 5000), "not valid JSON"),
    ("NaN rows", lambda m: json.dumps(m).replace('"rows": 2', '"rows": NaN'), "row count"),
    ("empty", lambda m: "", "not valid JSON"),
]:
    _manifest_case(_name, _mutate, _reason)


@case("a listed file that is a symbolic link to a file outside the delivery")
def _(landing):
    outside = landing.parent / "elsewhere" / "tenancies.csv"
    outside.parent.mkdir(parents=True)
    data = _csv("boei", "tenancies.csv", _tenancies())
    outside.write_bytes(data)
    folder = deliver(landing, "boei", {"tenancies.csv": data}, {"tenancies.csv": 2})
    (folder / "tenancies.csv").unlink()
    (folder / "tenancies.csv").symlink_to(outside)
    return Expect("boei", "refused", "tenancies.csv", "symbolic link")


@case("a listed file that is a relative symbolic link into another delivery")
def _(landing):
    data = _csv("boei", "tenancies.csv", _tenancies())
    other = landing / "boei" / "2006-12-31"
    other.mkdir(parents=True)  # no manifest: still being written, never read
    (other / "tenancies.csv").write_bytes(data)
    folder = deliver(landing, "boei", {"tenancies.csv": data}, {"tenancies.csv": 2})
    (folder / "tenancies.csv").unlink()
    (folder / "tenancies.csv").symlink_to(Path("..") / "2006-12-31" / "tenancies.csv")
    return Expect("boei", "refused", "tenancies.csv", "symbolic link")


@case("a listed file that is a folder")
def _(landing):
    data = _csv("boei", "tenancies.csv", _tenancies())
    folder = deliver(landing, "boei", {"tenancies.csv": data}, {"tenancies.csv": 2})
    (folder / "tenancies.csv").unlink()
    (folder / "tenancies.csv").mkdir()
    return Expect("boei", "refused", "tenancies.csv", "missing")


# ---- CSV content -----------------------------------------------------------------------


@case("NUL bytes in a text value and in a national id")
def _(landing):
    rows = _tenancies()
    rows[0][1] = "BL-\x00-1"
    rows[1][2] = NID_2[:5] + "\x00" + NID_2[6:]
    deliver(landing, "boei", {"tenancies.csv": _csv("boei", "tenancies.csv", rows)}, {"tenancies.csv": 2})
    # A NUL is valid UTF-8 but no value holds one: both rows are quarantined (unparseable:bolig_id,
    # invalid_national_id:fodselsnummer), where NUL used to load unnoticed.
    return Expect("boei", "loaded", loaded=0, quarantined=2)


@case("NUL bytes in the header")
def _(landing):
    data = _csv("boei", "tenancies.csv", _tenancies()).replace(b"bolig_id", b"bolig\x00id", 1)
    deliver(landing, "boei", {"tenancies.csv": data}, {"tenancies.csv": 2})
    return Expect("boei", "refused", "tenancies.csv", "header does not match")


@case("a UTF-8 BOM on a Windows-1252 file")
def _(landing):
    data = b"\xef\xbb\xbf" + _csv("boei", "tenancies.csv", _tenancies())
    deliver(landing, "boei", {"tenancies.csv": data}, {"tenancies.csv": 2})
    return Expect("boei", "refused", "tenancies.csv", "header does not match")


@case("no BOM on the UTF-8-with-BOM source")
def _(landing):
    data = _csv("prosjekt", "cases.csv", [valid_row("prosjekt", "cases.csv")], "utf-8")
    deliver(landing, "prosjekt", {"cases.csv": data}, {"cases.csv": 1})
    return Expect("prosjekt", "loaded", loaded=1, quarantined=0)


@case("LF line ends")
def _(landing):
    deliver(
        landing,
        "boei",
        {"tenancies.csv": _csv("boei", "tenancies.csv", _tenancies(), newline="\n")},
        {"tenancies.csv": 2},
    )
    return Expect("boei", "loaded", loaded=2, quarantined=0)


@case("mixed CRLF and LF line ends")
def _(landing):
    data = _csv("boei", "tenancies.csv", _tenancies()).replace(b"\r\n", b"\n", 1)
    deliver(landing, "boei", {"tenancies.csv": data}, {"tenancies.csv": 2})
    return Expect("boei", "loaded", loaded=2, quarantined=0)


@case("CR-only line ends (the whole file is one header line)")
def _(landing):
    deliver(
        landing,
        "boei",
        {"tenancies.csv": _csv("boei", "tenancies.csv", _tenancies(), newline="\r")},
        {"tenancies.csv": 2},
    )
    return Expect("boei", "refused", "tenancies.csv", "header does not match")


@case("the header line is missing (the first line is a data row)")
def _(landing):
    data = _csv("boei", "tenancies.csv", _tenancies())
    deliver(landing, "boei", {"tenancies.csv": data.split(b"\r\n", 1)[1]}, {"tenancies.csv": 1})
    return Expect("boei", "refused", "tenancies.csv", "header does not match")


@case("quoted values in a ;-separated file: separators, doubled quotes, line ends")
def _(landing):
    rows = _tenancies()
    rows[0][1] = 'BL "7"; oppgang B'
    rows[1][1] = "BL-2\r\nannen linje"
    deliver(landing, "boei", {"tenancies.csv": _csv("boei", "tenancies.csv", rows)}, {"tenancies.csv": 2})
    return Expect("boei", "loaded", loaded=2, quarantined=0)


@case("a stray quote inside an unquoted value")
def _(landing):
    data = _csv("boei", "tenancies.csv", _tenancies()).replace(b"BL-1", b'BL"-1', 1)
    deliver(landing, "boei", {"tenancies.csv": data}, {"tenancies.csv": 2})
    return Expect("boei", "refused", "tenancies.csv", "cannot be read")


@case("a row with more fields than the header")
def _(landing):
    data = _csv("boei", "tenancies.csv", _tenancies()).replace(b"01.02.2004;", b"01.02.2004;;ekstra;", 1)
    deliver(landing, "boei", {"tenancies.csv": data}, {"tenancies.csv": 2})
    return Expect("boei", "refused", "tenancies.csv", "cannot be read")


@case("a row with fewer fields than the header")
def _(landing):
    rows = _tenancies()
    data = _csv("boei", "tenancies.csv", rows).replace(b";kr 5 250,00;01.02.2004;\r\n", b"\r\n", 1)
    deliver(landing, "boei", {"tenancies.csv": data}, {"tenancies.csv": 2})
    return Expect("boei", "loaded", loaded=1, quarantined=1)


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW_CASES else n for n in CASES])
def test_hostile_file(tmp_path, name):
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    expect = CASES[name](landing)
    outcome = ingest_checked(expect.source, landing, warehouse)
    if expect.status == "refused":
        assert outcome.refused is not None, f"expected a refusal, got {outcome.result}"
        assert outcome.refused.file == expect.file, str(outcome.refused)
        if expect.reason:
            assert expect.reason.lower() in outcome.refused.reason.lower(), str(outcome.refused)
        assert len(str(outcome.refused)) < 1000, "a refusal message stays short"
        assert not outcome.result.loaded
    else:
        assert not outcome.result.refused, [str(r) for r in outcome.result.refused]
        assert outcome.result.loaded == [DATE]
        if expect.loaded is not None:
            assert outcome.result.rows_loaded == expect.loaded
        if expect.quarantined is not None:
            assert outcome.result.rows_quarantined == expect.quarantined


def test_line_ends_do_not_change_what_is_loaded(tmp_path):
    loaded = []
    for newline in ("\r\n", "\n"):
        landing, warehouse = tmp_path / repr(newline) / "landing", tmp_path / repr(newline) / "warehouse"
        rows = _tenancies()
        rows[0][1] = 'BL "7"; oppgang B'
        deliver(
            landing,
            "boei",
            {"tenancies.csv": _csv("boei", "tenancies.csv", rows, newline=newline)},
            {"tenancies.csv": 2},
        )
        ingest_checked("boei", landing, warehouse)
        loaded.append(pl.read_parquet(warehouse / "raw/boei/tenancies" / f"{DATE}.parquet").drop("delivery_date"))
    assert loaded[0].equals(loaded[1])
    assert loaded[0]["bolig_id"].to_list() == ['BL "7"; oppgang B', "BL-2"]


def test_refusal_messages_never_quote_the_data(tmp_path):
    """A header that is really a data row, and a parser error inside a row: the national id
    and the name are in the file, and in neither refusal (checked in ``ingest_checked`` too)."""
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    data = _csv("boei", "tenancies.csv", _tenancies()).split(b"\r\n", 1)[1]
    deliver(landing, "boei", {"tenancies.csv": data}, {"tenancies.csv": 1})
    first = ingest_checked("boei", landing, warehouse).refused
    assert "unknown columns at positions" in first.reason and "missing columns" in first.reason
    rows = _tenancies()
    data = _csv("boei", "tenancies.csv", rows).replace(b"BL-2;", b'"BL-2;', 1)
    deliver(landing, "boei", {"tenancies.csv": data}, {"tenancies.csv": 2}, date="2007-12-31")
    second = ingest_checked("boei", landing, warehouse).result.refused[-1]
    assert second.delivery_date == "2007-12-31" and "cannot be read" in second.reason
    for text in (str(first), str(second)):
        assert NID not in text and NID_2 not in text and NAME not in text and LANDLORD not in text


def test_a_huge_manifest_row_count_does_not_poison_the_audit(tmp_path):
    """Before the fix the refusal's audit row carried the manifest's 10**30 rows and every
    later ``write_ingest_audit`` failed (Int64 overflow), run after run."""
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    deliver(landing, "boei", {"tenancies.csv": _csv("boei", "tenancies.csv", _tenancies())}, {"tenancies.csv": 10**30})
    outcome = ingest_checked("boei", landing, warehouse)
    assert outcome.refused is not None
    refused = outcome.audit.filter((pl.col("status") == "refused") & (pl.col("file") == "tenancies.csv"))
    assert refused["rows_in_manifest"].to_list() == [None]
    ingest_checked("boei", landing, warehouse)  # and the next run, too
