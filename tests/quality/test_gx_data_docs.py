"""Data Docs for auditors: every recorded run is listed, and no data value reaches the quality folder."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from urllib.parse import unquote

import polars as pl
import pytest

from orchestration.lib import gx_validation as gv
from orchestration.lib import locking
from orchestration.lib.paths import WarehousePaths
from tests.support import quality_frames as frames

pytestmark = pytest.mark.usefixtures("gx")

# Recognisable values put into failing columns; none may appear in any file under quality/.
SENTINEL_DISTRICT = "SENTINEL_ØÆÅ"
SENTINEL_PERSON_KEY = "DEADBEEF" * 8  # 64 characters, but upper case: breaks the pattern
SENTINEL_RENT = Decimal("-31337.77")
SENTINEL_DATE = dt.date(2099, 9, 9)
FORBIDDEN = ["SENTINEL", "deadbeef", "31337", "2099-09-09", "20990909", "09.09.2099", "&Oslash;&AElig;&Aring;"]


def _spoilt_tenancies() -> pl.DataFrame:
    return frames.tenancies().with_columns(
        pl.Series("bydel", [SENTINEL_DISTRICT, "Fana", "Arna"]),
        pl.Series("person_key", [SENTINEL_PERSON_KEY, frames.person_key(1), frames.person_key(2)]),
        pl.Series("husleie", [SENTINEL_RENT, Decimal("4100.50"), Decimal("6000.00")], dtype=pl.Decimal(12, 2)),
        pl.Series("fra_dato", [SENTINEL_DATE, dt.date(2003, 1, 1), dt.date(2006, 9, 15)], dtype=pl.Date),
        pl.lit(None, dtype=pl.Date).alias("til_dato"),
    )


def test_data_docs_list_every_run_and_leak_no_value(tmp_path, monkeypatch):
    paths = WarehousePaths(tmp_path)
    quality = paths.quality_dir
    good = gv.validate_delivery("boei", frames.DELIVERY, frames.good_tables("boei"), "run-first", paths=paths)
    bad = gv.validate_delivery(
        "boei",
        frames.DELIVERY,
        {"tenancies": _spoilt_tenancies(), "rent_ledger": frames.rent_ledger()},
        "run-second",
        paths=paths,
    )
    assert good.success and not bad.success
    assert {(e.column, e.severity) for e in bad.failures} == {
        ("bydel", "critical"),
        ("person_key", "critical"),
        ("husleie", "critical"),
        ("fra_dato", "warning"),
    }
    for run in ("run-first", "run-second"):
        assert gv.validation_path(paths, "boei", frames.DELIVERY, run).exists()

    # The build takes the warehouse's own lock (locking.py), under state/, not a lock of its own.
    taken = []
    real_lock = locking.warehouse_lock

    def recording_lock(state_dir, name, **options):
        taken.append((state_dir, name))
        return real_lock(state_dir, name, **options)

    monkeypatch.setattr(locking, "warehouse_lock", recording_lock)
    index = gv.build_data_docs(paths)
    assert taken == [(paths.state_dir, locking.DATA_DOCS_LOCK)]
    assert (paths.state_dir / f"{locking.DATA_DOCS_LOCK}.lock").exists()
    assert index == quality / "data_docs" / "index.html" == paths.data_docs_index
    html = index.read_text(encoding="utf-8")
    assert "run-first" in html and "run-second" in html
    assert "boei__tenancies__2007-12-31" in html and "raw/boei/rent_ledger/2007-12-31.parquet" in html
    pages = sorted(
        p.relative_to(quality / "data_docs").as_posix() for p in (quality / "data_docs" / "validations").rglob("*.html")
    )
    assert len(pages) == 4  # 2 runs x 2 files
    assert {p.split("/")[3] for p in pages} == {"run-first", "run-second"}
    assert (quality / "data_docs" / "expectations" / "boei" / "tenancies.html").exists()
    # The static run history (readable without GX's CDN scripts) links to GX's page of each file.
    history = html[html.index('id="evictions-run-history"') :]
    links = re.findall(r'href="([^"]+)"', history)
    assert len(links) == 4 and all((quality / "data_docs" / unquote(link)).exists() for link in links)

    # A rebuild after another run keeps the history and lists the new run too.
    gv.validate_delivery("regnskap", frames.DELIVERY, frames.good_tables("regnskap"), "run-third", paths=paths)
    html = gv.build_data_docs(paths).read_text(encoding="utf-8")
    assert all(run in html for run in ("run-first", "run-second", "run-third"))
    assert not list(quality.glob(".data_docs.*-*")), "build and swap directories are cleaned up"

    # The privacy check: grep every byte of every file under quality/.
    files = [p for p in quality.rglob("*") if p.is_file()]
    assert len(files) > 10
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        for forbidden in FORBIDDEN:
            assert forbidden.lower() not in text.lower(), f"{forbidden!r} leaked into {path.relative_to(quality)}"
    # ... and the stored results hold counts, not values.
    stored = json.loads(gv.validation_path(paths, "boei", frames.DELIVERY, "run-second").read_text(encoding="utf-8"))
    failed = [r for doc in stored["gx_results"] for r in doc["results"] if not r["success"]]
    assert failed and all(set(r["result"]) <= set(gv._SAFE_RESULT_KEYS) for r in failed)
