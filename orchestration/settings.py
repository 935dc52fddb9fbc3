"""Settings read from the environment, with defaults that run the bundled sample.

``docs/contracts/published.md`` fixes the names; the README documents each one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from orchestration.lib.paths import WarehousePaths
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

    @property
    def paths(self) -> WarehousePaths:
        """Every path of this warehouse (``orchestration/lib/paths.py``)."""
        return WarehousePaths(self.warehouse_dir)

    # The folders most steps need, by their short names.
    @property
    def raw_dir(self) -> Path:
        return self.paths.raw_dir

    @property
    def curated_dir(self) -> Path:
        return self.paths.curated_dir

    @property
    def published_dir(self) -> Path:
        return self.paths.published_dir

    @property
    def quality_dir(self) -> Path:
        return self.paths.quality_dir

    @property
    def quarantine_dir(self) -> Path:
        return self.paths.quarantine_dir

    @property
    def restricted_dir(self) -> Path:
        return self.paths.restricted_dir

    @property
    def state_dir(self) -> Path:
        return self.paths.state_dir

    @property
    def database_path(self) -> Path:
        return self.paths.database

    @property
    def dagster_home(self) -> Path:
        return self.paths.dagster_home


def warehouse_dir_from_environment(environ: Mapping[str, str] | None = None) -> Path:
    """``EVICTIONS_WAREHOUSE_DIR``, absolute, or the default; needs no other setting (dbt parse)."""
    env = os.environ if environ is None else environ
    return Path(env.get("EVICTIONS_WAREHOUSE_DIR") or DEFAULT_WAREHOUSE_DIR).expanduser().resolve()


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    landing_dir = Path(env.get("EVICTIONS_LANDING_DIR") or BUNDLED_SAMPLE_DIR).expanduser().resolve()
    warehouse_dir = warehouse_dir_from_environment(env)
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
