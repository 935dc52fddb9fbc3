"""The forced-sale models (issue #14) on the hand-made scenario of ``forced_sales_fixture``.

One ``dbt build`` over the eviction fixture plus two deliveries of ``bbl/arrears`` and
``namsfogd/forced_sales``; the expected answers are written out in the fixture's docstring.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from statistics import median

import duckdb
import pytest

from tests.dbt.test_dbt_project import _dbt, rows
from tests.support.forced_sales_fixture import ARREARS, FORCED_SALES, SECOND, write_forced_sales_fixture
from tests.support.raw_fixture import J

D = dt.date


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    root = tmp_path_factory.mktemp("dbt_forced_sales")
    warehouse = root / "warehouse"
    write_forced_sales_fixture(warehouse)
    result = _dbt(["build", "--threads", "2"], warehouse, root / "dbt")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "ERROR=0" in result.stdout
    connection = duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True)
    yield connection
    connection.close()


def test_forced_sale_cases_and_match_statuses(db):
    got = {(r["bailiff_case_no"], r["arrears_case_id"]): r for r in rows(db, "select * from marts.forced_sale_cases")}
    assert {k: (r["match_status"], r["match_method"]) for k, r in got.items()} == {
        ("F-1", "A-1"): ("matched", "reference"),
        ("F-2", "A-2"): ("matched", "person_and_date"),  # no reference: same person, petitioned 4 days before
        ("F-3", "A-3"): ("matched", "reference"),  # A-3 closed and left the latest bbl delivery
        ("F-4", None): ("bailiff_only", None),  # a reference no arrears case has
        ("F-5", None): ("not_applicable", None),
        ("F-6", None): ("not_applicable", None),
        ("F-7", None): ("not_applicable", None),
        (None, "A-4"): ("cooperative_only", None),
        (None, "A-5"): ("cooperative_only", None),
    }
    f2 = got[("F-2", "A-2")]
    assert (f2["petitioner_type"], f2["housing_association"], f2["object_type"], f2["outcome"]) == (
        "cooperative",
        "VESTBO",
        "co_op_share",
        "sold",
    )
    assert f2["is_forced_sale"] and f2["outcome_date"] == D(2007, 10, 1) and f2["district"] == "Fana"
    a4 = got[(None, "A-4")]
    assert (a4["petitioner_type"], a4["object_type"], a4["outcome"], a4["received_date"]) == (
        "cooperative",
        "co_op_share",
        "pending",
        None,
    )
    assert a4["petition_date"] == D(2007, 12, 20)
    f5 = got[("F-5", None)]
    # the municipality's case takes district and arrears from the person's TVANGSSALG notice
    assert (f5["petitioner_type"], f5["person_key"], f5["district"], f5["arrears_nok"]) == (
        "municipality",
        J,
        "Fana",
        Decimal("120000.00"),
    )
    assert got[("F-6", None)]["housing_association"] is None and got[("F-6", None)]["object_type"] == "owner_flat"


def test_social_service_notified_before_the_petition(db):
    got = {
        (r["bailiff_case_no"], r["arrears_case_id"]): (
            r["social_service_notified_date"],
            r["notice_days_before_petition"],
        )
        for r in rows(db, "select * from marts.forced_sale_cases")
    }
    assert got == {
        ("F-1", "A-1"): (D(2007, 2, 1), 32),  # sosialtjeneste_varslet, before Mottatt 2007-03-05
        ("F-2", "A-2"): (None, None),
        ("F-3", "A-3"): (D(2006, 12, 15), 31),
        ("F-4", None): (None, None),
        ("F-5", None): (D(2007, 11, 5), 26),  # the collector's TVANGSSALG notice V-2 for the same person
        ("F-6", None): (None, None),
        ("F-7", None): (None, None),
        (None, "A-4"): (D(2007, 12, 10), 10),  # measured against begjaert_dato (the bailiff never received it)
        (None, "A-5"): (None, None),
    }


def test_co_op_arrears_is_the_latest_delivery(db):
    got = {r["arrears_case_id"]: r for r in rows(db, "select * from marts.co_op_arrears")}
    assert sorted(got) == sorted(row[0] for row in ARREARS[SECOND])
    assert got["A-7"]["months_overdue"] == 10 and got["A-7"]["stage"] == "ordered_to_sell"
    assert got["A-6"]["months_overdue"] == 8 and got["A-6"]["arrears_nok"] == Decimal("12000.00")
    assert {k for k, r in got.items() if r["priority"]} == {"A-1", "A-4", "A-7"}  # children, 67+, children
    assert all(r["snapshot_date"] == SECOND for r in got.values())
    assert "share_no" not in got["A-1"] and "andel_nr" not in got["A-1"]


def test_history_of_both_snapshots(db):
    versions = rows(
        db, "select * from intermediate.int_co_op_arrears_historized where arrears_case_id = 'A-1' order by valid_from"
    )
    assert [(v["stage_code"], v["valid_from"], v["valid_to"]) for v in versions] == [
        ("BEGJAERT", D(2007, 6, 30), SECOND),
        ("LOST", SECOND, None),
    ]
    a3 = rows(db, "select * from intermediate.int_co_op_arrears_historized where arrears_case_id = 'A-3'")
    assert [(v["valid_from"], v["valid_to"], v["is_current"]) for v in a3] == [(D(2007, 6, 30), SECOND, False)]
    f1 = rows(
        db, "select * from intermediate.int_forced_sales_historized where bailiff_case_no = 'F-1' order by valid_from"
    )
    assert [v["outcome_code"] for v in f1] == ["UNDER_BEHANDLING", "BORTFALT"]
    assert db.execute("select count(*) from intermediate.int_forced_sales_filtered_to_latest").fetchone()[0] == len(
        FORCED_SALES[SECOND]
    )


def test_forced_sales_by_year(db):
    got = {(r["year"], r["petitioner_type"]): r for r in rows(db, "select * from published.forced_sales_by_year")}
    assert set(got) == {(y, t) for y in (2006, 2007) for t in ("cooperative", "municipality", "bank", "other")}
    counts = {k: (r["petitions"], r["forced_sales"], r["lapsed_or_withdrawn"]) for k, r in got.items()}
    assert counts[(2006, "municipality")] == (1, 0, 1)  # F-7 lapsed 2006
    assert counts[(2006, "bank")] == (1, 0, 0)  # F-6 received 2006 ...
    assert counts[(2007, "bank")] == (0, 1, 0)  # ... sold 2007 (by year of the outcome)
    assert counts[(2007, "cooperative")] == (4, 1, 3)  # F-1..F-4; F-2 sold; F-1, F-3 lapsed, F-4 withdrawn
    assert counts[(2007, "municipality")] == (1, 0, 0)
    c07 = got[(2007, "cooperative")]
    assert c07["petitions_change"] == 4 and c07["petitions_change_pct"] is None  # against 0 in 2006
    assert c07["forced_sale_share_pct"] == pytest.approx(25.0)
    assert got[(2007, "bank")]["petitions_change_pct"] == pytest.approx(-100.0)


def test_notice_coverage_computed_independently(db):
    """The coverage table against a recomputation from the fixture's raw rows, not from the marts."""
    arrears = {row[0]: row for rows_ in ARREARS.values() for row in rows_}
    notices = {J: [D(2007, 11, 5)]}
    expected: dict[tuple[int, str], list[int]] = {}
    counts: dict[tuple[int, str], int] = {}
    for case in FORCED_SALES[SECOND]:
        _, received, kind, reference, _, _, _, who, _, _ = case
        if kind not in ("BORETTSLAG", "KOMMUNE"):
            continue
        key = (received.year, "cooperative" if kind == "BORETTSLAG" else "municipality")
        counts[key] = counts.get(key, 0) + 1
        candidates = list(notices.get(who, []))
        co_op = arrears.get(reference) or next((a for a in arrears.values() if a[12] == who and a[11]), None)
        if co_op and co_op[10]:
            candidates.append(co_op[10])
        before = [d for d in candidates if d < received]
        if before:
            expected.setdefault(key, []).append((received - min(before)).days)
    got = {
        (r["year"], r["petitioner_type"]): r for r in rows(db, "select * from published.forced_sale_notice_coverage")
    }
    for key, row in got.items():
        days = expected.get(key, [])
        assert row["petitions"] == counts.get(key, 0), key
        assert row["notified_before"] == len(days), key
        if row["petitions"]:
            assert row["notified_before_pct"] == pytest.approx(100 * len(days) / row["petitions"])
        assert row["median_notice_days"] == (pytest.approx(median(days)) if days else None)
    assert got[(2007, "cooperative")]["median_notice_days"] == pytest.approx(31.5)


