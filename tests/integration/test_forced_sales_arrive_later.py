"""An existing warehouse, built from deliveries that predate the forced-sale files, picks them up at
the next refresh (issue #14): before, the forced-sale tables are unknown (no row, "not yet known" on
the release page) and the eviction tables are built; after the later deliveries - with the first
``bbl`` deliveries and ``forced_sales.xlsx`` part-way through the ``namsfogd`` deliveries - arrive,
one refresh publishes the forced-sale tables with the figures the extracts give."""

from __future__ import annotations

import json
import shutil

import polars as pl
import pyarrow.parquet as pq
import pytest

from orchestration.settings import BUNDLED_SAMPLE_DIR
from tests.integration.conftest import run_refresh
from tests.support.sample_contract_reader import forced_sale_figures

pytestmark = pytest.mark.process  # two refreshes of a copied sample

EARLY = ("2006-06-30", "2006-12-31")
KEY = {"EVICTIONS_PSEUDONYM_KEY": "a-test-key-for-a-copied-landing-zone-0123456789"}
FORCED_SALE_TABLES = ("forced_sales_by_year", "forced_sale_notice_coverage", "co_op_arrears_by_stage")


def _copy(landing, *, dates=None):
    for source_dir in sorted(BUNDLED_SAMPLE_DIR.iterdir()):
        for delivery in sorted(source_dir.iterdir()):
            if dates is not None and delivery.name not in dates and source_dir.name != "regnskap":
                continue
            target = landing / source_dir.name / delivery.name
            if not target.exists():
                shutil.copytree(delivery, target)


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory, dbt_manifest):
    root = tmp_path_factory.mktemp("later")
    landing, warehouse = root / "landing", root / "warehouse"
    _copy(landing, dates=EARLY)
    assert not (landing / "bbl").exists()
    before = run_refresh(landing, warehouse, KEY)
    assert before.returncode == 0, before.output[-6000:]
    snapshot = {name: pq.read_table(warehouse / "published" / f"{name}.parquet") for name in FORCED_SALE_TABLES}
    page_before = (warehouse / "published" / "release" / "en" / "index.html").read_text(encoding="utf-8")
    _copy(landing)  # the later deliveries arrive, bbl and forced_sales.xlsx among them
    after = run_refresh(landing, warehouse, KEY)
    assert after.returncode == 0, after.output[-6000:]
    return {"warehouse": warehouse, "landing": landing, "before": snapshot, "page_before": page_before}


def test_before_the_files_arrive_the_tables_are_unknown(refreshed):
    for name, table in refreshed["before"].items():
        assert table.num_rows == 0, name
        document = json.loads(table.schema.metadata[b"evictions"])
        assert document["not_yet_delivered"], name
    assert refreshed["page_before"].count("not yet known") >= len(FORCED_SALE_TABLES)


def test_after_the_next_refresh_the_figures_are_the_extracts(refreshed):
    warehouse = refreshed["warehouse"]
    expected = forced_sale_figures(refreshed["landing"])
    by_year = pl.read_parquet(warehouse / "published" / "forced_sales_by_year.parquet")
    for row in by_year.iter_rows(named=True):
        key = (row["year"], row["petitioner_type"])
        petitions = expected["petitions"].get(key, 0)
        assert row["petitions"] == (None if 1 <= petitions <= 4 else petitions), key
    coverage = pl.read_parquet(warehouse / "published" / "forced_sale_notice_coverage.parquet")
    cooperative_2007 = coverage.filter((pl.col("year") == 2007) & (pl.col("petitioner_type") == "cooperative")).row(
        0, named=True
    )
    assert cooperative_2007["notified_before"] == expected["notified_before"][(2007, "cooperative")]
    assert cooperative_2007["notified_before_pct"] == pytest.approx(
        100 * expected["notified_before"][(2007, "cooperative")] / expected["petitions"][(2007, "cooperative")]
    )
    cases = pl.read_parquet(warehouse / "curated" / "forced_sale_cases.parquet")
    status = dict(cases.group_by("match_status").len().iter_rows())
    m = expected["matches"]
    assert status["matched"] == m["reference"] + m["person_and_date"]
    assert status["bailiff_only"] == m["bailiff_only"] and status["cooperative_only"] == m["cooperative_only"]
    assert pl.read_parquet(warehouse / "curated" / "co_op_arrears.parquet").height == sum(
        expected["co_op_stages"].values()
    )
    for name in FORCED_SALE_TABLES:
        document = json.loads(pq.read_schema(warehouse / "published" / f"{name}.parquet").metadata[b"evictions"])
        assert document["not_yet_delivered"] == [], name
    page = (warehouse / "published" / "release" / "en" / "index.html").read_text(encoding="utf-8")
    assert "Forced sales: the follow-up project" in page and 'id="figure-F1"' in page
