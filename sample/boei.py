"""``boei``: the housing register (``tenancies.csv``) and its rent ledger (``rent_ledger.csv``, one
month at a time so memory stays bounded at any scale)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from sample.files import (
    CHUNK_ROWS,
    _csv_bytes,
    _delivery_dir,
    _dmy,
    _FileWriter,
    _national_ids,
    _write_csv,
    _write_manifest,
    amount_comma,
)
from sample.shared import (
    AGREEMENT,
    AVSKREVET,
    BILAG_DIGITS,
    CREDIT_NOTE_DAY,
    CREDIT_NOTE_SHARE,
    CREDITED,
    DELIVERY_DATES,
    DWELLING_TYPES,
    HUSLEIE,
    INNBETALING,
    INSTALMENTS,
    KREDIT,
    LEDGER_COLUMNS,
    LEDGER_EARLIEST,
    LEDGER_HISTORY_MONTHS,
    LINE_END,
    NAME_TABLE,
    NOT_A_DATE,
    OPEN,
    PAID,
    PARTIAL_PAYMENT_DAY,
    PAY_DAYS,
    PERIOD_END,
    POSTING_TYPES,
    REDELIVERY_DAYS,
    RENT_DAY,
    TENANCY_COLUMNS,
    WRITE_OFF_AFTER_DAYS,
    WRITTEN_OFF,
    D,
    Progress,
    _after,
    _days,
    _first_day,
    _month_of,
    _months,
    _rng,
)
from sample.world import _DISTRICT_TEXT, World, _amount_styles


def _write_tenancies(path: Path, world: World, day: np.datetime64) -> dict:
    """``tenancies.csv`` on ``day``: the tenancies begun by then, by ``leieforhold_id``."""
    t = world.tenancies
    present = np.flatnonzero(t.start <= day)
    rows = present[np.argsort(t.tenancy_id[present], kind="stable")]

    def frame_of(rows: np.ndarray) -> pl.DataFrame:
        frame = pl.DataFrame(
            {
                "leieforhold_id": t.tenancy_id[rows],
                "bolig_no": t.dwelling_no[rows],
                "fodselsnummer": _national_ids(world.national_id[t.person[rows]]),
                "navn": NAME_TABLE[t.name[rows]],
                "bydel": _DISTRICT_TEXT[t.district[rows], t.district_spelling[rows]],
                "boligtype": _DWELLING_TYPE_TEXT[t.dwelling_type[rows]],
                "antall_personer": t.persons[rows],
                "antall_barn": t.children[rows],
                "husleie": t.rent[rows],
                "style": t.rent_style[rows],
                "fra_dato": t.start[rows],
                "til_dato": np.where(t.end[rows] <= day, t.end[rows], NOT_A_DATE),
            }
        )
        return frame.select(
            "leieforhold_id",
            pl.concat_str([pl.lit("BL"), pl.col("bolig_no").cast(pl.String).str.zfill(6)]).alias("bolig_id"),
            pl.col("fodselsnummer", "navn", "bydel", "boligtype", "antall_personer", "antall_barn"),
            amount_comma(pl.col("husleie"), pl.col("style")).alias("husleie"),
            _dmy(pl.col("fra_dato")).alias("fra_dato"),
            _dmy(pl.col("til_dato")).alias("til_dato"),
        ).select(TENANCY_COLUMNS)

    return _write_csv(path, rows, frame_of, ";", "cp1252")


_DWELLING_TYPE_TEXT = np.array(DWELLING_TYPES)


# --------------------------------------------------------------------------------------
# The rent ledger, one month at a time
# --------------------------------------------------------------------------------------


@dataclass
class _Accounts:
    """Per followed-up tenancy, what its rent account needs month by month."""

    tenancy_id: np.ndarray
    rent: np.ndarray
    first_month: np.ndarray
    last_month: np.ndarray
    pay_day: np.ndarray
    start_month: np.ndarray
    residual: np.ndarray
    resolution: np.ndarray
    resolved: np.ndarray
    resolved_month: np.ndarray
    owed_at_resolution: np.ndarray
    instalments: np.ndarray
    write_off: np.ndarray


def _accounts(world: World, scale: int) -> _Accounts:
    rng = _rng(scale, "reskontro")
    e = world.episodes
    n = len(e)
    t = world.tenancies
    if (e.start_month < _month_of(LEDGER_EARLIEST)).any():
        raise AssertionError("arrears that began before the ledger's history")
    never = np.datetime64("2999-12", "M")
    resolved_month = np.where(np.isnat(e.resolved), never, _month_of(e.resolved))
    owed = np.zeros(n, dtype=np.int64)
    done = ~np.isnat(e.resolved)
    owed[done] = e.arrears(np.flatnonzero(done), e.resolved[done])
    first_month = np.maximum.reduce(
        [
            np.full(n, _month_of(LEDGER_EARLIEST)),
            _month_of(t.start[:n]),
            e.start_month - _months(LEDGER_HISTORY_MONTHS),
        ]
    )
    return _Accounts(
        tenancy_id=t.tenancy_id[:n],
        rent=e.rent,
        first_month=first_month,
        last_month=np.where(e.ends_tenancy, resolved_month, _month_of(PERIOD_END)),
        pay_day=rng.integers(PAY_DAYS[0], PAY_DAYS[1] + 1, n),
        start_month=e.start_month,
        residual=e.residual,
        resolution=e.resolution,
        resolved=e.resolved,
        resolved_month=resolved_month,
        owed_at_resolution=owed,
        instalments=rng.integers(INSTALMENTS[0], INSTALMENTS[1] + 1, n),
        write_off=np.where(
            np.isin(e.resolution, WRITTEN_OFF), _after(rng, e.resolved, WRITE_OFF_AFTER_DAYS), NOT_A_DATE
        ),
    )


def _ledger_month(a: _Accounts, month: np.datetime64, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """All postings booked in ``month``: (tenancy id, date, posting type, øre)."""
    first = _first_day(month)
    active = (a.first_month <= month) & (month <= a.last_month)
    resolved_before = month > a.resolved_month
    ordinary = active & ((month < a.start_month) | (resolved_before & (a.resolution != OPEN)))
    credited = ordinary & (rng.random(len(a.rent)) < CREDIT_NOTE_SHARE)
    credit = np.round(a.rent * rng.uniform(0.05, 0.25, len(a.rent)) / 100).astype(np.int64) * 100
    partial = active & (month == a.start_month) & (a.residual < a.rent)
    lump = (month == a.resolved_month) & np.isin(a.resolution, [PAID, CREDITED])
    instalment_no = (month - a.resolved_month).astype(np.int64)
    instalment = active & (a.resolution == AGREEMENT) & (instalment_no >= 1) & (instalment_no <= a.instalments)
    share = a.owed_at_resolution // a.instalments
    last_share = a.owed_at_resolution - share * (a.instalments - 1)
    write_off = ~np.isnat(a.write_off) & (_month_of(a.write_off) == month) & (a.write_off <= PERIOD_END)

    parts = [
        # (who, day, type, amount)
        (active, first + _days(RENT_DAY - 1), HUSLEIE, a.rent),
        (credited, first + _days(CREDIT_NOTE_DAY - 1), KREDIT, -credit),
        (ordinary, first + _days(a.pay_day - 1), INNBETALING, -(a.rent - np.where(credited, credit, 0))),
        (partial, first + _days(PARTIAL_PAYMENT_DAY - 1), INNBETALING, -(a.rent - a.residual)),
        (lump, a.resolved, np.where(a.resolution == CREDITED, KREDIT, INNBETALING), -a.owed_at_resolution),
        (
            instalment,
            first + _days(a.pay_day - 1),
            INNBETALING,
            -np.where(instalment_no == a.instalments, last_share, share),
        ),
        (write_off, a.write_off, AVSKREVET, -a.owed_at_resolution),
    ]
    tenancy, day, kind, amount = [], [], [], []
    for who, when, what, how_much in parts:
        tenancy.append(a.tenancy_id[who])
        day.append(np.broadcast_to(when, who.shape)[who])
        kind.append(np.broadcast_to(what, who.shape)[who])
        amount.append(np.broadcast_to(how_much, who.shape)[who])
    tenancy, day, kind, amount = (np.concatenate(x) for x in (tenancy, day, kind, amount))
    order = np.lexsort((kind, tenancy, day))
    return tenancy[order], day[order], kind[order], amount[order]


def _write_ledger(world: World, scale: int, folders: list[Path], progress: Progress) -> list[dict]:
    """Stream the incremental rent ledger into the boei deliveries, a month at a time."""
    accounts = _accounts(world, scale)
    cut_offs = np.array(DELIVERY_DATES, dtype=D)
    header = (";".join(LEDGER_COLUMNS) + LINE_END).encode("cp1252")
    writers = [_FileWriter(folder / "rent_ledger.csv") for folder in folders]
    for w in writers:
        w.write(header)
    next_bilag = 1
    months = np.arange(_month_of(LEDGER_EARLIEST), _month_of(PERIOD_END) + 1)
    for month in months:
        rng = _rng(scale, f"reskontro-{month}")
        tenancy, day, kind, amount = _ledger_month(accounts, month, rng)
        count = len(day)
        bilag = np.arange(next_bilag, next_bilag + count)
        style = _amount_styles(rng, count)
        next_bilag += count
        delivery = np.searchsorted(cut_offs, day, side="left")
        again = (delivery < len(cut_offs) - 1) & (
            day > cut_offs[np.minimum(delivery, len(cut_offs) - 1)] - _days(REDELIVERY_DAYS)
        )
        # A slice of the month at a time: a month is a million postings at the 25 M scale.
        for start in range(0, count, CHUNK_ROWS):
            rows = slice(start, start + CHUNK_ROWS)
            frame = (
                pl.DataFrame(
                    {
                        "bilag": bilag[rows],
                        "tenancy": tenancy[rows],
                        "day": day[rows],
                        "kind": kind[rows],
                        "amount": amount[rows],
                        "style": style[rows],
                    }
                )
                .select(
                    pl.concat_str([pl.lit("B"), pl.col("bilag").cast(pl.String).str.zfill(BILAG_DIGITS)]).alias(
                        "bilag_id"
                    ),
                    pl.col("tenancy").alias("leieforhold_id"),
                    _dmy(pl.col("day")).alias("bokfort_dato"),
                    pl.col("kind")
                    .replace_strict(dict(enumerate(POSTING_TYPES)), return_dtype=pl.String)
                    .alias("posttype"),
                    amount_comma(pl.col("amount"), pl.col("style")).alias("belop"),
                )
                .select(LEDGER_COLUMNS)
            )
            for k, writer in enumerate(writers):
                mine = (delivery[rows] == k) | (again[rows] & (delivery[rows] == k - 1))
                if mine.any():
                    part = frame.filter(pl.Series(mine))
                    writer.write(_csv_bytes(part, ";", "cp1252", header=False), part.height)
        if str(month).endswith(("-06", "-12")):
            progress(f"boei/rent_ledger: booked through {month}, {next_bilag - 1:,} postings")
    return [w.close() for w in writers]


def _write_boei(landing_dir: Path, world: World, scale: int, progress: Progress) -> None:
    folders = [_delivery_dir(landing_dir, "boei", day) for day in DELIVERY_DATES]
    tenancy_files = []
    for folder, day in zip(folders, DELIVERY_DATES):
        tenancy_files.append(_write_tenancies(folder / "tenancies.csv", world, day))
        progress(f"boei/{day}/tenancies.csv: {tenancy_files[-1]['rows']:,} tenancies")
    ledger_files = _write_ledger(world, scale, folders, progress)
    for folder, day, tenancies, ledger in zip(folders, DELIVERY_DATES, tenancy_files, ledger_files):
        _write_manifest(folder, "boei", day, [tenancies, ledger])
