"""Hand-made statistics tables, as the dbt models of published/ compute them (before disclosure
control), with the sample's shape: Årstad has most cases, Fana and Laksevåg the highest eviction
shares, Laksevåg the lowest share paid by the social service, women 30-39 the largest group.
Arna's and Ytrebygda's evictions are small, so disclosure control has cells to hide."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import polars as pl
import pyarrow as pa

from tests.support.sql_models import REPORT_FIGURE_TYPES, load_seed, run_model

REPORT_COUNTS = {
    ("collector", 2006): (110, 29),
    ("collector", 2007): (229, 27),
    ("bailiff", 2006): (445, 116),
    ("bailiff", 2007): (539, 141),
}
DISTRICTS = ["Arna", "Bergenhus", "Fana", "Fyllingsdalen", "Laksevåg", "Ytrebygda", "Årstad", "Åsane"]


def _share(values: list[int]) -> list[float]:
    total = sum(values)
    return [100 * v / total for v in values]


def by_year(counts=REPORT_COUNTS) -> pl.DataFrame:
    rows = []
    for source in ("collector", "bailiff"):
        for year in sorted(y for s, y in counts if s == source):
            petitions, evictions = counts[(source, year)]
            previous = counts.get((source, year - 1))
            rows.append(
                {
                    "year": year,
                    "source": source,
                    "petitions": petitions,
                    "evictions": evictions,
                    "petitions_change": petitions - previous[0] if previous else None,
                    "petitions_change_pct": 100 * (petitions - previous[0]) / previous[0] if previous else None,
                    "evictions_change": evictions - previous[1] if previous else None,
                    "evictions_change_pct": 100 * (evictions - previous[1]) / previous[1] if previous else None,
                    "eviction_share_pct": 100 * evictions / petitions,
                }
            )
    return pl.DataFrame(rows, schema_overrides={"year": pl.Int32})


def statistics_tables(counts=REPORT_COUNTS, evicted: int = 45) -> dict[str, pl.DataFrame]:
    district_cases = [60, 150, 105, 110, 120, 70, 230, 118]
    district_evictions = [2, 7, 9, 5, 10, 2, 8, 2]
    district_paid = [10, 30, 14, 20, 9, 11, 50, 20]
    outcomes = {"resolved": 690, "open": 130, "moved": 55, "evicted": evicted, "other": 37, "reinstated": 6}
    sex_age = [105, 165, 120, 75, 30, 28, 80, 120, 140, 60, 22, 18]
    income = {
        "social_assistance": (380, 269),
        "social_security": (310, 228),
        "work": (140, 93),
        "other": (60, 51),
        "none": (48, 28),
        "student_loan": (25, 21),
    }
    solutions = {
        "paid_self": 260,
        "not_recorded": 215,
        "social_service_paid": 164,
        "repayment_agreement": 136,
        "other_dwelling": 73,
        "housing_benefit": 70,
        "none": 45,
    }
    actions = {
        "phone": 831,
        "letter": 446,
        "coordination": 335,
        "home_visit": 298,
        "repayment_agreement": 262,
        "financial_advice": 242,
        "housing_benefit_application": 112,
        "care_services_contact": 65,
    }
    claims = {
        "under 5000": (150, 110, 0),
        "5000-9999": (250, 182, 0),
        "10000-19999": (310, 226, 26),
        "20000-29999": (165, 119, 8),
        "30000+": (88, 53, 11),
    }
    involvement = {"no": (520, 361, 26), "yes": (330, 246, 16), "joint": (113, 83, 3)}
    by_year_frame = by_year(counts)
    tables = {
        "petitions_evictions_by_year": by_year_frame,
        "national_targets": pl.DataFrame(
            {
                "measure": ["petitions", "petitions", "evictions", "evictions"],
                "source": ["collector", "bailiff", "collector", "bailiff"],
                "baseline_year": [2006] * 4,
                "baseline": [110, 445, 29, 116],
                "target_year": [2007] * 4,
                "actual": [229, 539, 27, 141],
                "change_pct": [100 * 119 / 110, 100 * 94 / 445, 100 * -2 / 29, 100 * 25 / 116],
                "target_pct": [-50.0, -50.0, -30.0, -30.0],
                "met": [False] * 4,
            },
            schema_overrides={"baseline_year": pl.Int32, "target_year": pl.Int32},
        ),
        "case_outcomes_summary": pl.DataFrame(
            {"outcome": list(outcomes), "cases": list(outcomes.values()), "share_pct": _share(list(outcomes.values()))}
        ),
        "cases_by_district": pl.DataFrame(
            {
                "district": DISTRICTS,
                "cases": district_cases,
                "evictions": district_evictions,
                "eviction_share_pct": [100 * e / c for e, c in zip(district_evictions, district_cases)],
                "social_service_paid": district_paid,
                "social_service_paid_pct": [100 * p / c for p, c in zip(district_paid, district_cases)],
            }
        ),
        "project_accounts_summary": pl.DataFrame(
            {
                "total_income_nok": [Decimal("509075.00")],
                "total_expenses_nok": [Decimal("831392.41")],
                "balance_nok": [Decimal("-322317.41")],
            },
            schema={n: pl.Decimal(14, 2) for n in ("total_income_nok", "total_expenses_nok", "balance_nok")},
        ),
        "cases_by_household_type": pl.DataFrame(
            {
                "household_type": ["without_children", "with_children"],
                "cases": [645, 318],
                "share_pct": _share([645, 318]),
            }
        ),
        "cases_by_sex_and_age_band": pl.DataFrame(
            {
                "sex": ["F"] * 6 + ["M"] * 6,
                "age_band": ["under 30", "30-39", "40-49", "50-59", "60-66", "67+"] * 2,
                "cases": sex_age,
                "share_pct": _share(sex_age),
            }
        ),
        "cases_by_sex": pl.DataFrame({"sex": ["F", "M"], "cases": [523, 440], "share_pct": _share([523, 440])}),
        "cases_by_income_source": pl.DataFrame(
            {
                "income_source": list(income),
                "cases": [c for c, _ in income.values()],
                "share_pct": _share([c for c, _ in income.values()]),
                "resolved_cases": [r for _, r in income.values()],
                "resolved_share_pct": _share([r for _, r in income.values()]),
            }
        ),
        "cases_by_solution": pl.DataFrame(
            {
                "solution": list(solutions),
                "cases": list(solutions.values()),
                "share_pct": _share(list(solutions.values())),
            }
        ),
        "cases_by_action": pl.DataFrame(
            {
                "action": list(actions),
                "cases": list(actions.values()),
                "share_of_cases_pct": [100 * v / 963 for v in actions.values()],
            }
        ),
        "cases_by_claim_band": pl.DataFrame(
            {
                "claim_band": list(claims),
                "cases": [c for c, _, _ in claims.values()],
                "share_pct": _share([c for c, _, _ in claims.values()]),
                "resolved_cases": [r for _, r, _ in claims.values()],
                "resolved_pct": [100 * r / c for c, r, _ in claims.values()],
                "evictions": [e for _, _, e in claims.values()],
                "eviction_share_pct": [100 * e / c for c, _, e in claims.values()],
            }
        ),
        "cases_by_social_service_involvement": pl.DataFrame(
            {
                "known_to_social_service": list(involvement),
                "cases": [c for c, _, _ in involvement.values()],
                "share_pct": _share([c for c, _, _ in involvement.values()]),
                "resolved_cases": [r for _, r, _ in involvement.values()],
                "resolved_pct": [100 * r / c for c, r, _ in involvement.values()],
                "evictions": [e for _, _, e in involvement.values()],
                "eviction_share_pct": [100 * e / c for c, _, e in involvement.values()],
            }
        ),
    }
    connection = duckdb.connect()
    load_seed(connection, "report_figures_2008", REPORT_FIGURE_TYPES)
    tables["report_comparison"] = run_model("report_comparison", tables, connection)
    return tables


def as_arrow(tables: dict[str, pl.DataFrame]) -> dict[str, pa.Table]:
    return {name: frame.to_arrow() for name, frame in tables.items()}
