"""The auditors' evidence site, ``quality/index.html``: one self-contained page that works offline.

Great Expectations' own Data Docs load their CSS and scripts from public CDNs, so on an audit
workstation without internet access they render as bare HTML (and each opening tells the CDNs
who looked). This page is ours: inline CSS, no script, no request outside its folder. It is
built at every refresh only from the values-free evidence the warehouse already keeps:

- ``quality/ingest_audit.parquet``: per file of every delivery, the balance
  ``manifest = loaded + quarantined + collapsed``, the quarantine counts by reason code (row
  numbers, never values), the checks beyond the contract that warned, refusals;
- ``quality/validations/<source>/<date>/<run>.json``: GX results expectation by expectation
  (counts only);
- ``quality/reconciliation.parquet``: findings with pseudonymised keys;
- ``state/dbt_results.json``: the latest result of every dbt test (``dbt_results``);
- ``published/*.parquet``: the report comparison, and each table's lineage (its metadata).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from orchestration.lib import atomic, html_templates
from orchestration.lib.dbt_results import read_latest
from orchestration.lib.paths import WarehousePaths, table_file

SECTIONS = ("summary", "deliveries", "validation", "reconciliation", "dbt-tests", "report-comparison", "lineage")


@dataclass(frozen=True)
class Evidence:
    path: Path
    files: int
    files_out_of_balance: int
    validations: int
    findings: int
    dbt_tests: int
    dbt_tests_failed: int


def _audit_rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    rows = []
    for row in atomic.read_frame(path).iter_rows(named=True):
        reasons = json.loads(row.get("quarantine_reasons") or "{}")
        refused = row["status"] == "refused"
        balanced = None
        if not refused and row["rows_in_manifest"] is not None:
            balanced = row["rows_in_manifest"] == row["rows_loaded"] + row["rows_quarantined"] + row["rows_collapsed"]
        rows.append(
            {
                **row,
                "delivery_date": row["delivery_date"].isoformat() if row["delivery_date"] else "",
                "reasons": [(code, r["rows"], r["first_rows"]) for code, r in reasons.items()],
                "balanced": balanced,
                "warnings_list": [w for w in (row.get("warnings") or "").split("; ") if w],
            }
        )
    return rows


def _validations(paths: WarehousePaths) -> list[dict]:
    """The latest validation of each delivery (a delivery validated again shows its newest result)."""
    from orchestration.lib.gx_validation import load_validations

    latest = {}
    for validation in load_validations(paths):
        latest[(validation.source, validation.delivery_date)] = validation
    found = []
    for (source, date), validation in sorted(latest.items()):
        by_file = defaultdict(list)
        for outcome in validation.expectations:
            by_file[outcome.file].append(outcome)
        found.append(
            {
                "source": source,
                "delivery_date": date,
                "run_id": validation.run_id,
                "run_time": validation.run_time,
                "status": "passed" if validation.success else ("warnings" if validation.critical_success else "FAILED"),
                "evaluated": validation.evaluated_expectations,
                "successful": validation.successful_expectations,
                "files": [
                    {
                        "file": f.file,
                        "rows": f.rows,
                        "rows_validated": f.rows_validated,
                        "sampling": f.sampling,
                        "expectations": by_file.get(f.file, []),
                    }
                    for f in validation.files
                ],
            }
        )
    return found


def _reconciliation(quality_dir: Path) -> tuple[list[dict], list[str]]:
    path = table_file(quality_dir, "reconciliation")
    if not path.exists():
        return [], []
    frame = atomic.read_frame(path)
    key_columns = [c for c in frame.columns if c not in ("check", "severity", "detail")]
    groups = []
    for (check, severity), group in sorted(frame.group_by(["check", "severity"]), key=lambda g: (g[0][1], g[0][0])):
        rows = [[("" if v is None else str(v)) for v in r] for r in group.select(*key_columns, "detail").iter_rows()]
        groups.append({"check": check, "severity": severity, "count": group.height, "rows": rows})
    return groups, key_columns


def _dbt_tests(latest_results: Path) -> dict:
    """Every dbt test with its latest result: an incremental build runs only the tests that read a
    new delivery, the others keep the result of the build that ran them (``dbt_results``)."""
    latest = read_latest(latest_results)
    if not latest["nodes"]:
        return {"available": False, "tests": [], "counts": {}, "models": 0, "generated_at": "", "rerun": 0}
    tests, models = [], 0
    for unique_id, result in latest["nodes"].items():
        kind = unique_id.split(".", 1)[0]
        if kind == "model":
            models += result["status"] == "success"
        elif kind == "test":
            tests.append(
                {
                    "name": unique_id.split(".")[2] if unique_id.count(".") >= 2 else unique_id,
                    "status": result["status"],
                    "failures": result.get("failures") or 0,
                    "built_at": result.get("built_at", ""),
                }
            )
    counts: dict[str, int] = defaultdict(int)
    for test in tests:
        counts[test["status"]] += 1
    tests.sort(key=lambda t: (t["status"] == "pass", t["name"]))
    return {
        "available": True,
        "tests": tests,
        "counts": dict(sorted(counts.items())),
        "models": models,
        "generated_at": latest["last_build_at"],
        "rerun": sum(1 for t in tests if t["built_at"] == latest["last_build_at"]),
    }


def _published(published_dir: Path) -> tuple[list[dict], pl.DataFrame | None]:
    lineage = []
    for path in sorted(published_dir.glob("*.parquet")):
        document = atomic.read_table_metadata(path)
        lineage.append(
            {
                "name": path.stem,
                "run_id": document.get("run_id") or "",
                "deliveries": document.get("deliveries", []),
                "not_yet_delivered": document.get("not_yet_delivered", []),
            }
        )
    comparison = table_file(published_dir, "report_comparison")
    frame = atomic.read_frame(comparison) if comparison.exists() else None
    return lineage, frame


def _reference_year(published_dir: Path) -> int | None:
    path = table_file(published_dir, "petitions_evictions_by_year")
    if not path.exists():
        return None
    years = atomic.read_frame(path, columns=["year"])["year"].drop_nulls()
    return int(years.max()) if len(years) else None


def build_evidence_site(
    warehouse_dir: Path,
    *,
    run_id: str | None,
    run_status: str = "succeeded",
    generated_at: dt.datetime | None = None,
) -> Evidence:
    """Render ``quality/index.html`` from the values-free evidence; written atomically.

    ``run_status`` says how the run that writes it went ("succeeded", or why it did not).
    """
    from orchestration.lib.contract import EVICTION_SOURCES, SOURCES
    from orchestration.lib.release import latest_deliveries, release_status

    paths = WarehousePaths(warehouse_dir)
    quality_dir, published_dir = paths.quality_dir, paths.published_dir
    audit = _audit_rows(paths.ingest_audit)
    validations = _validations(paths)
    findings, key_columns = _reconciliation(quality_dir)
    dbt = _dbt_tests(paths.dbt_latest_results)
    lineage, comparison = _published(published_dir)
    deliveries = sorted({d for table in lineage for d in table["deliveries"]})
    status = release_status(deliveries, _reference_year(published_dir), EVICTION_SOURCES)
    generated = (generated_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    comparison_rows = []
    if comparison is not None:
        columns = ["figure", "description", "printed_as", "warehouse_value", "difference", "status", "explanation"]
        columns = [c for c in columns if c in comparison.columns]
        comparison_rows = [["" if v is None else str(v) for v in r] for r in comparison.select(columns).iter_rows()]
    else:
        columns = []
    page = (
        html_templates.environment()
        .get_template("evidence.html.j2")
        .render(
            run_id=run_id or "",
            run_status=run_status,
            release_status=f"{status.status}: {status.reason}",
            generated_at=generated.strftime("%Y-%m-%d %H:%M UTC"),
            cut_off=status.cut_off.isoformat() if status.cut_off else "none",
            latest_by_source={
                s: (d.isoformat() if d else "no delivery yet")
                for s, d in latest_deliveries(deliveries, SOURCES).items()
            },
            deliveries=deliveries,
            audit=audit,
            files_out_of_balance=sum(1 for r in audit if r["balanced"] is False),
            refused=[r for r in audit if r["status"] == "refused"],
            validations=validations,
            findings=findings,
            key_columns=key_columns,
            dbt=dbt,
            lineage=lineage,
            comparison_columns=columns,
            comparison_rows=comparison_rows,
            sections=SECTIONS,
        )
    )
    path = atomic.write_text_atomic(page, paths.evidence_site)
    return Evidence(
        path=path,
        files=len(audit),
        files_out_of_balance=sum(1 for r in audit if r["balanced"] is False),
        validations=len(validations),
        findings=sum(g["count"] for g in findings),
        dbt_tests=len(dbt["tests"]),
        dbt_tests_failed=sum(1 for t in dbt["tests"] if t["status"] in ("fail", "error")),
    )
