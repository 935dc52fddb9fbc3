"""GX tests share one process-wide import of great_expectations (~10 s), paid once per session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def gx():
    from orchestration.lib import gx_validation

    return gx_validation._gx()
