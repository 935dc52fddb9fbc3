"""The contract's declaration (``orchestration/lib/contract.py``) against the contract text and
against everything derived from it: one declaration, no second copy that can drift."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestration.lib import contract, contract_dbt
from orchestration.lib.contract import FILES, Col, InReference, rule_columns
from orchestration.lib.reference import code_lists
from orchestration.lib.rows import condition_expr
from orchestration.settings import REPO_ROOT

CONTRACT = REPO_ROOT / "docs" / "contracts" / "sources.md"
SHARED = REPO_ROOT.parent / "shared" / "contracts"


def test_the_declaration_is_consistent():
    assert contract.declaration_problems() == []


def test_every_derived_file_matches_the_declaration():
    """dbt sources, staging models and their tests are generated; `evictions generate` rewrites them."""
    assert contract_dbt.stale_files() == [], "run: uv run evictions generate"


def test_the_generate_check_fails_on_a_hand_edit(tmp_path, monkeypatch):
    expected = contract_dbt.generated_files()
    path = next(p for p in expected if p.name == "stg_kemner__petitions.sql")
    copy = tmp_path / "staging" / path.parent.name / path.name
    copy.parent.mkdir(parents=True)
    copy.write_text(expected[path].replace("as petition_id", "as petition_no"), encoding="utf-8")
    monkeypatch.setattr(contract_dbt, "STAGING_DIR", tmp_path / "staging")
    relocated = {tmp_path / "staging" / p.parent.name / p.name: text for p, text in expected.items()}
    assert copy in contract_dbt.stale_files(relocated)


def test_the_seed_holds_exactly_the_code_lists_the_declaration_names():
    assert sorted(set(code_lists()["code_list"].to_list())) == sorted(contract.code_lists_in_use())


def test_the_repository_carries_the_contract_as_shared_states_it():
    if not SHARED.is_dir():
        pytest.skip("no ../shared beside this clone")
    for name in ("sources.md", "published.md"):
        assert (REPO_ROOT / "docs" / "contracts" / name).read_text(encoding="utf-8") == (SHARED / name).read_text(
            encoding="utf-8"
        ), f"docs/contracts/{name} differs from shared/contracts/{name}"


def _contract_tables() -> dict[tuple[str, str], list[tuple[str, str, bool, str]]]:
    """Each ``### source/file`` section of sources.md: (column, type, required, meaning) rows."""
    tables: dict[tuple[str, str], list[tuple[str, str, bool, str]]] = {}
    current = None
    for line in CONTRACT.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^### (\w+)/([\w.]+)", line)
        if heading:
            current = (heading.group(1), heading.group(2))
            tables[current] = []
            continue
        if current and line.startswith("|") and not line.startswith("| column") and not line.startswith("|---"):
            # Cells are separated by " | "; a `|` inside a cell (the list separator) has no spaces.
            cells = [c.strip() for c in re.split(r"\s\|\s", line.strip().strip("|"))]
            tables[current].append((cells[0], cells[1], cells[2] == "R", cells[3]))
    return tables


def test_the_declaration_says_what_the_contract_text_says():
    tables = _contract_tables()
    assert sorted(tables) == sorted((s.source, s.name) for s in FILES)
    for spec in FILES:
        rows = tables[(spec.source, spec.name)]
        assert [r[0] for r in rows] == list(spec.column_names), spec.name
        for name, kind, required, meaning in rows:
            column = spec.column(name)
            assert column.type == kind and column.required == required, (spec.name, name)
            if kind in ("code", "codes") and column.code_list != "district":
                listed = re.findall(r"`([A-Z_]+)`", meaning)
                assert set(listed) == set(column.codes), (spec.name, name, listed)


def test_every_file_is_documented_in_the_staging_docs():
    for spec in FILES:
        models = contract_dbt.models_yml(spec.source)
        for column in contract_dbt.staging_columns(spec):
            assert f"name: {column.name}\n" in models


# --- the polars and the SQL form of every rule agree --------------------------------------

_SQL_TYPES = {"int": pl.Int64, "amount": pl.Decimal(12, 2), "date": pl.Date, "text": pl.String, "code": pl.String}


def _values(column: contract.Column) -> st.SearchStrategy:
    if column.type == "int":
        return st.integers(-3, 5)
    if column.type == "amount":
        return st.decimals(-5, 5, places=2, allow_nan=False, allow_infinity=False)
    if column.type == "date":
        return st.dates(dt.date(2006, 1, 1), dt.date(2006, 1, 10))
    if column.type == "code":
        return st.sampled_from(column.codes)
    if column.name == "art":  # account codes: some in the chart, some not six digits
        chart = contract.reference_values(InReference(Col("art"), "chart_of_accounts", "account"))
        return st.sampled_from(["123", "1234567", "ab12cd", *chart[:3]])
    return st.text("ab1", max_size=3)


CHECKS = [(spec, rule, check) for spec in FILES for rule in spec.rules for check in rule.checks]


@pytest.mark.parametrize(
    ("spec", "rule", "check"), CHECKS, ids=[f"{s.stem}-{r.name}-{i}" for i, (s, r, _) in enumerate(CHECKS)]
)
@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_polars_and_sql_judge_every_row_alike(spec, rule, check, data):
    names = list(dict.fromkeys(rule_columns(check)))
    # A required value is never null in staging (the staging row_rules test checks it), so only optional
    # columns are drawn empty.
    rows = data.draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    n: _values(spec.column(n)) if spec.column(n).required else st.none() | _values(spec.column(n))
                    for n in names
                }
            ),
            min_size=1,
            max_size=6,
        )
    )
    frame = pl.DataFrame(rows, schema={n: _SQL_TYPES[spec.column(n).type] for n in names})
    judged_polars = frame.select(condition_expr(check, pl.col).fill_null(True).alias("ok"))["ok"].to_list()

    staging = frame.rename({n: spec.column(n).staging_name for n in names})
    sql = contract_dbt.rule_sql(spec, check)
    connection = duckdb.connect()
    connection.register("rows_under_test", staging.to_arrow())
    if isinstance(check, InReference):
        accounts = pl.DataFrame({check.seed_column: list(contract.reference_values(check))})
        connection.register("reference_table", accounts.to_arrow())
        sql = sql.replace("{{ ref('chart_of_accounts') }}", "reference_table")
    judged_sql = [r[0] for r in connection.execute(f"select coalesce(({sql}), false) from rows_under_test").fetchall()]
    assert judged_sql == judged_polars, (rule.name, sql, rows)
