"""allocate(): filters, strategies, tie-breaks and the explanation for every carrier."""

from decimal import Decimal

import pytest

from retorno.domain.errors import DomainError
from retorno.domain.logistics import (
    DEFAULT_RULE,
    AllocationRule,
    CarrierError,
    CarrierStats,
    PostalRange,
    ServiceArea,
    Strategy,
    VerdictCode,
    allocate,
)
from retorno.domain.tests.logistics.builders import carrier, request

V = VerdictCode


def only_verdict(carriers, rules=(), capacity=None, **facts):
    allocation = allocate(carriers, rules, request(**facts), capacity_used_today=capacity)
    assert len(allocation.verdicts) == 1
    return allocation.verdicts[0]


@pytest.mark.parametrize(
    ("profile", "facts", "code", "message"),
    [
        (carrier(enabled=False), {}, V.DISABLED, "Carrier is disabled for this store"),
        (
            carrier(capabilities=frozenset({"label"})),
            {"method": "pickup"},
            V.NO_CAPABILITY,
            "Does not offer pickup",
        ),
        (
            carrier(capabilities=frozenset({"pickup"})),
            {"method": "drop_off"},
            V.NO_CAPABILITY,
            "Does not offer drop-off",
        ),
        (
            carrier(service_areas=(ServiceArea("PT"),)),
            {},
            V.NOT_SERVICEABLE,
            "Does not serve postal code 28013 in ES",
        ),
        (
            carrier(service_areas=(ServiceArea("ES", postal_prefixes=("08",)),)),
            {},
            V.NOT_SERVICEABLE,
            "Does not serve postal code 28013 in ES",
        ),
        (
            carrier(max_weight_grams=20_000),
            {"weight_grams": 25_500},
            V.OVER_WEIGHT,
            "Takes up to 20 kg; this parcel weighs 25.5 kg",
        ),
        (
            carrier(max_dimensions_cm=(60, 40, 40)),
            {"dimensions_cm": (30, 70, 20)},
            V.OVER_SIZE,
            "Takes parcels up to 60×40×40 cm; this parcel is 30×70×20 cm",
        ),
        (
            carrier(max_length_plus_girth_cm=200),
            {"dimensions_cm": (100, 40, 20)},
            V.OVER_SIZE,
            "Takes length + girth up to 200 cm; this parcel measures 220 cm",
        ),
        (carrier(), {"currency": "GBP"}, V.NO_RATE, "Has no rate in GBP"),
    ],
)
def test_each_drop_reason_has_its_code_and_message(profile, facts, code, message):
    verdict = only_verdict([profile], **facts)
    assert (verdict.kept, verdict.code, verdict.message) == (False, code, message)
    assert verdict.rank is None
    assert verdict.price_amount is None


def test_capacity_counts_pickups_booked_today_and_only_for_pickups():
    limited = carrier(daily_pickup_capacity=10)
    full = only_verdict([limited], capacity={"alpha": 10})
    assert full.code is V.CAPACITY_FULL
    assert full.message == "Daily pickup capacity reached (10 of 10 booked today)"
    assert only_verdict([limited], capacity={"alpha": 9}).kept
    assert only_verdict([limited], capacity={"alpha": 10}, method="label").kept
    assert only_verdict([limited]).kept  # nothing booked yet


def test_a_parcel_may_be_turned_to_fit():
    assert only_verdict([carrier(max_dimensions_cm=(30, 60, 40))], dimensions_cm=(40, 30, 60)).kept


def test_postal_ranges_and_prefixes_are_compared_without_spaces_and_hyphens():
    madrid = carrier(
        service_areas=(
            ServiceArea("ES", postal_ranges=(PostalRange("28000", "28099"),)),
            ServiceArea("PT", postal_ranges=(PostalRange("1000", "1999"),)),
            ServiceArea("GB", postal_prefixes=("SW1A",)),
        )
    )
    assert only_verdict([madrid], postal_code="28013").kept
    assert only_verdict([madrid], postal_code="28100").code is V.NOT_SERVICEABLE
    assert only_verdict([madrid], country="pt", postal_code="1000-001").kept
    assert only_verdict([madrid], country="GB", postal_code="sw1a 1aa").kept
    assert only_verdict([madrid], country="FR", postal_code="75001").code is V.NOT_SERVICEABLE


