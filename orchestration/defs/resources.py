"""Dagster resources. Configured from the environment; the defaults run the bundled sample."""

import dagster as dg

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
