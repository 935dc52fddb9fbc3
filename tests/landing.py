"""Writing small landing zones to the source contract, for tests."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import xlsxwriter

FORMAT = {
    ("boei", "tenancies.csv"): ("cp1252", ";"),
    ("boei", "rent_ledger.csv"): ("cp1252", ";"),
    ("regnskap", "ledger.csv"): ("cp1252", ";"),
    ("kemner", "petitions.csv"): ("utf-8", ","),
    ("kemner", "notifications.csv"): ("utf-8", ","),
    ("prosjekt", "cases.csv"): ("utf-8-sig", ";"),
}


def csv_bytes(source: str, name: str, header: list[str], rows: list[list[str]]) -> bytes:
    encoding, separator = FORMAT[(source, name)]
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
) -> Path:
    folder = landing / source / delivery_date
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        entries.append({"name": name, "rows": rows[name], "sha256": hashlib.sha256(data).hexdigest()})
    manifest = {"source": source, "delivery_date": delivery_date, "files": entries, **(manifest_overrides or {})}
    (folder / "_manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


# Synthetic national ids (month + 80), valid by mod-11: built, never typed in.
def synthetic_national_id(day: int, month: int, yy: int, individual: int) -> str:
    w1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
    w2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    while True:
        base = f"{day:02d}{month + 80:02d}{yy:02d}{individual:03d}"
        r1 = sum(int(d) * w for d, w in zip(base, w1)) % 11
        k1 = 0 if r1 == 0 else 11 - r1
        if r1 != 1:
            r2 = sum(int(d) * w for d, w in zip(base + str(k1), w2)) % 11
            k2 = 0 if r2 == 0 else 11 - r2
            if r2 != 1:
                return base + str(k1) + str(k2)
        individual += 1
