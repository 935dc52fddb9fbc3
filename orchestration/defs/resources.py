"""Dagster resources. Configured from the environment; the defaults run the bundled sample."""

import dagster as dg
from pydantic import Field, PrivateAttr

from orchestration.lib.gx_worker import DEFAULT_TIMEOUT_SECONDS
from orchestration.settings import Settings, load_settings


class WarehouseResource(dg.ConfigurableResource):
    """Where the landing zone and the warehouse are, and the pseudonym key.

    Every field left empty falls back to the ``EVICTIONS_*`` environment variables
    (README, "Settings"), read when a run starts, never at import.
    """

    landing_dir: str | None = None
    warehouse_dir: str | None = None

    def settings(self) -> Settings:
        import os

        environ = dict(os.environ)
        if self.landing_dir:
            environ["EVICTIONS_LANDING_DIR"] = self.landing_dir
        if self.warehouse_dir:
            environ["EVICTIONS_WAREHOUSE_DIR"] = self.warehouse_dir
        return load_settings(environ)


class GreatExpectationsResource(dg.ConfigurableResource):
    """The run's Great Expectations worker process (``orchestration/lib/gx_worker.py``).

    Ingest hands each delivery it loads to the worker, which validates it while the run goes on
    (ingest of the other sources, dbt); the ``quality/data_docs`` step collects the results. One
    worker per warehouse and run, started on first use and stopped when the run ends.
    """

    timeout_seconds: float = Field(
        default=DEFAULT_TIMEOUT_SECONDS,
        description="How long one validation (or the Data Docs) may take before the worker counts as hung "
        "and is stopped; the step then fails and publication waits for the next refresh.",
    )
    _workers: dict = PrivateAttr(default_factory=dict)

    def worker(self, paths, run_id: str):
        from orchestration.lib.gx_worker import ValidationWorker

        key = (paths.root, run_id)
        if key not in self._workers:
            self._workers[key] = ValidationWorker(paths, run_id, timeout_seconds=self.timeout_seconds)
        return self._workers[key]

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        for worker in self._workers.values():
            worker.close(on_wait=context.log.info if context.log else None)
        self._workers.clear()


def preview_markdown(frame, hidden: tuple[str, ...] = ("person_key",), rows: int = 5) -> dg.MetadataValue:
    """A small preview for the Dagster UI, without pseudonyms (previews must hold no personal data)."""
    import polars as pl

    shown = frame.select([c for c in frame.columns if c not in hidden]).head(rows)
    with pl.Config(
        tbl_formatting="MARKDOWN",
        tbl_hide_column_data_types=True,
        tbl_hide_dataframe_shape=True,
        tbl_cols=-1,
        fmt_str_lengths=40,
    ):
        return dg.MetadataValue.md(str(shown))
