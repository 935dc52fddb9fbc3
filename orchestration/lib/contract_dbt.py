"""The dbt side of the source contract, generated from its declaration (``contract``).

For every source, ``dbt_project/models/staging/<source>/`` holds three generated kinds of
file, which nobody edits by hand:

- ``_<source>__sources.yml``: the raw Parquet tables as dbt sources (location, Dagster
  asset key, column docs);
- ``stg_<source>__<stem>.sql``: the staging model, a rename and cast of each kept column;
- ``_<source>__models.yml``: the staging models' docs and tests: the key
  (``unique_key_of_deliveries``) and, in one ``row_rules`` test, the required columns, the codes
  (read from the seeds at run time, so the code lists have one home) and the contract's row rules
  rendered to SQL. In an incremental build they test only the deliveries the last complete build
  did not hold (``NEW_DELIVERIES_ONLY``, dbt macro ``deliveries_not_yet_built``).

``uv run evictions generate`` rewrites them (and the GX suites); ``--check`` only compares,
and a test runs the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from orchestration.lib.contract import (
    PERSON_KEY_REGEX,
    SEXES,
    SOURCE_SYSTEMS,
    SOURCES,
    Col,
    Compare,
    Condition,
    FileSpec,
    Implies,
    InReference,
    Matches,
    OneOf,
    Present,
    files_of,
    rule_columns,
)
from orchestration.lib.national_id import AGE_BANDS
from orchestration.lib.paths import DBT_RAW_DIR_ENV, DELIVERY_FILES, raw_asset_key_path, raw_table_glob
from orchestration.settings import DBT_PROJECT_DIR

STAGING_DIR = DBT_PROJECT_DIR / "models" / "staging"
GENERATED_NOTE = "Generated from orchestration/lib/contract.py by `uv run evictions generate`: do not edit."
# The staging tests' filter: in an incremental build only the rows of the deliveries the last
# complete build did not hold, in a full build every row (dbt macro deliveries_not_yet_built).
NEW_DELIVERIES_ONLY = {"where": "__deliveries_not_yet_built__"}
# The raw folder as dbt sees it: the path the process starting dbt puts in its environment.
RAW_DIR_JINJA = "{{ env_var('" + DBT_RAW_DIR_ENV + "') }}"


def raw_location(source: str) -> str:
    """The raw layer as dbt reads a source's tables (dbt-duckdb fills in ``{name}``): every
    delivery's Parquet file, plus the empty schema file, so that a table with no delivery yet
    reads as an empty table."""
    return f"read_parquet('{raw_table_glob(RAW_DIR_JINJA, source, '{name}')}', union_by_name = true)"


def raw_delivery_files(spec: FileSpec) -> str:
    """The glob of a table's delivered files only (one per delivery, also an empty one), which the
    history macros read (``snapshot_delivery_dates``): rows cannot show an empty delivery."""
    return raw_table_glob(RAW_DIR_JINJA, spec.source, spec.stem, DELIVERY_FILES)


def staging_model_name(spec: FileSpec) -> str:
    return f"stg_{spec.source}__{spec.stem}"


def _staging(spec: FileSpec, name: str) -> str:
    column = spec.column(name)
    if column.staging_name is None:
        raise KeyError(f"{spec.source}/{spec.name}: {name} has no staging name")
    return column.staging_name


def _sql_literal(value: object) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def condition_sql(spec: FileSpec, condition: Condition) -> str:
    """A contract condition as SQL over the staging model's columns (null where a value is missing)."""
    if isinstance(condition, Compare):
        right = (
            _staging(spec, condition.right.name) if isinstance(condition.right, Col) else _sql_literal(condition.right)
        )
        return f"{_staging(spec, condition.left.name)} {condition.op} {right}"
    if isinstance(condition, OneOf):
        column = _staging(spec, condition.column.name)
        if len(condition.values) == 1:
            return f"{column} {'<>' if condition.negated else '='} {_sql_literal(condition.values[0])}"
        values = ", ".join(_sql_literal(v) for v in condition.values)
        return f"{column} {'not in' if condition.negated else 'in'} ({values})"
    if isinstance(condition, Present):
        return f"{_staging(spec, condition.column.name)} is {'' if condition.negated else 'not '}null"
    if isinstance(condition, Matches):
        return f"regexp_matches({_staging(spec, condition.column.name)}, {_sql_literal(condition.regex)})"
    if isinstance(condition, InReference):
        return (
            f"{_staging(spec, condition.column.name)} in "
            f"(select {condition.seed_column} from {{{{ ref('{condition.seed}') }}}})"
        )
    if isinstance(condition, Implies):
        return f"not ({condition_sql(spec, condition.when)}) or {condition_sql(spec, condition.then)}"
    raise TypeError(f"not a contract condition: {condition!r}")


