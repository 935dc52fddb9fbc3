"""What a refresh's outputs depend on, as one fingerprint: nothing new, nothing rebuilt.

A refresh builds its outputs from the ready deliveries (their manifests, which carry every
file's SHA-256), the code (Python, templates, the dbt project, the GX suites) and the settings
that change outputs (landing zone, pseudonym key, suppression threshold, restricted lists). When
none of these changed since the last successful refresh, running it again would rebuild the
same tables: ``evictions refresh`` says so and stops (``--force`` rebuilds anyway), and the
monthly schedule skips its run. The fingerprint is kept in ``state/last_refresh.json``; the
pseudonym key enters it only as a hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR, REPO_ROOT, Settings

# Code whose change changes outputs: every file under these folders with these endings.
CODE_FOLDERS = (REPO_ROOT / "orchestration", DBT_PROJECT_DIR, EXPECTATIONS_DIR)
CODE_SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".csv", ".json", ".j2"}
_SKIPPED_PARTS = {"target", "logs", "dbt_packages", "__pycache__"}


def files_digest(
    base: Path, parts: Sequence[Path], suffixes: set[str], skipped: set[str] = frozenset()
) -> hashlib._Hash:
    """A digest of the files under ``parts`` (folders or single files) with these endings, each
    by its path relative to ``base`` and its bytes: a rename or an edit changes it. Folders named
    in ``skipped`` (outputs, caches) are left out."""
    digest = hashlib.sha256()
    for part in parts:
        paths = [part] if part.is_file() else sorted(part.rglob("*"))
        for path in paths:
            relative = path.relative_to(base)
            if not path.is_file() or path.suffix not in suffixes or skipped & set(relative.parts):
                continue
            digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest


def _code_digest() -> str:
    return files_digest(REPO_ROOT, CODE_FOLDERS, CODE_SUFFIXES, _SKIPPED_PARTS).hexdigest()


def _deliveries_digest(landing_dir: Path) -> tuple[str, int]:
    from orchestration.lib.contract import SOURCES
    from orchestration.lib.delivery import MANIFEST_NAME, ready_delivery_folders

    digest, count = hashlib.sha256(), 0
    for source in SOURCES:
        for folder in ready_delivery_folders(landing_dir, source):
            manifest = folder / MANIFEST_NAME
            # The manifest's time too: a delivery delivered again is recorded in the ingest audit.
            stamp = f"{source}/{folder.name}@{manifest.stat().st_mtime_ns}"
            digest.update(stamp.encode() + b"\0" + manifest.read_bytes() + b"\0")
            count += 1
    return digest.hexdigest(), count


def refresh_fingerprint(settings: Settings) -> dict[str, object]:
    deliveries, count = _deliveries_digest(settings.landing_dir)
    return {
        "deliveries": deliveries,
        "ready_deliveries": count,
        "code": _code_digest(),
        "settings": hashlib.sha256(
            json.dumps(
                {
                    "landing_dir": str(settings.landing_dir),
                    "pseudonym_key": hashlib.sha256(settings.pseudonym_key.encode()).hexdigest(),
                    "suppression_threshold": settings.suppression_threshold,
                    "write_restricted": settings.write_restricted,
                },
                sort_keys=True,
            ).encode()
        ).hexdigest(),
    }


def record_path(settings: Settings) -> Path:
    return settings.paths.last_refresh_record


def unchanged_since_last_refresh(settings: Settings, fingerprint: dict[str, object]) -> dict | None:
    """The last successful refresh's record when nothing it depends on has changed, else None."""
    path = record_path(settings)
    if not path.exists():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    if record.get("fingerprint") != fingerprint:
        return None
    # Outputs removed by hand are rebuilt: the last refresh's files must still be there.
    from orchestration.lib.release.page import release_path

    if not release_path(settings.published_dir).exists():
        return None
    return record


def record_successful_refresh(settings: Settings, fingerprint: dict[str, object], run_id: str) -> None:
    import datetime as dt

    from orchestration.lib.atomic import write_text_atomic

    document = {
        "fingerprint": fingerprint,
        "run_id": run_id,
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    write_text_atomic(json.dumps(document, indent=1, sort_keys=True), record_path(settings))


def forget_last_refresh(settings: Settings) -> None:
    record_path(settings).unlink(missing_ok=True)
