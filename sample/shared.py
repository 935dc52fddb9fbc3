"""What every source of the sample shares: dates, codes, column orders, the report's figures per unit of
scale, timing windows, names, amount styles, the internal vocabularies and small helpers (dates,
randomness, synthetic national ids)."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

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
AGE_BANDS = {
    "under 30": (19, 29),
    "30-39": (30, 39),
    "40-49": (40, 49),
    "50-59": (50, 59),
    "60-66": (60, 66),
    "67+": (67, 88),
}
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


# Random draws for a national id: after this many rounds, whoever still has none gets a free
# number of their birth date directly (the draws alone slow down sharply as a birth date
# fills up, and never finish once it is full).
ID_DRAW_ROUNDS = 12
# Individual numbers for births 1900-1999: 000-499, and 900-999 for 1940-1999 (sources.md).
# The draws use 000-499 only; 900-999 is the reserve for a birth date whose 000-499 is full.
_INDIVIDUAL_RESERVE_FROM_YY = 40


def _check_digits(nine: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both mod-11 check digits of nine-digit numbers; 10 marks an invalid number (remainder 1).

    Digit by digit, so that memory stays a few arrays of ``len(nine)`` (no digit matrix)."""
    first_sum = np.zeros(len(nine), dtype=np.int64)
    second_sum = np.zeros(len(nine), dtype=np.int64)
    for position in range(9):
        digit = nine // 10 ** (8 - position) % 10
        first_sum += digit * _FIRST_CHECK_WEIGHTS[position]
        second_sum += digit * _SECOND_CHECK_WEIGHTS[position]
    first = (11 - first_sum % 11) % 11
    second = (11 - (second_sum + first * _SECOND_CHECK_WEIGHTS[9]) % 11) % 11
    return first, second


def _national_id_date_part(birth: np.ndarray) -> np.ndarray:
    """``ddmmyy`` with the month + 80, as a number."""
    if not ((_year_of(birth) >= 1900) & (_year_of(birth) <= 1999)).all():
        raise AssertionError("individual numbers 000-499 need births in the 1900s")
    return _day_of_month(birth) * 10_000 + (_month_number(birth) + SYNTHETIC_MONTH_OFFSET) * 100 + _year_of(birth) % 100


def _synthetic_national_ids(rng: np.random.Generator, birth: np.ndarray, female: np.ndarray) -> np.ndarray:
    """Unique synthetic test numbers (month + 80), valid by both check digits, as numbers
    (``sample.files._national_ids`` writes them out).

    Everyone in the sample is born 1900-1999, so the individual number drawn is 000-499;
    its last digit (the ninth of the id) is even for women and odd for men. A draw
    whose check digit would be 10, or that repeats another person's number, is drawn
    again (the first person in order keeps a number several drew). After
    ``ID_DRAW_ROUNDS`` rounds the people still without a number get one of the numbers
    left free for their birth date and sex (``_free_national_ids``: 000-499, then
    900-999). With the month at 81-92 no id is valid as an ordinary or D-number.

    Each round looks only at the people who drew in it, against the numbers held so
    far (kept sorted), so a round costs the size of its draw plus one merge; every
    round gives the same numbers as comparing everybody's would.
    """
    n = len(birth)
    date_part = _national_id_date_part(birth)
    ids = np.zeros(n, dtype=np.int64)
    held_ids = np.empty(0, dtype=np.int64)  # sorted
    held_by = np.empty(0, dtype=np.int64)  # who holds each of held_ids
    todo = np.arange(n)
    for _ in range(ID_DRAW_ROUNDS):
        if not len(todo):
            break
        # 0..249 -> 0..498 even, +1 for men: the ninth digit carries the sex.
        nine = date_part[todo] * 1000 + rng.integers(0, 250, size=len(todo)) * 2 + (~female[todo]).astype(np.int64)
        first, second = _check_digits(nine)
        valid = (first < 10) & (second < 10)
        who, drawn = todo[valid], (nine * 100 + first * 10 + second)[valid]
        order = np.lexsort((who, drawn))
        who, drawn = who[order], drawn[order]
        leads = np.ones(len(drawn), dtype=bool)
        leads[1:] = drawn[1:] != drawn[:-1]
        lead_who, lead_id = who[leads], drawn[leads]
        # Keep the first holder of a number: the first who drew it, or whoever held it before if earlier.
        at = np.searchsorted(held_ids, lead_id)
        held = at < len(held_ids)
        held[held] = held_ids[at[held]] == lead_id[held]
        holder = np.full(len(lead_id), n, dtype=np.int64)  # n: nobody (every drawer comes first)
        holder[held] = held_by[at[held]]
        wins = lead_who < holder
        takes_over = held & wins
        bumped = holder[takes_over]
        held_by[at[takes_over]] = lead_who[takes_over]
        new = ~held
        held_ids = np.insert(held_ids, at[new], lead_id[new])
        held_by = np.insert(held_by, at[new], lead_who[new])
        ids[lead_who[wins]] = lead_id[wins]
        todo = np.sort(np.concatenate([todo[~valid], who[~leads], lead_who[~wins], bumped]))
    if len(todo):
        ids[todo] = _free_national_ids(rng, date_part[todo], female[todo], held_ids)
    return ids


