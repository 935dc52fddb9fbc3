"""The owner of the warehouse's assets, named once, and the helpers that attach it.

Every asset (the Python ones through ``asset_spec`` and ``warehouse_asset``, the dbt ones through
the dbt translator) is owned by the data-engineering team. Dagster accepts an owner as an e-mail
address or ``team:<name>``; the team form names who answers for the asset, not one mailbox.
``dbt_project.yml`` carries no owner: the dbt assets get theirs from ``OWNER`` too.
"""

from collections.abc import Callable, Sequence
from typing import Any

import dagster as dg

OWNER = "team:data-engineering"


def asset_spec(key: dg.AssetKey | Sequence[str] | str, **attributes: Any) -> dg.AssetSpec:
    """``dg.AssetSpec`` owned by ``OWNER`` (the other attributes as ``dg.AssetSpec`` takes them)."""
    return dg.AssetSpec(key, owners=[OWNER], **attributes)


def warehouse_asset(**attributes: Any) -> Callable[..., dg.AssetsDefinition]:
    """``@dg.asset`` owned by ``OWNER``, for the assets defined by one function."""
    return dg.asset(owners=[OWNER], **attributes)
