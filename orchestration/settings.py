"""Settings read from the environment, with defaults that run the bundled sample.

``docs/contracts/published.md`` fixes the names; the README documents each one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from orchestration.lib.pseudonym import DEVELOPMENT_KEY

REPO_ROOT = Path(__file__).resolve().parents[1]
BUNDLED_SAMPLE_DIR = REPO_ROOT / "sample" / "landing"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
DEFAULT_WAREHOUSE_DIR = REPO_ROOT / "warehouse"


class SettingsError(RuntimeError):
    """A setting is missing or unsafe; the message says which and what to do."""


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse_dir: Path
    pseudonym_key: str
    write_restricted: bool
    suppression_threshold: int

    @property
    def uses_bundled_sample(self) -> bool:
        return self.landing_dir.resolve() == BUNDLED_SAMPLE_DIR.resolve()

    # Folders of the warehouse (published.md, "Layout").
    @property
    def raw_dir(self) -> Path:
        return self.warehouse_dir / "raw"

    @property
    def curated_dir(self) -> Path:
        return self.warehouse_dir / "curated"

    @property
    def published_dir(self) -> Path:
        return self.warehouse_dir / "published"

    @property
    def quality_dir(self) -> Path:
        return self.warehouse_dir / "quality"

    @property
    def quarantine_dir(self) -> Path:
        return self.warehouse_dir / "quarantine"

    @property
    def restricted_dir(self) -> Path:
        return self.warehouse_dir / "restricted"

    @property
    def state_dir(self) -> Path:
        return self.warehouse_dir / "state"

    @property
    def database_path(self) -> Path:
        return self.warehouse_dir / "warehouse.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.warehouse_dir / "dagster_home"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    landing_dir = Path(env.get("EVICTIONS_LANDING_DIR") or BUNDLED_SAMPLE_DIR).expanduser().resolve()
    warehouse_dir = Path(env.get("EVICTIONS_WAREHOUSE_DIR") or DEFAULT_WAREHOUSE_DIR).expanduser().resolve()
    key = env.get("EVICTIONS_PSEUDONYM_KEY") or ""
    threshold_text = env.get("EVICTIONS_SUPPRESSION_THRESHOLD") or "4"
    try:
        threshold = int(threshold_text)
    except ValueError:
        raise SettingsError(f"EVICTIONS_SUPPRESSION_THRESHOLD must be a whole number, got {threshold_text!r}") from None
    settings = Settings(
        landing_dir=landing_dir,
        warehouse_dir=warehouse_dir,
        pseudonym_key=key or DEVELOPMENT_KEY,
        write_restricted=env.get("EVICTIONS_WRITE_RESTRICTED", "") == "1",
        suppression_threshold=threshold,
    )
    if not key and not settings.uses_bundled_sample:
        raise SettingsError(
            f"EVICTIONS_PSEUDONYM_KEY is not set. The development key is accepted only for the bundled sample "
            f"({BUNDLED_SAMPLE_DIR}); the landing zone {landing_dir} needs a secret key: "
            "export EVICTIONS_PSEUDONYM_KEY=<secret> (see README, 'Pseudonym key')."
        )
    return settings
