"""What the sample refresh shows its people: the operator's console output (sent to a file, as in a
scheduled job) and the auditors' offline evidence site."""

from __future__ import annotations

import re

import polars as pl

from orchestration.lib.evidence import SECTIONS
from tests.support.browser import outside_references, render
from tests.support.people import landing_people


def test_the_console_output_reads_as_one_line_per_stage(sample_refresh):
    lines = sample_refresh.output.splitlines()
    assert "\x1b[" not in sample_refresh.output, "no terminal codes when the output is not a terminal"
    assert len(lines) < 150, "not a line per dbt node (that is --verbose)"
    assert any(
        re.search(r"boei/2007-12-31/tenancies\.csv: \d+ rows: \d+ loaded, 0 quarantined, 0 collapsed", line)
        for line in lines
    )
    assert any(
        re.search(r"warehouse_dbt: dbt: \d+ models and seeds built; \d+ tests: \d+ passed, 0 warned, 0 failed", line)
        for line in lines
    )
    for step in ("ingest_boei", "warehouse_dbt", "publish_statistics", "quality__evidence_site"):
        assert any(re.search(rf"{step}: done in \d+\.\d s", line) for line in lines), step
    assert not any(" of 2" in line and " START " in line for line in lines), "dbt's per-node lines went to its log file"
    assert (sample_refresh.warehouse / "state" / "dbt_target" / "console.log").stat().st_size > 0


def test_the_evidence_site_renders_offline_and_agrees_with_the_parquet_evidence(sample_refresh):
    page = sample_refresh.warehouse / "quality" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert outside_references(html) == []
    dom = render(page)
    for section in SECTIONS:
        assert f'id="{section}"' in dom, section
    audit = pl.read_parquet(sample_refresh.warehouse / "quality" / "ingest_audit.parquet")
    assert html.count('<span class="ok">holds</span>') == audit.filter(pl.col("status") == "loaded").height
    findings = pl.read_parquet(sample_refresh.warehouse / "quality" / "reconciliation.parquet")
    assert findings.height > 0
    for (check, severity), group in findings.group_by(["check", "severity"]):
        row = f'<td>{severity}</td><td><a href="#check-{check}-{severity}">{check}</a></td><td class="num">{group.height}</td>'
        assert row in html, row
    assert "report_comparison" in html and "Statistics status</dt><dd>final" in html
    ids, names = landing_people(sample_refresh.landing)
    assert not ids & set(re.findall(r"(?<!\d)\d{11}(?!\d)", html))
    assert not any(name in html for name in names)
