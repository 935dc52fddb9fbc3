"""Running one dbt model's SQL on hand-made inputs in an in-memory DuckDB, in milliseconds.

Only for models whose Jinja is ``{{ ref('...') }}`` and the project's plain-SQL macros
(``PLAIN_MACROS``): each ref becomes a table of the same name holding the frame the test
gives; anything else dbt-specific fails the rendering (StrictUndefined). The seed ``report_figures_2008`` can be
loaded as dbt loads it (``load_seed``).
"""

from __future__ import annotations

import duckdb
import polars as pl

from orchestration.settings import DBT_PROJECT_DIR

# Macros that are Jinja and SQL only (no dbt context), so the model can be rendered here.
PLAIN_MACROS = ("changes.sql", "percentages.sql", "counts_per_category.sql")


def model_sql(name: str) -> str:
    import jinja2

    path = next((DBT_PROJECT_DIR / "models").rglob(f"{name}.sql"))
    macros = "".join((DBT_PROJECT_DIR / "macros" / m).read_text(encoding="utf-8") for m in PLAIN_MACROS)
    template = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(
        macros + path.read_text(encoding="utf-8")
    )
    try:
        return template.render(ref=lambda model: f'"{model}"')
    except jinja2.UndefinedError as error:
        raise AssertionError(f"{name} uses Jinja beyond ref() and the plain macros: {error}") from None


def load_seed(connection: duckdb.DuckDBPyConnection, name: str, types: dict[str, str]) -> None:
    path = DBT_PROJECT_DIR / "seeds" / f"{name}.csv"
    connection.execute(
        f'create table "{name}" as select * from read_csv(?, header = true, columns = {types!r})', [str(path)]
    )


def run_model(
    name: str, inputs: dict[str, pl.DataFrame], connection: duckdb.DuckDBPyConnection | None = None
) -> pl.DataFrame:
    connection = connection or duckdb.connect()
    for table, frame in inputs.items():
        connection.register(f"__{table}", frame)
        connection.execute(f'create or replace table "{table}" as select * from "__{table}"')
    return connection.sql(model_sql(name)).pl()


REPORT_FIGURE_TYPES = {
    "report_order": "INTEGER", "figure": "VARCHAR", "measure": "VARCHAR", "source": "VARCHAR", "year": "INTEGER",
    "category": "VARCHAR", "printed_as": "VARCHAR", "printed_value": "DECIMAL(14,2)", "decimals": "INTEGER",
    "printed_relation": "VARCHAR", "report_method": "VARCHAR", "description": "VARCHAR", "description_nb": "VARCHAR",
}  # fmt: skip