def test_co_op_arrears_by_stage(db):
    got = {
        (r["housing_association"], r["stage"]): r for r in rows(db, "select * from published.co_op_arrears_by_stage")
    }
    assert len(got) == 18
    bob = got[("BOB", "petitioned")]
    assert (bob["cases"], bob["with_children"], bob["arrears_nok_total"]) == (2, 0, Decimal("55999.99"))
    assert (bob["10000-19999"], bob["30000+"]) == (1, 1)
    assert sum(r["cases"] for r in got.values()) == len(ARREARS[SECOND])
    assert got[("VESTBO", "sold_by_force")]["under 5000"] == 1


def test_reconciliation_findings_and_match_rates(db):
    found = rows(
        db, "select * from quality.reconciliation where \"check\" like 'forced_sale%' or \"check\" like 'co_op%'"
    )
    got = sorted(
        (r["check"], r["severity"], r["bailiff_case_no"], r["arrears_case_id"])
        for r in found
        if r["check"] != "forced_sale_match_rate"
    )
    assert got == sorted(
        [
            ("co_op_petition_not_at_bailiff", "warning", None, "A-4"),
            ("co_op_petition_not_at_bailiff", "warning", None, "A-5"),
            ("forced_sale_without_co_op_arrears", "warning", "F-4", None),
            ("forced_sale_without_notice", "warning", "F-2", "A-2"),
            ("forced_sale_without_notice", "warning", "F-4", None),
            ("forced_sale_without_notice", "warning", "F-7", None),
            ("forced_sale_without_notice", "error", None, "A-5"),  # after the routine of December 2007
        ]
    )
    rates = sorted(r["detail"] for r in found if r["check"] == "forced_sale_match_rate")
    assert rates[0].startswith(
        "Bailiff forced-sale cases from housing co-operatives matched to an arrears case: 3 of 4 (75.0 %)"
    )
    assert "2 by reference, 1 by person and date; 1 without an arrears case" in rates[0]
    assert rates[1].startswith(
        "Co-operative petitions for forced sale (arrears cases petitioned) matched to a bailiff case: 3 of 5 (60.0 %)"
    )
    assert all(r["person_key"] is None or len(r["person_key"]) == 64 for r in found)
