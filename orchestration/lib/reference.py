"""Reference data shared with dbt: the seeds in ``dbt_project/seeds`` are the one copy."""

from __future__ import annotations

from functools import cache

import polars as pl

from orchestration.settings import DBT_PROJECT_DIR

SEEDS_DIR = DBT_PROJECT_DIR / "seeds"


@cache
def chart_of_accounts() -> pl.DataFrame:
    return pl.read_csv(SEEDS_DIR / "chart_of_accounts.csv", schema_overrides={"account": pl.String})


def account_codes() -> list[str]:
    return chart_of_accounts()["account"].to_list()


@cache
def code_lists() -> pl.DataFrame:
    return pl.read_csv(SEEDS_DIR / "code_lists.csv")


def codes(code_list: str) -> tuple[str, ...]:
    found = code_lists().filter(pl.col("code_list") == code_list)["code"].to_list()
    if not found:
        raise KeyError(f"code list {code_list!r} is not in dbt_project/seeds/code_lists.csv")
    return tuple(found)


def display_labels(code_list: str, language: str) -> dict[str, str]:
    """A code list's codes → their display label in ``language`` (``nb`` or ``en``: the seed's
    ``label_nb`` and ``label_en``)."""
    rows = code_lists().filter(pl.col("code_list") == code_list)
    if not rows.height:
        raise KeyError(f"code list {code_list!r} is not in dbt_project/seeds/code_lists.csv")
    return dict(zip(rows["code"], rows[f"label_{language}"]))


@cache
def districts() -> tuple[str, ...]:
    return tuple(pl.read_csv(SEEDS_DIR / "districts.csv")["district"].to_list())
