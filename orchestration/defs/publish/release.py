"""The statistics release page, ``published/release/index.html``, as a Dagster asset.

It is built from the published (disclosure-controlled) Parquet tables and the revision
log, after they are written, by the plain module ``orchestration.lib.release``.
"""

import dagster as dg

from orchestration.defs.publish.assets import REVISIONS_KEY
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.specs import warehouse_asset
from orchestration.lib.dbt_manifest import models_in_schema

RELEASE_KEY = dg.AssetKey(["published", "release"])


def build_release_asset() -> dg.AssetsDefinition:
    deps = [dg.AssetKey(["published", name]) for name in models_in_schema("published")] + [REVISIONS_KEY]

    @warehouse_asset(
        key=RELEASE_KEY,
        group_name="published",
        deps=deps,
        description="published/release/index.html (bokmål) and published/release/en/index.html (English): the "
        "statistics release - one self-contained HTML page per language, each linking to the other "
        "(inline CSS and SVG), with status and cut-off date, definitions, every published table, a chart for each "
        "of Diagrams 1-17 of the 2008 report, the comparison with the report and the revision log. Built only "
        "from the published, disclosure-controlled tables; rewritten atomically on every refresh.",
        kinds={"html"},
    )
    def statistics_release(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        from orchestration.lib.release import write_release

        settings = warehouse.settings()
        release = write_release(settings.published_dir, run_id=context.run_id, threshold=settings.suppression_threshold)
        context.log.info(
            f"statistics release ({release.status.status}, cut-off {release.status.cut_off}) written to {release.path}"
            f" and {release.pages['en']}"
        )
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(release.path)),
                "path_en": dg.MetadataValue.path(str(release.pages["en"])),
                "status": release.status.status,
                "status_reason": release.status.reason,
                "cut_off": str(release.status.cut_off) if release.status.cut_off else "none",
                "tables": len(release.tables),
                "diagrams": release.diagrams,
                "revisions_in_log": release.revisions,
            }
        )

    return statistics_release
