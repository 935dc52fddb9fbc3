"""The auditors' offline evidence site, ``quality/index.html``, as a Dagster asset.

Built last, from the values-free evidence the run left (``orchestration.lib.evidence``). A run
that refuses a delivery stops before this asset, so the ingest step rebuilds the page itself
when it refuses one: the auditors' page always shows the latest refusal.
"""

import dagster as dg

from orchestration.defs.publish.release import RELEASE_KEY
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.specs import warehouse_asset

EVIDENCE_KEY = dg.AssetKey(["quality", "evidence_site"])


@warehouse_asset(
    key=EVIDENCE_KEY,
    group_name="quality",
    deps=[RELEASE_KEY, dg.AssetKey(["quality", "reconciliation"]), dg.AssetKey(["quality", "ingest_audit"])],
    description="quality/index.html: the auditors' evidence site, one self-contained page that works offline "
    "(no script, no request outside the folder): run summary, the balance and quarantine reasons of every file, "
    "every GX expectation, reconciliation findings, the dbt tests, the comparison with the report and the "
    "lineage of every published table. Values-free.",
    kinds={"html"},
)
def evidence_site(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    from orchestration.lib.evidence import build_evidence_site

    settings = warehouse.settings()
    evidence = build_evidence_site(settings.warehouse_dir, run_id=context.run_id)
    context.log.info(f"evidence site: {evidence.path} ({evidence.files} files, {evidence.findings} findings)")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(evidence.path)),
            "files": evidence.files,
            "files_out_of_balance": evidence.files_out_of_balance,
            "validations": evidence.validations,
            "reconciliation_findings": evidence.findings,
            "dbt_tests": evidence.dbt_tests,
            "dbt_tests_failed": evidence.dbt_tests_failed,
        }
    )
