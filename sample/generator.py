"""``write_sample``: the whole landing zone, source by source (each delivery's manifest last)."""

from __future__ import annotations

from pathlib import Path

from sample.bbl import _write_bbl
from sample.boei import _write_boei
from sample.forced_sales import build_forced_sale_world
from sample.kemner import _write_kemner
from sample.namsfogd import _write_namsfogd
from sample.prosjekt import _write_prosjekt
from sample.regnskap import _write_regnskap
from sample.shared import Progress
from sample.world import build_world


def write_sample(landing_dir: Path, scale: int = 1, progress: Progress | None = None) -> None:
    """Write the synthetic sample landing zone: six sources, several deliveries each (bbl and the
    bailiff's forced_sales.xlsx from 2007-06-30 on).

    The same ``scale`` always gives the same bytes. ``scale`` multiplies every count
    (and every exact figure of the report except the accounts, which are the
    project's own 20 lines). Files already in ``landing_dir`` with the same names
    are overwritten; each delivery's manifest is written last.
    """
    if not isinstance(scale, int) or scale < 1:
        raise ValueError(f"scale must be a whole number >= 1, got {scale!r}")
    say = progress or (lambda message: None)
    landing_dir = Path(landing_dir)
    say(f"building the synthetic world at scale {scale}")
    world = build_world(scale)
    forced_sales = build_forced_sale_world(world, scale)
    _write_regnskap(landing_dir, say)
    _write_prosjekt(landing_dir, world, say)
    _write_kemner(landing_dir, world, say)
    _write_namsfogd(landing_dir, world, forced_sales, say)
    _write_bbl(landing_dir, forced_sales, say)
    _write_boei(landing_dir, world, scale, say)
    say(f"sample written to {landing_dir}")
