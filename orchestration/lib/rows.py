"""Row-level validation of one contract file: typed rows, quarantined rows, collapsed duplicates.

Input is the file as strings (one column per contract column, plus ``row_number``).
Output keeps every row accounted for: ``rows = loaded + quarantined + collapsed``.
National ids are turned into ``person_key``, ``sex`` and ``age_band`` here and
dropped, together with names, so nothing downstream of ingestion holds them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from orchestration.lib import parsing
from orchestration.lib.contract import (
    Col,
    Compare,
    Condition,
    FileSpec,
    Implies,
    InReference,
    Matches,
    OneOf,
    Present,
    reference_values,
)
from orchestration.lib.national_id import parse_national_ids
from orchestration.lib.pseudonym import person_keys

ROW_NUMBER = "row_number"
REASON = "reason"
_PARSED = "__parsed__"
_REASONS = "__reasons__"


@dataclass
class ValidatedFile:
    loaded: pl.DataFrame
    quarantined: pl.DataFrame
    rows: int
    collapsed: int


def _parsed(name: str) -> str:
    return f"{_PARSED}{name}"


def _xlsx_date(expr: pl.Expr) -> pl.Expr:
    """A real Excel date arrives as ``yyyy-mm-dd hh:mm:ss`` text; a text date as dd.mm.yyyy."""
    text = parsing.blank_to_null(expr)
    excel = pl.when(text.str.contains(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2}(\.\d+)?)?$")).then(
        text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    )
    return pl.coalesce(excel, parsing.date(expr, "dmy"))


def _parse_expr(spec: FileSpec, column_name: str) -> pl.Expr:
    column = spec.column(column_name)
    raw = pl.col(column_name)
    if column.type == "int":
        return parsing.integer(raw)
    if column.type == "amount":
        return parsing.amount(raw, spec.format.amount_style)
    if column.type == "date":
        if spec.format.date_style == "excel_or_dmy":
            return _xlsx_date(raw)
        return parsing.date(raw, spec.format.date_style)
    if column.type == "code":
        return parsing.code(raw, column.codes, column.case_insensitive)
    if column.type == "codes":
        return parsing.code_list(raw, column.codes, spec.format.list_separator)[0]
    return parsing.text(raw)


def _value_reason(spec: FileSpec, column_name: str) -> pl.Expr:
    """Why a single value is unacceptable, or null."""
    column = spec.column(column_name)
    present = parsing.blank_to_null(pl.col(column_name)).is_not_null()
    parsed = pl.col(_parsed(column_name))
    if column.type == "codes":
        bad = present & ~parsing.code_list(pl.col(column_name), column.codes, spec.format.list_separator)[1]
    else:
        bad = present & parsed.is_null()
    kind = {"code": "unknown_code", "codes": "unknown_code"}.get(column.type, "unparseable")
    reason = pl.when(bad).then(pl.lit(f"{kind}:{column_name}"))
    if column.required:
        reason = pl.when(~present).then(pl.lit(f"missing_required:{column_name}")).otherwise(reason)
    return reason


def condition_expr(condition: Condition, value: Callable[[str], pl.Expr]) -> pl.Expr:
    """A contract condition (``orchestration.lib.contract``) as a polars expression.

    ``value(name)`` gives the parsed value of a column. The result is null where the
    condition reads a missing value; callers treat null as "not judged".
    """
    if isinstance(condition, Compare):
        left = value(condition.left.name)
        right = value(condition.right.name) if isinstance(condition.right, Col) else pl.lit(condition.right)
        return {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[condition.op]
    if isinstance(condition, OneOf):
        inside = value(condition.column.name).is_in(list(condition.values))
        return ~inside if condition.negated else inside
    if isinstance(condition, Present):
        present = value(condition.column.name).is_not_null()
        return ~present if condition.negated else present
    if isinstance(condition, Matches):
        return value(condition.column.name).str.contains(condition.regex)
    if isinstance(condition, InReference):
        return value(condition.column.name).is_in(list(reference_values(condition)))
    if isinstance(condition, Implies):
        return (
            pl.when(condition_expr(condition.when, value)).then(condition_expr(condition.then, value)).otherwise(True)
        )
    raise TypeError(f"not a contract condition: {condition!r}")


def _rule_checks(spec: FileSpec) -> dict[str, pl.Expr]:
    """Each ``RowRule`` of the file: an expression that is false when the rule is broken.

    A rule over a missing value is not judged (the missing value has its own reason).
    """

    def parsed(name: str) -> pl.Expr:
        return pl.col(_parsed(name))

    return {
        rule.name: pl.all_horizontal(condition_expr(check, parsed).fill_null(True) for check in rule.checks)
        for rule in spec.rules
    }


def _identities(values: pl.Series, pseudonym_key: str) -> pl.DataFrame:
    """person_key, sex and birth date for each distinct valid national id (invalid ones are absent)."""
    valid = parse_national_ids(values.drop_nulls().unique()).filter(pl.col("failure").is_null())
    return valid.select(
        pl.col("national_id").alias("__nid__"),
        pl.Series("person_key", person_keys(valid["national_id"].to_list(), pseudonym_key), dtype=pl.String),
        pl.col("sex"),
        pl.col("birth_date").alias("__birth__"),
    )


def _age_band(birth: pl.Expr, on: pl.Expr) -> pl.Expr:
    """The age band of ``published.md`` (``AGE_BANDS``) at the date ``on``."""
    had_birthday = (on.dt.month() > birth.dt.month()) | (
        (on.dt.month() == birth.dt.month()) & (on.dt.day() >= birth.dt.day())
    )
    age = on.dt.year() - birth.dt.year() - pl.when(had_birthday).then(0).otherwise(1)
    return (
        pl.when(age < 30)
        .then(pl.lit("under 30"))
        .when(age < 40)
        .then(pl.lit("30-39"))
        .when(age < 50)
        .then(pl.lit("40-49"))
        .when(age < 60)
        .then(pl.lit("50-59"))
        .when(age < 67)
        .then(pl.lit("60-66"))
        .otherwise(pl.lit("67+"))
    )


def _first_of_identical_rows(strings: pl.DataFrame, names: list[str]) -> pl.Series:
    """True for every row but the repeats of an earlier, identical row.

    Rows are first told apart by a 64-bit hash of their values, column by column: comparing
    whole rows of a 3-million-row ledger at once holds ~600 MB more. Only rows whose hash
    occurs more than once are compared value by value, so a hash collision can never merge
    two different rows.
    """
    row_hash = functools.reduce(
        lambda combined, column_hash: combined.xor(column_hash),
        [pl.col(name).hash(seed=position) for position, name in enumerate(names)],
    )
    candidates = strings.select(row_hash.is_duplicated()).to_series()
    if not candidates.any():
        return pl.Series("first", [True] * strings.height, dtype=pl.Boolean)
    positioned = strings.with_row_index("__position__")
    repeats = positioned.filter(candidates).filter(~pl.struct(names).is_first_distinct()).get_column("__position__")
    return positioned.select(~pl.col("__position__").is_in(repeats.implode())).to_series()


@dataclass(frozen=True)
class FileRowIndex:
    """What the row checks need to know about the whole file when it is validated in chunks."""

    repeats: pl.Series  # row numbers of the repeats of an earlier, identical row (loaded once)
    duplicate_keys: pl.Series  # row numbers of distinct rows whose key another distinct row has


def file_row_index(spec: FileSpec, lazy_strings: pl.LazyFrame) -> FileRowIndex:
    """``FileRowIndex`` of a whole file, holding only a hash and the key of each row.

    The same decisions as ``_first_of_identical_rows`` and the duplicate-key rule of
    ``validate_rows`` on the whole file: rows are told apart by the same 64-bit hash, and only
    rows whose hash occurs more than once are read again and compared value by value.
    """
    names = list(spec.column_names)
    row_hash = functools.reduce(
        lambda combined, column_hash: combined.xor(column_hash),
        [pl.col(name).hash(seed=position) for position, name in enumerate(names)],
    )
    index = lazy_strings.select(
        pl.col(ROW_NUMBER), row_hash.alias("__hash__"), *(parsing.blank_to_null(pl.col(k)).alias(k) for k in spec.key)
    ).collect(engine="streaming")
    candidates = index.filter(pl.col("__hash__").is_duplicated()).get_column(ROW_NUMBER)
    repeats = pl.Series(ROW_NUMBER, [], dtype=pl.Int64)
    if not candidates.is_empty():
        rows = (
            lazy_strings.filter(pl.col(ROW_NUMBER).is_in(candidates.implode()))
            .collect(engine="streaming")
            .sort(ROW_NUMBER)
        )
        repeats = rows.filter(~pl.struct(names).is_first_distinct()).get_column(ROW_NUMBER)
    distinct = index.filter(~pl.col(ROW_NUMBER).is_in(repeats.implode()))
    shared = distinct.filter(_shares_key([pl.col(k) for k in spec.key])).get_column(ROW_NUMBER)
    return FileRowIndex(repeats=repeats, duplicate_keys=shared)


def _shares_key(key: list[pl.Expr]) -> pl.Expr:
    """True for a row whose key (every part present) another row of the frame has too.

    is_duplicated, not a count over the key: a window broadcast the count to every row
    (7.3 M rows: 0.8 GB transient against 0.3 GB).
    """
    present = pl.all_horizontal(part.is_not_null() for part in key)
    return present & (key[0] if len(key) == 1 else pl.struct(key)).is_duplicated()


def loaded_key_and_content(spec: FileSpec, lazy_strings: pl.LazyFrame) -> tuple[pl.DataFrame, list[str]]:
    """The whole file's distinct parsed keys, as ``validate_rows`` loads them, and the loaded
    columns that hold content (what a posting delivered again is compared on)."""
    personal = {c.name for c in spec.columns if c.personal or c.national_id}
    content = [n for n in spec.column_names if n not in personal]
    if spec.national_id_column is not None:
        content += ["person_key", "sex", "age_band"]
    key = spec.key[0]
    # unique in the streaming plan, not after it: 7.3 M keys peaked at 1.1 GB, now 0.5 GB
    keys = lazy_strings.select(_parse_expr(spec, key).alias(key)).unique().collect(engine="streaming")
    return keys, content


def validate_rows(
    spec: FileSpec,
    strings: pl.DataFrame,
    delivery_date: dt.date,
    pseudonym_key: str,
    whole_file: FileRowIndex | None = None,
) -> ValidatedFile:
    """Parse and check every row of one file; see the module docstring.

    ``strings`` is the whole file, or one chunk of it with ``whole_file`` (``file_row_index``)
    telling which of its rows repeat an earlier identical row and which share a key with
    another row anywhere in the file: the two checks that need more than the chunk.
    """
    names = list(spec.column_names)
    rows = strings.height

    # Exact duplicates (every column identical) are loaded once.
    if whole_file is None:
        first = _first_of_identical_rows(strings, names)
    else:
        first = strings.select(~pl.col(ROW_NUMBER).is_in(whole_file.repeats.implode())).to_series()
    collapsed = rows - int(first.sum())
    # Filtering copies the file; most files have no exact duplicate to drop.
    distinct = strings.filter(first) if collapsed else strings

    # One lazy plan, collected once: polars then computes shared subexpressions (the trimmed
    # text of a value feeds its parse, its reason and the rules) once instead of per use.
    frame = distinct.lazy().with_columns(_parse_expr(spec, n).alias(_parsed(n)) for n in names)
    reasons = [_value_reason(spec, n) for n in names]

    nid_column = spec.national_id_column
    if nid_column is not None:
        identities = _identities(distinct.select(parsing.blank_to_null(pl.col(nid_column))).to_series(), pseudonym_key)
        frame = frame.with_columns(parsing.blank_to_null(pl.col(nid_column)).alias("__nid__")).join(
            identities.lazy(), on="__nid__", how="left", maintain_order="left"
        )
        reasons.append(
            pl.when(pl.col("__nid__").is_not_null() & pl.col("person_key").is_null()).then(
                pl.lit(f"invalid_national_id:{nid_column}")
            )
        )

    for name, check in _rule_checks(spec).items():
        reasons.append(pl.when(check.not_()).then(pl.lit(f"rule:{name}")))

    # Two different rows with the same key: neither can be trusted, both are quarantined.
    shared_key = (
        _shares_key([parsing.blank_to_null(pl.col(k)) for k in spec.key])
        if whole_file is None
        else pl.col(ROW_NUMBER).is_in(whole_file.duplicate_keys.implode())
    )
    reasons.append(pl.when(shared_key).then(pl.lit(f"duplicate_key:{','.join(spec.key)}")))

    frame = frame.with_columns(pl.concat_str(reasons, separator="; ", ignore_nulls=True).alias(_REASONS))
    frame = frame.with_columns(
        pl.when(pl.col(_REASONS).str.len_chars() > 0).then(pl.col(_REASONS)).otherwise(None).alias(_REASONS)
    ).collect()

    # Lazily, so that only the columns each output keeps are filtered (copied), not the frame.
    quarantined = (
        frame.lazy()
        .filter(pl.col(_REASONS).is_not_null())
        .select(pl.col(ROW_NUMBER), *names, pl.col(_REASONS).alias(REASON))
        .collect()
    )

    personal = {c.name for c in spec.columns if c.personal or c.national_id}
    outputs = [pl.col(_parsed(n)).alias(n) for n in names if n not in personal]
    if nid_column is not None:
        event = pl.col(_parsed(spec.event_date_column)) if spec.event_date_column else pl.lit(delivery_date)
        outputs += [pl.col("person_key"), pl.col("sex"), _age_band(pl.col("__birth__"), event).alias("age_band")]
    loaded = (
        frame.lazy()
        .filter(pl.col(_REASONS).is_null())
        .select(*outputs, pl.lit(delivery_date).alias("delivery_date"), pl.col(ROW_NUMBER))
        .collect()
    )
    return ValidatedFile(loaded=loaded, quarantined=quarantined, rows=rows, collapsed=collapsed)
