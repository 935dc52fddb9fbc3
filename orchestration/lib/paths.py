"""Where the warehouse keeps everything: the one home of every path under ``EVICTIONS_WAREHOUSE_DIR``.

Python code takes its paths from here (``Settings.paths``, or ``WarehousePaths(warehouse_dir)``
in the library modules that get only the folder). dbt takes the two it reads, the database and
the raw layer, from ``dbt_environment()``, which every process that starts dbt passes to it
(``dbt_manifest.build_manifest``, the Dagster dbt asset, the dbt tests); the generated sources
yml (``contract_dbt``) spells the raw layout below that folder with ``raw_table_glob``, so no
dbt file types a path. ``docs/contracts/published.md`` ("Layout") describes the same tree for
the consumers. Run ``python -m orchestration.lib.paths`` for the environment a hand-run dbt needs.

Importing this module is cheap: no Dagster, dbt or GX.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

# The environment variables dbt reads (profiles.yml, the generated sources yml); set from the
# warehouse's paths by whoever starts dbt, never typed in a dbt file.
DBT_DATABASE_ENV = "EVICTIONS_DBT_DATABASE"
DBT_RAW_DIR_ENV = "EVICTIONS_DBT_RAW_DIR"

# A delivery's raw file is named by its date; the empty schema file beside them (``_schema``)
# lets a table with no delivery yet read as an empty table.
DELIVERY_FILES = "[0-9]*.parquet"
RAW_SCHEMA_FILE = "_schema.parquet"


def raw_asset_key_path(source: str, stem: str) -> list[str]:
    """The Dagster asset key of a raw table, also the dbt source's ``meta.dagster.asset_key``."""
    return ["raw", source, stem]


def raw_table_dir(raw_dir: Path, source: str, stem: str) -> Path:
    """``raw/<source>/<stem>/``: every delivery of one contract file."""
    return raw_dir / source / stem


def raw_file(raw_dir: Path, source: str, stem: str, delivery_date: str) -> Path:
    """``raw/<source>/<stem>/<YYYY-MM-DD>.parquet``: one delivery of one file, typed and pseudonymised."""
    return raw_table_dir(raw_dir, source, stem) / f"{delivery_date}.parquet"


def raw_table_glob(raw_dir_expression: str, source: str, stem: str, files: str = "*.parquet") -> str:
    """The raw layout as a path pattern below ``raw_dir_expression`` (a dbt Jinja expression)."""
    return str(PurePosixPath(raw_dir_expression, source, stem, files))


def quarantine_file(quarantine_dir: Path, source: str, stem: str, delivery_date: str) -> Path:
    """``quarantine/<source>/<delivery>/<stem>.parquet``: the rejected rows of one delivered file."""
    return quarantine_dir / source / delivery_date / f"{stem}.parquet"


def table_file(folder: Path, name: str) -> Path:
    """``<folder>/<table>.parquet``: every table the warehouse writes for its readers
    (``curated/``, ``published/``, ``quality/``) is a file named for its dbt model."""
    return folder / f"{name}.parquet"


# The folders inside published/ and restricted/ that hold more than one file.
RELEASE_FOLDER = "release"  # published/release/: the statistics release's pages
NOTIFICATION_LISTS_FOLDER = "notification_lists"  # restricted/notification_lists/<district>.csv|.xlsx
FORCED_SALE_WARNINGS_FOLDER = "forced_sale_warnings"  # restricted/forced_sale_warnings/<district>.csv|.xlsx


def release_dir(published_dir: Path) -> Path:
    return published_dir / RELEASE_FOLDER


def lock_file(state_dir: Path, name: str) -> Path:
    return state_dir / f"{name}.lock"


@dataclass(frozen=True)
class WarehousePaths:
    """Every path of one warehouse (``root`` is ``EVICTIONS_WAREHOUSE_DIR``)."""

    root: Path

    # The folders (README, "Where the outputs go").
    @property
    def raw_dir(self) -> Path:
        return self.root / "raw"

    @property
    def curated_dir(self) -> Path:
        return self.root / "curated"

    @property
    def published_dir(self) -> Path:
        return self.root / "published"

    @property
    def quality_dir(self) -> Path:
        return self.root / "quality"

    @property
    def quarantine_dir(self) -> Path:
        return self.root / "quarantine"

    @property
    def restricted_dir(self) -> Path:
        return self.root / "restricted"

    @property
    def state_dir(self) -> Path:
        return self.root / "state"

    @property
    def database(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"

    # The raw layer.
    def raw_table_dir(self, source: str, stem: str) -> Path:
        return raw_table_dir(self.raw_dir, source, stem)

    def raw_file(self, source: str, stem: str, delivery_date: str) -> Path:
        return raw_file(self.raw_dir, source, stem, delivery_date)

    # quality/: the auditors' folder.
    @property
    def evidence_site(self) -> Path:
        return self.quality_dir / "index.html"

    @property
    def ingest_audit(self) -> Path:
        return table_file(self.quality_dir, "ingest_audit")

    @property
    def validations_dir(self) -> Path:
        """``quality/validations/<source>/<delivery date>/<run>.json``: GX's values-free results."""
        return self.quality_dir / "validations"

    def validation_dir(self, source: str, delivery_date: str) -> Path:
        return self.validations_dir / source / delivery_date

    @property
    def data_docs_dir(self) -> Path:
        return self.quality_dir / "data_docs"

    @property
    def data_docs_index(self) -> Path:
        return self.data_docs_dir / "index.html"

    # state/: the warehouse's own bookkeeping.
    def ingest_log(self, source: str) -> Path:
        return self.state_dir / "ingest_log" / f"{source}.json"

    @property
    def scratch_dir(self) -> Path:
        return self.state_dir / "scratch"

    @property
    def dbt_target_dir(self) -> Path:
        """dbt's artifacts and console log of the last build (one folder per warehouse)."""
        return self.state_dir / "dbt_target"

    @property
    def dbt_run_results(self) -> Path:
        """dbt's ``run_results.json`` of the last build, in ``dbt_target_dir``."""
        return self.dbt_target_dir / "run_results.json"

    @property
    def dbt_latest_results(self) -> Path:
        """The latest result of every dbt node, over builds that leave unchanged nodes out (``dbt_results``)."""
        return self.state_dir / "dbt_results.json"

    @property
    def last_refresh_record(self) -> Path:
        """What the last successful refresh was built from (``fingerprint``: nothing new, nothing rebuilt)."""
        return self.state_dir / "last_refresh.json"

    @property
    def dbt_build_basis(self) -> Path:
        """What the dbt tables were last built from in full (``incremental``: incremental or full build)."""
        return self.state_dir / "dbt_build_basis.json"

    @property
    def publishing_baseline_dir(self) -> Path:
        return self.state_dir / "publishing-baseline"

    def dbt_environment(self) -> dict[str, str]:
        """What dbt reads from the environment to find this warehouse (see the module's docstring)."""
        return {DBT_DATABASE_ENV: str(self.database), DBT_RAW_DIR_ENV: str(self.raw_dir)}


def _print_dbt_environment() -> None:
    import shlex

    from orchestration.settings import warehouse_dir_from_environment

    for name, value in WarehousePaths(warehouse_dir_from_environment()).dbt_environment().items():
        print(f"export {name}={shlex.quote(value)}")


if __name__ == "__main__":
    _print_dbt_environment()
