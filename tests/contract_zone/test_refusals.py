"""Each reason the contract gives for refusing a delivery, one at a time, for every file of
every source: the refusal names the source, the delivery, the file and the reason, and
nothing in the warehouse changes (``snapshot.py`` says precisely what that means).

The warehouse already holds a good first delivery of each source (with a quarantined row, so
that quarantine/ has something to keep); the second delivery, generated from the contract,
is then broken in exactly one way. A delivery that is only the broken one's valid twin loads
(checked once per source), so each refusal is due to the one thing broken."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration.lib.contract import FILES, SOURCES, files_of
from tests.contract_zone.checks import ingest
from tests.contract_zone.model import DeliveryModel, FileModel, csv_bytes, xlsx_bytes
from tests.contract_zone.snapshot import assert_unchanged_but_the_refusal, snapshot
from tests.contract_zone.zones import Shape, build_zone

SHAPE = Shape(
    seed=4711,
    deliveries=tuple((s, 2) for s in SOURCES),
    new_rows=2,
    forced_sales_from=0,
    quarantined=frozenset(
        (s.source, s.name, 0)
        for s in FILES
        if s.name in ("tenancies.csv", "cases.xlsx", "arrears.csv", "petitions.csv", "cases.csv")
    ),
    duplicates=True,
)


def _zone():
    return build_zone(SHAPE)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Path:
    """A landing zone with the first delivery of every source, and its warehouse after ingest."""
    base = tmp_path_factory.mktemp("refusals")
    zone = _zone()
    for source in SOURCES:
        zone.deliveries[source][0].write(base / "landing")
        result = ingest(source, base / "landing", base / "warehouse")
        assert result.loaded and not result.refused
    assert any((base / "warehouse" / "quarantine").rglob("*.parquet"))
    return base


def _copy(loaded: Path, tmp_path: Path) -> tuple[Path, Path]:
    for part in ("landing", "warehouse"):
        shutil.copytree(loaded / part, tmp_path / part, copy_function=shutil.copy2)
    return tmp_path / "landing", tmp_path / "warehouse"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- one broken thing at a time -----------------------------------------------------------


@dataclass
class Broken:
    file: str  # what the refusal must name
    reason: str  # a part of the reason it must give
    mention: str = ""  # another part (e.g. the unlisted file's name)


Breaker = Callable[[DeliveryModel, str, Path], Broken]


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "_manifest.json").read_text(encoding="utf-8"))


def _entry(manifest: dict, name: str) -> dict:
    return next(e for e in manifest["files"] if e["name"] == name)


def _save(folder: Path, manifest: dict) -> None:
    (folder / "_manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _replace_file(folder: Path, name: str, data: bytes, rows: int | None = None) -> None:
    """A file replaced, and the manifest made right for it (only the content is broken)."""
    (folder / name).write_bytes(data)
    manifest = _manifest(folder)
    entry = _entry(manifest, name)
    entry["sha256"] = _sha(data)
    if rows is not None:
        entry["rows"] = rows
    _save(folder, manifest)


def row_count(delivery, name, folder):
    manifest = _manifest(folder)
    _entry(manifest, name)["rows"] += 1
    _save(folder, manifest)
    return Broken(name, "the manifest says")


def checksum(delivery, name, folder):
    manifest = _manifest(folder)
    _entry(manifest, name)["sha256"] = _sha((folder / name).read_bytes() + b"\r\n")
    _save(folder, manifest)
    return Broken(name, "checksum does not match the manifest")


def listed_file_missing(delivery, name, folder):
    (folder / name).unlink()
    return Broken(name, "listed in the manifest but missing")


def _rewritten(file: FileModel, header: list[str], extra: str | None) -> bytes:
    if file.spec.format.container == "xlsx":
        return xlsx_bytes(file, header=header)
    rows = [["" if r.cells.get(c) is None else r.cells.get(c, "Ærlig merknad") for c in header] for r in file.rows]
    return csv_bytes(file, header=header, rows=rows)


def header_column_missing(delivery, name, folder):
    file = delivery.files[name]
    dropped = file.spec.columns[len(file.spec.columns) // 2].name
    header = [c for c in file.header if c != dropped]
    _replace_file(folder, name, _rewritten(file, header, None))
    return Broken(name, "missing columns", dropped)


def header_column_unknown(delivery, name, folder):
    file = delivery.files[name]
    header = [*file.header[:2], "merknad", *file.header[2:]]
    _replace_file(folder, name, _rewritten(file, header, "merknad"))
    return Broken(name, "unknown columns at positions [3]")


def not_valid_in_its_encoding(delivery, name, folder):
    file = delivery.files[name]
    data = file.data()
    encoding = file.spec.format.encoding
    letter = next(c for c in "æøåÆØÅ" if c.encode(encoding) in data)
    # cp1252 leaves 0x81 undefined; a lone 0xE5 (Latin-1 å) is no UTF-8.
    bad = b"\x81" if encoding == "cp1252" else b"\xe5"
    _replace_file(folder, name, data.replace(letter.encode(encoding), bad, 1))
    return Broken(name, f"not valid {encoding}")


def cp1252_file_delivered_as_utf8(delivery, name, folder):
    data = delivery.files[name].data().decode("cp1252").encode("utf-8")
    _replace_file(folder, name, data)
    return Broken(name, "not valid cp1252: the file is UTF-8")


def xlsx_without_its_sheet(delivery, name, folder):
    file = delivery.files[name]
    _replace_file(folder, name, xlsx_bytes(file, sheet="Ark1"))
    return Broken(name, f"the workbook has no sheet {file.spec.sheet!r}")


def xlsx_not_a_workbook(delivery, name, folder):
    _replace_file(folder, name, delivery.files[name].data()[:200])
    return Broken(name, "not an xlsx workbook")


FILE_BREAKERS: dict[str, Breaker] = {
    "row_count": row_count,
    "checksum": checksum,
    "listed_file_missing": listed_file_missing,
    "header_column_missing": header_column_missing,
    "header_column_unknown": header_column_unknown,
}
CSV_BREAKERS: dict[str, Breaker] = {"not_valid_in_its_encoding": not_valid_in_its_encoding}
CP1252_BREAKERS: dict[str, Breaker] = {"utf8_for_cp1252": cp1252_file_delivered_as_utf8}
XLSX_BREAKERS: dict[str, Breaker] = {"no_named_sheet": xlsx_without_its_sheet, "not_a_workbook": xlsx_not_a_workbook}


def _file_cases():
    for spec in FILES:
        breakers = dict(FILE_BREAKERS)
        if spec.format.container == "xlsx":
            breakers |= XLSX_BREAKERS
        else:
            breakers |= CSV_BREAKERS
            if spec.format.encoding == "cp1252":
                breakers |= CP1252_BREAKERS
        for label, breaker in breakers.items():
            yield pytest.param(spec.source, spec.name, breaker, id=f"{spec.source}/{spec.name}:{label}")


def _refused_once(landing: Path, warehouse: Path, source: str, delivery_date: str, broken: Broken) -> None:
    before = snapshot(warehouse)
    result = ingest(source, landing, warehouse)
    assert result.loaded == [], "nothing of a refused delivery is loaded"
    assert len(result.refused) == 1, [str(r) for r in result.refused]
    refusal = result.refused[0]
    assert (refusal.source, refusal.delivery_date, refusal.file) == (source, delivery_date, broken.file)
    assert broken.reason in refusal.reason and broken.mention in refusal.reason, refusal.reason
    message = str(refusal)
    for part in (source, delivery_date, broken.file, refusal.reason):
        assert part in message, f"the message {message!r} does not name {part!r}"
    after = snapshot(warehouse)
    assert_unchanged_but_the_refusal(before, after, result.refused)
    # Seen again by the next run: the same one finding, nothing else changes.
    again = ingest(source, landing, warehouse)
    assert len(again.refused) == 1 and again.loaded == []
    assert snapshot(warehouse) == after


@pytest.mark.parametrize(("source", "name", "breaker"), list(_file_cases()))
def test_a_broken_file_refuses_the_delivery_and_changes_nothing(loaded, tmp_path, source, name, breaker):
    landing, warehouse = _copy(loaded, tmp_path)
    delivery = _zone().deliveries[source][1]
    folder = delivery.write(landing)
    broken = breaker(delivery, name, folder)
    _refused_once(landing, warehouse, source, delivery.delivery_date, broken)


@pytest.mark.parametrize(
    ("source", "omitted"),
    [pytest.param(s.source, (s.name,), id=f"{s.source}:without_{s.name}") for s in FILES if s.in_every_delivery]
    + [pytest.param(source, None, id=f"{source}:files_empty") for source in SOURCES],
)
def test_a_manifest_omitting_a_file_of_every_delivery_is_refused(loaded, tmp_path, source, omitted):
    landing, warehouse = _copy(loaded, tmp_path)
    delivery = _zone().deliveries[source][1]
    folder = delivery.write(landing)
    manifest = _manifest(folder)
    manifest["files"] = [] if omitted is None else [e for e in manifest["files"] if e["name"] not in omitted]
    _save(folder, manifest)
    every = [s.name for s in files_of(source) if s.in_every_delivery]
    mention = omitted[0] if omitted else every[0]
    _refused_once(
        landing, warehouse, source, delivery.delivery_date, Broken("_manifest.json", "does not list", mention)
    )


@pytest.mark.parametrize("source", SOURCES)
def test_a_changed_redelivery_of_a_loaded_date_is_refused(loaded, tmp_path, source):
    landing, warehouse = _copy(loaded, tmp_path)
    first = _zone().deliveries[source][0]
    folder = landing / source / first.delivery_date
    name = next(n for n, f in first.files.items() if f.rows)
    file = first.files[name]
    data = file.data()
    # One value of the file changed, the file and manifest otherwise in order.
    row = next(r for r in file.rows if not r.reasons)
    column = next(
        c.name
        for c in file.spec.columns
        if c.type == "text" and not c.national_id and not c.personal and isinstance(row.cells[c.name], str)
    )
    original = row.cells[column]
    row.cells[column] = original + " endret"
    file._data = None
    changed = file.data()
    row.cells[column] = original
    file._data = None
    assert changed != data
    _replace_file(folder, name, changed)
    _refused_once(
        landing, warehouse, source, first.delivery_date, Broken(name, "already loaded with different checksums")
    )


@pytest.mark.parametrize("source", SOURCES)
def test_the_unbroken_second_delivery_loads(loaded, tmp_path, source):
    """The control: without the one broken thing, each second delivery is accepted."""
    landing, warehouse = _copy(loaded, tmp_path)
    delivery = _zone().deliveries[source][1]
    delivery.write(landing)
    result = ingest(source, landing, warehouse)
    assert result.loaded == [delivery.delivery_date] and not result.refused