def test_postal_ranges_need_codes_of_the_same_length_low_first():
    with pytest.raises(CarrierError):
        PostalRange("2800", "28099")
    with pytest.raises(CarrierError):
        PostalRange("28099", "28000")


def test_the_first_failing_check_gives_the_one_verdict():
    verdict = only_verdict([carrier(enabled=False, service_areas=())], weight_grams=99_000)
    assert verdict.code is V.DISABLED


def test_cheapest_ranks_by_quoted_price_with_started_kilograms():
    carriers = [
        carrier("flat", base="6.00"),
        carrier("per-kg", base="2.00", per_kg="1.50"),  # 1.2 kg bills as 2 kg: 5.00
        carrier("cheap", base="4.99"),
    ]
    allocation = allocate(carriers, [], request(weight_grams=1_200))
    assert allocation.rule_id == DEFAULT_RULE.rule_id == "default"
    assert allocation.strategy is Strategy.CHEAPEST
    assert [(r.carrier_code, r.price_amount) for r in allocation.ranking] == [
        ("cheap", Decimal("4.99")),
        ("per-kg", Decimal("5.00")),
        ("flat", Decimal("6.00")),
    ]
    assert allocation.ranking[0].message == "ranked 1st by cheapest: 4.99 EUR"
    assert allocation.verdict_for("flat").message == "ranked 3rd by cheapest: 6.00 EUR"
    assert [v.carrier_code for v in allocation.verdicts] == ["flat", "per-kg", "cheap"]


def test_ties_break_by_price_then_transit_days_then_code():
    carriers = [
        carrier("zulu", base="5.00", transit_days=2),
        carrier("bravo", base="5.00", transit_days=2),
        carrier("alpha", base="5.00", transit_days=4),
        carrier("yankee", base="4.00", transit_days=2),
    ]
    fastest = AllocationRule(rule_id="fast", strategy=Strategy.FASTEST)
    allocation = allocate(carriers, [fastest], request())
    assert [r.carrier_code for r in allocation.ranking] == ["yankee", "bravo", "zulu", "alpha"]
    assert allocation.ranking[0].message == "ranked 1st by fastest: 2 transit days, 4.00 EUR"
    cheapest = allocate(carriers, [], request())
    assert [r.carrier_code for r in cheapest.ranking] == ["yankee", "bravo", "zulu", "alpha"]


def test_best_pickup_success_weighs_evidence_not_only_the_rate():
    carriers = [
        carrier(
            "lucky",
            base="1.00",
            stats=CarrierStats.from_counts(first_attempts=2, first_attempt_successes=2),
        ),
        carrier(
            "proven",
            base="9.00",
            stats=CarrierStats.from_counts(
                first_attempts=1000, first_attempt_successes=950, recovered=30
            ),
        ),
        carrier("new", base="0.50"),
    ]
    rule = AllocationRule(rule_id="reliable", strategy=Strategy.BEST_PICKUP_SUCCESS)
    allocation = allocate(carriers, [rule], request())
    assert [r.carrier_code for r in allocation.ranking] == ["proven", "lucky", "new"]
    assert allocation.ranking[0].message == (
        "ranked 1st by best_pickup_success: 95% first-attempt pickups over 1000 "
        "(score 0.935), 9.00 EUR"
    )
    assert allocation.ranking[2].message.endswith("no pickups measured yet, 0.50 EUR")


def test_fixed_preference_ranks_listed_carriers_first_then_the_rest_as_fallbacks():
    carriers = [carrier("a", base="1.00"), carrier("b", base="3.00"), carrier("c", base="2.00")]
    rule = AllocationRule(
        rule_id="pref", strategy=Strategy.FIXED_PREFERENCE, preference=("b", "missing", "c")
    )
    allocation = allocate(carriers, [rule], request())
    assert [r.carrier_code for r in allocation.fallbacks()] == ["b", "c", "a"]
    assert allocation.ranking[0].message == (
        "ranked 1st by fixed_preference: 1st in the store's preference list, 3.00 EUR"
    )
    assert allocation.ranking[1].message == (
        "ranked 2nd by fixed_preference: 3rd in the store's preference list, 2.00 EUR"
    )
    assert "not in the store's preference list" in allocation.ranking[2].message


