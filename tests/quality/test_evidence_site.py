"""The auditors' offline evidence site, quality/index.html, on a warehouse with quarantined rows and a
refused delivery (ingest only: no dbt or GX needed for those sections)."""

from __future__ import annotations

import json

import polars as pl
import pytest

from orchestration.lib.evidence import SECTIONS, build_evidence_site
from orchestration.lib.ingest import ingest_source, write_ingest_audit
from tests.support.browser import outside_references, render
from tests.support.hostile import KEY, NAME, NID, NID_2, deliver, file_bytes, valid_row


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("evidence")
    landing, warehouse = root / "landing", root / "warehouse"
    rows = [valid_row("boei", "tenancies.csv", n, NID if n % 2 else NID_2) for n in range(1, 9)]
    rows[2][8] = "fem tusen"  # husleie: unparseable
    rows[5][6] = "0"  # antall_personer 0: rule household_size_at_least_one (and children_fewer_than_persons)
    deliver(landing, "boei", {"tenancies.csv": file_bytes("boei", "tenancies.csv", rows)}, {"tenancies.csv": 8})
    # A refused delivery: the manifest announces one row more than the file holds.
    kemner = [valid_row("kemner", "petitions.csv", 1)]
    deliver(landing, "kemner", {"petitions.csv": file_bytes("kemner", "petitions.csv", kemner)}, {"petitions.csv": 2})
    for source in ("boei", "kemner"):
        ingest_source(source, landing, warehouse, KEY, progress=lambda _: None, run_id="run-evidence")
    write_ingest_audit(warehouse, "run-evidence")
    build_evidence_site(warehouse, run_id="run-evidence", run_status="failed: delivery refused: kemner/2007-06-30")
    return warehouse


def test_the_page_is_self_contained_and_renders_offline(warehouse):
    page = warehouse / "quality" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert outside_references(html) == []
    dom = render(page)
    for section in SECTIONS:
        assert f'id="{section}"' in dom, section


def test_balance_and_quarantine_reasons_agree_with_the_audit(warehouse):
    html = (warehouse / "quality" / "index.html").read_text(encoding="utf-8")
    audit = pl.read_parquet(warehouse / "quality" / "ingest_audit.parquet")
    tenancies = audit.filter(pl.col("file") == "tenancies.csv").row(0, named=True)
    assert (tenancies["rows_in_manifest"], tenancies["rows_loaded"], tenancies["rows_quarantined"]) == (8, 6, 2)
    reasons = json.loads(tenancies["quarantine_reasons"])
    assert reasons["unparseable:husleie"] == {"rows": 1, "first_rows": [3]}
    assert reasons["rule:household_size_at_least_one"] == {"rows": 1, "first_rows": [6]}
    for code in reasons:
        assert f"<code>{code}</code>" in html
    assert '<span class="ok">holds</span>' in html and "BROKEN" not in html


def test_the_refusal_and_the_run_status_are_shown(warehouse):
    html = (warehouse / "quality" / "index.html").read_text(encoding="utf-8")
    assert "failed: delivery refused: kemner/2007-06-30" in html
    assert "the file has 1 data rows, the manifest says 2" in html


def test_no_national_id_or_name_appears(warehouse):
    html = (warehouse / "quality" / "index.html").read_text(encoding="utf-8")
    for personal in (NID, NID_2, NAME, "fem tusen"):
        assert personal not in html


def test_every_dbt_test_is_shown_at_its_latest_run(warehouse, tmp_path):
    # A full build, then an incremental one that ran one test again (dbt_results keeps the rest).
    import shutil

    from orchestration.lib.dbt_results import merge_run_results
    from orchestration.lib.paths import WarehousePaths

    copy = tmp_path / "warehouse"
    shutil.copytree(warehouse, copy)
    latest, run_results = WarehousePaths(copy).dbt_latest_results, tmp_path / "run_results.json"
    builds = [
        ("2026-01-31T10:00:00Z", True, {"test.evictions.unique_a.1": "pass", "test.evictions.row_rules_b.2": "warn"}),
        ("2026-02-28T10:00:00Z", False, {"test.evictions.unique_a.1": "pass", "model.evictions.a": "success"}),
    ]
    for at, full, results in builds:
        document = {"metadata": {"generated_at": at}, "results": []}
        for uid, status in results.items():
            document["results"].append({"unique_id": uid, "status": status, "failures": int(status == "warn")})
        run_results.write_text(json.dumps(document))
        merge_run_results(run_results, latest, full_build=full)
    build_evidence_site(copy, run_id="run-evidence")
    html = (copy / "quality" / "index.html").read_text(encoding="utf-8")
    section = html[html.index('id="dbt-tests"') : html.index('id="report-comparison"')]
    assert "Every test (2)" in section
    assert "The last build ran 1 of them" in section
    assert "<code>row_rules_b</code>" in section and "2026-01-31 10:00:00" in section
    assert "<code>unique_a</code>" in section and "2026-02-28 10:00:00" in section
