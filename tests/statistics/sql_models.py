"""Running one dbt model's SQL on hand-made inputs in an in-memory DuckDB, in milliseconds.

Only for models whose Jinja is nothing but ``{{ ref('...') }}``: each ref becomes a table
of the same name holding the frame the test gives. The seed ``report_figures_2008`` can be
loaded as dbt loads it (``load_seed``).
"""

from __future__ import annotations

import re

import duckdb
import polars as pl

from orchestration.settings import DBT_PROJECT_DIR

REF = re.compile(r"\{\{\s*ref\('([a-z0-9_]+)'\)\s*\}\}")


def model_sql(name: str) -> str:
    path = next((DBT_PROJECT_DIR / "models").rglob(f"{name}.sql"))
    sql = REF.sub(lambda m: f'"{m.group(1)}"', path.read_text(encoding="utf-8"))
    assert "{{" not in sql and "{%" not in sql, f"{name} uses Jinja beyond ref()"
    return sql


def load_seed(connection: duckdb.DuckDBPyConnection, name: str, types: dict[str, str]) -> None:
    path = DBT_PROJECT_DIR / "seeds" / f"{name}.csv"
    connection.execute(
        f"create table \"{name}\" as select * from read_csv(?, header = true, columns = {types!r})", [str(path)]
    )


def run_model(name: str, inputs: dict[str, pl.DataFrame], connection: duckdb.DuckDBPyConnection | None = None) -> pl.DataFrame:
    connection = connection or duckdb.connect()
    for table, frame in inputs.items():
        connection.register(f"__{table}", frame)
        connection.execute(f'create or replace table "{table}" as select * from "__{table}"')
    return connection.sql(model_sql(name)).pl()


REPORT_FIGURE_TYPES = {
    "report_order": "INTEGER", "figure": "VARCHAR", "measure": "VARCHAR", "source": "VARCHAR", "year": "INTEGER",
    "category": "VARCHAR", "printed_as": "VARCHAR", "printed_value": "DECIMAL(14,2)", "decimals": "INTEGER",
    "printed_relation": "VARCHAR", "report_method": "VARCHAR", "description": "VARCHAR",
}  # fmt: skip
