"""``scale`` multiplies the sample's counts and keeps its exact figures proportional."""

from __future__ import annotations

from collections import Counter

import pytest

from sample import write_sample
from tests.support.sample_contract_reader import (
    csv_rows,
    date_dmy,
    deliveries,
    latest,
    sha256,
    table_1_and_2,
)


def test_scale_2_doubles_the_reports_figures(tmp_path):
    messages: list[str] = []
    write_sample(tmp_path, scale=2, progress=messages.append)
    assert messages, "progress is reported"

    figures = table_1_and_2(tmp_path)
    assert figures["collector_petitions"] == {2006: 220, 2007: 458}
    assert figures["bailiff_cases"] == {2006: 890, 2007: 1078}
    assert figures["collector_evictions"] == {2006: 58, 2007: 54}
    assert figures["bailiff_evictions"] == {2006: 232, 2007: 282}

    _, cases = csv_rows(latest(tmp_path, "prosjekt"), "cases.csv")
    assert len(cases) == 1926
    assert Counter(c["utfall"] for c in cases)["UTKASTET"] == 90
    assert all(date_dmy(c["opprettet"]).year in (2006, 2007) for c in cases)

    for delivery in deliveries(tmp_path, "boei"):
        for listed in delivery.manifest["files"]:
            assert listed["sha256"] == sha256(delivery.folder / listed["name"])


def test_scale_must_be_a_positive_whole_number(tmp_path):
    for bad in (0, -1, 1.5):
        with pytest.raises(ValueError):
            write_sample(tmp_path, scale=bad)
