"""GX-free checks of gx_validation: import cost, values-free reduction, summaries, parameters."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from orchestration.lib.gx_validation import (
    DeliveryValidation,
    ExpectationOutcome,
    FileValidation,
    _values_free,
    suite_columns,
    suite_documents,
    suite_parameters,
    validation_summary_markdown,
)

SENTINEL = "SENTINEL_ØÆÅ"


def test_importing_the_module_imports_neither_gx_nor_dagster():
    code = (
        "import sys, orchestration.lib.gx_validation; "
        "bad = [m for m in ('great_expectations', 'dagster') if m in sys.modules]; "
        "sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_values_free_keeps_counts_and_drops_everything_that_can_hold_a_value():
    gx_result = {
        "success": False,
        "suite_name": "boei.tenancies",
        "statistics": {"evaluated_expectations": 2, "successful_expectations": 0},
        "meta": {
            "batch_spec": {"batch_data": "PandasDataFrame"},
            "batch_markers": {"ge_load_time": "20071231T000000Z", "pandas_data_fingerprint": "abc"},
        },
        "results": [
            {
                "success": False,
                "expectation_config": {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "bydel"}},
                "result": {
                    "element_count": 3,
                    "unexpected_count": 1,
                    "unexpected_percent": 33.3,
                    "partial_unexpected_list": [SENTINEL],
                    "partial_unexpected_counts": [{"value": SENTINEL, "count": 1}],
                    "partial_unexpected_index_list": [2],
                    "unexpected_list": [SENTINEL],
                    "unexpected_rows": [[SENTINEL]],
                    "details": {"value_counts": [{"value": SENTINEL}]},
                    "observed_value": SENTINEL,
                },
                "exception_info": {"raised_exception": False},
            },
            {
                "success": False,
                "expectation_config": {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "x"}},
                "result": {},
                "exception_info": {
                    "metric-id": {
                        "raised_exception": True,
                        "exception_message": f"could not convert {SENTINEL!r}",
                        "exception_traceback": f"Traceback...\nValueError: could not convert {SENTINEL!r}",
                    }
                },
            },
        ],
    }
    clean = _values_free(
        gx_result,
        asset_name="raw/boei/tenancies/2007-12-31.parquet",
        batch_spec={},
        run_id="r",
        run_time="t",
        parameters={"delivery_date": "2007-12-31"},
    )
    assert SENTINEL not in repr(clean)
    assert "pandas_data_fingerprint" not in repr(clean)
    assert clean["results"][0]["result"] == {"element_count": 3, "unexpected_count": 1, "unexpected_percent": 33.3}
    assert clean["results"][1]["exception_info"]["raised_exception"] is True
    assert clean["results"][1]["exception_info"]["exception_message"].startswith("ValueError")


def test_suite_parameters_give_delivery_date_and_horizon():
    assert suite_parameters(dt.date(2007, 12, 31)) == {"delivery_date": "2007-12-31", "horizon_date": "2017-12-31"}
    assert suite_parameters(dt.date(2008, 2, 29))["horizon_date"] == "2018-02-28"


def test_suite_columns_include_row_condition_columns():
    ledger = next(d for d in suite_documents("boei") if d["name"] == "boei.rent_ledger")
    assert {"belop", "posttype", "bilag_id", "delivery_date", "row_number"} <= set(suite_columns(ledger))


def _result(success: bool) -> DeliveryValidation:
    failures = (
        []
        if success
        else [
            ExpectationOutcome(
                "tenancies",
                "expect_column_values_to_be_in_set",
                "bydel",
                False,
                "critical",
                "code list",
                "1 of 3 rows unexpected (33.33 %)",
            ),
        ]
    )
    passed = [
        ExpectationOutcome("tenancies", "expect_table_row_count_to_be_between", None, True, "critical", "", "3 rows")
    ]
    files = [
        FileValidation("tenancies", "boei.tenancies", success, 1 + len(failures), 1, 3, 3, "all rows"),
        FileValidation("rent_ledger", "boei.rent_ledger", True, 1, 1, 1_000_000, 200_000, "every 5th row"),
    ]
    return DeliveryValidation(
        source="boei",
        delivery_date="2007-12-31",
        run_id="run-1",
        run_time="2007-12-31T00:00:00+00:00",
        success=success,
        evaluated_expectations=len(passed) + len(failures),
        successful_expectations=len(passed),
        expectations=passed + failures,
        files=files,
    )


def test_summary_markdown_names_status_files_sampling_and_failures():
    ok = validation_summary_markdown(_result(True))
    assert "passed" in ok and "boei.tenancies" in ok and "every 5th row" in ok and "200000 (sample)" in ok
    bad = validation_summary_markdown(_result(False))
    assert "FAILED" in bad and "expect_column_values_to_be_in_set" in bad and "bydel" in bad


def test_result_document_round_trips():
    result = _result(False)
    assert DeliveryValidation.from_document(result.to_document()) == result
