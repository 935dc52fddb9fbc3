"""The committed sample reproduces the 2008 report, read back independently.

Everything here is recomputed from the files in ``sample/landing`` with
``sample_contract_reader`` (written from sources.md alone); nothing imports the
generator. Exact figures and shape facts: ``docs/reference/report-figures.md``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from tests.support.sample_contract_reader import (
    COLUMNS,
    COMMITTED_SAMPLE,
    CSV_FORMATS,
    DISTRICTS,
    SOURCE_FILES,
    age_band,
    age_on,
    amount_comma,
    amount_point,
    birth_date,
    claim_band,
    csv_rows,
    date_dmy,
    date_iso,
    deliveries,
    district,
    excel_date,
    files_in,
    is_female,
    is_valid_synthetic_id,
    latest,
    optional,
    sha256,
    table_1_and_2,
    xlsx_rows,
)

LANDING = COMMITTED_SAMPLE
PROJECT_START, PROJECT_END = dt.date(2006, 2, 1), dt.date(2007, 12, 31)
ACTIONS = (
    "TELEFON", "HJEMMEBESOK", "BREV", "KOORDINERING",
    "OKONOMISK_RADGIVNING", "BOSTOTTE_SOKNAD", "NEDBETALINGSAVTALE", "KONTAKT_PLEIE_OMSORG",
)  # fmt: skip


def all_deliveries():
    return [d for source in SOURCE_FILES for d in deliveries(LANDING, source)]


def rows(delivery, name):
    if name.endswith(".xlsx"):
        return xlsx_rows(delivery, name)
    return csv_rows(delivery, name)


@pytest.fixture(scope="module")
def project_cases():
    return rows(latest(LANDING, "prosjekt"), "cases.csv")[1]


@pytest.fixture(scope="module")
def tenancies():
    return {int(t["leieforhold_id"]): t for t in rows(latest(LANDING, "boei"), "tenancies.csv")[1]}


@pytest.fixture(scope="module")
def ledger():
    """Every posting of every rent-ledger delivery, re-deliveries collapsed."""
    postings: dict[str, dict] = {}
    for delivery in deliveries(LANDING, "boei"):
        for posting in rows(delivery, "rent_ledger.csv")[1]:
            earlier = postings.setdefault(posting["bilag_id"], posting)
            assert earlier == posting, f"bilag {posting['bilag_id']} delivered again with other content"
    return list(postings.values())


# -- deliveries, manifests, formats -----------------------------------------------------------


def test_every_source_has_several_deliveries_and_regnskap_one():
    for source in ("boei", "kemner", "namsfogd", "prosjekt"):
        assert len(deliveries(LANDING, source)) >= 4
    assert len(deliveries(LANDING, "regnskap")) == 1
    # the forced-sale files start part-way through the namsfogd deliveries
    assert [d.date.isoformat() for d in deliveries(LANDING, "bbl")] == ["2007-06-30", "2007-12-31"]
    with_extract = [d.date.isoformat() for d in deliveries(LANDING, "namsfogd") if "forced_sales.xlsx" in files_in(d)]
    assert with_extract == ["2007-06-30", "2007-12-31"]


def test_manifests_match_the_files():
    for delivery in all_deliveries():
        manifest = delivery.manifest
        assert manifest["source"] == delivery.source
        assert manifest["delivery_date"] == delivery.date.isoformat()
        assert [f["name"] for f in manifest["files"]] == list(files_in(delivery))
        assert sorted(p.name for p in delivery.folder.iterdir()) == sorted([*files_in(delivery), "_manifest.json"])
        for listed in manifest["files"]:
            path = delivery.folder / listed["name"]
            assert listed["sha256"] == sha256(path), path
            assert listed["rows"] == len(rows(delivery, listed["name"])[1]), path


def test_headers_are_the_contract_columns_in_order():
    for delivery in all_deliveries():
        for name in files_in(delivery):
            assert rows(delivery, name)[0] == COLUMNS[(delivery.source, name)], delivery.folder / name


def test_encodings_and_line_endings():
    for delivery in all_deliveries():
        if delivery.source not in CSV_FORMATS:
            continue
        _, encoding, bom = CSV_FORMATS[delivery.source]
        for name in SOURCE_FILES[delivery.source]:
            data = (delivery.folder / name).read_bytes()
            assert data.startswith(b"\xef\xbb\xbf") == bom
            data.decode(encoding)
            # One line ending throughout: CRLF.
            assert data.count(b"\n") == data.count(b"\r\n") and data.endswith(b"\r\n")
            if encoding == "cp1252" and name != "rent_ledger.csv":  # the ledger has no text columns
                # Norwegian letters as single Windows-1252 bytes, so not UTF-8.
                assert any(letter in data for letter in (b"\xe6", b"\xf8", b"\xe5", b"\xc5", b"\xd8"))
                with pytest.raises(UnicodeDecodeError):
                    data.decode("utf-8")


def test_utf8_sources_carry_norwegian_letters():
    for source, name in (("prosjekt", "cases.csv"), ("kemner", "notifications.csv"), ("bbl", "arrears.csv")):
        text = (latest(LANDING, source).folder / name).read_bytes().decode("utf-8-sig")
        assert any(letter in text for letter in "æøåÆØÅ")


def test_amount_and_date_formats_vary_as_the_contract_allows():
    tenancy_rows = rows(latest(LANDING, "boei"), "tenancies.csv")[1]
    ledger_rows = rows(latest(LANDING, "boei"), "rent_ledger.csv")[1]
    amounts = [t["husleie"] for t in tenancy_rows] + [p["belop"] for p in ledger_rows]
    assert any(a.startswith("kr ") for a in amounts)
    assert any("\u00a0" in a for a in amounts)
    assert any(" " in a.removeprefix("kr ") for a in amounts)
    assert any(a.startswith("kr (") for a in amounts)
    spellings = {t["bydel"] for t in tenancy_rows}
    assert spellings - set(DISTRICTS), "some districts in other case or with spaces"
    assert {district(s) for s in spellings} == set(DISTRICTS)
    _, cases = xlsx_rows(latest(LANDING, "namsfogd"), "cases.xlsx")
    as_text = Counter(excel_date(c["Mottatt"])[1] for c in cases)
    assert as_text[True] > 0 and as_text[False] > 0, "namsfogd mixes Excel dates and text dates"


def test_national_ids_are_valid_synthetic_numbers_everywhere():
    id_columns = {"fodselsnummer", "Fodselsnummer"}
    for delivery in all_deliveries():
        for name in files_in(delivery):
            header, data = rows(delivery, name)
            for column in id_columns & set(header):
                bad = [r[column] for r in data if not is_valid_synthetic_id(r[column])]
                assert not bad, f"{delivery.folder / name}: invalid ids {bad[:3]}"


# -- exact figures ------------------------------------------------------------------------------


def test_table_1_and_table_2():
    figures = table_1_and_2(LANDING)
    assert figures["collector_petitions"] == {2006: 110, 2007: 229}
    assert figures["bailiff_cases"] == {2006: 445, 2007: 539}
    assert figures["collector_evictions"] == {2006: 29, 2007: 27}
    assert figures["bailiff_evictions"] == {2006: 116, 2007: 141}


def test_project_households_and_evictions(project_cases):
    opened = [date_dmy(c["opprettet"]) for c in project_cases]
    assert len(project_cases) == 963
    assert all(PROJECT_START <= d <= PROJECT_END for d in opened)
    assert Counter(c["utfall"] for c in project_cases)["UTKASTET"] == 45


def test_project_accounts():
    _, lines = csv_rows(latest(LANDING, "regnskap"), "ledger.csv")
    assert len(lines) == 20
    amounts = {line["art"]: amount_comma(line["belop"]) for line in lines}
    assert all(a > 0 for a in amounts.values())
    income = sum(a for art, a in amounts.items() if art.startswith("17"))
    expenses = sum(a for art, a in amounts.items() if not art.startswith("17"))
    assert income == Decimal("509075.00")
    assert expenses == Decimal("831392.41")
    assert income - expenses == Decimal("-322317.41")
    assert {line["art"]: line["tekst"] for line in lines}["116020"] == "Kilometergodtgjørelse"


# -- the sources agree with each other ------------------------------------------------------------


def test_collector_petitions_match_bailiff_cases():
    _, petitions = csv_rows(latest(LANDING, "kemner"), "petitions.csv")
    _, cases = xlsx_rows(latest(LANDING, "namsfogd"), "cases.xlsx")
    by_number = {c["Saksnr"]: c for c in cases}
    agreeing = {
        "FULLFORT": {"GJENNOMFORT"},
        "TRUKKET": {"BORTFALT"},
        "AVVIST": {"AVVIST"},
        "SENDT": {"UNDER_BEHANDLING", "UTSATT"},
    }
    not_received = []
    for p in petitions:
        filed = date_iso(p["innsendt_dato"])
        assert dt.date(2006, 1, 1) <= filed <= dt.date(2007, 12, 31)
        assert date_iso(p["status_dato"]) >= filed
        assert amount_point(p["krav_belop"]) > 0
        assert p["nemnd_godkjent_dato"] == ""  # nothing filed from March 2008 on
        if not p["namsfogd_saksnr"]:
            not_received.append(p)
            continue
        case = by_number[p["namsfogd_saksnr"]]
        assert case["Saksokertype"] == "KOMMUNE" and case["Saksokers_ref"] == p["begjaering_id"]
        assert case["Fodselsnummer"] == p["fodselsnummer"]
        assert case["Utfall"] in agreeing[p["status"]]
        if p["status"] != "SENDT":
            assert excel_date(case["Utfall_dato"])[0] == date_iso(p["status_dato"])
    # A few filed at the very end of 2007 that the bailiff has not received yet.
    assert 1 <= len(not_received) <= 10
    assert all(date_iso(p["innsendt_dato"]) >= dt.date(2007, 12, 15) and p["status"] == "SENDT" for p in not_received)
    kommune = [c for c in cases if c["Saksokertype"] == "KOMMUNE"]
    assert len(kommune) == len(petitions) - len(not_received)


def test_bailiff_cases_are_well_formed():
    _, cases = xlsx_rows(latest(LANDING, "namsfogd"), "cases.xlsx")
    assert len({c["Saksnr"] for c in cases}) == len(cases)
    kinds = Counter(c["Saksokertype"] for c in cases)
    assert kinds["PRIVAT"] > 0 and kinds["BORETTSLAG"] > 0
    assert any("Borettslag" in c["Saksoker"] for c in cases if c["Saksokertype"] == "BORETTSLAG")
    for c in cases:
        assert dt.date(2006, 1, 1) <= excel_date(c["Mottatt"])[0] <= dt.date(2007, 12, 31)
        if c["Utfall"] == "UNDER_BEHANDLING":
            assert optional(c["Utfall_dato"]) is None
        else:
            assert excel_date(c["Utfall_dato"])[0] >= excel_date(c["Mottatt"])[0]


def test_project_cases_point_to_tenancies_in_the_register():
    for cases_delivery, register_delivery in zip(deliveries(LANDING, "prosjekt"), deliveries(LANDING, "boei")):
        assert cases_delivery.date == register_delivery.date
        register = {t["leieforhold_id"]: t for t in rows(register_delivery, "tenancies.csv")[1]}
        for case in rows(cases_delivery, "cases.csv")[1]:
            tenancy = register[case["leieforhold_id"]]
            assert tenancy["fodselsnummer"] == case["fodselsnummer"]
            assert district(tenancy["bydel"]) == district(case["sosialtjeneste"])


def test_collector_petitions_claim_at_least_a_months_rent(tenancies):
    _, petitions = csv_rows(latest(LANDING, "kemner"), "petitions.csv")
    for p in petitions:
        assert amount_point(p["krav_belop"]) > amount_comma(tenancies[int(p["leieforhold_id"])]["husleie"]), p


def test_claims_are_the_arrears_in_the_rent_ledger(ledger, project_cases):
    by_tenancy = defaultdict(list)
    for p in ledger:
        by_tenancy[p["leieforhold_id"]].append((date_dmy(p["bokfort_dato"]), amount_comma(p["belop"])))

    def arrears(tenancy: str, on: dt.date) -> Decimal:
        return sum((amount for day, amount in by_tenancy[tenancy] if day <= on), Decimal(0))

    for case in project_cases:
        assert arrears(case["leieforhold_id"], date_dmy(case["opprettet"])) == amount_comma(case["krav_belop"]), case
    _, petitions = csv_rows(latest(LANDING, "kemner"), "petitions.csv")
    for p in petitions:
        assert arrears(p["leieforhold_id"], date_iso(p["innsendt_dato"])) == amount_point(p["krav_belop"]), p
    _, notices = csv_rows(latest(LANDING, "kemner"), "notifications.csv")
    for n in notices:
        if n["varseltype"] == "RESTANSE":
            assert arrears(n["leieforhold_id"], date_iso(n["varsel_dato"])) == amount_point(n["restanse_belop"])
        else:
            assert n["leieforhold_id"] == ""  # owner-occupiers with municipal loans


def test_rent_ledger_postings_follow_the_contract(ledger, tenancies):
    signs = Counter()
    for p in ledger:
        amount = amount_comma(p["belop"])
        assert (amount > 0) == (p["posttype"] == "HUSLEIE"), p
        assert dt.date(2005, 1, 1) <= date_dmy(p["bokfort_dato"]) <= dt.date(2007, 12, 31)
        assert int(p["leieforhold_id"]) in tenancies
        signs[p["posttype"]] += 1
    assert set(signs) == {"HUSLEIE", "INNBETALING", "KREDIT", "AVSKREVET"}


def test_rent_ledger_is_incremental_with_a_few_identical_redeliveries():
    seen: dict[str, dict] = {}
    repeated = 0
    previous_cut_off = None
    for delivery in deliveries(LANDING, "boei"):
        for p in rows(delivery, "rent_ledger.csv")[1]:
            booked = date_dmy(p["bokfort_dato"])
            assert booked <= delivery.date
            if p["bilag_id"] in seen:
                assert seen[p["bilag_id"]] == p
                assert previous_cut_off is not None and booked <= previous_cut_off
                repeated += 1
            else:
                assert previous_cut_off is None or booked > previous_cut_off
                seen[p["bilag_id"]] = p
        previous_cut_off = delivery.date
    assert 0 < repeated < 100


def test_snapshots_are_consistent_over_time():
    """Later snapshots keep every earlier row; statuses only move forward."""
    final_petition = {"TRUKKET", "FULLFORT", "AVVIST"}
    final_bailiff = {"GJENNOMFORT", "BORTFALT", "AVVIST"}
    checks = [
        (
            "kemner",
            "petitions.csv",
            "begjaering_id",
            "status",
            "SENDT",
            final_petition,
            ("innsendt_dato", "krav_belop"),
        ),
        ("namsfogd", "cases.xlsx", "Saksnr", "Utfall", "UNDER_BEHANDLING", final_bailiff, ("Mottatt", "Fodselsnummer")),
        ("prosjekt", "cases.csv", "sak_id", "utfall", "FORTSATT_I_ARBEID", None, ("opprettet", "krav_belop")),
        ("boei", "tenancies.csv", "leieforhold_id", None, None, None, ("fodselsnummer", "husleie", "fra_dato")),
    ]
    for source, name, key, status, initial, finals, fixed in checks:
        previous: dict[str, dict] = {}
        advanced = 0
        for delivery in deliveries(LANDING, source):
            current = {r[key]: r for r in rows(delivery, name)[1]}
            assert set(previous) <= set(current), f"{source}: rows vanished in {delivery.date}"
            for k, before in previous.items():
                after = current[k]
                assert all(before[c] == after[c] for c in fixed), (source, k)
                if status is None:
                    continue
                if before[status] != after[status]:
                    advanced += 1
                    if finals is not None:
                        assert before[status] not in finals, (source, k, before[status], after[status])
                    else:
                        assert before[status] == initial, (source, k)
            previous = current
        assert status is None or advanced > 0, f"{source}: no status ever advanced"


# -- shape facts (report-figures.md) ---------------------------------------------------------------


def test_cases_by_district_follow_the_dwellings(project_cases, tenancies):
    cases = Counter(district(c["sosialtjeneste"]) for c in project_cases)
    dwellings = Counter(district(t["bydel"]) for t in tenancies.values())
    assert set(cases) == set(DISTRICTS)
    (top, top_count), (_, second_count) = cases.most_common(2)
    assert top == "Årstad" and top_count >= 1.3 * second_count
    assert dwellings.most_common(1)[0][0] == "Årstad"
    for d in DISTRICTS:
        assert abs(cases[d] / len(project_cases) - dwellings[d] / len(tenancies)) < 0.03


def test_households_with_children(project_cases):
    with_children = sum(int(c["barn_i_husstand"]) > 0 for c in project_cases)
    assert 300 < with_children < 350
    assert with_children < len(project_cases) / 2


def test_sex_and_age(project_cases):
    groups = Counter()
    for c in project_cases:
        fnr = c["fodselsnummer"]
        band = age_band(age_on(birth_date(fnr), date_dmy(c["opprettet"])))
        groups[("F" if is_female(fnr) else "M", band)] += 1
    assert groups.most_common(1)[0][0] == ("F", "30-39")
    for band in ("under 30", "30-39", "40-49", "50-59", "60-66", "67+"):
        if band == "40-49":
            assert groups[("M", band)] > groups[("F", band)]
        else:
            assert groups[("F", band)] > groups[("M", band)], band
    women = sum(n for (sex, _), n in groups.items() if sex == "F")
    assert women > len(project_cases) - women


def test_income_sources(project_cases):
    for cases in (project_cases, [c for c in project_cases if c["utfall"] == "LOST_FOR_UTKASTELSE"]):
        top_two = {income for income, _ in Counter(c["inntektskilde"] for c in cases).most_common(2)}
        assert top_two == {"SOSIALHJELP", "TRYGD"}


def test_outcomes_and_solutions(project_cases):
    outcomes = Counter(c["utfall"] for c in project_cases)
    assert outcomes.most_common(1)[0][0] == "LOST_FOR_UTKASTELSE"
    assert outcomes["LOST_FOR_UTKASTELSE"] > len(project_cases) / 2
    assert outcomes["FORTSATT_I_ARBEID"] > 45
    assert 0 < outcomes["GJENINNSATT"] < outcomes["UTKASTET"]
    for c in project_cases:
        assert (c["avsluttet"] == "") == (c["utfall"] == "FORTSATT_I_ARBEID")
        if c["avsluttet"]:
            assert date_dmy(c["avsluttet"]) >= date_dmy(c["opprettet"])
    solutions = Counter(c["losning"] for c in project_cases if c["losning"])
    assert {s for s, _ in solutions.most_common(2)} == {"BETALT_SELV", "SOSIALTJENESTEN_BETALT"}


def test_every_action_appears(project_cases):
    used = Counter(a for c in project_cases for a in c["tiltak"].split("|") if a)
    assert set(used) == set(ACTIONS)


def test_claim_sizes(project_cases, tenancies):
    claims = [amount_comma(c["krav_belop"]) for c in project_cases]
    months = [
        claim / amount_comma(tenancies[int(c["leieforhold_id"])]["husleie"]) for claim, c in zip(claims, project_cases)
    ]
    assert sum(1 <= m <= 4 for m in months) > len(project_cases) / 2, "most claims are 1-4 months' rent"
    assert sum(claim > 30000 for claim in claims) > 80
    small = sum(claim < 10000 for claim in claims)
    assert small > sum(claim >= 30000 for claim in claims)


def test_share_resolved_by_claim_band(project_cases):
    cases, resolved = Counter(), Counter()
    for c in project_cases:
        band = claim_band(amount_comma(c["krav_belop"]))
        cases[band] += 1
        resolved[band] += c["utfall"] == "LOST_FOR_UTKASTELSE"
    share = {band: resolved[band] / cases[band] for band in cases}
    others = [share[b] for b in share if b != "30000+"]
    assert max(others) - min(others) < 0.05, "about the same share resolved in every band"
    assert share["30000+"] < min(others) - 0.05, "lowest for the largest claims"


def test_known_to_social_service(project_cases):
    known = Counter(c["kjent_sosialtjenesten"] for c in project_cases)
    assert set(known) == {"JA", "NEI", "FELLES"}
    assert known.most_common(1)[0][0] == "NEI"


def test_social_service_paid_and_evictions_by_district(project_cases):
    cases, paid, evicted = Counter(), Counter(), Counter()
    for c in project_cases:
        d = district(c["sosialtjeneste"])
        cases[d] += 1
        paid[d] += c["losning"] == "SOSIALTJENESTEN_BETALT"
        evicted[d] += c["utfall"] == "UTKASTET"
    paid_share = {d: paid[d] / cases[d] for d in cases}
    assert min(paid_share, key=paid_share.get) == "Laksevåg"
    assert 0.07 < paid_share["Laksevåg"] < 0.08
    assert sorted(paid_share.values())[1] > 0.09, "clear differences between districts"
    eviction_share = {d: evicted[d] / cases[d] for d in cases}
    ranking = sorted(eviction_share, key=eviction_share.get, reverse=True)
    assert ranking[:2] == ["Fana", "Laksevåg"]
    assert eviction_share["Fana"] - eviction_share["Laksevåg"] < 0.01, "closely followed"


def test_tenancy_register(tenancies):
    assert 3000 <= len(tenancies) <= 6000
    types = Counter(t["boligtype"] for t in tenancies.values())
    assert set(types) == {"ORDINAER", "SERVICEBOLIG", "TRYGDEBOLIG", "OMSORGSBOLIG"}
    assert types["ORDINAER"] > len(tenancies) / 2
    for t in tenancies.values():
        assert 0 <= int(t["antall_barn"]) < int(t["antall_personer"])
        assert Decimal(3000) <= amount_comma(t["husleie"]) <= Decimal(9000)
        if t["til_dato"]:
            assert date_dmy(t["til_dato"]) >= date_dmy(t["fra_dato"])