def test_the_first_matching_rule_wins_and_its_lists_filter_carriers():
    carriers = [carrier("a"), carrier("b"), carrier("c")]
    rules = [
        AllocationRule(rule_id="gold", tiers=frozenset({"gold"}), carrier_in=frozenset({"a"})),
        AllocationRule(rule_id="all", carrier_not_in=frozenset({"b"})),
        AllocationRule(rule_id="never-reached", strategy=Strategy.FASTEST),
    ]
    gold = allocate(carriers, rules, request(customer_tier="gold"))
    assert gold.rule_id == "gold"
    assert [r.carrier_code for r in gold.ranking] == ["a"]
    assert gold.verdict_for("b").message == "Not among the carriers allowed by rule gold"
    other = allocate(carriers, rules, request())
    assert other.rule_id == "all"
    assert other.verdict_for("b").code is V.DENIED_BY_RULE
    assert other.verdict_for("b").message == "Excluded by rule all"


@pytest.mark.parametrize(
    ("rule", "facts", "matches"),
    [
        (AllocationRule(rule_id="r", countries=frozenset({"ES"})), {"country": "es"}, True),
        (AllocationRule(rule_id="r", countries=frozenset({"PT"})), {}, False),
        (AllocationRule(rule_id="r", postal_prefixes=("280",)), {"postal_code": "28013"}, True),
        (AllocationRule(rule_id="r", postal_prefixes=("08",)), {"postal_code": "28013"}, False),
        (AllocationRule(rule_id="r", weight_gte=1500), {"weight_grams": 1500}, True),
        (AllocationRule(rule_id="r", weight_gte=1501), {"weight_grams": 1500}, False),
        (AllocationRule(rule_id="r", weight_lte=1500), {"weight_grams": 1500}, True),
        (AllocationRule(rule_id="r", weight_lte=1499), {"weight_grams": 1500}, False),
        (AllocationRule(rule_id="r", value_gte=Decimal("59.90")), {}, True),
        (AllocationRule(rule_id="r", value_gte=Decimal("60")), {}, False),
        (AllocationRule(rule_id="r", value_lte=Decimal("59.89")), {}, False),
        (AllocationRule(rule_id="r", categories=frozenset({"shirts"})), {}, True),
        (AllocationRule(rule_id="r", categories=frozenset({"shoes"})), {}, False),
        (AllocationRule(rule_id="r", tiers=frozenset({"gold"})), {"customer_tier": "gold"}, True),
        (AllocationRule(rule_id="r", methods=frozenset({"label"})), {"method": "label"}, True),
        (AllocationRule(rule_id="r", methods=frozenset({"label"})), {}, False),
        (AllocationRule(rule_id="r"), {}, True),
    ],
)
def test_rule_conditions(rule, facts, matches):
    assert rule.matches(request(**facts)) is matches


def test_no_carrier_kept_gives_an_empty_ranking_with_every_reason():
    carriers = [carrier("a", enabled=False), carrier("b", max_weight_grams=1_000)]
    allocation = allocate(carriers, [], request())
    assert not allocation.has_carrier
    assert allocation.chosen is None
    assert list(allocation.fallbacks()) == []
    assert [v.code for v in allocation.verdicts] == [V.DISABLED, V.OVER_WEIGHT]


def test_duplicate_carrier_codes_are_refused():
    with pytest.raises(CarrierError) as raised:
        allocate([carrier("a"), carrier("a")], [], request())
    assert raised.value.code == "duplicate_carrier"


@pytest.mark.parametrize(
    "facts",
    [
        {"weight_grams": 0},
        {"dimensions_cm": (10, 0, 10)},
        {"currency": "XXX"},
        {"method": "teleport"},
        {"declared_value": Decimal("NaN")},
    ],
)
def test_bad_requests_are_refused_with_a_stable_code(facts):
    with pytest.raises(DomainError) as raised:
        request(**facts)
    assert raised.value.code == "invalid_allocation_request"


def test_bad_carrier_profiles_are_refused():
    with pytest.raises(CarrierError):
        carrier(capabilities=frozenset({"teleport"}))
    with pytest.raises(CarrierError):
        carrier(max_dimensions_cm=(10, 10, 0))
    with pytest.raises(CarrierError):
        carrier(base="-1.00")
    with pytest.raises(CarrierError):
        ServiceArea("ES", postal_prefixes=(" ",))


def test_prices_are_rounded_to_the_currency_minor_unit():
    allocation = allocate([carrier(base="1.005", per_kg="0")], [], request())
    assert allocation.ranking[0].price_amount == Decimal("1.01")
