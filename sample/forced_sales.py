"""The forced-sale follow-up project's world (issue 14): the housing associations' arrears cases
(``bbl``) and the bailiff's forced-sale cases (``namsfogd/forced_sales.xlsx``), drawn after the
eviction world from their own random streams."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from sample.shared import (
    BAILIFF_RECEIPT_DAYS,
    ID_DRAW_ROUNDS,
    SHARE_OF_TEXT_DATES_IN_XLSX,
    YEARS,
    D,
    _free_national_ids,
    _name_codes,
    _national_id_date_part,
    _random_adults,
    _rng,
    _synthetic_national_ids,
)
from sample.world import World

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
FORCED_SALE_PETITIONS_BY_YEAR = {
    "cooperative": {2006: 24, 2007: 28},
    "municipality": {2006: 6, 2007: 9},
    "bank": {2006: 7, 2007: 8},
    "other": {2006: 2, 2007: 3},
}
FORCED_SALES_BY_YEAR = {
    "cooperative": {2006: 5, 2007: 5},
    "municipality": {2006: 1, 2007: 1},
    "bank": {2006: 1, 2007: 3},
    "other": {2006: 0, 2007: 0},
}
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
    national_id: np.ndarray  # numbers: the eviction world's people, then the new ones
    name: np.ndarray  # index into NAME_TABLE; -1 for the eviction world's people (no name here)


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
    if (
        petitions != FORCED_SALE_PETITIONS_BY_YEAR
        or sold != FORCED_SALES_BY_YEAR
        or (municipal_pending != MUNICIPAL_PETITIONS_AFTER_NOTICE)
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


def _unique_ids_against(
    rng: np.random.Generator, birth: np.ndarray, female: np.ndarray, taken: np.ndarray
) -> np.ndarray:
    """Synthetic national ids (numbers) for new people, none equal to another's or to an id already in
    the sample (``taken``, sorted).

    A new id equal to a taken one, or to an earlier new one, is drawn again, for
    ``ID_DRAW_ROUNDS`` rounds; whoever still clashes then gets a number left free for
    their birth date (``_free_national_ids``)."""
    ids = _synthetic_national_ids(rng, birth, female)
    for round_no in range(ID_DRAW_ROUNDS + 1):
        at = np.minimum(np.searchsorted(taken, ids), max(len(taken) - 1, 0))
        clash = taken[at] == ids if len(taken) else np.zeros(len(ids), dtype=bool)
        _, first = np.unique(ids, return_index=True)
        repeat = np.ones(len(ids), dtype=bool)
        repeat[first] = False
        clash = np.flatnonzero(clash | repeat)
        if not len(clash):
            return ids
        if round_no < ID_DRAW_ROUNDS:
            ids[clash] = _synthetic_national_ids(rng, birth[clash], female[clash])
    kept = np.delete(ids, clash)
    ids[clash] = _free_national_ids(rng, _national_id_date_part(birth[clash]), female[clash], np.union1d(taken, kept))
    return ids


def _petition_dates(
    rng: np.random.Generator, year: int, outcome: str, decided_year: int | None
) -> tuple[dt.date, dt.date | None]:
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
        return CoOpCase(
            "",
            company,
            name,
            str(int(rng.integers(1, 160))),
            person,
            district,
            children,
            monthly,
            overdue,
            [],
            None,
            petitioned,
        )

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
                "",
                received,
                "BORETTSLAG" if kind in ("BBL", "BORETTSLAG") else kind,
                "" if petitioner is None else str(petitioner[int(rng.integers(0, len(petitioner)))]),
                None,
                person,
                object_type,
                outcome,
                decided,
                bool(rng.random() < SHARE_OF_TEXT_DATES_IN_XLSX),
            )
            if kind == "BORETTSLAG" and rng.random() < 0.5:
                case.reference = f"R{int(rng.integers(1, 99_999)):05d}"  # the co-operative's own reference
            bailiff.append(case)
            if kind == "BBL":
                petitioned = received - dt.timedelta(
                    days=int(rng.integers(BAILIFF_RECEIPT_DAYS[0], BAILIFF_RECEIPT_DAYS[1] + 1))
                )
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
    taken = np.sort(world.national_id)
    on = np.array([np.datetime64(d) for d in new_people], dtype=D) if new_people else np.array([], dtype=D)
    female, birth = _random_adults(people_rng, on, (24, 82))
    fresh = _unique_ids_against(people_rng, birth, female, taken)
    fresh_names = _name_codes(people_rng, female)
    national_ids = np.concatenate([world.national_id, fresh])
    names = np.concatenate([np.full(len(world.national_id), -1, dtype=fresh_names.dtype), fresh_names])
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
