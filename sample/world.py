"""The eviction world: arrears episodes, tenancies, petitions, project cases and the bailiff's cases,
drawn to the report's quotas (``build_world``). One world feeds every source, so the sources agree."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields

import numpy as np

from sample.shared import (
    ACTION_PROBABILITIES,
    ACTIONS,
    AGE_BANDS,
    AGREEMENT,
    AMOUNT_STYLE_SHARES,
    BAILIFF_CASES_BY_YEAR,
    BAILIFF_EVICTIONS_BY_YEAR,
    BAILIFF_RECEIPT_DAYS,
    CASE_OPENED_BEFORE_EVICTION_DAYS,
    CLAIM_BAND_LOWER_NOK,
    CLAIM_BAND_UPPER_NOK,
    COLLECTOR_EVICTIONS_BY_YEAR,
    COLLECTOR_NAME,
    COLLECTOR_PETITIONS_BY_YEAR,
    CREDITED,
    DISTRICT_SPELLING_VARIANTS_SHARE,
    DISTRICTS,
    DWELLING_TYPES,
    EVICTED,
    EVICTED_MIN_CLAIM_BAND,
    EVICTED_OUTCOMES,
    EVICTION_WINDOWS,
    EXECUTED,
    EXECUTION_LAG_DAYS,
    FIRST_NOTICE_DAY,
    FORCED_SALE_NOTICES,
    HEARING_AFTER_RECEIPT_DAYS,
    HEARING_SET_AFTER_DAYS,
    HOUSEHOLDS_WITH_CHILDREN,
    HOUSING_COOPERATIVES,
    INCOME_SOURCES,
    KNOWN_TO_SOCIAL_SERVICE,
    LARGE_CLAIM_CAP_NOK,
    LARGE_CLAIM_TAIL_NOK,
    LAST_FILING_RECEIVED_IN_2007,
    LAST_FILING_RESOLVED_IN_2007,
    LAST_OPENING_OF_CLOSED_CASE,
    LEDGER_EARLIEST,
    MAX_MONTHS_OWED,
    MOVED,
    NON_EVICTED_OUTCOMES,
    NON_PROJECT_PETITIONS,
    NOT_A_DATE,
    NOT_RECEIVED,
    NOT_RECEIVED_FILED,
    NOTICE_ONLY_ACCOUNTS,
    OPEN,
    OPEN_CASES_OPENED,
    OPEN_PROJECT_CASES_WITH_PETITION,
    OTHER_SOLUTIONS_OF_RESOLVED,
    OTHERS_BY_CLAIM_BAND,
    PAID,
    PENDING,
    PERIOD_END,
    PERIOD_START,
    POSTPONED,
    PRIVATE_LANDLORD_SHARE,
    PRIVATE_LANDLORDS,
    PROJECT_CASES,
    PROJECT_DISTRICT_QUOTAS,
    PROJECT_EVICTIONS,
    PROJECT_EVICTIONS_BY_YEAR,
    PROJECT_START,
    REJECTED,
    RESOLVED,
    RESOLVED_BY_CLAIM_BAND,
    SEX_AGE_QUOTAS,
    SHARE_OF_OTHER_PETITIONS_NOTIFIED,
    SHARE_OF_PROJECT_CASES_NOTIFIED,
    SHARE_OF_TEXT_DATES_IN_XLSX,
    TENANCIES,
    WITHDRAWN,
    WRITTEN_OFF,
    YEARS,
    D,
    _after,
    _age_on,
    _birth_for_age,
    _children_counts,
    _claim_for_months,
    _day,
    _days,
    _draw_rents,
    _first_day,
    _month_of,
    _months,
    _name_codes,
    _quota,
    _random_adults,
    _redraw_below,
    _rng,
    _synthetic_national_ids,
    _uniform_days,
    _year_of,
)

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
    cases = ProjectCases(np.arange(n), opened, closed, outcome, solution, actions, known, income, claim, children)
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
    for y, f, count in rows:
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
    dwelling_no: np.ndarray  # bolig_id without its prefix (BL000123)
    person: np.ndarray  # index into World.national_id
    name: np.ndarray  # index into NAME_TABLE
    district: np.ndarray
    district_spelling: np.ndarray
    dwelling_type: np.ndarray  # index into DWELLING_TYPES
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
    start_month = np.minimum(
        np.maximum(latest_start - _months(rng.integers(0, 240, followed)), adult_from), latest_start
    )
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
        rng.choice(len(DWELLING_TYPES), total, p=[0.45, 0.25, 0.20, 0.10]),
        rng.choice(len(DWELLING_TYPES), total, p=[0.90, 0.03, 0.05, 0.02]),
    ).astype(np.int8)

    # Ids follow the order tenancies began, as a register's sequence would.
    order = np.lexsort((rng.random(total), start))
    tenancy_id = np.empty(total, dtype=np.int64)
    tenancy_id[order] = 100_001 + np.arange(total)
    dwelling_no = rng.permutation(total) + 1

    # The register is the biggest part of the world (4 200 tenancies per unit of scale): codes
    # and counts are kept in the narrowest integers that hold them.
    tenancies = Tenancies(
        tenancy_id=tenancy_id.astype(np.int32),
        dwelling_no=dwelling_no.astype(np.int32),
        person=np.arange(total, dtype=np.int32),
        name=_name_codes(rng, female),
        district=district.astype(np.int8),
        district_spelling=_district_spellings(rng, total).astype(np.int8),
        dwelling_type=dwelling_type,
        persons=persons.astype(np.int8),
        children=children.astype(np.int8),
        rent=rent.astype(np.int32),
        rent_style=_amount_styles(rng, total).astype(np.int8),
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
    national_id: np.ndarray  # numbers; sample.files._national_ids writes them out
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
        "claim bands": (sum(RESOLVED_BY_CLAIM_BAND), sum(OTHERS_BY_CLAIM_BAND)) == (resolved, PROJECT_CASES - resolved),
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