def rule_sql(spec: FileSpec, condition: Condition) -> str:
    """The check as a staging test expression: a check over a missing value is not judged."""
    sql = condition_sql(spec, condition)
    nullable = any(not spec.column(name).required for name in rule_columns(condition))
    return f"coalesce({sql}, true)" if nullable or isinstance(condition, Implies) else sql


@dataclass(frozen=True)
class StagingColumn:
    raw: str  # the raw (contract) column, lower case
    name: str  # the staging column
    sql_type: str
    meaning: str
    contract_name: str | None = None  # the source's own column name, where it has one

    @property
    def description(self) -> str:
        """The staging column's doc: its meaning and, where it has one, the source's column name."""
        if self.contract_name is None:
            return self.meaning
        return f"{self.meaning.rstrip('.')} ({self.contract_name})."


def staging_columns(spec: FileSpec) -> list[StagingColumn]:
    columns: list[StagingColumn] = []
    for column in spec.columns:
        if column.national_id:
            columns.append(
                StagingColumn(
                    "person_key",
                    "person_key",
                    "varchar",
                    f"Pseudonym of {_whose(column.description)} (HMAC-SHA256 of the national id, lowercase hex).",
                )
            )
        elif column.kept:
            columns.append(
                StagingColumn(
                    column.name.lower(),
                    column.staging_name or column.name,
                    column.staging_sql_type,
                    column.description,
                    column.name,
                )
            )
    if spec.national_id_column:
        whose = _whose(spec.column(spec.national_id_column).description)
        event = spec.event_date_column or "the delivery date"
        columns.append(StagingColumn("sex", "sex", "varchar", f"Sex of {whose}, F or M (from the national id)."))
        columns.append(StagingColumn("age_band", "age_band", "varchar", f"Age band of {whose} on {event}."))
    columns.append(StagingColumn("delivery_date", "delivery_date", "date", "Delivery the row comes from."))
    columns.append(
        StagingColumn(
            "row_number",
            "source_row_number",
            "bigint",
            "Data-row number in the delivered file (lineage to the landing zone).",
        )
    )
    return columns


def _whose(description: str) -> str:
    # "The main tenant's national id" -> "the main tenant"
    owner = description.removesuffix("'s national id")
    return owner[:1].lower() + owner[1:]


def staging_sql(spec: FileSpec) -> str:
    casts = ",\n".join(f"        cast({c.raw} as {c.sql_type}) as {c.name}" for c in staging_columns(spec))
    return (
        f"-- {GENERATED_NOTE}\n"
        f"-- {spec.source}/{spec.name}: {spec.description}\n"
        "with\n\n"
        "source as (\n\n"
        f"    select * from {{{{ source('{spec.source}', '{spec.stem}') }}}}\n\n"
        "),\n\n"
        "renamed as (\n\n"
        "    select\n"
        f"{casts}\n\n"
        "    from source\n\n"
        ")\n\n"
        "select * from renamed\n"
    )


def _model_tests(spec: FileSpec) -> list[dict]:
    model = staging_model_name(spec)
    required = [_staging(spec, c.name) for c in spec.columns if c.required and c.kept]
    if spec.national_id_column:
        required += ["person_key", "sex", "age_band"]
    required.append("delivery_date")
    key = [_staging(spec, k) for k in spec.key]
    if spec.kind == "snapshot":
        key.append("delivery_date")  # every delivery is kept: the key is unique within one
    expressions = [rule_sql(spec, check) for rule in spec.rules for check in rule.checks]
    if spec.national_id_column:
        expressions += [
            f"regexp_matches(person_key, '{PERSON_KEY_REGEX}')",
            "sex in (" + ", ".join(_sql_literal(s) for s in SEXES) + ")",
            "age_band in (" + ", ".join(_sql_literal(b) for b in AGE_BANDS) + ")",
        ]
    code_lists = {_staging(spec, c.name): c.code_list for c in spec.columns if c.code_list and c.kept}
    # One scan for every row rule of the model: required columns, codes and the contract's rules.
    rules: dict = {"not_null": required}
    if code_lists:
        rules["code_lists"] = code_lists
        lists = [_staging(spec, c.name) for c in spec.columns if c.type == "codes" and c.kept]
        if lists:
            rules["list_columns"] = lists
    if expressions:
        rules["expressions"] = expressions
    tests: list[dict] = [
        {"row_rules": {"name": f"row_rules_{model}", "arguments": rules, "config": dict(NEW_DELIVERIES_ONLY)}},
        # Not filtered: the test itself looks for the new deliveries' keys among every row.
        {
            "unique_key_of_deliveries": {
                "name": f"unique_key_{model}",
                "arguments": {"combination_of_columns": key},
            }
        },
    ]
    return tests


