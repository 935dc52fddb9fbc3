"""The revision log (published/revisions.parquet): what a refresh that changes a published figure
records, and that a first publication or an unchanged refresh records nothing."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.lib import atomic, revisions
from orchestration.lib.disclosure import DisclosureRule, protect

ROW_KEYS = {"petitions_evictions_by_year": ("year", "source"), "cases_by_district": ("district",),
            "project_accounts_summary": ()}  # fmt: skip
WHEN = dt.datetime(2008, 2, 1, 6, 0, tzinfo=dt.UTC)
DISTRICT_RULE = DisclosureRule(counts=("cases", "evictions"), derived={"eviction_share_pct": ("cases", "evictions")})


def by_year(collector_2007: int = 229) -> pa.Table:
    return pl.DataFrame(
        {
            "year": [2006, 2007, 2006, 2007],
            "source": ["collector", "collector", "bailiff", "bailiff"],
            "petitions": [110, collector_2007, 445, 539],
            "petitions_change_pct": [None, 100 * (collector_2007 - 110) / 110, None, 100 * 94 / 445],
            "suppressed": [False] * 4,
        },
        schema_overrides={"year": pl.Int32},
    ).to_arrow()


def districts(evictions: list[int]) -> pa.Table:
    cases = [60, 150, 105]
    frame = pl.DataFrame(
        {
            "district": ["Arna", "Laksevåg", "Årstad"],
            "cases": cases,
            "evictions": evictions,
            "eviction_share_pct": [100 * e / c for e, c in zip(evictions, cases)],
        }
    )
    return protect(frame, DISTRICT_RULE, 4).to_arrow()


def accounts(balance: str = "-322317.41") -> pa.Table:
    return pa.table(
        {
            "total_income_nok": pa.array([Decimal("509075.00")], pa.decimal128(14, 2)),
            "balance_nok": pa.array([Decimal(balance)], pa.decimal128(14, 2)),
            "suppressed": [False],
        }
    )


def publish(published: Path, tables: dict[str, pa.Table], run_id: str) -> pl.DataFrame:
    """What publish_statistics does: compare before replacing, export, append to the log."""
    found = revisions.revisions_before_publishing(
        published, tables, {n: ROW_KEYS[n] for n in tables}, run_id=run_id, revised_at=WHEN
    )
    for name, table in tables.items():
        atomic.write_parquet_atomic(table, published / f"{name}.parquet", table_name=name, run_id=run_id,
                                    deliveries=["kemner/2007-12-31"])  # fmt: skip
    revisions.append(published, found, deliveries=["kemner/2007-12-31"], run_id=run_id)
    return found


def tables(**changes) -> dict[str, pa.Table]:
    return {
        "petitions_evictions_by_year": by_year(changes.get("collector_2007", 229)),
        "cases_by_district": districts(changes.get("evictions", [6, 10, 8])),
        "project_accounts_summary": accounts(changes.get("balance", "-322317.41")),
    }


def test_first_publication_records_nothing(tmp_path):
    found = publish(tmp_path, tables(), "run-1")
    assert found.is_empty()
    log = revisions.read_log(tmp_path)
    assert log.is_empty() and log.schema == revisions.SCHEMA
    # The empty log is published all the same, described like every published file.
    document = atomic.read_table_metadata(tmp_path / "revisions.parquet")
    assert document["table"] == "revisions" and document["run_id"] == "run-1" and document["deliveries"]
    assert all(document["columns"][c] for c in revisions.SCHEMA.names())


def test_an_unchanged_refresh_records_nothing(tmp_path):
    publish(tmp_path, tables(), "run-1")
    assert publish(tmp_path, tables(), "run-2").is_empty()
    assert revisions.read_log(tmp_path).is_empty()


def test_a_corrected_value_records_exactly_the_changed_cells(tmp_path):
    publish(tmp_path, tables(), "run-1")
    found = publish(tmp_path, tables(collector_2007=230), "run-2")
    assert sorted(found.select("table", "row_key", "column", "old_value", "new_value").rows()) == [
        ("petitions_evictions_by_year", '{"year": 2007, "source": "collector"}', "petitions", "229", "230"),
        ("petitions_evictions_by_year", '{"year": 2007, "source": "collector"}', "petitions_change_pct",
         repr(100 * 119 / 110), repr(100 * 120 / 110)),
    ]  # fmt: skip
    row = found.row(0, named=True)
    assert row["previous_run_id"] == "run-1" and row["run_id"] == "run-2"
    assert row["revised_at"] == WHEN and row["revision_date"] == dt.date(2008, 2, 1)
    log = revisions.read_log(tmp_path)
    assert log.height == 2
    # A further unchanged refresh adds nothing; a later correction is appended.
    publish(tmp_path, tables(collector_2007=230), "run-3")
    assert revisions.read_log(tmp_path).height == 2
    publish(tmp_path, tables(collector_2007=230, balance="-322317.40"), "run-4")
    log = revisions.read_log(tmp_path)
    assert log.height == 3
    assert log.row(2, named=True) | {} == {
        "table": "project_accounts_summary", "row_key": "{}", "column": "balance_nok",
        "old_value": "-322317.41", "new_value": "-322317.40", "previous_run_id": "run-3", "run_id": "run-4",
        "revised_at": WHEN, "revision_date": dt.date(2008, 2, 1),
    }  # fmt: skip


def test_a_figure_that_becomes_suppressed_or_shown_is_a_revision(tmp_path):
    publish(tmp_path, tables(evictions=[6, 10, 8]), "run-1")
    # Arna's 6 evictions are corrected to 3: suppressed now, its share with it, and Årstad's 8
    # (the next smallest) with them, although its value did not change; Laksevåg's 10 becomes 12.
    found = publish(tmp_path, tables(evictions=[3, 12, 8]), "run-2")
    rows = found.select("row_key", "column", "old_value", "new_value").rows()
    got = {(json.loads(k)["district"], c): (o, n) for k, c, o, n in rows}
    assert set(got) == {(d, c) for d in ("Arna", "Laksevåg", "Årstad") for c in ("evictions", "eviction_share_pct")}
    assert got[("Arna", "evictions")] == ("6", None)
    assert got[("Årstad", "evictions")] == ("8", None)
    assert got[("Laksevåg", "evictions")] == ("10", "12")
    # Shown again later: recorded from null.
    found = publish(tmp_path, tables(evictions=[7, 12, 8]), "run-3")
    assert ("Arna", "evictions") in {
        (json.loads(k)["district"], c) for k, c in found.select("row_key", "column").rows()
    }


def test_new_rows_are_new_figures_and_withdrawn_rows_are_recorded():
    old = pl.DataFrame({"year": [2006, 2007], "petitions": [110, 229]}).to_arrow()
    new = pl.DataFrame({"year": [2007, 2008], "petitions": [229, 80]}).to_arrow()
    found = revisions.compare("t", old, new, ("year",), run_id="r", revised_at=WHEN)
    assert found.select("row_key", "column", "old_value", "new_value").rows() == [
        ('{"year": 2006}', "petitions", "110", None)
    ]


def test_a_table_can_name_the_columns_that_are_its_figures(dbt_manifest):
    old = pl.DataFrame({"k": ["a"], "value": [1.0], "explanation": ["one"]}).to_arrow()
    new = pl.DataFrame({"k": ["a"], "value": [2.0], "explanation": ["two"]}).to_arrow()
    found = revisions.compare("t", old, new, ("k",), run_id="r", revised_at=WHEN, figures=("value",))
    assert found["column"].to_list() == ["value"]
    assert revisions.figures_for("report_comparison") == ("warehouse_value", "status")
    assert revisions.figures_for("petitions_evictions_by_year") is None


def test_floating_point_noise_is_not_a_revision():
    old = pl.DataFrame({"k": ["a"], "share": [100 / 3]}).to_arrow()
    new = pl.DataFrame({"k": ["a"], "share": [100 / 3 + 1e-15]}).to_arrow()
    assert revisions.compare("t", old, new, ("k",), run_id="r", revised_at=WHEN).is_empty()


def test_a_row_key_that_does_not_identify_rows_is_refused():
    table = pl.DataFrame({"k": ["a", "a"], "v": [1, 2]}).to_arrow()
    with pytest.raises(revisions.RowKeyError):
        revisions.compare("t", table, table, ("k",), run_id="r", revised_at=WHEN)


def test_every_published_model_declares_its_row_key(dbt_manifest):
    from orchestration.lib.dbt_manifest import models_in_schema

    for name in models_in_schema("published"):
        assert isinstance(revisions.row_key_for(name), tuple)
    assert revisions.row_key_for("petitions_evictions_by_year") == ("year", "source")


def test_the_log_is_replaced_atomically(tmp_path, monkeypatch):
    publish(tmp_path, tables(), "run-1")
    publish(tmp_path, tables(collector_2007=230), "run-2")
    before = (tmp_path / "revisions.parquet").read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", broken)
    found = revisions.revisions_before_publishing(tmp_path, tables(collector_2007=231), ROW_KEYS, run_id="run-3")
    with pytest.raises(OSError):
        revisions.append(tmp_path, found, deliveries=["x"], run_id="run-3")
    assert (tmp_path / "revisions.parquet").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
