"""``namsfogd``: the bailiff's eviction cases (``cases.xlsx``) and, from its first forced-sale
extract on, its forced-sale cases (``forced_sales.xlsx``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import xlsxwriter

from sample.files import CHUNK_ROWS, _delivery_dir, _national_ids, _sha256_of_file, _write_manifest
from sample.forced_sales import (
    FORCED_SALE_COLUMNS,
    FORCED_SALE_SHEET,
    FORCED_SALES_FIRST_DELIVERY,
    ForcedSaleWorld,
    _pydate,
)
from sample.shared import (
    BAILIFF_COLUMNS,
    BAILIFF_OUTCOME,
    BAILIFF_SHEET,
    DELIVERY_DATES,
    HEARING_SET_AFTER_DAYS,
    NOT_A_DATE,
    D,
    Progress,
    _days,
)
from sample.world import World

_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")


def _write_bailiff_xlsx(path: Path, world: World, day: np.datetime64) -> int:
    """The bailiff's sheet; dates as real Excel dates or as text, row by row."""
    b = world.bailiff
    present = np.flatnonzero(b.received <= day)
    present = present[np.argsort(world.case_number[present].astype(str), kind="stable")]
    shown = ~np.isnat(b.decided) & (b.decided <= day) & np.isin(b.fate, list(BAILIFF_OUTCOME))
    outcome = np.where(shown, np.array([BAILIFF_OUTCOME.get(f, "") for f in b.fate], dtype=object), "UNDER_BEHANDLING")
    hearing_known = b.received + _days(HEARING_SET_AFTER_DAYS) <= day
    columns = {
        "Saksnr": world.case_number[present],
        "Mottatt": b.received[present],
        "Saksokertype": b.petitioner_type[present],
        "Saksoker": b.petitioner[present],
        "Saksokers_ref": b.reference[present],
        "Fodselsnummer": world.national_id[b.person[present]],
        "Berammet": np.where(hearing_known, b.hearing, NOT_A_DATE)[present],
        "Utfall": outcome[present],
        "Utfall_dato": np.where(shown, b.decided, NOT_A_DATE)[present],
    }
    as_text = b.text_dates[present]

    def cells_of(rows: slice) -> list[list]:
        """The cells of some rows, column by column: None (empty), a date serial or text."""
        cells: list[list] = []
        for name in BAILIFF_COLUMNS:
            values = columns[name][rows]
            if name == "Fodselsnummer":
                cells.append(_national_ids(values).to_list())
            elif values.dtype == np.dtype(D):
                serial = (values - _EXCEL_EPOCH).astype(np.int64)
                text = pl.Series(values).dt.strftime("%d.%m.%Y").to_list()
                missing = np.isnat(values).tolist()
                cells.append(
                    [
                        None if m else (t if txt else s)
                        for m, s, t, txt in zip(missing, serial.tolist(), text, as_text[rows].tolist())
                    ]
                )
            else:
                cells.append([None if v is None else str(v) for v in values])
        return cells

    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "constant_memory": True})
    # A fixed creation date: the file's bytes must not depend on when it was written.
    workbook.set_properties({"created": dt.datetime.fromisoformat(str(day))})
    sheet = workbook.add_worksheet(BAILIFF_SHEET)
    date_format = workbook.add_format({"num_format": "dd.mm.yyyy"})
    for col, name in enumerate(BAILIFF_COLUMNS):
        sheet.write_string(0, col, name)
    # A slice of rows at a time (constant_memory writes each row out as the next begins).
    for start in range(0, len(present), CHUNK_ROWS):
        cells = cells_of(slice(start, start + CHUNK_ROWS))
        for row, values in enumerate(zip(*cells), start=1 + start):
            for col, value in enumerate(values):
                if value is None:
                    continue
                if isinstance(value, int):
                    sheet.write_number(row, col, value, date_format)
                else:
                    sheet.write_string(row, col, value)
    workbook.close()
    return len(present)


def _write_forced_sales_xlsx(path: Path, fs: ForcedSaleWorld, day: dt.date) -> int:
    """The bailiff's forced-sale sheet on ``day``; dates as real Excel dates or as text, case by case."""
    present = sorted((b for b in fs.bailiff_cases if b.received <= day), key=lambda b: b.case_no)
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "constant_memory": True})
    workbook.set_properties({"created": dt.datetime.combine(day, dt.time())})
    sheet = workbook.add_worksheet(FORCED_SALE_SHEET)
    date_format = workbook.add_format({"num_format": "dd.mm.yyyy"})
    for col, name in enumerate(FORCED_SALE_COLUMNS):
        sheet.write_string(0, col, name)
    epoch = dt.date(1899, 12, 30)
    for row, b in enumerate(present, start=1):
        decided = b.decided if b.decided is not None and b.decided <= day else None
        values = {
            "Saksnr": b.case_no, "Mottatt": b.received, "Saksokertype": b.petitioner_type, "Saksoker": b.petitioner,
            "Saksokers_ref": b.reference, "Fodselsnummer": f"{fs.national_id[b.person]:011d}", "Objekttype": b.object_type,
            "Utfall": b.outcome if decided else "UNDER_BEHANDLING", "Utfall_dato": decided,
        }  # fmt: skip
        for col, name in enumerate(FORCED_SALE_COLUMNS):
            value = values[name]
            if value is None:
                continue
            if isinstance(value, dt.date):
                if b.text_dates:
                    sheet.write_string(row, col, value.strftime("%d.%m.%Y"))
                else:
                    sheet.write_number(row, col, (value - epoch).days, date_format)
            else:
                sheet.write_string(row, col, str(value))
    workbook.close()
    return len(present)


def _write_namsfogd(landing_dir: Path, world: World, forced_sales: ForcedSaleWorld, progress: Progress) -> None:
    """The bailiff's eviction cases in every delivery; its forced-sale cases from its first forced-sale extract on."""
    for day in DELIVERY_DATES:
        folder = _delivery_dir(landing_dir, "namsfogd", day)
        path = folder / "cases.xlsx"
        rows = _write_bailiff_xlsx(path, world, day)
        files = [{"name": path.name, "rows": rows, "sha256": _sha256_of_file(path)}]
        progress(f"namsfogd/{day}/cases.xlsx: {rows:,} cases")
        if _pydate(day) >= FORCED_SALES_FIRST_DELIVERY:
            extract = folder / "forced_sales.xlsx"
            count = _write_forced_sales_xlsx(extract, forced_sales, _pydate(day))
            files.append({"name": extract.name, "rows": count, "sha256": _sha256_of_file(extract)})
            progress(f"namsfogd/{day}/forced_sales.xlsx: {count:,} forced-sale cases")
        _write_manifest(folder, "namsfogd", day, files)
