"""Generate the Great Expectations suites in ``expectations/<source>.json`` from the source contract.

The suites are the reviewed, committed artifact; this script is how they are made, so the
code lists, keys, row rules and severities come from the contract's declaration,
``orchestration/lib/contract.py`` (and the dbt seeds behind it), and are never copied by
hand. A test asserts that the committed JSON is exactly what this script produces.

    uv run python expectations/build_suites.py           # rewrite the JSON files
    uv run python expectations/build_suites.py --check   # exit 1 when a file is out of date

Convention (see ``expectations/README.md``): ``<source>.json`` is a JSON list holding one
serialized GX 1.x ``ExpectationSuite`` per raw table of the source, named
``<source>.<file stem>`` (e.g. ``boei.tenancies``); each suite's ``meta`` names the file it
validates. Every expectation's ``meta.rule`` says where the rule comes from.

Suite parameters supplied at validation time (``orchestration.lib.gx_validation``):
``delivery_date`` (the delivery's date) and ``horizon_date`` (the delivery date plus
``contract.HORIZON_YEARS`` years, the latest plausible date for dates that may lie ahead).
Severities follow the policy stated once in ``contract``: ``critical`` (BLOCKING) for what
the contract quarantines, ``warning`` for checks beyond it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

EXPECTATIONS_DIR = Path(__file__).resolve().parent
REPO_ROOT = EXPECTATIONS_DIR.parent
if str(REPO_ROOT) not in sys.path:  # run as a script: make `orchestration` importable
    sys.path.insert(0, str(REPO_ROOT))

from orchestration.lib.contract import (  # noqa: E402
    HORIZON_YEARS,
    LATEST_DELIVERY,
    LATEST_HORIZON,
    PERSON_KEY_REGEX,
    SEXES,
    SOURCES,
    WARNING,
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
    reference_values,
)
from orchestration.lib.national_id import AGE_BANDS  # noqa: E402

LATEST_TEXT = {
    LATEST_DELIVERY: "the delivery date",
    LATEST_HORIZON: f"the delivery date + {HORIZON_YEARS} years",
}
# Reversed comparisons, so that a column pair is always "A > B" or "A >= B" for GX.
_FLIPPED = {"<": ">", "<=": ">="}


def _param(name: str) -> dict:
    return {"$PARAMETER": name}


def _row_condition(when: OneOf):
    """The GX 1.x row condition of an ``Implies``: the rows the rule speaks of."""
    from great_expectations.expectations.row_conditions import Column

    column = Column(when.column.name)
    if len(when.values) == 1:
        value = when.values[0]
        return column != value if when.negated else column == value
    return column.is_not_in(list(when.values)) if when.negated else column.is_in(list(when.values))


def condition_expectations(condition: Condition, meta: dict, row_condition=None) -> list:
    """The GX form of one condition of a contract rule (``contract.RowRule.checks``)."""
    import great_expectations.expectations as gxe

    extra = {"row_condition": row_condition} if row_condition is not None else {}
    if isinstance(condition, Implies):
        return condition_expectations(condition.then, meta, _row_condition(condition.when))
    if isinstance(condition, Compare):
        left, op, right = condition.left, condition.op, condition.right
        if isinstance(right, Col):
            if op in _FLIPPED:
                left, op, right = right, _FLIPPED[op], left
            return [
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=left.name,
                    column_B=right.name,
                    or_equal=op == ">=",
                    ignore_row_if="either_value_is_missing",
                    meta=meta,
                    **extra,
                )
            ]
        bound = {
            ">": dict(min_value=right, strict_min=True),
            ">=": dict(min_value=right),
            "<": dict(max_value=right, strict_max=True),
            "<=": dict(max_value=right),
        }[op]
        return [gxe.ExpectColumnValuesToBeBetween(column=left.name, meta=meta, **bound, **extra)]
    if isinstance(condition, Present):
        kind = gxe.ExpectColumnValuesToBeNull if condition.negated else gxe.ExpectColumnValuesToNotBeNull
        return [kind(column=condition.column.name, meta=meta, **extra)]
    if isinstance(condition, Matches):
        return [
            gxe.ExpectColumnValuesToMatchRegex(column=condition.column.name, regex=condition.regex, meta=meta, **extra)
        ]
    if isinstance(condition, InReference):
        return [
            gxe.ExpectColumnValuesToBeInSet(
                column=condition.column.name, value_set=list(reference_values(condition)), meta=meta, **extra
            )
        ]
    if isinstance(condition, OneOf):
        kind = gxe.ExpectColumnValuesToNotBeInSet if condition.negated else gxe.ExpectColumnValuesToBeInSet
        return [kind(column=condition.column.name, value_set=list(condition.values), meta=meta, **extra)]
    raise TypeError(f"not a contract condition: {condition!r}")


def file_expectations(spec: FileSpec) -> list:
    """Every expectation on the raw table of one contract file, in a stable order."""
    import great_expectations.expectations as gxe

    expectations: list = []
    add = expectations.append

    # Beyond the contract (a zero-row file is a valid delivery): a warning, never blocking.
    add(
        gxe.ExpectTableRowCountToBeBetween(
            min_value=1, severity=WARNING, meta={"rule": "the file holds at least one row (beyond the contract)"}
        )
    )
    for column in spec.columns:
        if column.personal:
            continue  # names never leave the landing zone and quarantine
        if column.national_id:
            add(gxe.ExpectColumnValuesToNotBeNull(column="person_key", meta={"rule": f"required ({column.name})"}))
            add(
                gxe.ExpectColumnValuesToMatchRegex(
                    column="person_key", regex=PERSON_KEY_REGEX, meta={"rule": "pseudonym: HMAC-SHA256, lowercase hex"}
                )
            )
            add(gxe.ExpectColumnValuesToNotBeNull(column="sex", meta={"rule": f"derived from {column.name}"}))
            add(gxe.ExpectColumnValuesToBeInSet(column="sex", value_set=list(SEXES), meta={"rule": "code list sex"}))
            add(gxe.ExpectColumnValuesToNotBeNull(column="age_band", meta={"rule": f"derived from {column.name}"}))
            add(
                gxe.ExpectColumnValuesToBeInSet(
                    column="age_band", value_set=list(AGE_BANDS), meta={"rule": "code list age band (published.md)"}
                )
            )
            continue
        if column.type == "codes":
            continue  # list-valued: validated at ingest in polars; GX sees scalar columns only
        if column.required:
            add(gxe.ExpectColumnValuesToNotBeNull(column=column.name, meta={"rule": "required"}))
        if column.type == "code":
            add(
                gxe.ExpectColumnValuesToBeInSet(
                    column=column.name, value_set=list(column.codes), meta={"rule": "code list"}
                )
            )
        if column.plausible is not None:
            earliest, latest = column.plausible
            add(
                gxe.ExpectColumnValuesToBeBetween(
                    column=column.name,
                    min_value=earliest,
                    max_value=_param(latest),
                    severity=WARNING,
                    meta={"rule": f"plausible date: from {earliest.isoformat()} to {LATEST_TEXT[latest]}"},
                )
            )
    if len(spec.key) == 1:
        add(gxe.ExpectColumnValuesToBeUnique(column=spec.key[0], meta={"rule": "key unique in the file"}))
    else:
        add(gxe.ExpectCompoundColumnsToBeUnique(column_list=list(spec.key), meta={"rule": "key unique in the file"}))
    for rule in spec.rules:
        meta = {"rule": f"contract rule {rule.name}: {rule.description}"}
        for check in rule.checks:
            expectations.extend(condition_expectations(check, meta))
    add(
        gxe.ExpectColumnValuesToBeBetween(
            column="delivery_date",
            min_value=_param(LATEST_DELIVERY),
            max_value=_param(LATEST_DELIVERY),
            meta={"rule": "every row belongs to the delivery validated"},
        )
    )
    add(gxe.ExpectColumnValuesToNotBeNull(column="row_number", meta={"rule": "lineage to the delivered file"}))
    add(gxe.ExpectColumnValuesToBeUnique(column="row_number", meta={"rule": "lineage to the delivered file"}))
    add(
        gxe.ExpectColumnValuesToBeBetween(
            column="row_number", min_value=1, meta={"rule": "lineage to the delivered file"}
        )
    )
    return expectations


def build_suites(source: str) -> list[dict]:
    """The serialized suites of one source: one per contract file, named ``<source>.<stem>``."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx

    suites = []
    for spec in files_of(source):
        suite = gx.ExpectationSuite(
            name=f"{spec.source}.{spec.stem}",
            expectations=file_expectations(spec),
            meta={
                "source": spec.source,
                "file": spec.name,
                "raw_table": f"raw/{spec.source}/{spec.stem}/<delivery_date>.parquet",
                "contract": "docs/contracts/sources.md",
                "generated_by": "expectations/build_suites.py",
            },
        )
        document = suite.to_json_dict()
        # GX's version stamp would make every upgrade a diff of all suites; the lock pins GX.
        document["meta"].pop("great_expectations_version", None)
        suites.append(document)
    return suites


def render(source: str) -> str:
    return json.dumps(build_suites(source), indent=2, ensure_ascii=False) + "\n"


def suite_path(source: str, directory: Path = EXPECTATIONS_DIR) -> Path:
    return directory / f"{source}.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when a suite file is out of date")
    args = parser.parse_args(argv)
    stale = []
    for source in SOURCES:
        text = render(source)
        path = suite_path(source)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(path.name)
        else:
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
            print(f"wrote {path.relative_to(REPO_ROOT)}")
    if stale:
        print(f"out of date: {', '.join(stale)}; run: uv run python expectations/build_suites.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
