"""Writing small landing zones to the source contract, for tests."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import xlsxwriter


def _format(source: str, name: str) -> tuple[str, str]:
    """(Python codec, separator) of a contract CSV file, from the contract's declaration."""
    from orchestration.lib.contract import file_spec

    spec = file_spec(source, name)
    codec = "utf-8-sig" if spec.format.name == "csv_utf8_bom" else spec.format.encoding
    return codec, spec.format.separator


def _csv_formats() -> dict[tuple[str, str], tuple[str, str]]:
    from orchestration.lib.contract import FILES

    return {(s.source, s.name): _format(s.source, s.name) for s in FILES if s.format.container == "csv"}


# (source, file) -> (Python codec, separator) of every contract CSV file.
FORMAT = _csv_formats()


def csv_bytes(source: str, name: str, header: list[str], rows: list[list[str]]) -> bytes:
    encoding, separator = _format(source, name)
    lines = [separator.join(header)] + [separator.join(_quote(v, separator) for v in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def _quote(value: str, separator: str) -> str:
    if separator in value or '"' in value or "\n" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def xlsx_bytes(folder: Path, header: list[str], rows: list[list[object]], sheet: str = "Saker") -> bytes:
    path = folder / ".cases.tmp.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    worksheet = workbook.add_worksheet(sheet)
    date_format = workbook.add_format({"num_format": "dd.mm.yyyy"})
    worksheet.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if hasattr(value, "year"):
                worksheet.write_datetime(r, c, value, date_format)
            elif value is None or value == "":
                continue
            else:
                worksheet.write_string(r, c, str(value))
    workbook.close()
    data = path.read_bytes()
    path.unlink()
    return data


def write_delivery(
    landing: Path,
    source: str,
    delivery_date: str,
    files: dict[str, bytes],
    rows: dict[str, int],
    manifest_overrides: dict | None = None,
    complete: bool = True,
) -> Path:
    """Write one delivery and its manifest.

    With ``complete`` (the default) every file the contract requires in every delivery and
    ``files`` lacks is added with a header and no data rows (a valid, empty full snapshot),
    so a test can deliver just the file it is about.
    """
    folder = landing / source / delivery_date
    folder.mkdir(parents=True, exist_ok=True)
    if complete:
        files, rows = dict(files), dict(rows)
        for name, data in empty_files(source, folder).items():
            if name not in files:
                files[name], rows[name] = data, 0
    entries = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        entries.append({"name": name, "rows": rows[name], "sha256": hashlib.sha256(data).hexdigest()})
    manifest = {"source": source, "delivery_date": delivery_date, "files": entries, **(manifest_overrides or {})}
    (folder / "_manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def empty_files(source: str, folder: Path) -> dict[str, bytes]:
    """A header-only file for each file the contract requires in every delivery of ``source``."""
    from orchestration.lib.contract import files_of

    empty = {}
    for spec in files_of(source):
        if not spec.in_every_delivery:
            continue
        header = list(spec.column_names)
        if spec.format.container == "xlsx":
            empty[spec.name] = xlsx_bytes(folder, header, [], sheet=spec.sheet or "Sheet1")
        else:
            empty[spec.name] = csv_bytes(source, spec.name, header, [])
    return empty
