"""Finding ready deliveries in the landing zone and checking them against their manifest.

A delivery is ``<landing>/<source>/<YYYY-MM-DD>/`` with a ``_manifest.json``. A folder
without a manifest is still being written and is ignored. Anything else wrong with a
delivery raises ``DeliveryRefused`` naming the source, delivery, file and reason.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import os
import re
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from orchestration.lib.contract import FileSpec, files_of

MANIFEST_NAME = "_manifest.json"
_DATE_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CHUNK = 16 * 1024 * 1024
# An xlsx larger than this when unzipped is refused rather than read (zip bombs).
MAX_XLSX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
MAX_XLSX_COMPRESSION_RATIO = 200
# A manifest row count beyond this cannot be true and would not fit the audit's Int64 columns.
MAX_MANIFEST_ROWS = 2**62
# What Python's zipfile raises for a damaged or hostile archive (besides BadZipFile).
_BAD_ZIP = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    RuntimeError,
    EOFError,
    OSError,
    ValueError,
    struct.error,
    zlib.error,
)


def _shown(value: object, limit: int = 80) -> str:
    """A manifest value for a message: repr, cut short (a hostile manifest can hold megabytes)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class DeliveryRefused(Exception):
    """The whole delivery is refused; nothing of it is loaded."""

    def __init__(self, source: str, delivery_date: str, file: str | None, reason: str):
        self.source = source
        self.delivery_date = delivery_date
        self.file = file
        self.reason = reason
        where = f"{source}/{delivery_date}" + (f"/{file}" if file else "")
        super().__init__(f"delivery refused: {where}: {reason}")


@dataclass(frozen=True)
class ManifestEntry:
    name: str
    rows: int
    sha256: str


@dataclass(frozen=True)
class Delivery:
    source: str
    delivery_date: str
    folder: Path
    files: tuple[ManifestEntry, ...]

    @property
    def date(self) -> dt.date:
        return dt.date.fromisoformat(self.delivery_date)

    @property
    def checksums(self) -> dict[str, str]:
        return {f.name: f.sha256 for f in self.files}

    def refuse(self, reason: str, file: str | None = None) -> DeliveryRefused:
        return DeliveryRefused(self.source, self.delivery_date, file, reason)


def ready_delivery_folders(landing_dir: Path, source: str) -> list[Path]:
    """Delivery folders of a source that carry a manifest, oldest first."""
    source_dir = landing_dir / source
    if not source_dir.is_dir():
        return []
    return sorted(
        p for p in source_dir.iterdir() if p.is_dir() and _DATE_FOLDER.match(p.name) and (p / MANIFEST_NAME).is_file()
    )


def read_manifest(source: str, folder: Path) -> Delivery:
    delivery_date = folder.name

    def refuse(reason: str, file: str | None = MANIFEST_NAME) -> DeliveryRefused:
        return DeliveryRefused(source, delivery_date, file, reason)

    try:
        dt.date.fromisoformat(delivery_date)
    except ValueError:
        raise refuse(f"folder name {delivery_date!r} is not a valid date", None) from None
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as error:
        # JSONDecodeError and UnicodeDecodeError are ValueErrors, so is an integer of
        # more than 4300 digits; RecursionError is a document nested too deeply.
        detail = "nested too deeply" if isinstance(error, RecursionError) else str(error)[:200]
        raise refuse(f"manifest is not valid JSON ({detail})") from None
    if not isinstance(manifest, dict):
        raise refuse("manifest is not a JSON object")
    if manifest.get("source") != source:
        raise refuse(f"manifest names source {_shown(manifest.get('source'))}, expected {source!r}")
    if manifest.get("delivery_date") != delivery_date:
        raise refuse(
            f"manifest names delivery date {_shown(manifest.get('delivery_date'))}, folder is {delivery_date!r}"
        )
    listed = manifest.get("files")
    if not isinstance(listed, list):
        raise refuse("manifest has no 'files' list")

    expected = {spec.name for spec in files_of(source)}
    entries: list[ManifestEntry] = []
    for item in listed:
        if not isinstance(item, dict):
            raise refuse("a 'files' entry is not an object")
        name, rows, sha = item.get("name"), item.get("rows"), item.get("sha256")
        # Names are plain file names of the contract: this also stops '../' and absolute paths
        # (and a name that is not a string at all, which would not even hash).
        if not isinstance(name, str) or name not in expected:
            raise refuse(f"manifest lists {_shown(name)}, which is not a file of source {source!r}")
        if not isinstance(rows, int) or isinstance(rows, bool) or not 0 <= rows <= MAX_MANIFEST_ROWS:
            raise refuse(f"manifest row count for {name!r} is not a non-negative whole number")
        if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", sha):
            raise refuse(f"manifest sha256 for {name!r} is not 64 hex digits")
        entries.append(ManifestEntry(name, rows, sha.lower()))
    names = [e.name for e in entries]
    if len(set(names)) != len(names):
        raise refuse("manifest lists a file twice")
    # Every file of a source is in every delivery of it (sources.md), save the files that
    # start in a later delivery: a manifest without one (even ``"files": []``) is incomplete.
    unlisted = [spec.name for spec in files_of(source) if spec.in_every_delivery and spec.name not in names]
    if unlisted:
        raise refuse(f"manifest does not list {', '.join(unlisted)}: every delivery of {source!r} holds it")
    for name in names:
        # A symbolic link could point anywhere (another delivery, another person's data):
        # a delivered file is a regular file inside its delivery folder.
        if (folder / name).is_symlink():
            raise refuse("is a symbolic link, not a file delivered in the delivery folder", name)
        if not (folder / name).is_file():
            raise refuse("listed in the manifest but missing from the delivery", name)
    return Delivery(source, delivery_date, folder, tuple(entries))


