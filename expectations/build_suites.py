"""Generate the Great Expectations suites in ``expectations/<source>.json`` from the source contract.

The suites are the reviewed, committed artifact; this script is how they are made, so the
code lists, keys and row rules come from ``orchestration/lib/contract.py`` (and the dbt
seeds behind it) and are never copied by hand. A test asserts that the committed JSON is
exactly what this script produces.

    uv run python expectations/build_suites.py           # rewrite the JSON files
    uv run python expectations/build_suites.py --check   # exit 1 when a file is out of date

Convention (see ``expectations/README.md``): ``<source>.json`` is a JSON list holding one
serialized GX 1.x ``ExpectationSuite`` per raw table of the source, named
``<source>.<file stem>`` (e.g. ``boei.tenancies``); each suite's ``meta`` names the file it
validates. Every expectation's ``meta.rule`` says where the rule comes from.

Suite parameters supplied at validation time (``orchestration.lib.gx_validation``):
``delivery_date`` (the delivery's date) and ``horizon_date`` (the delivery date plus
``HORIZON_YEARS`` years, the latest plausible date for dates that may lie ahead).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

EXPECTATIONS_DIR = Path(__file__).resolve().parent
REPO_ROOT = EXPECTATIONS_DIR.parent
if str(REPO_ROOT) not in sys.path:  # run as a script: make `orchestration` importable
    sys.path.insert(0, str(REPO_ROOT))

from orchestration.lib.contract import SOURCES, FileSpec, files_of  # noqa: E402
from orchestration.lib.gx_validation import (  # noqa: E402
    DELIVERY_DATE_PARAMETER,
    HORIZON_DATE_PARAMETER,
    HORIZON_YEARS,
)
from orchestration.lib.national_id import AGE_BANDS  # noqa: E402
from orchestration.lib.reference import account_codes  # noqa: E402

# Suite parameters (``{"$PARAMETER": name}``), supplied per delivery by gx_validation.
DELIVERY_DATE = DELIVERY_DATE_PARAMETER
HORIZON_DATE = HORIZON_DATE_PARAMETER

PERSON_KEY_REGEX = r"^[0-9a-f]{64}$"
SEXES = ("F", "M")

# Plausible bounds of each date column: (earliest, latest). The latest is a suite parameter:
# events that cannot lie in the future end at the delivery date; dates that may lie ahead
# (a tenancy's agreed end, an eviction date set by the bailiff) end at the horizon.
# These are plausibility checks beyond the contract, so they carry severity "warning".
EARLIEST_TENANCY = dt.date(1900, 1, 1)
EARLIEST_EVENT = dt.date(1990, 1, 1)
DATE_BOUNDS: dict[tuple[str, str, str], tuple[dt.date, str]] = {
    ("boei", "tenancies", "fra_dato"): (EARLIEST_TENANCY, HORIZON_DATE),
    ("boei", "tenancies", "til_dato"): (EARLIEST_TENANCY, HORIZON_DATE),
    ("boei", "rent_ledger", "bokfort_dato"): (EARLIEST_EVENT, DELIVERY_DATE),
    ("kemner", "petitions", "innsendt_dato"): (EARLIEST_EVENT, DELIVERY_DATE),
    ("kemner", "petitions", "status_dato"): (EARLIEST_EVENT, DELIVERY_DATE),
    ("kemner", "petitions", "nemnd_godkjent_dato"): (EARLIEST_EVENT, DELIVERY_DATE),
    ("kemner", "notifications", "varsel_dato"): (EARLIEST_EVENT, DELIVERY_DATE),
    ("namsfogd", "cases", "Mottatt"): (EARLIEST_EVENT, DELIVERY_DATE),
    ("namsfogd", "cases", "Berammet"): (EARLIEST_EVENT, HORIZON_DATE),
    ("namsfogd", "cases", "Utfall_dato"): (EARLIEST_EVENT, HORIZON_DATE),
    ("prosjekt", "cases", "opprettet"): (EARLIEST_EVENT, DELIVERY_DATE),
    ("prosjekt", "cases", "avsluttet"): (EARLIEST_EVENT, DELIVERY_DATE),
}


LATEST_TEXT = {
    DELIVERY_DATE: "the delivery date",
    HORIZON_DATE: f"the delivery date + {HORIZON_YEARS} years",
}


def _param(name: str) -> dict:
    return {"$PARAMETER": name}


def _rule_expectations(spec: FileSpec, rule_name: str) -> list:
    """The GX form of a contract row rule (``RowRule.name``; executable form in ``rows.py``)."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    meta = {"rule": f"contract rule {rule_name}"}

    def positive(column: str) -> list:
        return [gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, strict_min=True, meta=meta)]

    def not_before(later: str, earlier: str) -> list:
        return [
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=later, column_B=earlier, or_equal=True, ignore_row_if="either_value_is_missing", meta=meta
            )
        ]

    rules = {
        "household_size_at_least_one": lambda: [
            gxe.ExpectColumnValuesToBeBetween(column="antall_personer", min_value=1, meta=meta)
        ],
        "children_fewer_than_persons": lambda: [
            gxe.ExpectColumnValuesToBeBetween(column="antall_barn", min_value=0, meta=meta),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="antall_personer", column_B="antall_barn", or_equal=False,
                ignore_row_if="either_value_is_missing", meta=meta,
            ),
        ],
        "rent_positive": lambda: positive("husleie"),
        "end_not_before_start": lambda: not_before("til_dato", "fra_dato"),
        "amount_sign_matches_posting_type": lambda: [
            gxe.ExpectColumnValuesToBeBetween(
                column="belop", min_value=0, strict_min=True, row_condition=Column("posttype") == "HUSLEIE", meta=meta
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="belop", max_value=0, strict_max=True, row_condition=Column("posttype") != "HUSLEIE", meta=meta
            ),
        ],
        "claim_positive": lambda: positive("krav_belop"),
        "status_not_before_filing": lambda: not_before("status_dato", "innsendt_dato"),
        "arrears_positive": lambda: positive("restanse_belop"),
        "outcome_date_unless_pending": lambda: [
            gxe.ExpectColumnValuesToNotBeNull(
                column="Utfall_dato", row_condition=Column("Utfall") != "UNDER_BEHANDLING", meta=meta
            )
        ],
        "children_not_negative": lambda: [
            gxe.ExpectColumnValuesToBeBetween(column="barn_i_husstand", min_value=0, meta=meta)
        ],
        "closed_not_before_opened": lambda: not_before("avsluttet", "opprettet"),
        "open_case_not_closed": lambda: [
            gxe.ExpectColumnValuesToBeNull(
                column="avsluttet", row_condition=Column("utfall") == "FORTSATT_I_ARBEID", meta=meta
            )
        ],
        "account_code_six_digits": lambda: [
            gxe.ExpectColumnValuesToMatchRegex(column="art", regex=r"^\d{6}$", meta=meta)
        ],
        "account_in_chart": lambda: [
            gxe.ExpectColumnValuesToBeInSet(column="art", value_set=list(account_codes()), meta=meta)
        ],
        "amount_positive": lambda: positive("belop"),
    }
    if rule_name not in rules:
        raise KeyError(
            f"{spec.source}/{spec.name}: contract rule {rule_name!r} has no GX form; add it to "
            "expectations/build_suites.py (_rule_expectations)"
        )
    return rules[rule_name]()


