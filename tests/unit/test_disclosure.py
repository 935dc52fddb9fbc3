import polars as pl
import pytest

from orchestration.lib.disclosure import DisclosureRule, DisclosureViolation, protect, protect_table, verify

DISTRICTS = DisclosureRule(
    counts=("cases", "evictions"),
    derived={"eviction_share_pct": ("cases", "evictions")},
)


def districts(evictions: list[int]) -> pl.DataFrame:
    cases = [120, 90, 60, 40, 30]
    return pl.DataFrame(
        {
            "district": ["Årstad", "Fana", "Laksevåg", "Arna", "Åsane"],
            "cases": cases,
            "evictions": evictions,
            "eviction_share_pct": [100 * e / c for e, c in zip(evictions, cases)],
        }
    )


def test_counts_from_one_to_four_are_suppressed_and_zero_is_shown():
    protected = protect(districts([10, 9, 0, 3, 2]), DISTRICTS, threshold=4)
    assert protected["evictions"].to_list() == [10, 9, 0, None, None]
    assert protected["suppressed"].to_list() == [False, False, False, True, True]
    assert protected["eviction_share_pct"].is_null().to_list() == [False, False, False, True, True]


def test_a_single_suppressed_cell_is_protected_by_the_next_smallest():
    # Only Arna is small: its 3 would follow from the published total, so the next
    # smallest non-zero cell (Fana's 6) is suppressed too; Laksevåg's zero is no help.
    protected = protect(districts([10, 6, 0, 3, 7]), DISTRICTS, threshold=4)
    assert protected["evictions"].to_list() == [10, None, 0, None, 7]
    assert verify(protected, DISTRICTS, 4) == []


def test_threshold_is_configurable():
    assert protect(districts([10, 9, 8, 6, 7]), DISTRICTS, threshold=4)["evictions"].null_count() == 0
    # At 6, Arna's 6 is suppressed, and Åsane's 7 with it (the next smallest).
    assert protect(districts([10, 9, 8, 6, 7]), DISTRICTS, threshold=6)["evictions"].to_list() == [10, 9, 8, None, None]


def test_margins_within_groups():
    rule = DisclosureRule(counts=("cases",), margins=(("sex",), ("age_band",)))
    frame = pl.DataFrame(
        {
            "sex": ["F", "F", "F", "M", "M", "M"],
            "age_band": ["under 30", "30-39", "40-49", "under 30", "30-39", "40-49"],
            "cases": [50, 60, 3, 40, 45, 55],
        }
    )
    protected = protect(frame, rule, 4)
    assert verify(protected, rule, 4) == []
    # F/40-49 is small; its row and column each need a second suppressed cell.
    assert protected["cases"].null_count() >= 3


def test_change_from_a_suppressed_previous_year_is_hidden():
    rule = DisclosureRule(
        counts=("petitions",),
        derived_from_previous={"petitions_change": "petitions"},
        order_by=("year",),
        partition_by=("source",),
        margins=(),
    )
    frame = pl.DataFrame(
        {"source": ["a", "a"], "year": [2006, 2007], "petitions": [3, 20], "petitions_change": [None, 17]}
    )
    protected = protect(frame, rule, 4)
    assert protected["petitions"].to_list() == [None, 20]
    assert protected["petitions_change"].to_list() == [None, None]


def test_verify_catches_a_recomputable_cell():
    unsafe = (
        districts([10, 9, 0, 3, 2])
        .with_columns(
            pl.when(pl.col("district") == "Arna").then(None).otherwise(pl.col("evictions")).alias("evictions"),
            pl.col("district").eq("Arna").alias("suppressed"),
        )
        .with_columns(pl.when(pl.col("district") == "Åsane").then(50).otherwise(pl.col("evictions")).alias("evictions"))
    )
    assert any("recomputed" in p for p in verify(unsafe, DISTRICTS, 4))


def test_protect_table_refuses_to_publish_an_unsafe_table(monkeypatch):
    import orchestration.lib.disclosure as disclosure

    monkeypatch.setattr(disclosure, "verify", lambda *a: ["one suppressed cell can be recomputed"])
    with pytest.raises(DisclosureViolation):
        protect_table("cases_by_district", districts([10, 9, 0, 3, 2]).to_arrow(), DISTRICTS, 4)
