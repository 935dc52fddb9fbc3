"""The dbt project on a small hand-made raw layer whose answers are known in advance.

One ``dbt parse`` (with no warehouse present, as CI does before the tests) and one ``dbt build``
per module, in a subprocess with its own target and log folders, so the repository's
``dbt_project/target`` is left alone. The scenario is described in ``raw_fixture.py``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.paths import WarehousePaths
from tests.support.raw_fixture import A, C, write_raw_fixture

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
DBT = Path(sys.executable).with_name("dbt")
D = dt.date


def _dbt(
    args: list[str], warehouse: Path, target: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    command = [
        str(DBT),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target / "target"),
        "--log-path",
        str(target / "logs"),
    ]
    environment = {
        **os.environ,
        **WarehousePaths(warehouse).dbt_environment(),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **(env or {}),
    }
    return subprocess.run(command, env=environment, capture_output=True, text=True, cwd=DBT_PROJECT_DIR, timeout=600)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("dbt")
    warehouse = root / "warehouse"
    target = root / "dbt"

    # CI builds the manifest before any warehouse exists.
    parsed = _dbt(["parse"], warehouse, target)
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
    assert (target / "target" / "manifest.json").exists()
    assert not warehouse.exists(), "dbt parse must not need (or create) the warehouse"

    write_raw_fixture(warehouse)
    result = _dbt(["build", "--threads", "4"], warehouse, target)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    return {"warehouse": warehouse, "stdout": result.stdout}


@pytest.fixture(scope="module")
def db(built):
    connection = duckdb.connect(str(built["warehouse"] / "warehouse.duckdb"), read_only=True)
    yield connection
    connection.close()


def rows(db, sql: str) -> list[dict]:
    cursor = db.execute(sql)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def test_build_ran_unit_tests_and_only_the_expected_warning(built):
    out = built["stdout"]
    assert "ERROR=0" in out
    # The one warning: project case S-3's tenancy 9999 is in no register delivery (also a finding).
    assert "WARN=1" in out
    assert "relationships_case_outcomes_tenancy_id" in out


def _dbt_test_after_breaking(built, tmp_path, breaking_sql: str, selection: str) -> subprocess.CompletedProcess:
    """Run the selected dbt tests on a copy of the built warehouse after ``breaking_sql``."""
    warehouse = tmp_path / "warehouse"
    shutil.copytree(built["warehouse"], warehouse)
    with duckdb.connect(str(warehouse / "warehouse.duckdb")) as connection:
        connection.execute(breaking_sql)
    return _dbt(["test", "--select", selection], warehouse, tmp_path / "dbt")


ROW_RULE_BREAKS = {
    # Two required columns lack a value in one row: a row per such column, none for full columns.
    "int_tenancies_historized": "update intermediate.int_tenancies_historized set tenancy_version_id = null, "
    "tenancy_id = null where tenancy_version_id = (select min(tenancy_version_id) "
    "from intermediate.int_tenancies_historized)",
    # Breaks "children_count < household_size" and "household_size >= 1", and nothing else: a row
    # per broken rule, none for the rules that hold.
    "households-rules": "update marts.households set household_size = 0 where tenancy_id = "
    "(select min(tenancy_id) from marts.households where children_count = 0 and not priority)",
    # An unknown accepted value and an unknown code-list label (an ordinary dwelling without
    # priority: the priority rule does not read the new label): one row each.
    "households-values": "update marts.households set head_sex = 'X', dwelling_type = 'castle' where tenancy_id = "
    "(select min(tenancy_id) from marts.households where dwelling_type = 'ordinary' and not priority)",
}


@pytest.mark.parametrize("case", sorted(ROW_RULE_BREAKS))
def test_row_rules_fail_once_per_broken_rule(built, tmp_path, case):
    """The one-scan row-rule test: one failing row per broken rule (here two), none for those that hold."""
    model = case.split("-")[0]
    result = _dbt_test_after_breaking(built, tmp_path, ROW_RULE_BREAKS[case], f"{model},test_name:row_rules")

    assert result.returncode == 1, result.stdout[-3000:]
    assert "Got 2 results" in result.stdout
    assert f"row_rules_{model}" in result.stdout
    assert "ERROR=1" in result.stdout


def test_mart_row_counts(db):
    counts = {
        t: db.execute(f"select count(*) from marts.{t}").fetchone()[0]
        for t in ("households", "petitions", "case_outcomes", "project_expenses")
    }
    # 6 tenancies in the latest snapshot; 7 bailiff cases + 4 collector petitions never received;
    # 4 project cases; 3 account lines in the latest accounts delivery.
    assert counts == {"households": 6, "petitions": 11, "case_outcomes": 4, "project_expenses": 3}


def test_match_statuses(db):
    got = {
        (r["petition_id"], r["bailiff_case_no"]): (r["match_status"], r["match_method"])
        for r in rows(db, "select * from marts.petitions")
    }
    assert got == {
        ("K-1", "N-1"): ("matched", "reference"),
        ("K-2", "N-2"): ("matched", "case_number"),
        ("K-5", "N-5"): ("matched", "reference"),
        ("K-3", None): ("collector_only", None),
        ("K-4", None): ("collector_only", None),
        ("K-6", None): ("collector_only", None),
        ("K-7", None): ("collector_only", None),
        (None, "N-8"): ("bailiff_only", None),
        (None, "N-9"): ("not_applicable", None),
        (None, "N-10"): ("not_applicable", None),
        (None, "N-11"): ("not_applicable", None),
    }


def test_outcome_mapping(db):
    got = {
        r["petition_id"] or r["bailiff_case_no"]: (
            r["petitioner_type"],
            r["outcome"],
            r["outcome_date"],
            r["is_eviction"],
        )
        for r in rows(db, "select * from marts.petitions")
    }
    assert got == {
        # the bailiff's outcome wins where the bailiff has the case ...
        "K-1": ("collector", "executed", D(2006, 5, 10), True),
        "K-2": ("collector", "lapsed", D(2006, 6, 1), False),
        "K-5": ("collector", "executed", D(2007, 7, 1), True),  # the collector still says SENDT
        # ... else the collector's status: TRUKKET, FULLFORT, AVVIST, SENDT
        "K-3": ("collector", "withdrawn", D(2007, 8, 1), False),
        "K-4": ("collector", "executed", D(2007, 4, 15), True),
        "K-6": ("collector", "rejected", D(2008, 3, 25), False),
        "K-7": ("collector", "pending", D(2008, 3, 20), False),
        "N-8": ("collector", "postponed", D(2007, 8, 1), False),
        "N-9": ("private", "executed", D(2007, 11, 1), True),
        "N-10": ("cooperative", "rejected", D(2006, 11, 1), False),
        "N-11": ("private", "pending", None, False),
    }


def test_petition_details(db):
    by_id = {r["petition_id"] or r["bailiff_case_no"]: r for r in rows(db, "select * from marts.petitions")}
    assert by_id["K-1"]["claim_band"] == "under 5000" and by_id["K-2"]["claim_band"] == "5000-9999"
    assert by_id["K-3"]["claim_band"] == "30000+" and by_id["K-5"]["claim_band"] == "20000-29999"
    assert by_id["K-1"]["tenancy_id"] == 1001 and by_id["K-1"]["received_date"] == D(2006, 3, 5)
    assert by_id["K-1"]["filed_date"] == D(2006, 3, 1)
    assert by_id["K-7"]["board_approved"] is True and by_id["K-6"]["board_approved"] is False
    assert by_id["N-9"]["board_approved"] is None and by_id["N-9"]["claim_nok"] is None
    assert (
        by_id["N-11"]["person_key"]
        == rows(db, "select person_key from staging.stg_namsfogd__cases where bailiff_case_no = 'N-11' limit 1")[0][
            "person_key"
        ]
    )


def test_arrears_on_the_snapshot_date_and_priority(db):
    got = {
        r["tenancy_id"]: (r["arrears_nok"], r["priority"], r["dwelling_type"])
        for r in rows(db, "select * from marts.households")
    }
    assert got == {
        1001: (Decimal("8000.00"), False, "ordinary"),  # 5000 - 2000 + 5000 on 2007-12-31; not the 2008 rent
        1002: (Decimal("0.00"), True, "service"),
        1003: (Decimal("0.00"), True, "social_security"),  # 3000 - 3000
        1004: (Decimal("0.00"), True, "ordinary"),  # children
        1005: (Decimal("0.00"), True, "ordinary"),  # head 67+
        1006: (Decimal("0.00"), False, "care"),
    }
    snapshot = {r["snapshot_date"] for r in rows(db, "select snapshot_date from marts.households")}
    assert snapshot == {D(2007, 12, 31)}


def test_arrears_on_any_date(db):
    def arrears(tenancy: int, on: str):
        found = db.execute(
            "select arrears_nok from intermediate.int_tenancy_arrears_accumulated "
            "where tenancy_id = ? and valid_from <= ?::date and (valid_to is null or ?::date < valid_to)",
            [tenancy, on, on],
        ).fetchall()
        return found[0][0] if found else Decimal("0")

    assert arrears(1001, "2007-09-30") == 0
    assert arrears(1001, "2007-10-01") == Decimal("5000.00")
    assert arrears(1001, "2007-10-20") == Decimal("3000.00")
    assert arrears(1001, "2007-12-31") == Decimal("8000.00")
    assert arrears(1001, "2008-06-30") == Decimal("13000.00")


def test_status_history_of_a_petition(db):
    """K-3 was SENDT in the 2007-06-30 delivery and TRUKKET in the 2008-04-01 one."""

    def status_on(petition: str, on: str):
        found = db.execute(
            "select status_code from intermediate.int_petitions_historized "
            "where petition_id = ? and valid_from <= ?::date and (valid_to is null or ?::date < valid_to)",
            [petition, on, on],
        ).fetchall()
        return [r[0] for r in found]

    assert status_on("K-3", "2007-05-01") == []  # before the first delivery: unknown
    assert status_on("K-3", "2007-06-30") == ["SENDT"]
    assert status_on("K-3", "2007-12-31") == ["SENDT"]  # between the deliveries
    assert status_on("K-3", "2008-04-01") == ["TRUKKET"]
    assert status_on("K-6", "2007-12-31") == []  # not yet delivered
    versions = rows(db, "select * from intermediate.int_petitions_historized where petition_id = 'K-1'")
    assert len(versions) == 1 and versions[0]["is_current"] and versions[0]["deliveries_seen"] == 2
    # the bailiff's N-5 went from pending to executed
    n5 = rows(
        db,
        "select outcome_code, valid_from, valid_to from intermediate.int_bailiff_cases_historized "
        "where bailiff_case_no = 'N-5' order by valid_from",
    )
    assert [(r["outcome_code"], r["valid_from"], r["valid_to"]) for r in n5] == [
        ("UNDER_BEHANDLING", D(2007, 6, 30), D(2008, 4, 1)),
        ("GJENNOMFORT", D(2008, 4, 1), None),
    ]
    # tenancy 1007 left the register: its version ends at the delivery that no longer had it
    t1007 = rows(db, "select valid_to, is_current from intermediate.int_tenancies_historized where tenancy_id = 1007")
    assert t1007 == [{"valid_to": D(2007, 12, 31), "is_current": False}]


def test_case_outcomes_labels(db):
    by_id = {r["case_id"]: r for r in rows(db, "select * from marts.case_outcomes")}
    assert by_id["S-1"]["actions"] == ["phone", "letter"]
    assert by_id["S-2"]["actions"] == []
    assert (by_id["S-1"]["known_to_social_service"], by_id["S-1"]["income_source"], by_id["S-1"]["solution"]) == (
        "yes",
        "social_assistance",
        "social_service_paid",
    )
    assert by_id["S-3"]["outcome"] == "open" and by_id["S-3"]["claim_band"] == "30000+"
    assert by_id["S-4"]["outcome"] == "evicted" and by_id["S-4"]["claim_band"] == "10000-19999"


def test_reconciliation_findings(db):
    found = rows(db, "select * from quality.reconciliation where \"check\" <> 'report_figure_differs'")
    got = sorted((r["check"], r["severity"], r["petition_id"], r["bailiff_case_no"], r["case_id"]) for r in found)
    assert got == sorted(
        [
            ("collector_petition_not_at_bailiff", "warning", "K-3", None, None),
            ("collector_petition_not_at_bailiff", "warning", "K-4", None, None),
            ("collector_petition_not_at_bailiff", "warning", "K-6", None, None),
            ("collector_petition_not_at_bailiff", "warning", "K-7", None, None),
            ("bailiff_case_without_collector_petition", "warning", None, "N-8", None),
            ("status_disagreement", "warning", "K-5", "N-5", None),
            ("petition_without_board_approval", "error", "K-6", None, None),
            ("serial_petitions", "info", "K-1", "N-1", None),
            ("serial_petitions", "info", "K-2", "N-2", None),
            ("project_case_tenancy_not_in_register", "warning", None, None, "S-3"),
        ]
    )
    serial_people = {r["person_key"] for r in found if r["check"] == "serial_petitions"}
    assert serial_people == {A}
    assert all(r["detail"] for r in found)
    # Keys only: no column of the findings holds anything but pseudonymised keys and text.
    columns = [c[0] for c in db.execute("describe quality.reconciliation").fetchall()]
    assert columns == [
        "check",
        "severity",
        "petition_id",
        "bailiff_case_no",
        "case_id",
        "arrears_case_id",
        "tenancy_id",
        "person_key",
        "detail",
    ]
    report = rows(db, "select detail from quality.reconciliation where \"check\" = 'report_figure_differs'")
    assert report  # the fixture's figures are not the report's


def test_forced_sale_tables_are_empty_before_their_files_are_delivered(db):
    """No bbl delivery and no forced_sales.xlsx yet: the forced-sale tables build, with no case and
    no year (the published tables are withheld as unknown by the publishing step)."""
    for table in (
        "marts.forced_sale_cases",
        "marts.co_op_arrears",
        "published.forced_sales_by_year",
        "published.forced_sale_notice_coverage",
    ):
        assert db.execute(f"select count(*) from {table}").fetchone()[0] == 0, table
    # the stage table keeps its spine of associations and stages, all zero
    assert db.execute("select count(*), sum(cases) from published.co_op_arrears_by_stage").fetchone() == (18, 0)
    assert (
        db.execute(
            "select count(*) from quality.reconciliation where \"check\" like 'forced_sale%' or \"check\" like 'co_op%'"
        ).fetchone()[0]
        == 0
    )


def test_petitions_by_year_change_against_the_earlier_year(db):
    got = {(r["source"], r["year"]): r for r in rows(db, "select * from published.petitions_evictions_by_year")}
    assert set(got) == {
        ("collector", 2006),
        ("collector", 2007),
        ("collector", 2008),
        ("bailiff", 2006),
        ("bailiff", 2007),
    }
    c06, c07, c08 = got[("collector", 2006)], got[("collector", 2007)], got[("collector", 2008)]
    assert (c06["petitions"], c06["evictions"]) == (2, 1)  # K-1, K-2; K-1 executed 2006
    assert (c07["petitions"], c07["evictions"]) == (3, 2)  # K-3, K-4, K-5; K-4 and K-5 executed 2007
    assert (c08["petitions"], c08["evictions"]) == (2, 0)
    assert c06["petitions_change"] is None and c06["petitions_change_pct"] is None
    assert c07["petitions_change"] == 1
    assert c07["petitions_change_pct"] == pytest.approx(50.0)  # 1 / 2 (earlier year), not 1 / 3
    assert c07["evictions_change_pct"] == pytest.approx(100.0)
    assert c08["petitions_change_pct"] == pytest.approx(-100 / 3)
    assert c07["eviction_share_pct"] == pytest.approx(200 / 3)
    b06, b07 = got[("bailiff", 2006)], got[("bailiff", 2007)]
    assert (b06["petitions"], b06["evictions"]) == (3, 1)  # N-1, N-2, N-10 received in 2006
    assert (b07["petitions"], b07["evictions"]) == (4, 2)  # N-5, N-8, N-9, N-11; N-5 and N-9 executed
    assert b07["petitions_change_pct"] == pytest.approx(100 / 3)  # against 3, not 4


def test_national_targets(db):
    got = {(r["measure"], r["source"]): r for r in rows(db, "select * from published.national_targets")}
    assert len(got) == 4
    pc = got[("petitions", "collector")]
    assert (pc["baseline_year"], pc["baseline"], pc["target_year"], pc["actual"]) == (2006, 2, 2008, 2)
    assert pc["change_pct"] == pytest.approx(0.0) and pc["target_pct"] == -50 and pc["met"] is False
    ec = got[("evictions", "collector")]
    assert ec["change_pct"] == pytest.approx(-100.0) and ec["target_pct"] == -30 and ec["met"] is True


def test_project_aggregates(db):
    summary = rows(db, "select * from published.project_accounts_summary")
    assert summary == [
        {
            "total_income_nok": Decimal("500000.00"),
            "total_expenses_nok": Decimal("552095.44"),
            "balance_nok": Decimal("-52095.44"),
        }
    ]
    outcomes = {
        r["outcome"]: (r["cases"], r["share_pct"]) for r in rows(db, "select * from published.case_outcomes_summary")
    }
    assert outcomes["evicted"] == (2, pytest.approx(50.0)) and outcomes["resolved"] == (1, pytest.approx(25.0))
    assert outcomes["reinstated"] == (0, pytest.approx(0.0))
    districts = {r["district"]: r for r in rows(db, "select * from published.cases_by_district")}
    assert len(districts) == 8
    assert (districts["Fana"]["cases"], districts["Fana"]["evictions"]) == (2, 1)
    assert districts["Fana"]["eviction_share_pct"] == pytest.approx(50.0)
    assert districts["Årstad"]["social_service_paid_pct"] == pytest.approx(100.0)
    assert districts["Arna"]["cases"] == 0 and districts["Arna"]["eviction_share_pct"] is None


def test_curated_and_published_hold_no_personal_data(db):
    personal = {"fodselsnummer", "navn", "saksoker", "name", "national_id", "birth_date"}
    for schema in ("marts", "published", "quality"):
        columns = {
            r[0].lower()
            for r in db.execute(
                "select column_name from information_schema.columns where table_schema = ?", [schema]
            ).fetchall()
        }
        assert not columns & personal, (schema, columns & personal)
    person_keys = {r[0] for r in db.execute("select person_key from marts.petitions").fetchall()}
    assert C in person_keys and all(len(k) == 64 for k in person_keys)