def file_expectations(spec: FileSpec) -> list:
    """Every expectation on the raw table of one contract file, in a stable order."""
    import great_expectations.expectations as gxe

    expectations: list = []
    add = expectations.append

    add(
        gxe.ExpectTableRowCountToBeBetween(
            min_value=1,
            # An incremental file may legitimately bring no new postings.
            severity="critical" if spec.kind == "snapshot" else "warning",
            meta={"rule": "the delivery loaded at least one row"},
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
        if column.type == "date":
            earliest, latest = DATE_BOUNDS[(spec.source, spec.stem, column.name)]
            add(
                gxe.ExpectColumnValuesToBeBetween(
                    column=column.name,
                    min_value=earliest,
                    max_value=_param(latest),
                    severity="warning",
                    meta={"rule": f"plausible date: from {earliest.isoformat()} to {LATEST_TEXT[latest]}"},
                )
            )
    if len(spec.key) == 1:
        add(gxe.ExpectColumnValuesToBeUnique(column=spec.key[0], meta={"rule": "key unique in the file"}))
    else:
        add(gxe.ExpectCompoundColumnsToBeUnique(column_list=list(spec.key), meta={"rule": "key unique in the file"}))
    for rule in spec.rules:
        expectations.extend(_rule_expectations(spec, rule.name))
    add(
        gxe.ExpectColumnValuesToBeBetween(
            column="delivery_date",
            min_value=_param(DELIVERY_DATE),
            max_value=_param(DELIVERY_DATE),
            meta={"rule": "every row belongs to the delivery validated"},
        )
    )
    add(gxe.ExpectColumnValuesToNotBeNull(column="row_number", meta={"rule": "lineage to the delivered file"}))
    add(gxe.ExpectColumnValuesToBeUnique(column="row_number", meta={"rule": "lineage to the delivered file"}))
    add(gxe.ExpectColumnValuesToBeBetween(column="row_number", min_value=1, meta={"rule": "lineage to the delivered file"}))
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
                "contract": "shared/contracts/sources.md",
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
