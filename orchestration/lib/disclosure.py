"""Disclosure control for ``published/`` (``published.md``, "Privacy").

- Primary suppression: a count from 1 to ``threshold`` (4 by default) is not shown.
- Secondary suppression: wherever a published total lets a single suppressed cell be
  recomputed (one suppressed cell in a group whose total is known), the next smallest
  non-zero cell of that group is suppressed too, until no group has exactly one. The
  totals are over rows (``margins``) or, within a row, a count that is the sum of other
  counts of the same row (``row_totals``, e.g. cases = the sum of the claim-band counts).
- Derived values: a percentage, change or flag computed from a suppressed count is
  null as well; so is a change computed from a suppressed count of the earlier year.
- ``suppressed`` is true on every row with a suppressed cell.

Which columns are counts, which totals are published (``margins``) and what is
derived from what is declared per table in the dbt yml, under
``config.meta.disclosure`` (see ``DisclosureRule``). ``verify`` is the independent
proof, run before anything is written, that no suppressed cell can be recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl
import pyarrow as pa

SUPPRESSED = "suppressed"


@dataclass(frozen=True)
class DisclosureRule:
    counts: tuple[str, ...]
    # Groupings whose totals are published: () is the grand total of the column.
    margins: tuple[tuple[str, ...], ...] = ((),)
    # Column → the counts (same row) it is computed from.
    derived: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Column → the count of the previous row it is computed from (change against last year).
    derived_from_previous: dict[str, str] = field(default_factory=dict)
    # Order and partition that define "the previous row".
    order_by: tuple[str, ...] = ()
    partition_by: tuple[str, ...] = ()
    # Count → the counts of the same row that add up to it (a total published in the row).
    row_totals: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_meta(cls, meta: dict) -> DisclosureRule:
        return cls(
            counts=tuple(meta.get("counts", ())),
            margins=tuple(tuple(m) for m in meta.get("margins", [[]])),
            derived={k: tuple(v) for k, v in meta.get("derived", {}).items()},
            derived_from_previous=dict(meta.get("derived_from_previous", {})),
            order_by=tuple(meta.get("order_by", ())),
            partition_by=tuple(meta.get("partition_by", ())),
            row_totals={k: tuple(v) for k, v in meta.get("row_totals", {}).items()},
        )


class DisclosureViolation(RuntimeError):
    """A suppressed cell could be recomputed from what would be published."""


def _mask_name(column: str) -> str:
    return f"__suppressed__{column}"


def suppression_masks(frame: pl.DataFrame, rule: DisclosureRule, threshold: int) -> pl.DataFrame:
    """The frame with a boolean mask column per count: primary, then secondary suppression."""
    frame = frame.with_row_index("__row__").with_columns(
        (pl.col(c).is_between(1, threshold) & pl.col(c).is_not_null()).alias(_mask_name(c)) for c in rule.counts
    )
    changed = True
    while changed:
        changed = False
        for total, parts in rule.row_totals.items():
            frame, hid = _suppress_within_rows(frame, total, parts)
            changed = changed or hid
        for column in rule.counts:
            mask = _mask_name(column)
            for margin in rule.margins:
                groups = frame.group_by(list(margin)) if margin else [((), frame)]
                for _, group in groups:
                    if group[mask].sum() != 1:
                        continue
                    candidates = group.filter(~pl.col(mask) & (pl.col(column) > 0)).sort(column, "__row__")
                    if candidates.is_empty():
                        # Every other cell is 0: hide a zero, else the total gives the cell away.
                        candidates = group.filter(~pl.col(mask) & pl.col(column).is_not_null()).sort("__row__")
                    if candidates.is_empty():
                        continue
                    row = candidates["__row__"][0]
                    frame = frame.with_columns(
                        pl.when(pl.col("__row__") == row).then(True).otherwise(pl.col(mask)).alias(mask)
                    )
                    changed = True
    return frame


def _suppress_within_rows(frame: pl.DataFrame, total: str, parts: tuple[str, ...]) -> tuple[pl.DataFrame, bool]:
    """Where a row shows ``total`` and exactly one of its ``parts`` is suppressed, suppress the
    smallest other non-zero part too (a zero when there is none, else the total itself); where
    it hides ``total`` but shows every part, suppress the smallest non-zero part."""
    masks = [_mask_name(total), *(_mask_name(p) for p in parts)]
    rows = frame.select("__row__", total, *parts, *masks).to_dicts()
    hide: dict[str, list[int]] = {}
    for row in rows:
        hidden_parts = sum(bool(row[_mask_name(p)]) for p in parts)
        if row[_mask_name(total)]:
            nonzero = sorted((row[p], p) for p in parts if row[p])
            if hidden_parts == 0 and nonzero:
                hide.setdefault(nonzero[0][1], []).append(row["__row__"])
            continue
        if hidden_parts != 1:
            continue
        shown = [p for p in parts if not row[_mask_name(p)] and row[p] is not None]
        candidates = sorted((row[p], i) for i, p in enumerate(shown) if row[p] > 0) or [
            (row[p], i) for i, p in enumerate(shown)
        ]
        column = shown[candidates[0][1]] if candidates else total
        hide.setdefault(column, []).append(row["__row__"])
    for column, hidden_rows in hide.items():
        mask = _mask_name(column)
        frame = frame.with_columns(pl.col("__row__").is_in(hidden_rows).or_(pl.col(mask)).alias(mask))
    return frame, bool(hide)


def protect(frame: pl.DataFrame, rule: DisclosureRule, threshold: int) -> pl.DataFrame:
    masked = suppression_masks(frame, rule, threshold)
    any_mask = pl.any_horizontal([pl.col(_mask_name(c)) for c in rule.counts]) if rule.counts else pl.lit(False)
    updates = [pl.when(pl.col(_mask_name(c))).then(None).otherwise(pl.col(c)).alias(c) for c in rule.counts]
    hidden_by: dict[str, list[pl.Expr]] = {}
    for column, sources in rule.derived.items():
        hidden_by.setdefault(column, []).extend(pl.col(_mask_name(s)) for s in sources)
    if rule.derived_from_previous:
        masked = masked.sort([*rule.partition_by, *rule.order_by])
        partition = list(rule.partition_by)
        for column, source in rule.derived_from_previous.items():
            shifted = pl.col(_mask_name(source)).shift(1)
            previous = (shifted.over(partition) if partition else shifted).fill_null(False)
            hidden_by.setdefault(column, []).extend([previous, pl.col(_mask_name(source))])
    for column, hidden in hidden_by.items():
        updates.append(pl.when(pl.any_horizontal(hidden)).then(None).otherwise(pl.col(column)).alias(column))
    protected = masked.with_columns(updates).with_columns(any_mask.alias(SUPPRESSED)).sort("__row__")
    return protected.select([*frame.columns, SUPPRESSED] if SUPPRESSED not in frame.columns else frame.columns)


def verify(protected: pl.DataFrame, rule: DisclosureRule, threshold: int) -> list[str]:
    """Problems that would let a reader recover a suppressed count; empty when safe."""
    problems = []
    for column in rule.counts:
        shown = protected[column].drop_nulls()
        small = shown.filter((shown >= 1) & (shown <= threshold))
        if small.len():
            problems.append(f"{column}: {small.len()} count(s) from 1 to {threshold} shown")
        for margin in rule.margins:
            groups = protected.group_by(list(margin)) if margin else [((), protected)]
            for key, group in groups:
                hidden = group[column].null_count()
                if hidden == 1 and group.height > 1:
                    where = f" in group {dict(zip(margin, key))}" if margin else ""
                    problems.append(f"{column}: one suppressed cell{where} can be recomputed from the total")
    for total, parts in rule.row_totals.items():
        # a row showing the total must not have exactly one of its parts hidden
        hidden = pl.sum_horizontal([(pl.col(p).is_null() & pl.col(SUPPRESSED)).cast(pl.Int32) for p in parts])
        leaked = protected.filter(pl.col(total).is_not_null() & (hidden == 1))
        if leaked.height:
            problems.append(
                f"{total}: one suppressed cell of {', '.join(parts)} can be recomputed from it in {leaked.height} row(s)"
            )
    for column, sources in rule.derived.items():
        for source in sources:
            leaked = protected.filter(pl.col(source).is_null() & pl.col(SUPPRESSED) & pl.col(column).is_not_null())
            if leaked.height:
                problems.append(f"{column} is shown where {source} is suppressed")
    if rule.derived_from_previous and SUPPRESSED in protected.columns:
        ordered = protected.sort([*rule.partition_by, *rule.order_by])
        partition = list(rule.partition_by)
        for column, source in rule.derived_from_previous.items():
            hidden = pl.col(source).is_null() & pl.col(SUPPRESSED)
            previous_hidden = (hidden.shift(1).over(partition) if partition else hidden.shift(1)).fill_null(False)
            leaked = ordered.filter(previous_hidden & pl.col(column).is_not_null())
            if leaked.height:
                problems.append(f"{column} is shown where the previous row's {source} is suppressed")
    return problems


def suppressed_cells(original: pa.Table, protected: pa.Table) -> dict[str, list[int]]:
    """Column → the rows (0-based, in the protected table's order) whose value disclosure control hid.

    A cell is suppressed when it had a value and has none after protection; a value that was
    null to begin with (a first year's change, a share without cases) is not suppressed.
    """
    cells: dict[str, list[int]] = {}
    for column in protected.column_names:
        if column == SUPPRESSED or column not in original.column_names:
            continue
        before = original.column(column).is_valid().to_pylist()
        after = protected.column(column).is_valid().to_pylist()
        rows = [i for i, (had, has) in enumerate(zip(before, after)) if had and not has]
        if rows:
            cells[column] = rows
    return cells


def protect_table(name: str, table: pa.Table, rule: DisclosureRule | None, threshold: int) -> pa.Table:
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    if rule is None or not rule.counts:
        return (
            frame.with_columns(pl.lit(False).alias(SUPPRESSED)).to_arrow() if SUPPRESSED not in frame.columns else table
        )
    protected = protect(frame, rule, threshold)
    problems = verify(protected, rule, threshold)
    if problems:
        raise DisclosureViolation(f"published/{name}: " + "; ".join(problems))
    return protected.to_arrow()


def rule_for(name: str) -> DisclosureRule | None:
    from orchestration.lib.dbt_manifest import model_node

    meta = {**model_node(name).get("meta", {}), **model_node(name).get("config", {}).get("meta", {})}
    return DisclosureRule.from_meta(meta["disclosure"]) if "disclosure" in meta else None


def protect_tables(tables: dict[str, pa.Table], threshold: int) -> dict[str, pa.Table]:
    """Protect every table; raises ``DisclosureViolation`` before anything is written."""
    return {name: protect_table(name, table, rule_for(name), threshold) for name, table in tables.items()}
