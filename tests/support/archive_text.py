"""The text inside a zip archive (an .xlsx is one), for privacy scans: its compressed bytes read
as text would hide every name and national id in it."""

from __future__ import annotations

import zipfile
from pathlib import Path

ZIP_MAGIC = b"PK\x03\x04"


def archive_text(path: Path) -> str | None:
    """Every member of the zip archive at ``path`` decoded as UTF-8 and joined, or None when the
    file is no zip archive."""
    with path.open("rb") as handle:
        if handle.read(len(ZIP_MAGIC)) != ZIP_MAGIC:
            return None
    with zipfile.ZipFile(path) as archive:
        return "\n".join(
            f"{member}\n" + archive.read(member).decode("utf-8", errors="replace") for member in archive.namelist()
        )
