"""Deterministic generator of the bundled sample landing zone (issue 3).

The sample is synthetic from end to end: people, tenancies, rent accounts, petitions
and cases are drawn from fixed random seeds, and every national id is a synthetic
test number (month + 80), so nothing here can point to a real person. Only the
project's accounts (chapter 6 of the 2008 report) are copied from the report.

What the sample guarantees (``docs/reference/report-figures.md``):

* The latest delivery of each source reproduces the report's exact figures
  (Tables 1 and 2, 963 households, 45 evictions, the accounts), times ``scale``.
  Exact figures come from quotas, never from luck: counts are laid out with
  ``np.repeat`` and shuffled, and the random parts (dates, amounts) are drawn inside
  windows that cannot move a record out of its counted year.
* The shape facts hold because the per-district, per-outcome and per-band quotas
  below are chosen so that they do.
* The sources agree with each other: a claim is the tenant's arrears in the rent
  ledger on the claim's date; a collector petition the bailiff received is a
  ``KOMMUNE`` case whose ``Saksokers_ref`` is the petition id and whose outcome
  matches the petition's status; project cases point to tenancies in the register.
* Full snapshots are consistent over time: a record appears from the delivery after
  it happened, with the status it had on the delivery date.
* Byte-for-byte determinism: fixed seeds, no clocks, fixed xlsx properties.
* The forced-sale follow-up project's sources (``bbl`` and the bailiff's
  ``forced_sales.xlsx``, from 2007-06-30 on) come from their own random streams, drawn
  after the eviction world, so the eviction files keep their bytes; their figures are
  quotas too (``FORCED_SALE_QUOTAS``, ``sample/README.md``).

Why the rent ledger covers only some accounts: a ledger for every tenancy would be
too big to commit. It holds the accounts of the tenancies the collector or the
project followed up for arrears, from six months before their arrears began
(earlier months were settled, so leaving them out does not change any arrears).

``scale`` multiplies every count (tenancies, households, petitions, cases, ledger
postings); the rent ledger is generated and written one month at a time, so memory
stays bounded however large the scale.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import BinaryIO

import numpy as np
import polars as pl
import xlsxwriter

# --------------------------------------------------------------------------------------
# Where and when
# --------------------------------------------------------------------------------------

# The committed sample, relative to the repository root (the default landing zone).
SAMPLE_RELATIVE_DIR = "sample/landing"

# Any fixed number will do; this is the date the project's accounts were closed.
SEED = 20080131

MANIFEST_NAME = "_manifest.json"
# Every CSV uses CRLF: RFC 4180 (kemner) prescribes it and Windows exports (BOEI,
# the accounts, Excel's "CSV UTF-8") write it anyway.
LINE_END = "\r\n"
UTF8_BOM = b"\xef\xbb\xbf"
NBSP = "\u00a0"

D = "datetime64[D]"
NOT_A_DATE = np.datetime64("NaT", "D")


def _day(text: str) -> np.datetime64:
    return np.datetime64(text, "D")


# The rent ledger's history starts here at the earliest (one year before the project).
LEDGER_EARLIEST = _day("2005-01-01")
# Petitions are filed and cases received only within these two years (Tables 1-2).
PERIOD_START = _day("2006-01-01")
PERIOD_END = _day("2007-12-31")
PROJECT_START = _day("2006-02-01")
YEARS = (2006, 2007)

# Half-yearly deliveries of the four operational sources; the last one is the state
# the report describes.
DELIVERY_DATES = tuple(_day(d) for d in ("2006-06-30", "2006-12-31", "2007-06-30", "2007-12-31"))
# The accounts were closed after the project ended.
ACCOUNTS_DELIVERY_DATE = _day("2008-01-31")
# Rent-ledger postings booked this many days before a delivery date are delivered
# again, identically, in the next delivery (as the real extract does near a cut-off).
REDELIVERY_DAYS = 3

# --------------------------------------------------------------------------------------
# Codes (sources.md) -- the one district list of the generator
# --------------------------------------------------------------------------------------

DISTRICTS = ("Arna", "Bergenhus", "Fana", "Fyllingsdalen", "Laksevåg", "Ytrebygda", "Årstad", "Åsane")
DWELLING_TYPES = ("ORDINAER", "SERVICEBOLIG", "TRYGDEBOLIG", "OMSORGSBOLIG")
POSTING_TYPES = ("HUSLEIE", "INNBETALING", "KREDIT", "AVSKREVET")
HUSLEIE, INNBETALING, KREDIT, AVSKREVET = range(4)
ACTIONS = (
    "TELEFON",
    "HJEMMEBESOK",
    "BREV",
    "KOORDINERING",
    "OKONOMISK_RADGIVNING",
    "BOSTOTTE_SOKNAD",
    "NEDBETALINGSAVTALE",
    "KONTAKT_PLEIE_OMSORG",
)

# Column order of each file, exactly as in sources.md.
TENANCY_COLUMNS = (
    "leieforhold_id", "bolig_id", "fodselsnummer", "navn", "bydel", "boligtype",
    "antall_personer", "antall_barn", "husleie", "fra_dato", "til_dato",
)  # fmt: skip
LEDGER_COLUMNS = ("bilag_id", "leieforhold_id", "bokfort_dato", "posttype", "belop")
PETITION_COLUMNS = (
    "begjaering_id", "leieforhold_id", "fodselsnummer", "innsendt_dato", "krav_belop",
    "namsfogd_saksnr", "status", "status_dato", "nemnd_godkjent_dato",
)  # fmt: skip
NOTIFICATION_COLUMNS = (
    "varsel_id", "leieforhold_id", "fodselsnummer", "varsel_dato", "restanse_belop", "bydel", "varseltype",
)  # fmt: skip
BAILIFF_COLUMNS = (
    "Saksnr", "Mottatt", "Saksokertype", "Saksoker", "Saksokers_ref", "Fodselsnummer",
    "Berammet", "Utfall", "Utfall_dato",
)  # fmt: skip
PROJECT_COLUMNS = (
    "sak_id", "leieforhold_id", "fodselsnummer", "opprettet", "sosialtjeneste", "kjent_sosialtjenesten",
    "barn_i_husstand", "inntektskilde", "krav_belop", "utfall", "losning", "tiltak", "avsluttet",
)  # fmt: skip
ACCOUNT_COLUMNS = ("art", "tekst", "belop")
BAILIFF_SHEET = "Saker"

# --------------------------------------------------------------------------------------
# The report's exact figures, per unit of scale (report-figures.md)
# --------------------------------------------------------------------------------------

COLLECTOR_PETITIONS_BY_YEAR = {2006: 110, 2007: 229}  # Table 1, by year filed
BAILIFF_CASES_BY_YEAR = {2006: 445, 2007: 539}  # Table 1, all landlords, by year received
COLLECTOR_EVICTIONS_BY_YEAR = {2006: 29, 2007: 27}  # Table 2, by year executed
BAILIFF_EVICTIONS_BY_YEAR = {2006: 116, 2007: 141}  # Table 2, all landlords
PROJECT_CASES = 963
PROJECT_EVICTIONS = 45


@dataclass(frozen=True)
class DistrictQuota:
    """Project cases of one district social service, per unit of scale.

    Chosen for the report's shape facts: Årstad has clearly the most cases (where
    most municipal dwellings are); Laksevåg has the lowest share paid by the social
    service (9/120 = 7.5 %, "just over 7 %"); Fana the highest eviction share
    (9/105 = 8.6 %), closely followed by Laksevåg (10/120 = 8.3 %).
    """

    cases: int
    evicted: int
    social_service_paid: int


PROJECT_DISTRICT_QUOTAS: dict[str, DistrictQuota] = {
    "Arna": DistrictQuota(60, 2, 10),
    "Bergenhus": DistrictQuota(150, 7, 30),
    "Fana": DistrictQuota(105, 9, 14),
    "Fyllingsdalen": DistrictQuota(110, 5, 20),
    "Laksevåg": DistrictQuota(120, 10, 9),
    "Ytrebygda": DistrictQuota(70, 2, 11),
    "Årstad": DistrictQuota(230, 8, 50),
    "Åsane": DistrictQuota(118, 2, 20),
}

# Outcomes of the cases that did not end in eviction (Diagram 8): most resolved, a
# group still open at the end of 2007, few reinstated.
NON_EVICTED_OUTCOMES = {
    "LOST_FOR_UTKASTELSE": 690,
    "FORTSATT_I_ARBEID": 130,
    "GJENINNSATT": 6,
    "FLYTTET": 55,
    "ANNET": 37,
}
RESOLVED = "LOST_FOR_UTKASTELSE"
# How the resolved cases were resolved, besides the per-district social-service
# quota above (Diagram 9: paying themselves or the social service resolve the most).
OTHER_SOLUTIONS_OF_RESOLVED = {
    "BETALT_SELV": 260,
    "NEDBETALINGSAVTALE": 130,
    "BOSTOTTE": 70,
    "ANNEN_BOLIG": 40,
    "INGEN": 26,
}

# Claim bands (published.md) with per-band counts among resolved and other cases:
# the share resolved is ~73 % in every band but 30000+, where it is 60 % (Diagram
# 12); 88 claims exceed NOK 30 000 (Diagram 11).
CLAIM_BAND_LOWER_NOK = (1_500, 5_000, 10_000, 20_000, 30_000)
CLAIM_BAND_UPPER_NOK = (5_000, 10_000, 20_000, 30_000, None)
RESOLVED_BY_CLAIM_BAND = (110, 182, 226, 119, 53)
OTHERS_BY_CLAIM_BAND = (40, 68, 84, 46, 35)
# Claims above NOK 30 000: 30 000 plus an exponential tail with this mean, capped.
LARGE_CLAIM_TAIL_NOK, LARGE_CLAIM_CAP_NOK = 12_000, 90_000
# Nobody in the sample owes more than this many months' rent.
MAX_MONTHS_OWED = 12

# Sex x age band at the case's opening (Diagrams 4-5): women 30-39 the largest group;
# women outnumber men in every band but 40-49, and overall (523 vs 440).
AGE_BANDS = {"under 30": (19, 29), "30-39": (30, 39), "40-49": (40, 49), "50-59": (50, 59), "60-66": (60, 66), "67+": (67, 88)}
SEX_AGE_QUOTAS = {
    ("F", "under 30"): 105, ("F", "30-39"): 165, ("F", "40-49"): 120,
    ("F", "50-59"): 75, ("F", "60-66"): 30, ("F", "67+"): 28,
    ("M", "under 30"): 80, ("M", "30-39"): 120, ("M", "40-49"): 140,
    ("M", "50-59"): 60, ("M", "60-66"): 22, ("M", "67+"): 18,
}  # fmt: skip

HOUSEHOLDS_WITH_CHILDREN = 318  # "a little over 300" (Diagram 3)
CHILDREN_COUNT_WEIGHTS = {1: 0.42, 2: 0.33, 3: 0.17, 4: 0.08}
INCOME_SOURCES = {"SOSIALHJELP": 380, "TRYGD": 310, "ARBEID": 140, "INGEN": 48, "STUDIELAN": 25, "ANNET": 60}
KNOWN_TO_SOCIAL_SERVICE = {"NEI": 520, "JA": 330, "FELLES": 113}  # Diagrams 13-15
# Probability that the project used each action in a case (Diagram 10); every case
# gets at least a phone call.
ACTION_PROBABILITIES = (0.85, 0.35, 0.55, 0.40, 0.30, 0.15, 0.20, 0.06)

# Evictions of project households by year executed; the collector's remaining
# evictions (Table 2) were of tenants the project never saw (old cases, early 2006).
PROJECT_EVICTIONS_BY_YEAR = {"UTKASTET": {2006: 21, 2007: 24}, "GJENINNSATT": {2006: 3, 2007: 3}}
# Collector petitions outside the project, by year filed and fate. Their totals fix
# how many petitions the project households got (110 - 30 and 229 - 37).
NON_PROJECT_PETITIONS = {
    2006: {"WITHDRAWN": 22, "REJECTED": 3},
    2007: {"WITHDRAWN": 18, "REJECTED": 3, "PENDING": 12, "NOT_RECEIVED": 4},
}
OPEN_PROJECT_CASES_WITH_PETITION = 50
EVICTED_OUTCOMES = ("UTKASTET", "GJENINNSATT")  # evicted (the latter reinstated afterwards)
EVICTED_MIN_CLAIM_BAND = 2  # index into the claim bands: NOK 10 000 and up
# Tenancies in arrears that got a notice only (no petition, no project case).
NOTICE_ONLY_ACCOUNTS = 200
# Owner-occupiers with municipal loans warned of a forced sale (routine from late 2007).
FORCED_SALE_NOTICES = 25
SHARE_OF_PROJECT_CASES_NOTIFIED = 0.8
SHARE_OF_OTHER_PETITIONS_NOTIFIED = 0.7

# The housing register: tenancies per unit of scale (in the latest snapshot).
TENANCIES = 4200
PRIVATE_LANDLORD_SHARE = 0.7  # of bailiff cases not filed by the collector

# --------------------------------------------------------------------------------------
# Timing (days), chosen so that every event stays inside the window it is counted in
# --------------------------------------------------------------------------------------

# Rent is charged on the 1st; in the first month of arrears the tenant pays part of it
# the same day, so the arrears on any day of an episode follow from whole months.
RENT_DAY = PARTIAL_PAYMENT_DAY = 1
CREDIT_NOTE_DAY = 2
PAY_DAYS = (5, 20)
BAILIFF_RECEIPT_DAYS = (1, 6)
HEARING_SET_AFTER_DAYS = 14  # the bailiff fixes Berammet two weeks after receipt
HEARING_AFTER_RECEIPT_DAYS = (35, 80)
EXECUTION_LAG_DAYS = (45, 120)  # petition filed -> eviction executed
EVICTION_WINDOWS = {2006: ("2006-04-01", "2006-12-20"), 2007: ("2007-01-08", "2007-12-20")}
CASE_OPENED_BEFORE_EVICTION_DAYS = 21
LAST_OPENING_OF_CLOSED_CASE = _day("2007-11-10")
OPEN_CASES_OPENED = ("2007-08-15", "2007-12-20")
LAST_FILING_RECEIVED_IN_2007 = _day("2007-12-14")
LAST_FILING_RESOLVED_IN_2007 = _day("2007-10-31")
FIRST_NOTICE_DAY = _day("2006-01-02")
NOT_RECEIVED_FILED = ("2007-12-20", "2007-12-28")
WRITE_OFF_AFTER_DAYS = (20, 45)
INSTALMENTS = (3, 8)
CREDIT_NOTE_SHARE = 0.02  # of ordinary months, a credit note lowers that month's rent
LEDGER_HISTORY_MONTHS = 6
BILAG_DIGITS = 8  # posting ids B00000001...; wider only past 100 million postings
SHARE_OF_TEXT_DATES_IN_XLSX = 0.3
DISTRICT_SPELLING_VARIANTS_SHARE = 0.08

# --------------------------------------------------------------------------------------
# Names (synthetic; they carry æ ø å on purpose)
# --------------------------------------------------------------------------------------

FEMALE_FIRST_NAMES = (
    "Kari", "Anne", "Ingrid", "Marit", "Liv", "Solveig", "Åse", "Bjørg", "Ragnhild", "Tone", "Hege",
    "Linda", "Silje", "Mona", "Gro", "Randi", "Wenche", "Sølvi", "Torill", "Grethe", "Nina", "Camilla",
    "Ida", "Marte", "Hanne", "Trude", "Mette", "Elin", "Aud", "Målfrid", "Guro", "Åshild", "Synnøve",
    "Sigrid", "Jorunn", "Astrid", "Laila", "Fatima", "Amina", "Maryam", "Bodil", "Dagny", "Kjersti",
)  # fmt: skip
MALE_FIRST_NAMES = (
    "Ole", "Per", "Jan", "Kjell", "Bjørn", "Lars", "Knut", "Arne", "Tor", "Geir", "Morten", "Stian",
    "Håkon", "Øyvind", "Pål", "Jørgen", "Tore", "Rune", "Terje", "Espen", "Trond", "Frode", "Svein",
    "Odd", "Sindre", "Ørjan", "Åsmund", "Mohammed", "Ali", "Ahmed", "Tomas", "Gaute", "Sverre", "Nils",
)  # fmt: skip
SURNAMES = (
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen",
    "Karlsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Johannessen", "Dahl", "Jørgensen", "Halvorsen",
    "Sørensen", "Jakobsen", "Moen", "Strand", "Solberg", "Eide", "Knutsen", "Bakken", "Lie", "Nguyen",
    "Lunde", "Solheim", "Berge", "Nygård", "Bakke", "Holm", "Hauge", "Sæther", "Aas", "Myhre", "Ødegård",
    "Tveit", "Sandvik", "Helle", "Vik", "Ås", "Sæle", "Østby", "Brekke", "Våge", "Håland", "Økland",
    "Fjellstad", "Bø", "Kvåle", "Thorsen", "Nordbø", "Løvås", "Grønås", "Skår", "Hjelle", "Høyland",
    "Sørheim", "Ahmed", "Ali", "Mæland", "Rød", "Fosså", "Lærum", "Ulvestad",
)  # fmt: skip
COLLECTOR_NAME = "Bergen kommune v/Kemneren"
PRIVATE_LANDLORDS = (
    "Bergen Bolig AS", "Vestlandsbolig AS", "Nordnes Eiendom AS", "Sandviken Utleie AS",
    "Fjordbyen Eiendom AS", "Bryggen Boligutleie AS", "Møhlenpris Gårdeierforening", "Solheimsviken Eiendom AS",
    "Kronstad Utleie AS", "Sæther Eiendom AS", "Løvstakken Boliger AS", "Nygård Gårdsdrift AS",
    "Ådland Utleie ANS", "Hansen, Kari", "Olsen, Per Øyvind", "Dahl, Bjørg",
)  # fmt: skip
HOUSING_COOPERATIVES = (
    "Fjellsiden Borettslag", "Landås Borettslag", "Lønborg Borettslag", "Kronstad Borettslag",
    "Bønes Borettslag", "Slettebakken Borettslag", "Fyllingsdalen Terrasse Borettslag",
    "Ulsetskogen Borettslag", "Åsane Sentrum Borettslag", "Vestre Vadmyra Borettslag", "Søreide Borettslag",
)  # fmt: skip

# --------------------------------------------------------------------------------------
# Amount formats of the ';'-separated Windows-1252 files (sources.md allows all of these)
# --------------------------------------------------------------------------------------

PLAIN, SPACES, NBSPS, KR_SPACES, KR_NBSPS, KR_PARENTHESES = range(6)
# Share of rent-ledger and tenancy amounts in each style (mostly plain, as exported).
AMOUNT_STYLE_SHARES = (0.82, 0.04, 0.04, 0.04, 0.03, 0.03)

# Chapter 6 of the report: (account, text, amount in øre, style). Every amount is
# positive, for income and expense alike (sources.md); codes 17xxxx are income.
ACCOUNT_LINES = (
    ("170073", "Refunderte trygdeytelser", 907_500, PLAIN),
    ("170050", "Tilskudd fra Husbanken", 50_000_000, KR_SPACES),
    ("120052", "Edb-maskinvare", 1_843_178, NBSPS),
    ("120019", "Kommunikasjonsutstyr", 216_240, KR_SPACES),
    ("120000", "Inventar", 84_890, PLAIN),
    ("117020", "Transport ansatte", 1_803_834, KR_NBSPS),
    ("116020", "Kilometergodtgjørelse", 693_050, PLAIN),
    ("116010", "Oppgavepl. kostgodtgjørelse", 184_000, KR_SPACES),
    ("115003", "Fagsamlinger", 486_453, SPACES),
    ("115001", "Kursavgifter", 231_000, PLAIN),
    ("114000", "Brosjyrer/informasjon", 415_500, KR_SPACES),
    ("113022", "Mobiltelefon", 60_769, PLAIN),
    ("112090", "Andre driftsutgifter", 11_000, KR_SPACES),
    ("112067", "Overnatting", 562_000, PLAIN),
    ("109910", "Arbeidsgiveravgift", 9_459_395, NBSPS),
    ("109080", "Avgiftspl. ytelser uten utbet.", 94_520, PLAIN),
    ("109010", "Pensjonspremie BKP", 10_637_309, KR_SPACES),
    ("105037", "Honorar", 627_000, PLAIN),
    ("104010", "Overtid", 604_449, KR_NBSPS),
    ("103010", "Engasjementer", 55_124_654, SPACES),
)
ACCOUNTS_INCOME_ORE = 50_907_500
ACCOUNTS_EXPENSES_ORE = 83_139_241

# --------------------------------------------------------------------------------------
# Internal vocabularies
# --------------------------------------------------------------------------------------

# How an arrears episode ends; decides the rent-ledger postings after it.
PAID = "PAID"  # one payment clears the arrears (tenant, social service, housing benefit)
AGREEMENT = "AGREEMENT"  # monthly instalments on top of the rent
CREDITED = "CREDITED"  # the landlord credits the arrears
EVICTED = "EVICTED"  # tenancy ends; arrears written off some weeks later
MOVED = "MOVED"  # tenant moves out; ditto
OPEN = "OPEN"  # not resolved by the end of 2007
WRITTEN_OFF = (EVICTED, MOVED)

# Fate of a petition at the bailiff, and how each source spells it.
EXECUTED, WITHDRAWN, REJECTED, POSTPONED, PENDING, NOT_RECEIVED = (
    "EXECUTED", "WITHDRAWN", "REJECTED", "POSTPONED", "PENDING", "NOT_RECEIVED",
)  # fmt: skip
COLLECTOR_STATUS = {EXECUTED: "FULLFORT", WITHDRAWN: "TRUKKET", REJECTED: "AVVIST"}  # else SENDT
BAILIFF_OUTCOME = {EXECUTED: "GJENNOMFORT", WITHDRAWN: "BORTFALT", REJECTED: "AVVIST", POSTPONED: "UTSATT"}

Progress = Callable[[str], None]


# --------------------------------------------------------------------------------------
# Small helpers: dates, randomness
# --------------------------------------------------------------------------------------


def _rng(scale: int, stream: str) -> np.random.Generator:
    """One random stream per part of the world, so changing one part leaves the others alone."""
    return np.random.default_rng([SEED, scale, zlib.crc32(stream.encode())])


def _days(n: np.ndarray | int) -> np.ndarray:
    return np.asarray(n, dtype=np.int64).astype("timedelta64[D]")


def _months(n: np.ndarray | int) -> np.ndarray:
    return np.asarray(n, dtype=np.int64).astype("timedelta64[M]")


def _month_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[M]")


def _first_day(months: np.ndarray) -> np.ndarray:
    return months.astype(D)


def _day_of_month(days: np.ndarray) -> np.ndarray:
    return (days - _first_day(_month_of(days))).astype(np.int64) + 1


def _year_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[Y]").astype(np.int64) + 1970


def _month_number(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[M]").astype(np.int64) % 12 + 1


def _uniform_days(rng: np.random.Generator, low, high, size: int) -> np.ndarray:
    """Dates drawn uniformly between ``low`` and ``high`` inclusive (scalars or arrays)."""
    low = np.broadcast_to(np.asarray(low, dtype=D), (size,))
    high = np.broadcast_to(np.asarray(high, dtype=D), (size,))
    span = (high - low).astype(np.int64)
    if (span < 0).any():
        raise AssertionError("empty date window")
    return low + _days(rng.integers(0, span + 1))


def _after(rng: np.random.Generator, days: np.ndarray, window: tuple[int, int]) -> np.ndarray:
    return days + _days(rng.integers(window[0], window[1] + 1, size=len(days)))


def _redraw_below(rng: np.random.Generator, days: np.ndarray, floor, ceiling) -> np.ndarray:
    """``days``, with the dates before ``floor`` drawn again between ``floor`` and
    ``ceiling`` (clamping them would pile them up on the floor)."""
    floor = np.broadcast_to(np.asarray(floor, dtype=D), days.shape)
    ceiling = np.maximum(np.broadcast_to(np.asarray(ceiling, dtype=D), days.shape), floor)
    below = days < floor
    redrawn = days.copy()
    redrawn[below] = _uniform_days(rng, floor[below], ceiling[below], below.sum())
    return redrawn


def _quota(rng: np.random.Generator, counts: Mapping, scale: int) -> np.ndarray:
    """Exactly ``count * scale`` copies of each label, in random order."""
    labels = np.array(list(counts.keys()))
    return rng.permutation(np.repeat(labels, [c * scale for c in counts.values()], axis=0))


def _age_on(birth: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Completed years on ``day``."""
    birthday_later = (_month_number(day) * 100 + _day_of_month(day)) < (
        _month_number(birth) * 100 + _day_of_month(birth)
    )
    return _year_of(day) - _year_of(birth) - birthday_later


