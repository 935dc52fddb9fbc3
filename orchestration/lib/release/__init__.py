"""The statistics release: a self-contained HTML page per language, built from ``published/``.

``write_release(published_dir)`` reads the disclosure-controlled Parquet tables that
the publishing step has just written (never ``curated/`` or the database), and writes
``published/release/index.html`` (bokmål, the default) and ``published/release/en/index.html``
(English) atomically, each linking to the other, with the same figures: a title and introduction, the data's
cut-off date and status, definitions, every published table as an HTML table
(suppressed cells shown as "–"), an SVG bar chart for each of Diagrams 1–17 of the
2008 report, the comparison with the report and the revision log. The page has inline
CSS and inline SVG only: no script, no font, no image or style sheet from elsewhere.

Status and cut-off (README, "The statistics release"):

- the *cut-off date* is the earliest of the sources' latest delivery dates, read from
  the deliveries the published tables were built from: every source has delivered
  data up to that date;
- the release is *final* when every source of the contract has delivered data up to
  31 December of the last year in ``petitions_evictions_by_year`` (the reference
  year), and *provisional* otherwise (a source is missing, or the last year is not
  complete in every source).

Three layers: ``data`` (the published tables, status and cut-off, the page's words from
``messages/<language>.yaml``, the code lists' display labels from the seed ``code_lists``,
formatting through ``orchestration.lib.locale_format``), ``charts`` (the SVG charts laid out)
and ``page`` (the layout, the Jinja2 templates ``orchestration/lib/templates/release*``, the
atomic writes). No Dagster here; ``orchestration/defs/publish/release.py`` is the asset.
"""

from .charts import DIAGRAMS
from .data import (
    PublishedTable,
    ReleaseStatus,
    latest_deliveries,
    load_published,
    load_revisions,
    release_status,
)
from .page import Release, release_path, render_release, write_release

__all__ = [
    "DIAGRAMS",
    "PublishedTable",
    "Release",
    "ReleaseStatus",
    "latest_deliveries",
    "load_published",
    "load_revisions",
    "release_path",
    "release_status",
    "render_release",
    "write_release",
]
