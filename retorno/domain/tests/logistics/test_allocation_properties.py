"""Properties of allocate() that must hold for any carriers, rules, parcel and capacity."""

import dataclasses
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from retorno.domain.logistics import (
    AllocationRequest,
    AllocationRule,
    CarrierProfile,
    CarrierStats,
    PostalRange,
    Rate,
    ServiceArea,
    Strategy,
    VerdictCode,
    allocate,
)
from retorno.domain.tests.logistics.builders import EVERY_CAPABILITY

PROPERTY = settings(max_examples=300, deadline=None, database=None)
CODES = ["a", "b", "c", "d", "e", "f"]
COUNTRIES = ["ES", "PT", "FR"]
amounts = st.integers(0, 2_000).map(lambda cents: Decimal(cents).scaleb(-2))


@st.composite
def carriers(draw):
    codes = draw(st.lists(st.sampled_from(CODES), unique=True, max_size=6))
    fleet = []
    for code in codes:
        areas = tuple(
            ServiceArea(
                country,
                postal_prefixes=tuple(
                    draw(st.lists(st.sampled_from(["0", "1", "28", "75"]), max_size=2))
                ),
                postal_ranges=tuple(
                    draw(
                        st.lists(
                            st.sampled_from(
                                [PostalRange("28000", "28099"), PostalRange("1000", "1999")]
                            ),
                            max_size=1,
                        )
                    )
                ),
            )
            for country in draw(st.lists(st.sampled_from(COUNTRIES), unique=True, max_size=3))
        )
        attempts = draw(st.integers(0, 50))
        successes = draw(st.integers(0, attempts))
        fleet.append(
            CarrierProfile(
                code=code,
                name=code.upper(),
                enabled=draw(st.booleans()) or draw(st.booleans()),
                capabilities=frozenset(draw(st.sets(st.sampled_from(sorted(EVERY_CAPABILITY))))),
                service_areas=areas,
                max_weight_grams=draw(st.integers(1, 40_000)),
                max_dimensions_cm=draw(st.tuples(*[st.integers(1, 150)] * 3)),
                max_length_plus_girth_cm=draw(st.none() | st.integers(50, 500)),
                rates={
                    currency: Rate(currency, draw(amounts), draw(amounts))
                    for currency in draw(st.sets(st.sampled_from(["EUR", "USD"]), min_size=1))
                },
                transit_days=draw(st.integers(0, 7)),
                daily_pickup_capacity=draw(st.none() | st.integers(0, 5)),
                stats=draw(
                    st.none()
                    | st.just(
                        CarrierStats.from_counts(
                            first_attempts=attempts, first_attempt_successes=successes
                        )
                    )
                ),
            )
        )
    return fleet


rules = st.lists(
    st.builds(
        AllocationRule,
        rule_id=st.sampled_from(["r1", "r2", "r3"]),
        strategy=st.sampled_from(list(Strategy)),
        preference=st.lists(st.sampled_from(CODES), unique=True, max_size=3).map(tuple),
        carrier_in=st.none() | st.frozensets(st.sampled_from(CODES)),
        carrier_not_in=st.frozensets(st.sampled_from(CODES), max_size=2),
        countries=st.none() | st.frozensets(st.sampled_from(COUNTRIES), min_size=1),
        weight_gte=st.none() | st.integers(0, 20_000),
        tiers=st.none() | st.just(frozenset({"gold"})),
    ),
    max_size=3,
)

requests = st.builds(
    AllocationRequest,
    country=st.sampled_from(COUNTRIES),
    postal_code=st.sampled_from(["28013", "28100", "1000-001", "75001", "08001"]),
    weight_grams=st.integers(1, 40_000),
    dimensions_cm=st.tuples(*[st.integers(1, 150)] * 3),
    declared_value=amounts,
    currency=st.sampled_from(["EUR", "USD"]),
    customer_tier=st.sampled_from(["", "gold"]),
    method=st.sampled_from(["pickup", "drop_off", "label"]),
)
capacities = st.dictionaries(st.sampled_from(CODES), st.integers(0, 6))


@PROPERTY
@given(carriers(), rules, requests, capacities)
def test_verdicts_and_ranking_agree(fleet, rule_list, parcel, used):
    allocation = allocate(fleet, rule_list, parcel, capacity_used_today=used)
    # Every carrier gets exactly one verdict, in the carriers' order.
    assert [v.carrier_code for v in allocation.verdicts] == [c.code for c in fleet]
    kept = {v.carrier_code for v in allocation.verdicts if v.kept}
    ranked = [r.carrier_code for r in allocation.ranking]
    # The ranking holds exactly the kept carriers, once each; dropped ones never appear.
    assert sorted(ranked) == sorted(kept)
    assert len(ranked) == len(set(ranked))
    for verdict in allocation.verdicts:
        assert verdict.kept is (verdict.code is VerdictCode.RANKED)
        assert verdict.message
        if verdict.kept:
            assert allocation.ranking[verdict.rank - 1].carrier_code == verdict.carrier_code
    assert [r.rank for r in allocation.ranking] == list(range(1, len(ranked) + 1))
    assert list(allocation.fallbacks()) == list(allocation.ranking)


@PROPERTY
@given(carriers(), rules, requests, capacities)
def test_strategies_order_the_ranking(fleet, rule_list, parcel, used):
    allocation = allocate(fleet, rule_list, parcel, capacity_used_today=used)
    prices = [r.price_amount for r in allocation.ranking]
    days = [r.transit_days for r in allocation.ranking]
    if allocation.strategy is Strategy.CHEAPEST:
        assert prices == sorted(prices)
    if allocation.strategy is Strategy.FASTEST:
        assert days == sorted(days)


@PROPERTY
@given(carriers(), rules, requests, capacities)
def test_allocation_is_deterministic_whatever_the_order_of_carriers(fleet, rule_list, parcel, used):
    first = allocate(fleet, rule_list, parcel, capacity_used_today=used)
    assert allocate(fleet, rule_list, parcel, capacity_used_today=dict(used)) == first
    reversed_fleet = allocate(list(reversed(fleet)), rule_list, parcel, capacity_used_today=used)
    assert reversed_fleet.ranking == first.ranking


@PROPERTY
@given(carriers(), rules, requests, capacities, st.integers(1, 10))
def test_more_capacity_never_removes_a_carrier(fleet, rule_list, parcel, used, extra):
    before = allocate(fleet, rule_list, parcel, capacity_used_today=used)
    roomier = [
        dataclasses.replace(
            c,
            daily_pickup_capacity=None
            if c.daily_pickup_capacity is None
            else c.daily_pickup_capacity + extra,
        )
        for c in fleet
    ]
    after = allocate(roomier, rule_list, parcel, capacity_used_today=used)
    fewer_used = {code: max(0, count - extra) for code, count in used.items()}
    also_after = allocate(fleet, rule_list, parcel, capacity_used_today=fewer_used)
    kept_before = {r.carrier_code for r in before.ranking}
    assert kept_before <= {r.carrier_code for r in after.ranking}
    assert kept_before <= {r.carrier_code for r in also_after.ranking}
