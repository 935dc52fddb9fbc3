"""A generated landing zone that follows the contract loads whole: no refusal, no quarantined
row, and for every file rows_in_manifest = loaded + quarantined + collapsed with the exact
counts of the zone's model, every loaded value as written."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, Phase, given, settings

from orchestration.lib.contract import FILES, SOURCES, files_of
from tests.contract_zone.checks import assert_zone_loaded, ingest
from tests.contract_zone.national_ids import CENTURIES, KINDS, is_valid, national_ids
from tests.contract_zone.zones import Shape, build_zone, shapes


def _settings(examples: int):
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


def _load(shape: Shape) -> None:
    zone = build_zone(shape)
    with tempfile.TemporaryDirectory() as tmp:
        landing, warehouse = Path(tmp) / "landing", Path(tmp) / "warehouse"
        zone.write(landing)
        expected = zone.expectations()
        assert all(e.count("quarantined") == 0 for e in expected.values()), "the model of a conforming zone"
        assert_zone_loaded(zone, landing, warehouse)


@_settings(3)
@given(shapes())
def test_a_conforming_zone_loads_whole(shape):
    _load(shape)


@pytest.mark.slow
@_settings(40)
@given(shapes())
def test_a_conforming_zone_loads_whole_many(shape):
    _load(shape)


def test_every_source_every_file_and_the_whole_space_in_one_zone(tmp_path):
    """One fixed zone that holds each feature the contract allows, asserted on the model first."""
    shape = Shape(
        seed=20071231,
        deliveries=tuple((s, 3) for s in SOURCES),
        new_rows=4,
        forced_sales_from=1,
        empty=frozenset({("kemner", "notifications.csv", 2), ("bbl", "arrears.csv", 1)}),
    )
    zone = build_zone(shape)
    rows = [(d.source, f, r) for ds in zone.deliveries.values() for d in ds for f in d.files.values() for r in f.rows]
    # every code of every code list
    for spec in FILES:
        for column in spec.columns:
            if column.type in ("code", "codes"):
                written = set()
                for _, f, r in rows:
                    if f.spec is spec and r.values.get(column.name) is not None:
                        value = r.values[column.name]
                        written |= set(value) if isinstance(value, list) else {value}
                assert written == set(column.codes), f"{spec.name}.{column.name}"
    # districts in odd case and with surrounding spaces; every optional value empty in some row
    districts = [r.cells["bydel"] for _, f, r in rows if r.cells.get("bydel")]
    canonical = set(FILES[0].column("bydel").codes)
    assert any(d != d.strip() for d in districts) and any(d.strip() not in canonical for d in districts)
    for spec in FILES:
        optional = [c.name for c in spec.columns if not c.required]
        assert any(
            f.spec is spec
            and all(r.values.get(c) is None for c in optional if c not in ("Utfall_dato", "begjaert_dato"))
            for _, f, r in rows
        ), f"{spec.name}: a row with every optional value empty"
    # amounts in every style of the cp1252 files, Excel and text dates in one sheet
    amounts = [r.cells["husleie"] for s, f, r in rows if f.spec.name == "tenancies.csv"]
    amounts += [r.cells["belop"] for s, f, r in rows if s in ("boei", "regnskap") and "belop" in r.cells]
    assert any(a.startswith("kr ") for a in amounts) and any("\u00a0" in a for a in amounts)
    assert any(" " in a.removeprefix("kr ") for a in amounts) and any(a.endswith(")") for a in amounts)
    for d in zone.deliveries["namsfogd"]:
        for f in d.files.values():
            kinds = {type(r.cells["Mottatt"]).__name__ for r in f.rows}
            assert kinds == {"ExcelDate", "str"} or len(f.rows) < 3
    # zero-row files, forced_sales from the second namsfogd delivery, quoted line breaks
    assert [("forced_sales.xlsx" in d.files) for d in zone.deliveries["namsfogd"]] == [False, True, True]
    assert not zone.deliveries["kemner"][2].files["notifications.csv"].rows
    for source in ("kemner", "bbl"):
        assert any(
            b"\r\n" in v.encode()
            for d in zone.deliveries[source]
            for f in d.files.values()
            for r in f.rows
            for v in r.cells.values()
            if isinstance(v, str)
        )
    # a tenancy that ends, one that vanishes; postings delivered again
    first, second = (d.files["tenancies.csv"] for d in zone.deliveries["boei"][:2])
    ids = lambda f: {r.values["leieforhold_id"] for r in f.rows}  # noqa: E731
    assert ids(first) - ids(second), "a tenancy vanishes"
    assert any(r.case == "ended" and r.values["til_dato"] is not None for r in second.rows)
    assert any(
        r.case == "delivered_again" for d in zone.deliveries["boei"][1:] for r in d.files["rent_ledger.csv"].rows
    )
    # national ids of every kind and century rule
    people = zone.ctx.people
    assert {p.kind for p in people} == set(KINDS)
    assert all(is_valid(p.national_id) for p in people)

    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    zone.write(landing)
    assert_zone_loaded(zone, landing, warehouse)


def test_a_source_with_no_delivery_loads_nothing_and_refuses_nothing(tmp_path):
    zone = build_zone(Shape(seed=3, deliveries=(("boei", 1),)))
    zone.write(tmp_path / "landing")
    for source in SOURCES[1:]:
        result = ingest(source, tmp_path / "landing", tmp_path / "warehouse")
        assert (result.loaded, result.skipped, result.refused) == ([], [], [])
        for spec in files_of(source):
            schema = tmp_path / "warehouse" / "raw" / source / spec.stem / "_schema.parquet"
            assert pl.read_parquet(schema).height == 0


@settings(max_examples=200, derandomize=True, database=None)
@given(national_ids())
def test_generated_national_ids_follow_the_contract(generated):
    """The generator's ids, against its own reading of the rules and against the warehouse's parser."""
    from orchestration.lib.national_id import parse_national_id

    nid, born, sex = generated
    assert is_valid(nid)
    parsed = parse_national_id(nid)
    assert (parsed.birth_date, parsed.sex) == (born, sex)


def test_every_century_rule_and_kind_is_generated():
    import random

    from tests.contract_zone.national_ids import make_national_id

    rnd = random.Random(5)
    for rule, (_, century, individuals, _years) in enumerate(CENTURIES):
        for kind in KINDS:
            nid, born, _ = make_national_id(rnd, kind, rule)
            assert born.year // 100 * 100 == century and int(nid[6:9]) in individuals
            assert is_valid(nid)
    # 29 February 2000 (a century year that is a leap year); 1900 is not one.
    from tests.contract_zone.national_ids import national_id

    assert is_valid(
        national_id(dt.date(2000, 2, 29), "ordinary", 500) or national_id(dt.date(2000, 2, 29), "ordinary", 502)
    )
    assert not is_valid("2902004" + "0000")