def _birth_for_age(rng: np.random.Generator, on: np.ndarray, age: np.ndarray) -> np.ndarray:
    """A birth date such that the person is exactly ``age`` (completed years) on ``on``."""
    years = (_year_of(on) - age - 1970).astype("datetime64[Y]")
    anniversary = _first_day(years.astype("datetime64[M]") + _months(_month_number(on) - 1)) + _days(
        _day_of_month(on) - 1
    )
    birth = anniversary - _days(rng.integers(1, 365, size=len(on)))
    # 29 February makes birthdays ambiguous in ordinary years; avoid it.
    leap_day = (_month_number(birth) == 2) & (_day_of_month(birth) == 29)
    birth[leap_day] -= _days(1)
    if not (_age_on(birth, on) == age).all():
        raise AssertionError("birth date does not give the intended age")
    return birth


def _random_adults(rng: np.random.Generator, on: np.ndarray, ages: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    female = rng.random(len(on)) < 0.55
    birth = _birth_for_age(rng, on, rng.integers(ages[0], ages[1] + 1, size=len(on)))
    return female, birth


def _draw_rents(rng: np.random.Generator, n: int, household_size: np.ndarray | None = None) -> np.ndarray:
    """Monthly rents in øre, whole kroner, NOK 3 000-9 000 (municipal rents in 2006)."""
    size_extra = 0 if household_size is None else 600 * (household_size - 1)
    kroner = np.round(rng.normal(5_200, 1_300, n) + size_extra)
    return np.clip(kroner, 3_000, 9_000).astype(np.int64) * 100


def _children_counts(rng: np.random.Generator, n: int) -> np.ndarray:
    """Number of children in a household that has children."""
    return rng.choice(list(CHILDREN_COUNT_WEIGHTS), n, p=list(CHILDREN_COUNT_WEIGHTS.values()))


def _claim_for_months(rng: np.random.Generator, rent: np.ndarray, months: tuple[float, float]) -> np.ndarray:
    """Arrears of ``months`` months' rent (uniform), with øre."""
    owed = rent * rng.uniform(months[0], months[1], size=len(rent))
    return np.maximum(np.round(owed).astype(np.int64), 100_000)


# --------------------------------------------------------------------------------------
# National ids and names
# --------------------------------------------------------------------------------------

_FIRST_CHECK_WEIGHTS = np.array([3, 7, 6, 1, 8, 9, 4, 5, 2])
_SECOND_CHECK_WEIGHTS = np.array([5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
SYNTHETIC_MONTH_OFFSET = 80


def _check_digit(digits: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Mod-11 check digit; 10 marks an invalid number (remainder 1)."""
    remainder = (digits * weights).sum(axis=1) % 11
    return np.where(remainder == 0, 0, 11 - remainder)


def _synthetic_national_ids(rng: np.random.Generator, birth: np.ndarray, female: np.ndarray) -> np.ndarray:
    """Unique synthetic test numbers (month + 80), valid by both check digits.

    Everyone in the sample is born 1900-1999, so the individual number is 000-499;
    its last digit (the ninth of the id) is even for women and odd for men. A draw
    whose check digit would be 10, or that repeats another person's number, is drawn
    again. With the month at 81-92 no id is valid as an ordinary or D-number.
    """
    if not ((_year_of(birth) >= 1900) & (_year_of(birth) <= 1999)).all():
        raise AssertionError("individual numbers 000-499 need births in the 1900s")
    n = len(birth)
    date_part = (
        _day_of_month(birth) * 10_000 + (_month_number(birth) + SYNTHETIC_MONTH_OFFSET) * 100 + _year_of(birth) % 100
    )
    individual = np.zeros(n, dtype=np.int64)
    ids = np.zeros(n, dtype=np.int64)
    todo = np.ones(n, dtype=bool)
    while todo.any():
        idx = np.flatnonzero(todo)
        # 0..249 -> 0..498 even, +1 for men: the ninth digit carries the sex.
        individual[idx] = rng.integers(0, 250, size=len(idx)) * 2 + (~female[idx]).astype(np.int64)
        nine = date_part[idx] * 1000 + individual[idx]
        digits = (nine[:, None] // 10 ** np.arange(8, -1, -1)) % 10
        first = _check_digit(digits, _FIRST_CHECK_WEIGHTS)
        second = _check_digit(np.column_stack([digits, first]), _SECOND_CHECK_WEIGHTS)
        ids[idx] = nine * 100 + first * 10 + second
        valid = (first < 10) & (second < 10)
        todo[:] = False
        todo[idx[~valid]] = True
        # Keep the first holder of a number; everyone else with it draws again.
        _, first_holder = np.unique(np.where(todo, -1 - np.arange(n), ids), return_index=True)
        duplicate = np.ones(n, dtype=bool)
        duplicate[first_holder] = False
        todo |= duplicate
    return np.char.zfill(ids.astype(str), 11)


def _names(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    """``Surname, First name`` as the housing register writes them."""
    first = np.where(
        female,
        np.array(FEMALE_FIRST_NAMES)[rng.integers(0, len(FEMALE_FIRST_NAMES), len(female))],
        np.array(MALE_FIRST_NAMES)[rng.integers(0, len(MALE_FIRST_NAMES), len(female))],
    )
    surname = np.array(SURNAMES)[rng.integers(0, len(SURNAMES), len(female))]
    return np.char.add(np.char.add(surname, ", "), first)


# --------------------------------------------------------------------------------------
# The world: arrears episodes, tenancies, petitions, cases
# --------------------------------------------------------------------------------------


@dataclass
class Episodes:
    """One arrears episode per followed-up tenancy; it drives that tenancy's rent ledger.

    The tenant stops paying in ``start_month`` (paying only part of that month's
    rent, so ``residual`` is owed after it) and pays nothing more until ``resolved``.
    The arrears on a date ``t`` from the 1st of ``start_month`` until ``resolved`` are
    therefore ``residual + rent * (months from start_month to t)``.
    """

    district: np.ndarray  # index into DISTRICTS
    rent: np.ndarray  # monthly rent, øre
    start_month: np.ndarray  # datetime64[M]
    residual: np.ndarray  # øre, in (0, rent]
    resolution: np.ndarray  # PAID, AGREEMENT, ...
    resolved: np.ndarray  # datetime64[D]; NaT while OPEN
    ends_tenancy: np.ndarray  # the tenancy ends on ``resolved``
    female: np.ndarray
    birth: np.ndarray
    children: np.ndarray

    def __len__(self) -> int:
        return len(self.rent)

    def arrears(self, episode: np.ndarray, on: np.ndarray) -> np.ndarray:
        owed_months = (_month_of(on) - self.start_month[episode]).astype(np.int64)
        if (owed_months < 0).any():
            raise AssertionError("an event before its arrears began")
        return self.residual[episode] + self.rent[episode] * owed_months


def _episode_start(anchor: np.ndarray, claim: np.ndarray, rent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start month and residual such that the arrears on ``anchor`` equal ``claim``."""
    months_owed = -(-claim // rent)  # ceil
    return _month_of(anchor) - _months(months_owed - 1), claim - (months_owed - 1) * rent


@dataclass
class Petitions:
    """Collector petitions, and how the bailiff handled them."""

    episode: np.ndarray
    filed: np.ndarray
    received: np.ndarray  # NaT: not (yet) received by the bailiff
    fate: np.ndarray  # EXECUTED, WITHDRAWN, ...
    decided: np.ndarray  # NaT while pending


@dataclass
class Notices:
    """The collector's notification list (arrears of tenants, or forced-sale risk)."""

    episode: np.ndarray  # -1 for owner-occupiers (forced-sale notices)
    day: np.ndarray
    amount: np.ndarray  # øre
    owner: np.ndarray  # index into the owner-occupiers, -1 for tenants


@dataclass
class ProjectCases:
    episode: np.ndarray
    opened: np.ndarray
    closed: np.ndarray
    outcome: np.ndarray
    solution: np.ndarray
    actions: np.ndarray  # bit mask over ACTIONS
    known: np.ndarray
    income: np.ndarray
    claim: np.ndarray  # øre
    children: np.ndarray


def _concat(parts: Sequence):
    kind = type(parts[0])
    return kind(**{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(kind)})


def _shifted(petitions: Petitions, offset: int) -> Petitions:
    petitions.episode = petitions.episode + offset
    return petitions


def _project_cases(scale: int) -> tuple[ProjectCases, Episodes, Petitions, np.ndarray]:
    """The project's households, their arrears, petitions and notices.

    Returns the cases, one episode per case (same index), the project households'
    petitions and the days of their arrears notices (NaT: no notice).
    """
    rng = _rng(scale, "prosjekt")
    n = PROJECT_CASES * scale
    quotas = list(PROJECT_DISTRICT_QUOTAS.values())
    district = _quota(rng, {d: q.cases for d, q in enumerate(quotas)}, scale)

    # Outcomes and solutions: evictions and social-service payments per district.
    outcome = np.full(n, "", dtype="<U19")
    solution = np.full(n, "", dtype="<U22")
    for d, q in enumerate(quotas):
        outcome[rng.choice(np.flatnonzero(district == d), q.evicted * scale, replace=False)] = "UTKASTET"
    outcome[outcome == ""] = _quota(rng, NON_EVICTED_OUTCOMES, scale)
    for d, q in enumerate(quotas):
        resolved_here = np.flatnonzero((district == d) & (outcome == RESOLVED))
        solution[rng.choice(resolved_here, q.social_service_paid * scale, replace=False)] = "SOSIALTJENESTEN_BETALT"
    solution[(outcome == RESOLVED) & (solution == "")] = _quota(rng, OTHER_SOLUTIONS_OF_RESOLVED, scale)
    solution[outcome == "GJENINNSATT"] = "NEDBETALINGSAVTALE"
    moved = np.flatnonzero(outcome == "FLYTTET")
    solution[moved[rng.random(len(moved)) < 0.6]] = "ANNEN_BOLIG"
    other = np.flatnonzero(outcome == "ANNET")
    solution[other[rng.random(len(other)) < 0.5]] = "INGEN"

    # Claims by band, resolved and others separately (Diagram 12), and rents matched
    # to claims by rank with noise, so most claims are 1-4 months' rent (Diagram 11).
    band = np.empty(n, dtype=np.int64)
    resolved = outcome == RESOLVED
    band[resolved] = _quota(rng, dict(enumerate(RESOLVED_BY_CLAIM_BAND)), scale)
    # Evicted households owed more: they take the other cases' claims of NOK 10 000+.
    others = rng.permutation(np.flatnonzero(~resolved))
    evicted_first = others[np.argsort(~np.isin(outcome[others], EVICTED_OUTCOMES), kind="stable")]
    pool = _quota(rng, dict(enumerate(OTHERS_BY_CLAIM_BAND)), scale)
    band[evicted_first] = pool[np.argsort(pool < EVICTED_MIN_CLAIM_BAND, kind="stable")]
    lower = np.array(CLAIM_BAND_LOWER_NOK)[band] * 100
    upper = np.array([u or 0 for u in CLAIM_BAND_UPPER_NOK])[band] * 100
    large = band == len(CLAIM_BAND_LOWER_NOK) - 1
    upper[large] = np.minimum(
        lower[large] + 100 + np.round(rng.exponential(LARGE_CLAIM_TAIL_NOK * 100, large.sum())).astype(np.int64),
        LARGE_CLAIM_CAP_NOK * 100,
    )
    claim = rng.integers(lower, upper)
    rank_with_noise = np.argsort(np.argsort(claim)) / n + rng.normal(0, 0.15, n)
    rent = np.empty(n, dtype=np.int64)
    rent[np.argsort(rank_with_noise)] = np.sort(_draw_rents(rng, n))
    rent = np.maximum(rent, -(-claim // (MAX_MONTHS_OWED * 100)) * 100)

    # Who: sex x age band, children, income, known to the social service, actions.
    sex_age = _quota(rng, SEX_AGE_QUOTAS, scale)
    female = sex_age[:, 0] == "F"
    low_age = np.array([AGE_BANDS[b][0] for b in sex_age[:, 1]])
    high_age = np.array([AGE_BANDS[b][1] for b in sex_age[:, 1]])
    age = rng.integers(low_age, high_age + 1)
    children = np.zeros(n, dtype=np.int64)
    with_children = rng.choice(n, HOUSEHOLDS_WITH_CHILDREN * scale, replace=False)
    children[with_children] = _children_counts(rng, len(with_children))
    income = _quota(rng, INCOME_SOURCES, scale)
    known = _quota(rng, KNOWN_TO_SOCIAL_SERVICE, scale)
    action_used = rng.random((n, len(ACTIONS))) < np.array(ACTION_PROBABILITIES)
    action_used[:, ACTIONS.index("TELEFON")] |= ~action_used.any(axis=1)
    action_used[:, ACTIONS.index("NEDBETALINGSAVTALE")] |= solution == "NEDBETALINGSAVTALE"
    action_used[:, ACTIONS.index("KONTAKT_PLEIE_OMSORG")] |= (age >= 67) & (rng.random(n) < 0.5)
    actions = (action_used * (1 << np.arange(len(ACTIONS)))).sum(axis=1)

    # When: evictions by year executed (Table 2); the petition came 45-120 days
    # before; the project opened the case after the petition, three weeks or more
    # before the eviction.
    opened = np.full(n, NOT_A_DATE)
    closed = np.full(n, NOT_A_DATE)
    filed = np.full(n, NOT_A_DATE)
    executed_on = np.full(n, NOT_A_DATE)
    for code, by_year in PROJECT_EVICTIONS_BY_YEAR.items():
        idx = rng.permutation(np.flatnonzero(outcome == code))
        years = np.repeat(list(by_year), [c * scale for c in by_year.values()])
        for year in by_year:
            here = idx[years == year]
            executed_on[here] = _uniform_days(rng, *map(_day, EVICTION_WINDOWS[year]), len(here))
    executed = ~np.isnat(executed_on)
    ex_on = executed_on[executed]
    latest_opening = ex_on - _days(CASE_OPENED_BEFORE_EVICTION_DAYS)
    ex_filed = _redraw_below(
        rng, ex_on - _days(rng.integers(*EXECUTION_LAG_DAYS, executed.sum())), PERIOD_START, ex_on - _days(45)
    )
    opened[executed] = _redraw_below(
        rng, np.minimum(_after(rng, ex_filed, (0, 30)), latest_opening), PROJECT_START, latest_opening
    )
    open_cases = outcome == "FORTSATT_I_ARBEID"
    opened[open_cases] = _uniform_days(rng, *map(_day, OPEN_CASES_OPENED), open_cases.sum())
    closing = ~executed & ~open_cases
    opened[closing] = _uniform_days(rng, PROJECT_START, LAST_OPENING_OF_CLOSED_CASE, closing.sum())

    start_month, residual = _episode_start(opened, claim, rent)
    # The collector files for at least a month's rent: from the second month of arrears.
    earliest_filing = _first_day(start_month + _months(1))
    if (earliest_filing[executed] > opened[executed]).any():
        raise AssertionError("an evicted household owed less than two months' rent")
    filed[executed] = _redraw_below(rng, ex_filed, earliest_filing[executed], opened[executed])

    # Petitions of open cases, and of closing cases: as many as the collector's
    # yearly totals leave for project households.
    can_file = open_cases & (earliest_filing <= LAST_FILING_RECEIVED_IN_2007)
    petitioned_open = rng.choice(np.flatnonzero(can_file), OPEN_PROJECT_CASES_WITH_PETITION * scale, replace=False)
    low = np.maximum(opened[petitioned_open] - _days(20), earliest_filing[petitioned_open])
    high = np.maximum(np.minimum(opened[petitioned_open] + _days(10), LAST_FILING_RECEIVED_IN_2007), low)
    filed[petitioned_open] = _uniform_days(rng, low, high, len(petitioned_open))
    candidate_filing = _redraw_below(
        rng, opened + _days(rng.integers(-20, 26, n)), earliest_filing, earliest_filing + _days(25)
    )
    for year in YEARS:
        others = sum(NON_PROJECT_PETITIONS[year].values()) + _other_evictions_in(year)
        wanted = (COLLECTOR_PETITIONS_BY_YEAR[year] - others) * scale
        have = (~np.isnat(filed) & (_year_of(filed) == year)).sum()
        pool = np.flatnonzero(
            closing
            & np.isnat(filed)
            & (_year_of(candidate_filing) == year)
            & (candidate_filing <= LAST_FILING_RESOLVED_IN_2007)
        )
        if not 0 <= wanted - have <= len(pool):
            raise AssertionError(f"cannot place {wanted - have} project petitions in {year}")
        chosen = rng.choice(pool, wanted - have, replace=False)
        filed[chosen] = candidate_filing[chosen]
    petitioned = ~np.isnat(filed)
    received = np.full(n, NOT_A_DATE)
    received[petitioned] = _after(rng, filed[petitioned], BAILIFF_RECEIPT_DAYS)

    # How the closing cases ended, and when the petition was decided.
    fate = np.full(n, "", dtype="<U12")
    decided = np.full(n, NOT_A_DATE)
    fate[executed] = EXECUTED
    decided[executed] = executed_on[executed]
    closed[outcome == "UTKASTET"] = executed_on[outcome == "UTKASTET"]
    reinstated = outcome == "GJENINNSATT"
    closed[reinstated] = np.minimum(_after(rng, executed_on[reinstated], (5, 30)), PERIOD_END)

    rejected = closing & petitioned & (outcome == "ANNET")
    fate[rejected] = REJECTED
    decided[rejected] = _after(rng, received[rejected], (10, 30))
    closed[rejected] = _after(rng, np.maximum(decided[rejected], opened[rejected]), (1, 15))
    withdrawn = closing & petitioned & ~rejected
    closed[withdrawn] = np.minimum(
        _after(rng, np.maximum(opened[withdrawn], filed[withdrawn]), (7, 75)), PERIOD_END - _days(8)
    )
    fate[withdrawn] = WITHDRAWN
    decided[withdrawn] = _after(rng, closed[withdrawn], (1, 7))
    quiet = closing & ~petitioned
    span = np.minimum(120, (PERIOD_END - opened[quiet]).astype(np.int64))
    closed[quiet] = opened[quiet] + _days(rng.integers(7, span + 1))

    _pending_or_postponed(rng, petitioned_open, received, fate, decided)

    resolution = np.full(n, PAID, dtype="<U9")
    resolution[solution == "NEDBETALINGSAVTALE"] = AGREEMENT
    resolution[outcome == "UTKASTET"] = EVICTED
    resolution[outcome == "FLYTTET"] = MOVED
    resolution[outcome == "ANNET"] = CREDITED
    resolution[open_cases] = OPEN
    ends = np.isin(resolution, WRITTEN_OFF) | (solution == "ANNEN_BOLIG")

    birth = _birth_for_age(rng, opened, age)
    episodes = Episodes(district, rent, start_month, residual, resolution, closed.copy(), ends, female, birth, children)

    # Arrears notice before the case (or the petition), on the notification list.
    notified = rng.random(n) < SHARE_OF_PROJECT_CASES_NOTIFIED
    first_event = np.where(petitioned, np.minimum(filed, opened), opened)
    notice_day = np.full(n, NOT_A_DATE)
    notice_day[notified] = _redraw_below(
        rng,
        first_event[notified] - _days(rng.integers(0, 26, notified.sum())),
        np.maximum(_first_day(start_month[notified]), FIRST_NOTICE_DAY),
        first_event[notified],
    )

    idx = np.flatnonzero(petitioned)
    petitions = Petitions(idx, filed[idx], received[idx], fate[idx], decided[idx])
    cases = ProjectCases(
        np.arange(n), opened, closed, outcome, solution, actions, known, income, claim, children
    )
    return cases, episodes, petitions, notice_day


def _project_evictions_in(year: int) -> int:
    return sum(by_year[year] for by_year in PROJECT_EVICTIONS_BY_YEAR.values())


def _other_evictions_in(year: int) -> int:
    """Collector evictions of tenants outside the project: filed in January, executed in spring."""
    return COLLECTOR_EVICTIONS_BY_YEAR[year] - _project_evictions_in(year)


def _pending_or_postponed(
    rng: np.random.Generator, idx: np.ndarray, received: np.ndarray, fate: np.ndarray, decided: np.ndarray
) -> None:
    """Petitions still open at the bailiff: some postponed (UTSATT) before the year end."""
    fate[idx] = PENDING
    postponed_on = _after(rng, received[idx], (15, 40))
    postponed = (rng.random(len(idx)) < 0.3) & (postponed_on <= PERIOD_END)
    fate[idx[postponed]] = POSTPONED
    decided[idx[postponed]] = postponed_on[postponed]


def _district_weights() -> np.ndarray:
    """Where municipal dwellings are: in proportion to the project's cases (Diagram 2)."""
    cases = np.array([q.cases for q in PROJECT_DISTRICT_QUOTAS.values()], dtype=float)
    return cases / cases.sum()


def _other_petitions(scale: int) -> tuple[Episodes, Petitions, np.ndarray]:
    """Collector petitions on tenants the project never saw (old cases, early 2006)."""
    rng = _rng(scale, "kemner")
    plan = {y: {EXECUTED: _other_evictions_in(y), **NON_PROJECT_PETITIONS[y]} for y in YEARS}
    rows = [(y, fate, c * scale) for y in YEARS for fate, c in plan[y].items() if c > 0]
    year = np.repeat([r[0] for r in rows], [r[2] for r in rows])
    fate = np.repeat(np.array([r[1] for r in rows], dtype="<U12"), [r[2] for r in rows])
    n = len(fate)

    windows = {
        EXECUTED: lambda y: (f"{y}-01-03", f"{y}-01-31"),
        WITHDRAWN: lambda y: (f"{y}-01-03", str(min(_day(f"{y}-12-15"), LAST_FILING_RESOLVED_IN_2007))),
        PENDING: lambda y: ("2007-10-01", str(LAST_FILING_RECEIVED_IN_2007)),
        NOT_RECEIVED: lambda y: NOT_RECEIVED_FILED,
    }
    windows[REJECTED] = windows[WITHDRAWN]
    filed = np.empty(n, dtype=D)
    for i, (y, f, count) in enumerate(rows):
        here = (year == y) & (fate == f)
        filed[here] = _uniform_days(rng, *map(_day, windows[f](y)), count)

    district = rng.choice(len(DISTRICTS), n, p=_district_weights())
    female, birth = _random_adults(rng, filed, (20, 80))
    children = np.where(rng.random(n) < 0.3, _children_counts(rng, n), 0)
    rent = _draw_rents(rng, n, 1 + children)
    claim = _claim_for_months(rng, rent, (1.5, 5.0))
    start_month, residual = _episode_start(filed, claim, rent)

    received = np.where(fate == NOT_RECEIVED, NOT_A_DATE, _after(rng, filed, BAILIFF_RECEIPT_DAYS))
    decided = np.full(n, NOT_A_DATE)
    resolved = np.full(n, NOT_A_DATE)
    resolution = np.full(n, OPEN, dtype="<U9")

    executed = fate == EXECUTED
    decided[executed] = _after(rng, filed[executed], (50, 110))
    resolved[executed] = decided[executed]
    resolution[executed] = EVICTED
    withdrawn = fate == WITHDRAWN
    resolved[withdrawn] = np.minimum(_after(rng, filed[withdrawn], (10, 60)), PERIOD_END - _days(8))
    decided[withdrawn] = _after(rng, resolved[withdrawn], (1, 7))
    resolution[withdrawn] = PAID
    rejected = fate == REJECTED
    decided[rejected] = _after(rng, received[rejected], (10, 30))
    agreed = _after(rng, decided[rejected], (3, 20))
    resolved[rejected] = np.where(agreed <= PERIOD_END, agreed, NOT_A_DATE)
    resolution[rejected] = np.where(agreed <= PERIOD_END, AGREEMENT, OPEN)
    fate[fate == NOT_RECEIVED] = PENDING
    _pending_or_postponed(rng, np.flatnonzero((fate == PENDING) & ~np.isnat(received)), received, fate, decided)

    episodes = Episodes(
        district, rent, start_month, residual, resolution, resolved, resolution == EVICTED, female, birth, children
    )
    notified = rng.random(n) < SHARE_OF_OTHER_PETITIONS_NOTIFIED
    notice_day = np.full(n, NOT_A_DATE)
    notice_day[notified] = _redraw_below(
        rng,
        filed[notified] - _days(rng.integers(5, 31, notified.sum())),
        np.maximum(_first_day(start_month[notified]), FIRST_NOTICE_DAY),
        filed[notified],
    )
    return episodes, Petitions(np.arange(n), filed, received, fate, decided), notice_day


def _notice_only_accounts(scale: int) -> tuple[Episodes, np.ndarray]:
    """Tenants who fell behind, got on the notification list, and mostly caught up."""
    rng = _rng(scale, "varsel")
    n = NOTICE_ONLY_ACCOUNTS * scale
    notice_day = _uniform_days(rng, FIRST_NOTICE_DAY, _day("2007-12-20"), n)
    district = rng.choice(len(DISTRICTS), n, p=_district_weights())
    female, birth = _random_adults(rng, notice_day, (20, 85))
    children = np.where(rng.random(n) < 0.3, _children_counts(rng, n), 0)
    rent = _draw_rents(rng, n, 1 + children)
    claim = _claim_for_months(rng, rent, (0.4, 2.5))
    start_month, residual = _episode_start(notice_day, claim, rent)
    resolved = _after(rng, notice_day, (5, 60))
    resolution = np.where(rng.random(n) < 0.7, PAID, AGREEMENT).astype("<U9")
    resolution[resolved > PERIOD_END] = OPEN
    resolved[resolved > PERIOD_END] = NOT_A_DATE
    episodes = Episodes(
        district, rent, start_month, residual, resolution, resolved, np.zeros(n, bool), female, birth, children
    )
    return episodes, notice_day


@dataclass
class Tenancies:
    tenancy_id: np.ndarray
    dwelling_id: np.ndarray
    person: np.ndarray  # index into World.national_id
    name: np.ndarray
    district: np.ndarray
    district_spelling: np.ndarray
    dwelling_type: np.ndarray
    persons: np.ndarray
    children: np.ndarray
    rent: np.ndarray
    rent_style: np.ndarray
    start: np.ndarray
    end: np.ndarray


def _tenancies(scale: int, episodes: Episodes) -> tuple[Tenancies, np.ndarray, np.ndarray]:
    """The housing register: the followed-up tenancies first (same index as the
    episodes), then all other municipal tenancies. Returns the register and its
    tenants' sex and birth date."""
    rng = _rng(scale, "boei")
    followed = len(episodes)
    total = TENANCIES * scale
    others = total - followed
    if others <= 0:
        raise AssertionError("more followed-up tenancies than tenancies")

    other_start = _first_day(
        np.where(
            rng.random(others) < 0.85,
            _uniform_days(rng, _day("1980-01-01"), _day("2004-12-01"), others),
            _uniform_days(rng, _day("2005-01-01"), _day("2007-12-01"), others),
        ).astype("datetime64[M]")
    )
    other_female = rng.random(others) < 0.55
    other_birth = _birth_for_age(rng, other_start, rng.integers(18, 56, others))
    too_old = other_birth < _day("1918-01-01")
    other_birth[too_old] = _birth_for_age(rng, other_start[too_old], np.full(too_old.sum(), 18))
    young = _age_on(other_birth, np.full(others, PERIOD_START)) < 60
    other_children = np.where(young & (rng.random(others) < 0.32), _children_counts(rng, others), 0)
    moved_out = _first_day(
        _uniform_days(rng, np.maximum(other_start, LEDGER_EARLIEST), PERIOD_END, others).astype("datetime64[M]")
        + _months(1)
    ) - _days(1)
    other_end = np.where(rng.random(others) < 0.08, moved_out, NOT_A_DATE)

    # Followed-up tenancies began before the arrears did (months to 20 years before).
    latest_start = episodes.start_month - _months(1)
    adult_from = (episodes.birth + _days(18 * 366)).astype("datetime64[M]") + _months(1)
    start_month = np.minimum(np.maximum(latest_start - _months(rng.integers(0, 240, followed)), adult_from), latest_start)
    followed_start = _first_day(start_month)
    followed_end = np.where(episodes.ends_tenancy, episodes.resolved, NOT_A_DATE)

    female = np.concatenate([episodes.female, other_female])
    birth = np.concatenate([episodes.birth, other_birth])
    children = np.concatenate([episodes.children, other_children])
    start = np.concatenate([followed_start, other_start])
    end = np.concatenate([followed_end, other_end])
    district = np.concatenate([episodes.district, rng.choice(len(DISTRICTS), others, p=_district_weights())])
    persons = 1 + children + (rng.random(total) < 0.3)
    rent = np.concatenate([episodes.rent, _draw_rents(rng, others, persons[followed:])])

    elderly = _age_on(birth, np.full(total, PERIOD_START)) >= 67
    dwelling_type = np.where(
        elderly,
        rng.choice(DWELLING_TYPES, total, p=[0.45, 0.25, 0.20, 0.10]),
        rng.choice(DWELLING_TYPES, total, p=[0.90, 0.03, 0.05, 0.02]),
    )

    # Ids follow the order tenancies began, as a register's sequence would.
    order = np.lexsort((rng.random(total), start))
    tenancy_id = np.empty(total, dtype=np.int64)
    tenancy_id[order] = 100_001 + np.arange(total)
    dwelling_id = np.char.add("BL", np.char.zfill((rng.permutation(total) + 1).astype(str), 6))

    tenancies = Tenancies(
        tenancy_id=tenancy_id,
        dwelling_id=dwelling_id,
        person=np.arange(total),
        name=_names(rng, female),
        district=district,
        district_spelling=_district_spellings(rng, total),
        dwelling_type=dwelling_type,
        persons=persons,
        children=children,
        rent=rent,
        rent_style=_amount_styles(rng, total),
        start=start,
        end=end,
    )
    return tenancies, female, birth


def _district_spellings(rng: np.random.Generator, n: int) -> np.ndarray:
    """Mostly canonical; sometimes upper or lower case, or with surrounding spaces."""
    variant = rng.integers(1, len(_DISTRICT_VARIANTS), n)
    return np.where(rng.random(n) < DISTRICT_SPELLING_VARIANTS_SHARE, variant, 0)


_DISTRICT_VARIANTS = (
    lambda d: d,
    lambda d: d.upper(),
    lambda d: d.lower(),
    lambda d: " " + d,
    lambda d: d + " ",
    lambda d: " " + d.lower(),
)
_DISTRICT_TEXT = np.array([[variant(d) for variant in _DISTRICT_VARIANTS] for d in DISTRICTS])


def _amount_styles(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(len(AMOUNT_STYLE_SHARES), n, p=AMOUNT_STYLE_SHARES)


@dataclass
class BailiffCases:
    received: np.ndarray
    petitioner_type: np.ndarray
    petitioner: np.ndarray
    reference: np.ndarray  # None when empty
    person: np.ndarray
    fate: np.ndarray
    decided: np.ndarray
    hearing: np.ndarray
    text_dates: np.ndarray
    petition: np.ndarray  # index into World.petitions for KOMMUNE cases, else -1


def _hearings(rng: np.random.Generator, received: np.ndarray, fate: np.ndarray, decided: np.ndarray) -> np.ndarray:
    """The date set for the eviction (Berammet).

    Executed and postponed cases: the day of the outcome. A lapsed case keeps the
    date it was set for (after it lapsed), unless it lapsed before one was set.
    """
    scheduled = _after(rng, received, HEARING_AFTER_RECEIPT_DAYS)
    withdrawn = fate == WITHDRAWN
    scheduled[withdrawn] = np.maximum(scheduled[withdrawn], decided[withdrawn] + _days(7))
    hearing = np.where(np.isin(fate, [EXECUTED, POSTPONED]), decided, scheduled)
    lapsed_before_scheduling = (fate == WITHDRAWN) & (decided < received + _days(HEARING_SET_AFTER_DAYS))
    return np.where((fate == REJECTED) | lapsed_before_scheduling, NOT_A_DATE, hearing)


def _bailiff_cases(scale: int, petitions: Petitions, first_respondent: int) -> BailiffCases:
    """Every eviction case at the bailiff: the collector's plus private landlords' and
    co-operatives', topped up to the yearly totals of Tables 1 and 2."""
    rng = _rng(scale, "namsfogd")
    kommune = np.flatnonzero(~np.isnat(petitions.received))
    private_by_year = {
        y: BAILIFF_CASES_BY_YEAR[y] * scale - (_year_of(petitions.received[kommune]) == y).sum() for y in YEARS
    }
    n = sum(private_by_year.values())
    received = np.concatenate(
        [_uniform_days(rng, _day(f"{y}-01-02"), _day(f"{y}-12-22"), c) for y, c in private_by_year.items()]
    )
    candidate = _after(rng, received, (20, 200))
    fate = np.full(n, PENDING, dtype="<U12")
    decided = np.where(candidate <= PERIOD_END, candidate, NOT_A_DATE)
    for y in YEARS:
        wanted = (BAILIFF_EVICTIONS_BY_YEAR[y] - COLLECTOR_EVICTIONS_BY_YEAR[y]) * scale
        pool = np.flatnonzero(~np.isnat(decided) & (_year_of(candidate) == y))
        fate[rng.choice(pool, wanted, replace=False)] = EXECUTED
    others = (fate == PENDING) & ~np.isnat(decided)
    fate[others] = rng.choice([WITHDRAWN, REJECTED, POSTPONED], others.sum(), p=[0.75, 0.08, 0.17])

    is_private = rng.random(n) < PRIVATE_LANDLORD_SHARE
    petitioner = np.where(
        is_private,
        np.array(PRIVATE_LANDLORDS, dtype=object)[rng.integers(0, len(PRIVATE_LANDLORDS), n)],
        np.array(HOUSING_COOPERATIVES, dtype=object)[rng.integers(0, len(HOUSING_COOPERATIVES), n)],
    )
    reference = np.where(
        rng.random(n) < 0.4, np.char.add("R", np.char.zfill(rng.integers(1, 99_999, n).astype(str), 5)), None
    ).astype(object)

    k = len(kommune)
    all_received = np.concatenate([petitions.received[kommune], received])
    all_fate = np.concatenate([petitions.fate[kommune], fate])
    all_decided = np.concatenate([petitions.decided[kommune], decided])
    return BailiffCases(
        received=all_received,
        petitioner_type=np.concatenate([np.full(k, "KOMMUNE"), np.where(is_private, "PRIVAT", "BORETTSLAG")]),
        petitioner=np.concatenate([np.full(k, COLLECTOR_NAME, dtype=object), petitioner]),
        reference=np.concatenate([np.full(k, None, dtype=object), reference]),  # filled with petition ids later
        person=np.concatenate([np.full(k, -1), first_respondent + np.arange(n)]),
        fate=all_fate,
        decided=all_decided,
        hearing=_hearings(rng, all_received, all_fate, all_decided),
        text_dates=rng.random(k + n) < SHARE_OF_TEXT_DATES_IN_XLSX,
        petition=np.concatenate([kommune, np.full(n, -1)]),
    )


@dataclass
class World:
    episodes: Episodes
    tenancies: Tenancies
    national_id: np.ndarray
    petitions: Petitions
    petition_id: np.ndarray
    notices: Notices
    notice_district: np.ndarray
    notice_spelling: np.ndarray
    bailiff: BailiffCases
    case_number: np.ndarray
    project: ProjectCases
    project_spelling: np.ndarray


def _sequence_ids(day: np.ndarray, tiebreak: np.ndarray, template: Callable[[int, int], str]) -> np.ndarray:
    """Ids numbered per year in date order, e.g. ``BEG-2006-00017``."""
    order = np.lexsort((tiebreak, day))
    year = _year_of(day[order])
    ids = np.empty(len(day), dtype=object)
    for y in np.unique(year):
        here = order[year == y]
        ids[here] = [template(int(y), i) for i in range(1, len(here) + 1)]
    return ids


def _check_quotas() -> None:
    """The quota tables above must add up to the report's figures; say so if an edit broke them."""
    districts = PROJECT_DISTRICT_QUOTAS.values()
    resolved = NON_EVICTED_OUTCOMES[RESOLVED]
    checks = {
        "districts are the contract's": tuple(PROJECT_DISTRICT_QUOTAS) == DISTRICTS,
        "cases by district": sum(q.cases for q in districts) == PROJECT_CASES,
        "evictions by district": sum(q.evicted for q in districts) == PROJECT_EVICTIONS,
        "evictions by year": sum(PROJECT_EVICTIONS_BY_YEAR["UTKASTET"].values()) == PROJECT_EVICTIONS,
        "reinstated by year": sum(PROJECT_EVICTIONS_BY_YEAR["GJENINNSATT"].values())
        == NON_EVICTED_OUTCOMES["GJENINNSATT"],
        "outcomes": PROJECT_EVICTIONS + sum(NON_EVICTED_OUTCOMES.values()) == PROJECT_CASES,
        "solutions": sum(q.social_service_paid for q in districts) + sum(OTHER_SOLUTIONS_OF_RESOLVED.values())
        == resolved,
        "claim bands": (sum(RESOLVED_BY_CLAIM_BAND), sum(OTHERS_BY_CLAIM_BAND))
        == (resolved, PROJECT_CASES - resolved),
        "evicted take large claims": sum(OTHERS_BY_CLAIM_BAND[EVICTED_MIN_CLAIM_BAND:])
        >= PROJECT_EVICTIONS + NON_EVICTED_OUTCOMES["GJENINNSATT"],
        "sex and age": sum(SEX_AGE_QUOTAS.values()) == PROJECT_CASES,
        "income": sum(INCOME_SOURCES.values()) == PROJECT_CASES,
        "known to the social service": sum(KNOWN_TO_SOCIAL_SERVICE.values()) == PROJECT_CASES,
        "collector evictions": all(_other_evictions_in(y) >= 0 for y in YEARS),
    }
    broken = [name for name, ok in checks.items() if not ok]
    if broken:
        raise AssertionError(f"sample quotas do not add up: {broken}")


def build_world(scale: int = 1) -> World:
    """Everything the sample describes, as numpy arrays (no files written)."""
    _check_quotas()
    cases, project_episodes, project_petitions, project_notices = _project_cases(scale)
    other_episodes, other_petitions, other_notices = _other_petitions(scale)
    notice_episodes, notice_only_days = _notice_only_accounts(scale)
    episodes = _concat([project_episodes, other_episodes, notice_episodes])
    petitions = _concat([project_petitions, _shifted(other_petitions, len(project_episodes))])
    for year in YEARS:
        if (_year_of(petitions.filed) == year).sum() != COLLECTOR_PETITIONS_BY_YEAR[year] * scale:
            raise AssertionError(f"collector petitions in {year} do not match Table 1")

    rng = _rng(scale, "people")
    tenancies, tenant_female, tenant_birth = _tenancies(scale, episodes)
    notice_days = np.concatenate([project_notices, other_notices, notice_only_days])
    notified = np.flatnonzero(~np.isnat(notice_days))
    owners = FORCED_SALE_NOTICES * scale
    owner_days = _uniform_days(rng, _day("2007-10-01"), _day("2007-12-20"), owners)
    owner_female, owner_birth = _random_adults(rng, owner_days, (25, 75))
    notices = Notices(
        episode=np.concatenate([notified, np.full(owners, -1)]),
        day=np.concatenate([notice_days[notified], owner_days]),
        amount=np.concatenate(
            [episodes.arrears(notified, notice_days[notified]), rng.integers(15_000_00, 150_000_00, owners)]
        ),
        owner=np.concatenate([np.full(len(notified), -1), np.arange(owners)]),
    )
    notice_district = np.concatenate(
        [episodes.district[notified], rng.choice(len(DISTRICTS), owners, p=_district_weights())]
    )

    first_respondent = len(tenancies.rent) + owners
    bailiff = _bailiff_cases(scale, petitions, first_respondent)
    respondents = (bailiff.person >= 0).sum()
    respondent_day = bailiff.received[bailiff.person >= 0]
    respondent_female, respondent_birth = _random_adults(rng, respondent_day, (19, 75))
    national_id = _synthetic_national_ids(
        rng,
        np.concatenate([tenant_birth, owner_birth, respondent_birth]),
        np.concatenate([tenant_female, owner_female, respondent_female]),
    )
    if len(national_id) != first_respondent + respondents:
        raise AssertionError("people do not add up")
    # The collector's cases concern the tenant of the petition's tenancy (the tenancy
    # of episode e is tenancy e).
    bailiff.person[bailiff.petition >= 0] = petitions.episode[bailiff.petition[bailiff.petition >= 0]]
    notices.owner[notices.owner >= 0] += len(tenancies.rent)

    petition_id = _sequence_ids(petitions.filed, rng.random(len(petitions.filed)), lambda y, i: f"BEG-{y}-{i:05d}")
    bailiff.reference[bailiff.petition >= 0] = petition_id[bailiff.petition[bailiff.petition >= 0]]
    case_number = _sequence_ids(
        bailiff.received, rng.random(len(bailiff.received)), lambda y, i: f"{y % 100:02d}-{i:06d}TVA-BERG"
    )
    for year in YEARS:
        received_in_year = _year_of(bailiff.received) == year
        executed_in_year = (bailiff.fate == EXECUTED) & (_year_of(bailiff.decided) == year)
        collector_executed = executed_in_year & (bailiff.petition >= 0)
        if (
            received_in_year.sum() != BAILIFF_CASES_BY_YEAR[year] * scale
            or executed_in_year.sum() != BAILIFF_EVICTIONS_BY_YEAR[year] * scale
            or collector_executed.sum() != COLLECTOR_EVICTIONS_BY_YEAR[year] * scale
        ):
            raise AssertionError(f"bailiff figures for {year} do not match Tables 1-2")

    return World(
        episodes=episodes,
        tenancies=tenancies,
        national_id=national_id,
        petitions=petitions,
        petition_id=petition_id,
        notices=notices,
        notice_district=notice_district,
        notice_spelling=_district_spellings(rng, len(notices.day)),
        bailiff=bailiff,
        case_number=case_number,
        project=cases,
        project_spelling=_district_spellings(rng, len(cases.opened)),
    )


# --------------------------------------------------------------------------------------
# Formatting (polars expressions, so big files are formatted in one vectorised pass)
# --------------------------------------------------------------------------------------


def _grouped(kroner: pl.Expr, separator: str) -> pl.Expr:
    def three(e: pl.Expr) -> pl.Expr:
        return e.cast(pl.String).str.zfill(3)

    millions, thousands, units = kroner // 1_000_000, (kroner // 1000) % 1000, kroner % 1000
    return (
        pl.when(kroner >= 1_000_000)
        .then(pl.concat_str([millions.cast(pl.String), pl.lit(separator), three(thousands), pl.lit(separator), three(units)]))
        .when(kroner >= 1000)
        .then(pl.concat_str([thousands.cast(pl.String), pl.lit(separator), three(units)]))
        .otherwise(units.cast(pl.String))
    )


def _amount_comma(ore: pl.Expr, style: pl.Expr) -> pl.Expr:
    """Decimal-comma amount in one of the styles sources.md allows for cp1252 files."""
    absolute = ore.abs()
    kroner = absolute // 100
    cents = (absolute % 100).cast(pl.String).str.zfill(2)
    digits = (
        pl.when(style == PLAIN)
        .then(kroner.cast(pl.String))
        .when(style.is_in([SPACES, KR_SPACES, KR_PARENTHESES]))
        .then(_grouped(kroner, " "))
        .otherwise(_grouped(kroner, NBSP))
    )
    number = pl.concat_str([digits, pl.lit(","), cents])
    signed = pl.when(ore < 0).then(pl.concat_str([pl.lit("-"), number])).otherwise(number)
    return (
        pl.when((style == KR_PARENTHESES) & (ore < 0))
        .then(pl.concat_str([pl.lit("kr ("), number, pl.lit(")")]))
        .when(style.is_in([KR_SPACES, KR_NBSPS, KR_PARENTHESES]))
        .then(pl.concat_str([pl.lit("kr "), signed]))
        .otherwise(signed)
    )


def _amount_plain(ore: pl.Expr, decimal: str) -> pl.Expr:
    """Positive amount without grouping: ``12345.50`` (kemner) or ``12345,50`` (prosjekt)."""
    return pl.concat_str(
        [(ore // 100).cast(pl.String), pl.lit(decimal), (ore % 100).cast(pl.String).str.zfill(2)]
    )


def _text(values: np.ndarray) -> pl.Series:
    """A text column from a numpy object array holding ``str`` or ``None``."""
    return pl.Series(values.tolist(), dtype=pl.String)


def _dmy(day: pl.Expr) -> pl.Expr:
    return day.dt.strftime("%d.%m.%Y")


def _iso(day: pl.Expr) -> pl.Expr:
    return day.dt.strftime("%Y-%m-%d")


def _csv_bytes(frame: pl.DataFrame, separator: str, encoding: str, bom: bool = False, header: bool = True) -> bytes:
    text = frame.write_csv(
        separator=separator,
        quote_style="necessary",
        line_terminator=LINE_END,
        include_header=header,
        null_value="",
    )
    return (UTF8_BOM if bom else b"") + text.encode(encoding)


# --------------------------------------------------------------------------------------
# Writing deliveries
# --------------------------------------------------------------------------------------


class _FileWriter:
    """Writes a file while counting its data rows and hashing its bytes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: BinaryIO = path.open("wb")
        self._hash = hashlib.sha256()
        self.rows = 0

    def write(self, data: bytes, rows: int = 0) -> None:
        self._file.write(data)
        self._hash.update(data)
        self.rows += rows

    def close(self) -> dict:
        self._file.close()
        return {"name": self.path.name, "rows": self.rows, "sha256": self._hash.hexdigest()}


def _delivery_dir(landing_dir: Path, source: str, day: np.datetime64) -> Path:
    """The delivery's folder; an old manifest goes first so it is not 'ready' meanwhile."""
    path = landing_dir / source / str(day)
    path.mkdir(parents=True, exist_ok=True)
    (path / MANIFEST_NAME).unlink(missing_ok=True)
    return path


def _write_manifest(folder: Path, source: str, day: np.datetime64, files: list[dict]) -> None:
    manifest = {"source": source, "delivery_date": str(day), "files": files}
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_bytes(path: Path, data: bytes, rows: int) -> dict:
    writer = _FileWriter(path)
    writer.write(data, rows)
    return writer.close()


def _sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tenancies_csv(world: World, day: np.datetime64) -> tuple[bytes, int]:
    t = world.tenancies
    present = t.start <= day
    frame = pl.DataFrame(
        {
            "leieforhold_id": t.tenancy_id[present],
            "bolig_id": t.dwelling_id[present],
            "fodselsnummer": world.national_id[t.person[present]],
            "navn": t.name[present],
            "bydel": _DISTRICT_TEXT[t.district[present], t.district_spelling[present]],
            "boligtype": t.dwelling_type[present],
            "antall_personer": t.persons[present],
            "antall_barn": t.children[present],
            "husleie": t.rent[present],
            "style": t.rent_style[present],
            "fra_dato": t.start[present],
            "til_dato": np.where(t.end[present] <= day, t.end[present], NOT_A_DATE),
        }
    ).sort("leieforhold_id")
    frame = frame.select(
        pl.col("leieforhold_id", "bolig_id", "fodselsnummer", "navn", "bydel", "boligtype", "antall_personer", "antall_barn"),
        _amount_comma(pl.col("husleie"), pl.col("style")).alias("husleie"),
        _dmy(pl.col("fra_dato")).alias("fra_dato"),
        _dmy(pl.col("til_dato")).alias("til_dato"),
    ).select(TENANCY_COLUMNS)
    return _csv_bytes(frame, ";", "cp1252"), frame.height


def _petitions_csv(world: World, day: np.datetime64) -> tuple[bytes, int]:
    p = world.petitions
    present = p.filed <= day
    decided = ~np.isnat(p.decided) & (p.decided <= day) & np.isin(p.fate, list(COLLECTOR_STATUS))
    status = np.array([COLLECTOR_STATUS.get(f, "SENDT") for f in p.fate])
    status = np.where(decided, status, "SENDT")
    case_by_petition = np.full(len(p.filed), None, dtype=object)
    kommune = world.bailiff.petition >= 0
    case_by_petition[world.bailiff.petition[kommune]] = world.case_number[kommune]
    known = ~np.isnat(p.received) & (p.received <= day)
    tenancy = world.tenancies
    frame = pl.DataFrame(
        {
            "begjaering_id": _text(world.petition_id[present]),
            "leieforhold_id": tenancy.tenancy_id[p.episode[present]],
            "fodselsnummer": world.national_id[tenancy.person[p.episode[present]]],
            "innsendt_dato": p.filed[present],
            "krav_belop": world.episodes.arrears(p.episode[present], p.filed[present]),
            "namsfogd_saksnr": _text(np.where(known, case_by_petition, None)[present]),
            "status": status[present],
            "status_dato": np.where(decided, p.decided, p.filed)[present],
        },
    ).sort("begjaering_id")
    frame = frame.select(
        "begjaering_id",
        "leieforhold_id",
        "fodselsnummer",
        _iso(pl.col("innsendt_dato")).alias("innsendt_dato"),
        _amount_plain(pl.col("krav_belop"), ".").alias("krav_belop"),
        "namsfogd_saksnr",
        "status",
        _iso(pl.col("status_dato")).alias("status_dato"),
        # Board approval is required only from March 2008; nothing here is that late.
        pl.lit(None, dtype=pl.String).alias("nemnd_godkjent_dato"),
    ).select(PETITION_COLUMNS)
    return _csv_bytes(frame, ",", "utf-8"), frame.height


def _notifications_csv(world: World, ids: np.ndarray, day: np.datetime64) -> tuple[bytes, int]:
    n = world.notices
    present = n.day <= day
    tenant = n.episode >= 0
    person = np.where(tenant, world.tenancies.person[np.maximum(n.episode, 0)], n.owner)
    frame = pl.DataFrame(
        {
            "varsel_id": _text(ids[present]),
            "leieforhold_id": np.where(tenant, world.tenancies.tenancy_id[np.maximum(n.episode, 0)], -1)[present],
            "fodselsnummer": world.national_id[person[present]],
            "varsel_dato": n.day[present],
            "restanse_belop": n.amount[present],
            "bydel": _DISTRICT_TEXT[world.notice_district[present], world.notice_spelling[present]],
            "varseltype": np.where(tenant, "RESTANSE", "TVANGSSALG")[present],
        },
    ).sort("varsel_id")
    frame = frame.select(
        "varsel_id",
        pl.when(pl.col("leieforhold_id") >= 0).then(pl.col("leieforhold_id")).alias("leieforhold_id"),
        "fodselsnummer",
        _iso(pl.col("varsel_dato")).alias("varsel_dato"),
        _amount_plain(pl.col("restanse_belop"), ".").alias("restanse_belop"),
        "bydel",
        "varseltype",
    ).select(NOTIFICATION_COLUMNS)
    return _csv_bytes(frame, ",", "utf-8"), frame.height


def _project_csv(world: World, case_ids: np.ndarray, day: np.datetime64) -> tuple[bytes, int]:
    c = world.project
    present = c.opened <= day
    done = ~np.isnat(c.closed) & (c.closed <= day)
    # While a case is open only its first action is recorded.
    actions = np.where(done, c.actions, c.actions & -c.actions)
    tenancy = world.tenancies
    frame = pl.DataFrame(
        {
            "sak_id": _text(case_ids[present]),
            "leieforhold_id": tenancy.tenancy_id[c.episode[present]],
            "fodselsnummer": world.national_id[tenancy.person[c.episode[present]]],
            "opprettet": c.opened[present],
            "sosialtjeneste": _DISTRICT_TEXT[world.episodes.district[c.episode], world.project_spelling][present],
            "kjent_sosialtjenesten": c.known[present],
            "barn_i_husstand": c.children[present],
            "inntektskilde": c.income[present],
            "krav_belop": c.claim[present],
            "utfall": np.where(done, c.outcome, "FORTSATT_I_ARBEID")[present],
            "losning": _text(np.where(done & (c.solution != ""), c.solution, None)[present]),
            "tiltak": _text(_ACTION_TEXT[actions[present]]),
            "avsluttet": np.where(done, c.closed, NOT_A_DATE)[present],
        },
    ).sort("sak_id")
    frame = frame.with_columns(
        _dmy(pl.col("opprettet")).alias("opprettet"),
        _amount_plain(pl.col("krav_belop"), ",").alias("krav_belop"),
        _dmy(pl.col("avsluttet")).alias("avsluttet"),
    ).select(PROJECT_COLUMNS)
    return _csv_bytes(frame, ";", "utf-8", bom=True), frame.height


_ACTION_TEXT = np.array(
    ["|".join(a for bit, a in enumerate(ACTIONS) if mask >> bit & 1) or None for mask in range(1 << len(ACTIONS))],
    dtype=object,
)

_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")


def _write_bailiff_xlsx(path: Path, world: World, day: np.datetime64) -> int:
    """The bailiff's sheet; dates as real Excel dates or as text, row by row."""
    b = world.bailiff
    present = np.flatnonzero(b.received <= day)
    present = present[np.argsort(world.case_number[present].astype(str), kind="stable")]
    shown = ~np.isnat(b.decided) & (b.decided <= day) & np.isin(b.fate, list(BAILIFF_OUTCOME))
    outcome = np.where(shown, np.array([BAILIFF_OUTCOME.get(f, "") for f in b.fate], dtype=object), "UNDER_BEHANDLING")
    hearing_known = b.received + _days(HEARING_SET_AFTER_DAYS) <= day
    columns = {
        "Saksnr": world.case_number[present],
        "Mottatt": b.received[present],
        "Saksokertype": b.petitioner_type[present],
        "Saksoker": b.petitioner[present],
        "Saksokers_ref": b.reference[present],
        "Fodselsnummer": world.national_id[b.person[present]],
        "Berammet": np.where(hearing_known, b.hearing, NOT_A_DATE)[present],
        "Utfall": outcome[present],
        "Utfall_dato": np.where(shown, b.decided, NOT_A_DATE)[present],
    }
    as_text = b.text_dates[present]
    cells: list[list] = []
    for name in BAILIFF_COLUMNS:
        values = columns[name]
        if values.dtype == np.dtype(D):
            serial = (values - _EXCEL_EPOCH).astype(np.int64)
            text = pl.Series(values).dt.strftime("%d.%m.%Y").to_list()
            missing = np.isnat(values).tolist()
            cells.append(
                [None if m else (t if txt else s) for m, s, t, txt in zip(missing, serial.tolist(), text, as_text.tolist())]
            )
        else:
            cells.append([None if v is None else str(v) for v in values])

    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "constant_memory": True})
    # A fixed creation date: the file's bytes must not depend on when it was written.
    workbook.set_properties({"created": dt.datetime.fromisoformat(str(day))})
    sheet = workbook.add_worksheet(BAILIFF_SHEET)
    date_format = workbook.add_format({"num_format": "dd.mm.yyyy"})
    for col, name in enumerate(BAILIFF_COLUMNS):
        sheet.write_string(0, col, name)
    for row, values in enumerate(zip(*cells), start=1):
        for col, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, int):
                sheet.write_number(row, col, value, date_format)
            else:
                sheet.write_string(row, col, value)
    workbook.close()
    return len(present)


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
        write_off=np.where(np.isin(e.resolution, WRITTEN_OFF), _after(rng, e.resolved, WRITE_OFF_AFTER_DAYS), NOT_A_DATE),
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
        (instalment, first + _days(a.pay_day - 1), INNBETALING, -np.where(instalment_no == a.instalments, last_share, share)),
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
        frame = pl.DataFrame(
            {
                "bilag": np.arange(next_bilag, next_bilag + count),
                "tenancy": tenancy,
                "day": day,
                "kind": kind,
                "amount": amount,
                "style": _amount_styles(rng, count),
            }
        ).select(
            pl.concat_str([pl.lit("B"), pl.col("bilag").cast(pl.String).str.zfill(BILAG_DIGITS)]).alias("bilag_id"),
            pl.col("tenancy").alias("leieforhold_id"),
            _dmy(pl.col("day")).alias("bokfort_dato"),
            pl.col("kind").replace_strict(dict(enumerate(POSTING_TYPES)), return_dtype=pl.String).alias("posttype"),
            _amount_comma(pl.col("amount"), pl.col("style")).alias("belop"),
        ).select(LEDGER_COLUMNS)
        next_bilag += count
        delivery = np.searchsorted(cut_offs, day, side="left")
        again = (delivery < len(cut_offs) - 1) & (day > cut_offs[np.minimum(delivery, len(cut_offs) - 1)] - _days(REDELIVERY_DAYS))
        for k, writer in enumerate(writers):
            rows = (delivery == k) | (again & (delivery == k - 1))
            if rows.any():
                part = frame.filter(pl.Series(rows))
                writer.write(_csv_bytes(part, ";", "cp1252", header=False), part.height)
        if str(month).endswith(("-06", "-12")):
            progress(f"boei/rent_ledger: booked through {month}, {next_bilag - 1:,} postings")
    return [w.close() for w in writers]


# --------------------------------------------------------------------------------------
# The forced-sale follow-up project (issue 14): the housing associations' arrears cases
# (bbl) and the bailiff's forced-sale cases (namsfogd/forced_sales.xlsx)
# --------------------------------------------------------------------------------------
#
# Built to quotas like the eviction figures (sample/README.md states them; the
# independent reader in tests/ checks them). Its own random streams, drawn after the
# eviction world, so every file of the eviction sample keeps its bytes.

BBL_DELIVERY_DATES = (dt.date(2007, 6, 30), dt.date(2007, 12, 31))
# The bailiff's first forced-sale extract comes with this namsfogd delivery.
FORCED_SALES_FIRST_DELIVERY = dt.date(2007, 6, 30)
# The first bbl extract holds the open cases and every case closed since this date.
BBL_HISTORY_FROM = dt.date(2006, 1, 1)
NOTICE_ROUTINE_FROM = dt.date(2007, 12, 1)
PERIOD_END_DATE = dt.date(2007, 12, 31)  # the city's notification routine (December 2007)
FORCED_SALE_SHEET = "Tvangssalg"
BBL_COLUMNS = (
    "sak_id", "boligbyggelag", "borettslag", "andel_nr", "fodselsnummer", "navn", "bydel", "barn_i_husstand",
    "restanse_belop", "forfalt_siden", "trinn", "trinn_dato", "sosialtjeneste_varslet", "begjaert_dato",
)  # fmt: skip
FORCED_SALE_COLUMNS = (
    "Saksnr", "Mottatt", "Saksokertype", "Saksoker", "Saksokers_ref", "Fodselsnummer", "Objekttype", "Utfall",
    "Utfall_dato",
)  # fmt: skip
# The co-operatives the three companies manage: (name, company, district).
BBL_COOPERATIVES = (
    ("Landås Borettslag", "BOB", "Årstad"), ("Lønborg Borettslag", "BOB", "Bergenhus"),
    ("Kronstad Borettslag", "BOB", "Årstad"), ("Slettebakken Borettslag", "BOB", "Årstad"),
    ("Ulsetskogen Borettslag", "BOB", "Åsane"), ("Åsane Sentrum Borettslag", "BOB", "Åsane"),
    ("Vestre Vadmyra Borettslag", "BOB", "Laksevåg"), ("Fjellsiden Borettslag", "BOB", "Bergenhus"),
    ("Bønes Borettslag", "VESTBO", "Fana"), ("Søreide Borettslag", "VESTBO", "Ytrebygda"),
    ("Olsvikåsen Borettslag", "VESTBO", "Laksevåg"), ("Mathopen Borettslag", "VESTBO", "Fyllingsdalen"),
    ("Fyllingsdalen Terrasse Borettslag", "STOR_BERGEN", "Fyllingsdalen"),
    ("Ytre Arna Borettslag", "STOR_BERGEN", "Arna"), ("Nesttun Borettslag", "STOR_BERGEN", "Fana"),
    ("Kråkenes Borettslag", "STOR_BERGEN", "Ytrebygda"),
)  # fmt: skip
BBL_CASE_PREFIX = {"BOB": "BOB", "VESTBO": "VB", "STOR_BERGEN": "SBB"}
# Co-operatives that no delivering company manages (their petitions have no arrears case).
OTHER_COOPERATIVES = ("Nygårdshøyden Borettslag", "Møhlenpris Borettslag", "Sædalen Borettslag")
MUNICIPAL_LOANS = "Bergen kommune v/Boligetaten"
LENDERS = ("DnB NOR Bank ASA", "Sparebanken Vest", "Nordea Bank Norge ASA", "Handelsbanken", "Fana Sparebank")
OTHER_PETITIONERS = ("Statens innkrevingssentral", "Skatteoppkreveren i Bergen", "Sameiet Fjøsangerveien 28")

# Petitions for forced sale at the bailiff: (petitioner, year received, outcome, year of the outcome): cases.
# BBL: a co-operative managed by BOB, Vestbo or Stor-Bergen (it has an arrears case); BORETTSLAG: another one.
FORCED_SALE_QUOTAS = {
    ("BBL", 2006, "SOLGT", 2006): 5, ("BBL", 2006, "SOLGT", 2007): 1, ("BBL", 2006, "BORTFALT", 2006): 9,
    ("BBL", 2006, "BORTFALT", 2007): 3, ("BBL", 2006, "TRUKKET", 2006): 3, ("BBL", 2006, "AVVIST", 2006): 1,
    ("BBL", 2007, "SOLGT", 2007): 4, ("BBL", 2007, "BORTFALT", 2007): 12, ("BBL", 2007, "TRUKKET", 2007): 3,
    ("BBL", 2007, "AVVIST", 2007): 1, ("BBL", 2007, "UNDER_BEHANDLING", None): 6,
    ("BORETTSLAG", 2006, "BORTFALT", 2006): 2, ("BORETTSLAG", 2007, "BORTFALT", 2007): 1,
    ("BORETTSLAG", 2007, "UNDER_BEHANDLING", None): 1,
    ("KOMMUNE", 2006, "SOLGT", 2006): 1, ("KOMMUNE", 2006, "BORTFALT", 2006): 4, ("KOMMUNE", 2006, "TRUKKET", 2006): 1,
    ("KOMMUNE", 2007, "SOLGT", 2007): 1, ("KOMMUNE", 2007, "BORTFALT", 2007): 2, ("KOMMUNE", 2007, "TRUKKET", 2007): 1,
    ("KOMMUNE", 2007, "UNDER_BEHANDLING", None): 5,
    ("BANK", 2006, "SOLGT", 2006): 1, ("BANK", 2006, "SOLGT", 2007): 1, ("BANK", 2006, "BORTFALT", 2006): 4,
    ("BANK", 2006, "TRUKKET", 2006): 1, ("BANK", 2007, "SOLGT", 2007): 2, ("BANK", 2007, "BORTFALT", 2007): 4,
    ("BANK", 2007, "UNDER_BEHANDLING", None): 2,
    ("ANNEN", 2006, "BORTFALT", 2006): 2, ("ANNEN", 2007, "BORTFALT", 2007): 2, ("ANNEN", 2007, "AVVIST", 2007): 1,
}  # fmt: skip
# The figures the quotas give (sample/README.md), checked by _check_forced_sale_quotas.
FORCED_SALE_PETITIONS_BY_YEAR = {"cooperative": {2006: 24, 2007: 28}, "municipality": {2006: 6, 2007: 9},
                                 "bank": {2006: 7, 2007: 8}, "other": {2006: 2, 2007: 3}}
FORCED_SALES_BY_YEAR = {"cooperative": {2006: 5, 2007: 5}, "municipality": {2006: 1, 2007: 1},
                        "bank": {2006: 1, 2007: 3}, "other": {2006: 0, 2007: 0}}
# The municipality's pending 2007 petitions concern the owners on the collector's TVANGSSALG
# notices (the earliest notified), received after the notice: the municipality's notified petitions.
MUNICIPAL_PETITIONS_AFTER_NOTICE = 5
NOTICE_TO_MUNICIPAL_PETITION_DAYS = (10, 25)
# bbl-managed petitions at the bailiff whose social service was notified before the petition, by year
# received, and (2007) notified only after it; every petition from the routine on is notified first.
CO_OP_NOTIFIED_BEFORE = {2006: 5, 2007: 12}
CO_OP_NOTIFIED_AFTER = {2007: 2}
NOTICE_BEFORE_PETITION_DAYS = (7, 60)
# bbl-managed petitions the bailiff got without Saksokers_ref (matched by person and date), per year.
CO_OP_WITHOUT_REFERENCE = {2006: 2, 2007: 2}
# Co-operative petitions the bailiff has not received by the last delivery (petitioned 20-28 Dec 2007);
# all but one notified first (the routine applies).
CO_OP_NOT_RECEIVED = 3
CO_OP_NOT_RECEIVED_NOTIFIED = 2
# Arrears cases that never reach a petition, by year of the first unpaid due date, and their course.
CO_OP_OTHER_CASES = {2006: 290, 2007: 305}
CO_OP_COURSES = {"settled": 0.72, "ordered_then_settled": 0.12, "sold_by_member": 0.06, "open": 0.10}
COMMON_COSTS_NOK = (2_400, 6_800)  # monthly common costs (felleskostnader)
MAX_MONTHS_UNPAID = 14


@dataclass
class ForcedSaleCase:
    case_no: str
    received: dt.date
    petitioner_type: str
    petitioner: str
    reference: str | None
    person: int
    object_type: str
    outcome: str
    decided: dt.date | None
    text_dates: bool


@dataclass
class CoOpCase:
    """One arrears case at a housing association: its stages over time."""

    case_id: str
    company: str
    co_operative: str
    share_no: str
    person: int  # index into ForcedSaleWorld.national_id
    district: str
    children: int
    monthly_ore: int
    overdue_since: dt.date
    stages: list[tuple[str, dt.date]]  # in date order
    notified: dt.date | None
    petitioned: dt.date | None
    bailiff: ForcedSaleCase | None = None  # the bailiff's case of its petition, if received


@dataclass
class ForcedSaleWorld:
    co_op_cases: list[CoOpCase]
    bailiff_cases: list[ForcedSaleCase]
    national_id: list[str]
    name: list[str]


def _check_forced_sale_quotas() -> None:
    label = {"BBL": "cooperative", "BORETTSLAG": "cooperative", "KOMMUNE": "municipality", "BANK": "bank",
             "ANNEN": "other"}  # fmt: skip
    petitions: dict = {t: {y: 0 for y in YEARS} for t in FORCED_SALE_PETITIONS_BY_YEAR}
    sold: dict = {t: {y: 0 for y in YEARS} for t in FORCED_SALES_BY_YEAR}
    for (kind, year, outcome, decided), count in FORCED_SALE_QUOTAS.items():
        petitions[label[kind]][year] += count
        if outcome == "SOLGT":
            sold[label[kind]][decided] += count
    municipal_pending = FORCED_SALE_QUOTAS[("KOMMUNE", 2007, "UNDER_BEHANDLING", None)]
    if petitions != FORCED_SALE_PETITIONS_BY_YEAR or sold != FORCED_SALES_BY_YEAR or (
        municipal_pending != MUNICIPAL_PETITIONS_AFTER_NOTICE
    ):
        raise AssertionError("forced-sale quotas do not add up to the figures the sample states")


def _pydate(day: np.datetime64) -> dt.date:
    return dt.date.fromisoformat(str(day))


def _draw_day(rng: np.random.Generator, low: dt.date, high: dt.date) -> dt.date:
    if high < low:
        raise AssertionError("empty date window")
    return low + dt.timedelta(days=int(rng.integers(0, (high - low).days + 1)))


def _first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _unique_ids_against(rng: np.random.Generator, birth: np.ndarray, female: np.ndarray, taken: set[str]) -> list[str]:
    """Synthetic national ids for new people, none equal to another's or to an id already in the sample."""
    ids = _synthetic_national_ids(rng, birth, female).tolist()
    while True:
        seen = set(taken)
        clash = []
        for i, fnr in enumerate(ids):
            if fnr in seen:
                clash.append(i)
            seen.add(fnr)
        if not clash:
            return ids
        for i, fnr in zip(clash, _synthetic_national_ids(rng, birth[clash], female[clash]).tolist()):
            ids[i] = fnr


def _petition_dates(rng: np.random.Generator, year: int, outcome: str, decided_year: int | None) -> tuple[dt.date, dt.date | None]:
    """Received and outcome dates inside windows that keep each case in its counted years."""
    if outcome == "UNDER_BEHANDLING":
        return _draw_day(rng, dt.date(year, 9, 1), dt.date(year, 11, 30)), None
    if decided_year == year:
        received = _draw_day(rng, dt.date(year, 1, 8), dt.date(year, 8, 31))
        return received, _draw_day(rng, received + dt.timedelta(days=30), dt.date(year, 12, 15))
    received = _draw_day(rng, dt.date(year, 9, 1), dt.date(year, 12, 15))
    return received, _draw_day(rng, dt.date(decided_year, 1, 15), dt.date(decided_year, 11, 30))


def build_forced_sale_world(world: World, scale: int = 1) -> ForcedSaleWorld:
    """The co-operatives' arrears cases and the bailiff's forced-sale cases (no files written)."""
    _check_forced_sale_quotas()
    rng = _rng(scale, "forced-sales")
    people_rng = _rng(scale, "forced-sale-people")
    new_people: list[dt.date] = []  # reference day of each new person (for the birth date)

    def new_person(on: dt.date) -> int:
        new_people.append(on)
        return -len(new_people)  # resolved to an index once the ids are drawn

    co_op_cases: list[CoOpCase] = []
    bailiff: list[ForcedSaleCase] = []
    def co_op_case(petitioned: dt.date | None, overdue: dt.date, person: int) -> CoOpCase:
        name, company, district = BBL_COOPERATIVES[int(rng.integers(0, len(BBL_COOPERATIVES)))]
        children = int(rng.choice([0, 0, 0, 1, 2, 3], p=[0.3, 0.2, 0.15, 0.15, 0.12, 0.08]))
        monthly = int(rng.integers(COMMON_COSTS_NOK[0], COMMON_COSTS_NOK[1] + 1)) * 100
        return CoOpCase("", company, name, str(int(rng.integers(1, 160))), person, district, children, monthly,
                        overdue, [], None, petitioned)

    # 1. Petitions at the bailiff, by quota.
    owners = np.flatnonzero(world.notices.owner >= 0)
    owner_order = owners[np.argsort(world.notices.day[owners], kind="stable")]
    municipal_owners = list(owner_order[: MUNICIPAL_PETITIONS_AFTER_NOTICE * scale])
    petitioned_co_op: dict[int, list[CoOpCase]] = {y: [] for y in YEARS}
    for (kind, year, outcome, decided_year), count in FORCED_SALE_QUOTAS.items():
        for _ in range(count * scale):
            received, decided = _petition_dates(rng, year, outcome, decided_year)
            object_type = "ANDEL"
            if kind == "KOMMUNE" and outcome == "UNDER_BEHANDLING":
                notice = municipal_owners.pop(0)
                notice_day = _pydate(world.notices.day[notice])
                received = notice_day + dt.timedelta(days=int(rng.integers(*NOTICE_TO_MUNICIPAL_PETITION_DAYS)))
                if received.year != year:
                    raise AssertionError("a municipal petition after its notice falls outside its year")
                person = int(world.notices.owner[notice])  # an index into the eviction world's people
                object_type = str(rng.choice(["SELVEIER", "EIERSEKSJON"]))
            else:
                person = new_person(received)
            if kind in ("BANK", "ANNEN") or (kind == "KOMMUNE" and outcome != "UNDER_BEHANDLING"):
                object_type = str(rng.choice(["SELVEIER", "EIERSEKSJON", "ANDEL"], p=[0.5, 0.35, 0.15]))
            petitioner = {
                "BBL": None, "BORETTSLAG": OTHER_COOPERATIVES, "KOMMUNE": (MUNICIPAL_LOANS,), "BANK": LENDERS,
                "ANNEN": OTHER_PETITIONERS,
            }[kind]  # fmt: skip
            case = ForcedSaleCase(
                "", received, "BORETTSLAG" if kind in ("BBL", "BORETTSLAG") else kind,
                "" if petitioner is None else str(petitioner[int(rng.integers(0, len(petitioner)))]),
                None, person, object_type, outcome, decided, bool(rng.random() < SHARE_OF_TEXT_DATES_IN_XLSX),
            )
            if kind == "BORETTSLAG" and rng.random() < 0.5:
                case.reference = f"R{int(rng.integers(1, 99_999)):05d}"  # the co-operative's own reference
            bailiff.append(case)
            if kind == "BBL":
                petitioned = received - dt.timedelta(days=int(rng.integers(BAILIFF_RECEIPT_DAYS[0], BAILIFF_RECEIPT_DAYS[1] + 1)))
                overdue = _first_of_month(petitioned - dt.timedelta(days=int(rng.integers(150, 300))))
                co_op = co_op_case(petitioned, overdue, person)
                case.petitioner = co_op.co_operative
                warned = overdue + dt.timedelta(days=int(rng.integers(20, 41)))
                ordered = petitioned - dt.timedelta(days=int(rng.integers(30, 91)))
                co_op.stages = [("VARSEL", warned), ("PALEGG_SALG", ordered), ("BEGJAERT", petitioned)]
                final = {"SOLGT": "TVANGSSOLGT", "BORTFALT": "LOST", "TRUKKET": "LOST", "AVVIST": "PALEGG_SALG"}
                if outcome in final:
                    co_op.stages.append((final[outcome], decided))
                co_op_cases.append(co_op)
                petitioned_co_op[year].append(co_op)
                co_op.bailiff = case

    # 2. Who was notified before the petition (and who only after); which petitions lack a reference.
    for year in YEARS:
        cases = petitioned_co_op[year]
        must = [c for c in cases if c.petitioned >= NOTICE_ROUTINE_FROM]
        rest = [c for c in cases if c.petitioned < NOTICE_ROUTINE_FROM]
        order = rng.permutation(len(rest))
        wanted = CO_OP_NOTIFIED_BEFORE[year] * scale - len(must)
        late = CO_OP_NOTIFIED_AFTER.get(year, 0) * scale
        if wanted < 0 or wanted + late > len(rest):
            raise AssertionError("notification quotas do not fit the petitions")
        for c in must + [rest[i] for i in order[:wanted]]:
            c.notified = c.petitioned - dt.timedelta(days=int(rng.integers(*NOTICE_BEFORE_PETITION_DAYS)))
        for i in order[wanted : wanted + late]:
            c = rest[i]
            c.notified = c.bailiff.received + dt.timedelta(days=int(rng.integers(3, 21)))
        for i in rng.permutation(len(cases))[: CO_OP_WITHOUT_REFERENCE[year] * scale]:
            cases[i].bailiff.reference = "-"  # no reference: set to None once the case ids exist

    # 3. Co-operative petitions the bailiff has not received yet.
    for k in range(CO_OP_NOT_RECEIVED * scale):
        petitioned = _draw_day(rng, dt.date(2007, 12, 20), dt.date(2007, 12, 28))
        overdue = _first_of_month(petitioned - dt.timedelta(days=int(rng.integers(150, 300))))
        co_op = co_op_case(petitioned, overdue, new_person(petitioned))
        co_op.stages = [
            ("VARSEL", overdue + dt.timedelta(days=int(rng.integers(20, 41)))),
            ("PALEGG_SALG", petitioned - dt.timedelta(days=int(rng.integers(30, 91)))),
            ("BEGJAERT", petitioned),
        ]
        if k < CO_OP_NOT_RECEIVED_NOTIFIED * scale:
            co_op.notified = petitioned - dt.timedelta(days=int(rng.integers(5, 15)))
        co_op_cases.append(co_op)

    # 4. Arrears cases that never reach a petition.
    courses = list(CO_OP_COURSES)
    for year, count in CO_OP_OTHER_CASES.items():
        for _ in range(count * scale):
            overdue = dt.date(year, int(rng.integers(1, 13)), 1)
            co_op = co_op_case(None, overdue, new_person(overdue))
            warned = overdue + dt.timedelta(days=int(rng.integers(20, 41)))
            course = courses[int(rng.choice(len(courses), p=list(CO_OP_COURSES.values())))]
            if course == "open" and year < YEARS[-1]:
                course = "ordered_then_settled"  # a case from an earlier year has run its course
            co_op.stages = [("VARSEL", warned)]
            if course == "settled":
                co_op.stages.append(("LOST", warned + dt.timedelta(days=int(rng.integers(15, 121)))))
            elif course != "open" or rng.random() < 0.5:
                ordered = warned + dt.timedelta(days=int(rng.integers(40, 91)))
                co_op.stages.append(("PALEGG_SALG", ordered))
                if course != "open":
                    end = "LOST" if course == "ordered_then_settled" else "SOLGT_FRIVILLIG"
                    co_op.stages.append((end, ordered + dt.timedelta(days=int(rng.integers(30, 151)))))
            co_op.stages = [(s, d) for s, d in co_op.stages if d <= PERIOD_END_DATE]
            if not co_op.stages:
                continue
            stage, reached = co_op.stages[-1]
            # The routine: an open case that reaches a stage from December 2007 on is notified.
            if stage in ("VARSEL", "PALEGG_SALG") and reached >= NOTICE_ROUTINE_FROM and rng.random() < 0.7:
                co_op.notified = min(reached + dt.timedelta(days=int(rng.integers(0, 6))), PERIOD_END_DATE)
            co_op_cases.append(co_op)

    # 5. People: the new ones get synthetic ids distinct from everyone else's; then case ids and numbers.
    taken = set(world.national_id.tolist())
    on = np.array([np.datetime64(d) for d in new_people], dtype=D) if new_people else np.array([], dtype=D)
    female, birth = _random_adults(people_rng, on, (24, 82))
    fresh = _unique_ids_against(people_rng, birth, female, taken)
    fresh_names = _names(people_rng, female).tolist()
    national_ids = [*world.national_id.tolist(), *fresh]
    names = [*([""] * len(world.national_id)), *fresh_names]
    base = len(world.national_id)

    def resolve(person: int) -> int:
        return base + (-person - 1) if person < 0 else person

    for c in co_op_cases:
        c.person = resolve(c.person)
    for b in bailiff:
        b.person = resolve(b.person)
    co_op_cases.sort(key=lambda c: (c.stages[0][1], c.overdue_since, c.person))
    per_year: dict[int, int] = {}
    for c in co_op_cases:
        year = c.stages[0][1].year
        per_year[year] = per_year.get(year, 0) + 1
        c.case_id = f"{BBL_CASE_PREFIX[c.company]}-{year}-{per_year[year]:05d}"
    for c in co_op_cases:
        if c.bailiff is not None:
            c.bailiff.reference = None if c.bailiff.reference == "-" else c.case_id
    bailiff.sort(key=lambda b: (b.received, b.person))
    per_year = {}
    for b in bailiff:
        per_year[b.received.year] = per_year.get(b.received.year, 0) + 1
        b.case_no = f"{b.received.year % 100:02d}-{per_year[b.received.year]:06d}TVS-BERG"
    return ForcedSaleWorld(co_op_cases, bailiff, national_ids, names)


def _co_op_state(c: CoOpCase, day: dt.date) -> tuple[str, dt.date] | None:
    """The case's stage on ``day``; None before the case began."""
    reached = [(s, d) for s, d in c.stages if d <= day]
    return reached[-1] if reached else None


def _bbl_rows(fs: ForcedSaleWorld, day: dt.date, previous: dt.date | None) -> list[dict]:
    """The delivery of ``day``: the open cases and the cases closed since the previous delivery."""
    closed_since = previous or BBL_HISTORY_FROM
    rows = []
    for c in fs.co_op_cases:
        state = _co_op_state(c, day)
        if state is None:
            continue
        stage, reached = state
        closed = stage in ("LOST", "SOLGT_FRIVILLIG", "TVANGSSOLGT")
        if closed and reached <= closed_since:
            continue
        # Open: the common costs of every month since the oldest unpaid one (capped); closed: paid or sold.
        months = (day.year - c.overdue_since.year) * 12 + day.month - c.overdue_since.month + 1
        ore = 0 if closed else c.monthly_ore * min(months, MAX_MONTHS_UNPAID)
        rows.append({
            "sak_id": c.case_id,
            "boligbyggelag": c.company,
            "borettslag": c.co_operative,
            "andel_nr": c.share_no,
            "fodselsnummer": fs.national_id[c.person],
            "navn": fs.name[c.person],
            "bydel": c.district,
            "barn_i_husstand": str(c.children),
            "restanse_belop": f"{ore // 100},{ore % 100:02d}",
            "forfalt_siden": c.overdue_since.strftime("%d.%m.%Y"),
            "trinn": stage,
            "trinn_dato": reached.strftime("%d.%m.%Y"),
            "sosialtjeneste_varslet": c.notified.strftime("%d.%m.%Y") if c.notified and c.notified <= day else None,
            "begjaert_dato": c.petitioned.strftime("%d.%m.%Y") if c.petitioned and c.petitioned <= day else None,
        })
    rows.sort(key=lambda r: r["sak_id"])
    return rows


def _write_bbl(landing_dir: Path, fs: ForcedSaleWorld, progress: Progress) -> None:
    previous = None
    for day in BBL_DELIVERY_DATES:
        folder = _delivery_dir(landing_dir, "bbl", np.datetime64(day))
        rows = _bbl_rows(fs, day, previous)
        frame = pl.DataFrame(rows, schema={c: pl.String for c in BBL_COLUMNS})
        data = _csv_bytes(frame, ";", "utf-8")
        _write_manifest(folder, "bbl", np.datetime64(day), [_write_bytes(folder / "arrears.csv", data, frame.height)])
        progress(f"bbl/{day}/arrears.csv: {frame.height:,} arrears cases")
        previous = day


def _write_forced_sales_xlsx(path: Path, fs: ForcedSaleWorld, day: dt.date) -> int:
    """The bailiff's forced-sale sheet on ``day``; dates as real Excel dates or as text, case by case."""
    present = sorted((b for b in fs.bailiff_cases if b.received <= day), key=lambda b: b.case_no)
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "constant_memory": True})
    workbook.set_properties({"created": dt.datetime.combine(day, dt.time())})
    sheet = workbook.add_worksheet(FORCED_SALE_SHEET)
    date_format = workbook.add_format({"num_format": "dd.mm.yyyy"})
    for col, name in enumerate(FORCED_SALE_COLUMNS):
        sheet.write_string(0, col, name)
    epoch = dt.date(1899, 12, 30)
    for row, b in enumerate(present, start=1):
        decided = b.decided if b.decided is not None and b.decided <= day else None
        values = {
            "Saksnr": b.case_no, "Mottatt": b.received, "Saksokertype": b.petitioner_type, "Saksoker": b.petitioner,
            "Saksokers_ref": b.reference, "Fodselsnummer": fs.national_id[b.person], "Objekttype": b.object_type,
            "Utfall": b.outcome if decided else "UNDER_BEHANDLING", "Utfall_dato": decided,
        }  # fmt: skip
        for col, name in enumerate(FORCED_SALE_COLUMNS):
            value = values[name]
            if value is None:
                continue
            if isinstance(value, dt.date):
                if b.text_dates:
                    sheet.write_string(row, col, value.strftime("%d.%m.%Y"))
                else:
                    sheet.write_number(row, col, (value - epoch).days, date_format)
            else:
                sheet.write_string(row, col, str(value))
    workbook.close()
    return len(present)


# --------------------------------------------------------------------------------------
# The five sources
# --------------------------------------------------------------------------------------


def _write_boei(landing_dir: Path, world: World, scale: int, progress: Progress) -> None:
    folders = [_delivery_dir(landing_dir, "boei", day) for day in DELIVERY_DATES]
    tenancy_files = []
    for folder, day in zip(folders, DELIVERY_DATES):
        data, rows = _tenancies_csv(world, day)
        tenancy_files.append(_write_bytes(folder / "tenancies.csv", data, rows))
        progress(f"boei/{day}/tenancies.csv: {rows:,} tenancies")
    ledger_files = _write_ledger(world, scale, folders, progress)
    for folder, day, tenancies, ledger in zip(folders, DELIVERY_DATES, tenancy_files, ledger_files):
        _write_manifest(folder, "boei", day, [tenancies, ledger])


def _write_kemner(landing_dir: Path, world: World, progress: Progress) -> None:
    notice_ids = _sequence_ids(
        world.notices.day, np.arange(len(world.notices.day)), lambda y, i: f"VAR-{y}-{i:05d}"
    )
    for day in DELIVERY_DATES:
        folder = _delivery_dir(landing_dir, "kemner", day)
        petitions, petition_rows = _petitions_csv(world, day)
        notices, notice_rows = _notifications_csv(world, notice_ids, day)
        files = [
            _write_bytes(folder / "petitions.csv", petitions, petition_rows),
            _write_bytes(folder / "notifications.csv", notices, notice_rows),
        ]
        _write_manifest(folder, "kemner", day, files)
        progress(f"kemner/{day}: {petition_rows:,} petitions, {notice_rows:,} notices")


def _write_namsfogd(landing_dir: Path, world: World, forced_sales: ForcedSaleWorld, progress: Progress) -> None:
    """The bailiff's eviction cases in every delivery; its forced-sale cases from its first forced-sale extract on."""
    for day in DELIVERY_DATES:
        folder = _delivery_dir(landing_dir, "namsfogd", day)
        path = folder / "cases.xlsx"
        rows = _write_bailiff_xlsx(path, world, day)
        files = [{"name": path.name, "rows": rows, "sha256": _sha256_of_file(path)}]
        progress(f"namsfogd/{day}/cases.xlsx: {rows:,} cases")
        if _pydate(day) >= FORCED_SALES_FIRST_DELIVERY:
            extract = folder / "forced_sales.xlsx"
            count = _write_forced_sales_xlsx(extract, forced_sales, _pydate(day))
            files.append({"name": extract.name, "rows": count, "sha256": _sha256_of_file(extract)})
            progress(f"namsfogd/{day}/forced_sales.xlsx: {count:,} forced-sale cases")
        _write_manifest(folder, "namsfogd", day, files)


def _write_prosjekt(landing_dir: Path, world: World, progress: Progress) -> None:
    c = world.project
    case_ids = _sequence_ids(c.opened, np.arange(len(c.opened)), lambda y, i: f"{y}-{i:05d}")
    for day in DELIVERY_DATES:
        folder = _delivery_dir(landing_dir, "prosjekt", day)
        data, rows = _project_csv(world, case_ids, day)
        _write_manifest(folder, "prosjekt", day, [_write_bytes(folder / "cases.csv", data, rows)])
        progress(f"prosjekt/{day}/cases.csv: {rows:,} cases")


def _write_regnskap(landing_dir: Path, progress: Progress) -> None:
    income = sum(line[2] for line in ACCOUNT_LINES if line[0].startswith("17"))
    if (income, sum(line[2] for line in ACCOUNT_LINES) - income) != (ACCOUNTS_INCOME_ORE, ACCOUNTS_EXPENSES_ORE):
        raise AssertionError("the account lines do not add up to the report's totals")
    frame = pl.DataFrame(
        {
            "art": [line[0] for line in ACCOUNT_LINES],
            "tekst": [line[1] for line in ACCOUNT_LINES],
            "ore": [line[2] for line in ACCOUNT_LINES],
            "style": [line[3] for line in ACCOUNT_LINES],
        }
    ).select("art", "tekst", _amount_comma(pl.col("ore"), pl.col("style")).alias("belop")).select(ACCOUNT_COLUMNS)
    folder = _delivery_dir(landing_dir, "regnskap", ACCOUNTS_DELIVERY_DATE)
    data = _csv_bytes(frame, ";", "cp1252")
    _write_manifest(folder, "regnskap", ACCOUNTS_DELIVERY_DATE, [_write_bytes(folder / "ledger.csv", data, frame.height)])
    progress(f"regnskap/{ACCOUNTS_DELIVERY_DATE}/ledger.csv: {frame.height} account lines")


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