@dataclass
class Scratch:
    """Nameless, owner-only temporary files for decoded copies of identified extracts.

    A decoded copy (national ids, names) is an anonymous file: created with ``O_TMPFILE``
    (or unlinked at once where the file system lacks it) inside an owner-only folder, mode
    0600, readable through ``/proc/self/fd/<n>`` while this process holds it open. It has no
    name in any folder at any moment, so neither a reader nor a kill at any moment can leave
    one behind: the kernel frees it when the process ends. Use as a context manager.
    """

    folder: Path
    _handles: list[BinaryIO] = field(default_factory=list)

    def __enter__(self) -> Scratch:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def new_file(self) -> tuple[BinaryIO, Path]:
        # kept open until close(): the nameless file exists only as long as its handle
        handle = tempfile.TemporaryFile(mode="w+b", dir=self.folder)  # noqa: SIM115
        os.fchmod(handle.fileno(), 0o600)
        self._handles.append(handle)
        return handle, Path(f"/proc/self/fd/{handle.fileno()}")

    def close(self) -> None:
        while self._handles:
            self._handles.pop().close()


def transcode_and_verify(delivery: Delivery, spec: FileSpec, entry: ManifestEntry, scratch: Scratch) -> Path:
    """Check the file's checksum and encoding in one streaming pass.

    Returns a UTF-8 file polars can read: the original for UTF-8 sources, a transcoded,
    nameless copy in ``scratch`` for Windows-1252 (DuckDB and polars read no cp1252).
    xlsx files are checked for their checksum and for being a sane zip archive.
    """
    path = delivery.folder / entry.name
    digest = hashlib.sha256()
    encoding = spec.format.encoding
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict") if encoding else None
    out, target = scratch.new_file() if encoding == "cp1252" else (None, None)
    # Every byte string is "valid" Windows-1252 save five bytes, so a UTF-8 file delivered for a
    # Windows-1252 source would load with every æ, ø, å garbled (Ã¦, Ã¸, Ã¥). Real Windows-1252
    # Norwegian text is never valid UTF-8 (æøå are single bytes above 0x7F), so: refuse a
    # Windows-1252 file that decodes as UTF-8 and is not plain ASCII.
    utf8_probe = codecs.getincrementaldecoder("utf-8")(errors="strict") if encoding == "cp1252" else None
    non_ascii = False
    offset = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                if utf8_probe is not None:
                    non_ascii = non_ascii or not chunk.isascii()
                    try:
                        utf8_probe.decode(chunk)
                    except UnicodeDecodeError:
                        utf8_probe = None
                if decoder is not None:
                    try:
                        text = decoder.decode(chunk)
                    except UnicodeDecodeError as error:
                        raise delivery.refuse(
                            f"not valid {encoding}: byte {offset + error.start} cannot be decoded", entry.name
                        ) from None
                    if out is not None:
                        out.write(text.encode("utf-8"))
                offset += len(chunk)
            if decoder is not None:
                try:
                    tail = decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    raise delivery.refuse(
                        f"not valid {encoding}: the file ends inside a character", entry.name
                    ) from None
                if out is not None:
                    out.write(tail.encode("utf-8"))
            if utf8_probe is not None and non_ascii:
                try:
                    utf8_probe.decode(b"", final=True)
                except UnicodeDecodeError:
                    utf8_probe = None
    finally:
        if out is not None:
            out.flush()
    if digest.hexdigest() != entry.sha256:
        raise delivery.refuse("checksum does not match the manifest", entry.name)
    if utf8_probe is not None and non_ascii:
        raise delivery.refuse("not valid cp1252: the file is UTF-8 (its letters would be garbled)", entry.name)
    if spec.format.container == "xlsx":
        _check_xlsx_container(delivery, entry.name, path)
    return target or path


def _check_xlsx_container(delivery: Delivery, name: str, path: Path) -> None:
    if not zipfile.is_zipfile(path):
        raise delivery.refuse("not an xlsx workbook (not a zip archive)", name)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            uncompressed = sum(i.file_size for i in infos)
            compressed = max(1, sum(i.compress_size for i in infos))
            if uncompressed > MAX_XLSX_UNCOMPRESSED_BYTES or uncompressed / compressed > MAX_XLSX_COMPRESSION_RATIO:
                raise delivery.refuse(
                    f"xlsx unpacks to {uncompressed} bytes (ratio {uncompressed // compressed}:1): "
                    "refused as a possible zip bomb",
                    name,
                )
            # The sizes above are what the archive declares. Inflate every member once, in
            # chunks: zipfile stops at the declared size and checks the CRC, so an archive that
            # lies about its sizes (the Excel reader would inflate it all into memory) is refused.
            for info in infos:
                with archive.open(info) as member:
                    while member.read(_CHUNK):
                        pass
    except DeliveryRefused:
        raise
    except _BAD_ZIP as error:
        raise delivery.refuse(f"not a valid xlsx workbook ({type(error).__name__}: {str(error)[:200]})", name) from None