def _free_national_ids(
    rng: np.random.Generator, date_part: np.ndarray, female: np.ndarray, taken: np.ndarray
) -> np.ndarray:
    """Distinct valid numbers for the given birth dates and sexes, none in ``taken`` (sorted).

    Per birth date and sex, drawn without replacement from the individual numbers still
    free in 000-499, then, once those run out, in the reserve 900-999 (births 1940-1999);
    more people than that on one date and sex is a scale the id space cannot hold.
    """
    ids = np.zeros(len(date_part), dtype=np.int64)
    key = date_part * 2 + (~female).astype(np.int64)
    order = np.argsort(key, kind="stable")
    keys, starts = np.unique(key[order], return_index=True)
    for k, members in zip(keys.tolist(), np.split(order, starts[1:])):
        day, male = divmod(k, 2)
        reserve = np.arange(900 + male, 1000, 2) if day % 100 >= _INDIVIDUAL_RESERVE_FROM_YY else np.empty(0, int)
        chosen = []
        for individual in (np.arange(male, 500, 2), reserve):
            wanted = len(members) - len(chosen)
            if wanted == 0:
                break
            nine = day * 1000 + individual
            first, second = _check_digits(nine)
            number = (nine * 100 + first * 10 + second)[(first < 10) & (second < 10)]
            at = np.minimum(np.searchsorted(taken, number), len(taken) - 1)
            free = number[taken[at] != number] if len(taken) else number
            chosen.extend(rng.choice(free, min(wanted, len(free)), replace=False).tolist())
        if len(chosen) < len(members):
            raise AssertionError(
                f"more people born on {day:06d} (ddmmyy, month + 80) than that date has synthetic national ids"
            )
        ids[members] = chosen
    return ids


# Every "Surname, First name" the register can write, numbered surname by surname; a person's
# name is kept as its number (``_name_codes``) and written out only when a file is.
FIRST_NAMES = FEMALE_FIRST_NAMES + MALE_FIRST_NAMES
NAME_TABLE = np.array([f"{surname}, {first}" for surname in SURNAMES for first in FIRST_NAMES])


def _name_codes(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    """``Surname, First name`` as the housing register writes them, as numbers into ``NAME_TABLE``."""
    first = np.where(
        female,
        rng.integers(0, len(FEMALE_FIRST_NAMES), len(female)),
        len(FEMALE_FIRST_NAMES) + rng.integers(0, len(MALE_FIRST_NAMES), len(female)),
    )
    surname = rng.integers(0, len(SURNAMES), len(female))
    return (surname * len(FIRST_NAMES) + first).astype(np.int32)