def _column_tests(spec: FileSpec, column: StagingColumn) -> list[dict]:
    tests = []
    for source_column, model, field in spec.references:
        if spec.column(source_column).staging_name == column.name:
            # Beyond the contract (a posting may arrive before its tenancy's snapshot): WARNING.
            tests.append(
                {
                    "relationships": {
                        "arguments": {"to": f"ref('{model}')", "field": field},
                        "config": {"severity": "warn", **NEW_DELIVERIES_ONLY},
                    }
                }
            )
    return tests


def models_yml(source: str) -> str:
    models = []
    for spec in files_of(source):
        columns = []
        for column in staging_columns(spec):
            entry: dict = {"name": column.name, "description": column.description}
            tests = _column_tests(spec, column)
            if tests:
                entry["data_tests"] = tests
            columns.append(entry)
        models.append(
            {
                "name": staging_model_name(spec),
                "description": spec.staging_description,
                "data_tests": _model_tests(spec),
                "columns": columns,
            }
        )
    return _yaml({"version": 2, "models": models})


def sources_yml(source: str) -> str:
    tables = []
    for spec in files_of(source):
        columns = [{"name": c.raw, "description": c.meaning} for c in staging_columns(spec)]
        later = "" if spec.in_every_delivery else " The file starts in a later delivery; earlier ones lack it."
        tables.append(
            {
                "name": spec.stem,
                "description": f"{spec.description} Per delivery ({spec.kind}), typed and pseudonymised at ingest: "
                f"national ids and names never reach the raw layer.{later}",
                "meta": {
                    "dagster": {"asset_key": raw_asset_key_path(spec.source, spec.stem)},
                    "delivery_files": raw_delivery_files(spec),
                },
                "columns": columns,
            }
        )
    document = {
        "version": 2,
        "sources": [
            {
                "name": source,
                "description": f"Raw Parquet of {SOURCE_SYSTEMS[source]}, one file per delivery and table, written "
                "by the Python ingestion (docs/contracts/sources.md).",
                "schema": f"raw_{source}",
                "meta": {"external_location": raw_location(source)},
                "tables": tables,
            }
        ],
    }
    return _yaml(document)


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, value: str):
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str_presenter)


def _yaml(document: dict) -> str:
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110, indent=2)
    return f"# {GENERATED_NOTE}\n{body}"


def generated_files() -> dict[Path, str]:
    """Every generated dbt file, by path, with the text it must hold."""
    files: dict[Path, str] = {}
    for source in SOURCES:
        folder = STAGING_DIR / source
        files[folder / f"_{source}__sources.yml"] = sources_yml(source)
        files[folder / f"_{source}__models.yml"] = models_yml(source)
        for spec in files_of(source):
            files[folder / f"{staging_model_name(spec)}.sql"] = staging_sql(spec)
    return files


def stale_files(expected: dict[Path, str] | None = None) -> list[Path]:
    """Generated files that are missing or differ; also staging files that no declaration produces."""
    expected = generated_files() if expected is None else expected
    stale = [p for p, text in expected.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    stray = [p for p in STAGING_DIR.glob("*/*") if p.is_file() and p not in expected]
    return sorted(stale + stray)


def write_generated() -> list[Path]:
    from orchestration.lib.atomic import write_text_atomic

    expected = generated_files()
    written = []
    for path in stale_files(expected):
        if path in expected:
            write_text_atomic(expected[path], path)
        else:
            path.unlink()
        written.append(path)
    return written
