"""A source not yet delivered is unknown, never zero: a table built from it holds no row, says why
in its metadata, and the release page says so instead of printing zeros."""

from __future__ import annotations

import datetime as dt

import pyarrow.parquet as pq

from orchestration.lib import atomic, publish
from orchestration.lib.release import write_release
from tests.support.statistics_frames import as_arrow, statistics_tables

WHEN = dt.datetime(2008, 2, 1, 6, 0, tzinfo=dt.UTC)
DELIVERIES = [f"{s}/2007-12-31" for s in ("boei", "kemner", "namsfogd", "prosjekt")]


def _raw_dir_without(tmp_path, missing: str):
    """A raw layer with a delivery of every contract file but those of ``missing``."""
    from orchestration.lib.contract import FILES

    raw = tmp_path / "raw"
    for spec in FILES:
        folder = raw / spec.source / spec.stem
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "_schema.parquet").write_bytes(b"")
        if spec.source != missing:
            (folder / "2007-12-31.parquet").write_bytes(b"")
    return raw


def test_tables_built_from_an_undelivered_source_are_found_through_the_lineage(tmp_path, dbt_manifest):
    raw = _raw_dir_without(tmp_path, "regnskap")
    found = publish.undelivered_inputs(["project_accounts_summary", "petitions_evictions_by_year"], raw)
    assert found == {"project_accounts_summary": ["regnskap/ledger.csv"]}


def test_an_undelivered_source_publishes_no_row_and_the_page_says_not_yet_known(tmp_path, dbt_manifest):
    published = tmp_path / "published"
    tables = as_arrow(statistics_tables())
    assert tables["project_accounts_summary"].num_rows == 1
    publish.publish_statistics(
        tables,
        published,
        threshold=4,
        deliveries=DELIVERIES,
        run_id="run-1",
        revised_at=WHEN,
        undelivered={"project_accounts_summary": ["regnskap/ledger.csv"]},
    )
    path = published / "project_accounts_summary.parquet"
    assert pq.read_table(path).num_rows == 0
    assert atomic.read_table_metadata(path)["not_yet_delivered"] == ["regnskap/ledger.csv"]
    assert atomic.read_table_metadata(published / "cases_by_district.parquet")["not_yet_delivered"] == []

    release = write_release(published, run_id="run-1", generated_at=WHEN)
    for language, unknown in (("nb", "ennå ikke kjent"), ("en", "not yet known")):
        page = release.pages[language].read_text(encoding="utf-8")
        block = page[page.index('id="table-project_accounts_summary"') :]
        block = block[: block.index("</div>")]
        assert unknown in block and "regnskap/ledger.csv" in block, language
        assert "0.00" not in block and "0,00" not in block, language


def test_the_delivered_source_is_published_again_once_it_arrives(tmp_path, dbt_manifest):
    published = tmp_path / "published"
    tables = as_arrow(statistics_tables())
    publish.publish_statistics(
        tables,
        published,
        threshold=4,
        deliveries=DELIVERIES,
        run_id="run-1",
        revised_at=WHEN,
        undelivered={"project_accounts_summary": ["regnskap/ledger.csv"]},
    )
    publish.publish_statistics(
        tables, published, threshold=4, deliveries=DELIVERIES, run_id="run-2", revised_at=WHEN, undelivered={}
    )
    assert pq.read_table(published / "project_accounts_summary.parquet").num_rows == 1
