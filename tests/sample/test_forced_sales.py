"""The committed sample's forced-sale figures (sample/README.md), read back independently.

Recomputed from ``sample/landing`` with ``sample_contract_reader.forced_sale_figures`` (written
from sources.md alone, no ``orchestration`` import); the generator's quotas are not read.
"""

from __future__ import annotations

from collections import Counter
from statistics import median

import pytest

from tests.support.sample_contract_reader import (
    COMMITTED_SAMPLE,
    csv_rows,
    date_dmy,
    deliveries,
    forced_sale_figures,
    is_valid_synthetic_id,
    latest,
    table_1_and_2,
    xlsx_rows,
)

LANDING = COMMITTED_SAMPLE


@pytest.fixture(scope="module")
def figures():
    return forced_sale_figures(LANDING)


def test_petitions_and_forced_sales_by_year_and_petitioner(figures):
    assert figures["petitions"] == {
        (2006, "cooperative"): 24, (2007, "cooperative"): 28, (2006, "municipality"): 6, (2007, "municipality"): 9,
        (2006, "bank"): 7, (2007, "bank"): 8, (2006, "other"): 2, (2007, "other"): 3,
    }  # fmt: skip
    assert figures["forced_sales"] == {
        (2006, "cooperative"): 5, (2007, "cooperative"): 5, (2006, "municipality"): 1, (2007, "municipality"): 1,
        (2006, "bank"): 1, (2007, "bank"): 3,
    }  # fmt: skip
    assert figures["lapsed_or_withdrawn"] == {
        (2006, "cooperative"): 14, (2007, "cooperative"): 19, (2006, "municipality"): 5, (2007, "municipality"): 3,
        (2006, "bank"): 5, (2007, "bank"): 4, (2006, "other"): 2, (2007, "other"): 2,
    }  # fmt: skip
    # "a few dozen forced-sale petitions, most of which lapse"
    for year in (2006, 2007):
        petitions = sum(n for (y, _), n in figures["petitions"].items() if y == year)
        assert 30 <= petitions <= 60
    assert sum(figures["lapsed_or_withdrawn"].values()) > 2 * sum(figures["forced_sales"].values())


def test_matches_and_unmatched_cases(figures):
    assert figures["matches"] == {"reference": 44, "person_and_date": 4, "bailiff_only": 4, "cooperative_only": 3}


def test_social_service_notified_before_the_petition(figures):
    assert figures["notified_before"] == {
        (2006, "cooperative"): 5,
        (2007, "cooperative"): 12,
        (2007, "municipality"): 5,
    }
    assert {k: median(v) for k, v in figures["notice_days"].items()} == {
        (2006, "cooperative"): 34,
        (2007, "cooperative"): 43.5,
        (2007, "municipality"): 22,
    }


def test_co_op_arrears_cases_are_a_few_hundred(figures):
    stages = figures["co_op_stages"]
    assert sum(stages.values()) == 268
    by_stage = Counter()
    for (_, stage), n in stages.items():
        by_stage[stage] += n
    assert by_stage == {
        "VARSEL": 68,
        "PALEGG_SALG": 26,
        "BEGJAERT": 9,
        "LOST": 155,
        "SOLGT_FRIVILLIG": 6,
        "TVANGSSOLGT": 4,
    }
    first = csv_rows(deliveries(LANDING, "bbl")[0], "arrears.csv")[1]
    cases = {r["sak_id"] for d in deliveries(LANDING, "bbl") for r in csv_rows(d, "arrears.csv")[1]}
    assert len(first) == 479 and 500 <= len(cases) <= 800  # a few hundred cases a year in 2006-2007


def test_bbl_rows_follow_the_contract():
    for delivery in deliveries(LANDING, "bbl"):
        _, rows = csv_rows(delivery, "arrears.csv")
        ids = [r["sak_id"] for r in rows]
        assert len(ids) == len(set(ids))
        for r in rows:
            assert is_valid_synthetic_id(r["fodselsnummer"])
            assert r["restanse_belop"].replace(",", "").isdigit() and "," in r["restanse_belop"]
            if r["trinn"] in ("BEGJAERT", "TVANGSSOLGT"):
                assert r["begjaert_dato"]
            if r["trinn"] in ("VARSEL", "PALEGG_SALG", "BEGJAERT"):
                assert r["restanse_belop"] != "0,00"
            assert date_dmy(r["trinn_dato"]) >= date_dmy(r["forfalt_siden"])
        assert any(letter in "".join(r["navn"] + r["borettslag"] for r in rows) for letter in "æøåÆØÅ")


def test_forced_sales_extract_is_well_formed():
    _, cases = xlsx_rows(latest(LANDING, "namsfogd"), "forced_sales.xlsx")
    assert len({c["Saksnr"] for c in cases}) == len(cases) == 87
    assert all(is_valid_synthetic_id(c["Fodselsnummer"]) for c in cases)
    assert {c["Utfall"] for c in cases} == {"UNDER_BEHANDLING", "SOLGT", "BORTFALT", "TRUKKET", "AVVIST"}
    assert all(bool(c["Utfall_dato"]) == (c["Utfall"] != "UNDER_BEHANDLING") for c in cases)


def test_the_eviction_figures_are_untouched():
    figures = table_1_and_2(LANDING)
    assert figures["collector_petitions"] == {2006: 110, 2007: 229}
    assert figures["bailiff_cases"] == {2006: 445, 2007: 539}
    assert figures["collector_evictions"] == {2006: 29, 2007: 27}
    assert figures["bailiff_evictions"] == {2006: 116, 2007: 141}
