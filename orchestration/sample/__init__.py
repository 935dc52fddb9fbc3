"""The bundled sample landing zone: a deterministic, synthetic generator (issue 3).

``write_sample`` writes all five sources of ``docs/contracts/sources.md``; the
committed copy lives at ``SAMPLE_RELATIVE_DIR`` in the repository. Plain Python:
importing this package does not import Dagster.
"""

from orchestration.sample.generator import SAMPLE_RELATIVE_DIR, write_sample

__all__ = ["SAMPLE_RELATIVE_DIR", "write_sample"]
