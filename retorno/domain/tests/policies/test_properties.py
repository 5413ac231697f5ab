"""Properties of decide() that must hold for any policy, order, customer and request."""

import dataclasses
from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from retorno.domain.policies import (
    CustomerFacts,
    LineFacts,
    OrderFacts,
    Outcome,
    RequestedItem,
    RequestFacts,
    decide,
    default_policy_document,
    parse_policy,
)
from retorno.domain.tests.policies.builders import NOW

PROPERTY = settings(max_examples=200, deadline=None, database=None)

# A pool of valid rules; a policy is the default base with some of them, in any order.
RULE_POOL = [
    {"id": "silver-window", "when": {"tier_in": ["silver"]}, "then": {"window_days": 45}},
    {"id": "gold-window", "when": {"tier_in": ["gold"]}, "then": {"window_days": 60}},
    {"id": "loyal-free", "when": {"tier_in": ["silver", "gold"]}, "then": {"fee_waived": True}},
    {"id": "shoes-short", "when": {"category_in": ["shoes"]}, "then": {"window_days": 14}},
    {"id": "sale-credit", "when": {"tag_any": ["sale"]}, "then": {"resolutions": ["store_credit"]}},
    {
        "id": "big-orders",
        "when": {"order_value_gte": "200.00"},
        "then": {"return_shipping_fee": "0", "review_above_amount": "150.00"},
    },
    {"id": "restock", "when": {}, "then": {"restocking_fee_percent": "20"}},
    {"id": "restock-all", "when": {"tier_in": [""]}, "then": {"restocking_fee_percent": "100"}},
    {
        "id": "defect-lenient",
        "when": {"reason_in": ["defective"]},
        "then": {"qc_level": "lenient", "refund_timing": "on_first_scan"},
    },
    {"id": "late-review", "when": {"days_since_delivery_gte": 20}, "then": {"always_review": True}},
    {"id": "hygiene", "when": {"tag_any": ["hygiene"]}, "then": {"returnable": False}},
    {"id": "by-order", "when": {"country_in": ["PT"]}, "then": {"window_starts": "order"}},
    {
        "id": "final-ok",
        "when": {"customer_tag_any": ["vip"]},
        "then": {"final_sale_returnable": True},
    },
    {"id": "discounts", "when": {}, "then": {"max_discount_percent": "40"}},
    {"id": "expensive-fee", "when": {}, "then": {"return_shipping_fee": "25.00"}},
]

rule_lists = st.lists(st.sampled_from(RULE_POOL), unique_by=lambda rule: rule["id"], max_size=6)


def build_policy(rules):
    document = default_policy_document()
    document["rules"] = rules
    return parse_policy(document)


prices = st.integers(0, 80_000).map(lambda cents: Decimal(cents).scaleb(-2))


@st.composite
def line_facts(draw, line_id):
    quantity = draw(st.integers(0, 5))
    unit_price = draw(prices)
    gross = unit_price * quantity
    discount = draw(st.integers(0, int(gross * 100)).map(lambda cents: Decimal(cents).scaleb(-2)))
    return LineFacts(
        line_id=line_id,
        sku=f"SKU-{line_id}",
        title="Item",
        category=draw(st.sampled_from(["shirts", "shoes", "gift-cards"])),
        tags=frozenset(draw(st.sets(st.sampled_from(["sale", "hygiene", "new"])))),
        quantity=quantity,
        unit_price=unit_price,
        discount=discount,
        tax=draw(st.integers(0, 5_000).map(lambda cents: Decimal(cents).scaleb(-2))),
        final_sale=draw(st.booleans()),
        vendor="acme",
        already_returned_quantity=draw(st.integers(0, 6)),
    )


@st.composite
def order_facts(draw):
    count = draw(st.integers(1, 4))
    lines = tuple(draw(line_facts(f"l{index}")) for index in range(count))
    delivered_seconds_ago = draw(st.none() | st.integers(0, 90 * 86_400))
    delivered_at = None
    if delivered_seconds_ago is not None:
        delivered_at = NOW - timedelta(seconds=delivered_seconds_ago)
    placed_at = (delivered_at or NOW) - timedelta(days=draw(st.integers(0, 10)))
    return OrderFacts(
        order_id="o1",
        currency="EUR",
        placed_at=placed_at,
        delivered_at=delivered_at,
        country=draw(st.sampled_from(["ES", "PT", "MX"])),
        postal_code="28001",
        lines=lines,
    )


customers = st.builds(
    CustomerFacts,
    tier=st.sampled_from(["", "bronze", "silver", "gold"]),
    tags=st.frozensets(st.sampled_from(["vip", "press"])),
)


@st.composite
def requests(draw, the_order):
    line_ids = [line.line_id for line in the_order.lines] + ["unknown"]
    chosen = draw(st.lists(st.sampled_from(line_ids), min_size=1, max_size=4, unique=True))
    items = tuple(
        RequestedItem(
            line_id,
            draw(st.integers(1, 6)),
            draw(st.sampled_from(["defective", "too_small", "damaged", "changed_mind"])),
        )
        for line_id in chosen
    )
    resolution = draw(st.sampled_from([None, "refund", "store_credit", "exchange", "cash"]))
    return RequestFacts(items=items, resolution=resolution)


@st.composite
def scenarios(draw, with_request=None):
    the_order = draw(order_facts())
    has_request = draw(st.booleans()) if with_request is None else with_request
    the_request = draw(requests(the_order)) if has_request else None
    return build_policy(draw(rule_lists)), the_order, draw(customers), the_request


@PROPERTY
@given(scenarios())
def test_returnable_quantity_stays_within_what_is_left(scenario):
    policy, the_order, the_customer, the_request = scenario
    decision = decide(policy, the_order, the_customer, the_request, NOW)
    lines = {line.line_id: line for line in the_order.lines}
    for line_decision in decision.lines:
        facts = lines.get(line_decision.line_id)
        left = 0 if facts is None else max(0, facts.quantity - facts.already_returned_quantity)
        assert 0 <= line_decision.returnable_quantity <= left
        if line_decision.eligible:
            assert line_decision.returnable_quantity == left > 0


@PROPERTY
@given(scenarios())
def test_an_ineligible_line_always_says_why(scenario):
    decision = decide(*scenario, NOW)
    for line_decision in decision.lines:
        if not line_decision.eligible:
            assert line_decision.reasons
            assert all(reason.code and reason.message for reason in line_decision.reasons)
            assert line_decision.allowed_resolutions == ()


@PROPERTY
@given(scenarios())
def test_the_decision_is_deterministic(scenario):
    policy, the_order, the_customer, the_request = scenario
    first = decide(policy, the_order, the_customer, the_request, NOW)
    assert decide(policy, the_order, the_customer, the_request, NOW) == first
    # A policy compiled again from the same document decides the same way.
    document = default_policy_document()
    document["rules"] = [
        next(rule for rule in RULE_POOL if rule["id"] == compiled.rule_id)
        for compiled in policy.rules
    ]
    assert decide(parse_policy(document), the_order, the_customer, the_request, NOW) == first


@PROPERTY
@given(scenarios(), st.integers(1, 400))
def test_time_passing_never_makes_an_expired_line_eligible_again(scenario, days_later):
    policy, the_order, the_customer, the_request = scenario
    before = decide(policy, the_order, the_customer, the_request, NOW)
    later = NOW + timedelta(days=days_later)
    after = decide(policy, the_order, the_customer, the_request, later)
    for was, now_is in zip(before.lines, after.lines, strict=True):
        if "window_expired" in {reason.code for reason in was.reasons}:
            assert not now_is.eligible
            assert "window_expired" in {reason.code for reason in now_is.reasons}


@PROPERTY
@given(scenarios())
def test_fees_are_never_negative_and_never_exceed_the_return_value(scenario):
    decision = decide(*scenario, NOW)
    assert decision.return_value >= 0
    assert decision.return_shipping_fee >= 0
    assert decision.restocking_fee >= 0
    assert decision.fees_total <= decision.return_value
    for line_decision in decision.lines:
        assert 0 <= line_decision.restocking_fee <= line_decision.return_value
        if line_decision.fee_waived or not line_decision.eligible:
            assert line_decision.restocking_fee == 0
    if decision.lines and all(line.fee_waived for line in decision.lines):
        assert decision.return_shipping_fee == 0


@PROPERTY
@given(scenarios(with_request=True))
def test_outcome_follows_line_reasons_and_review_reasons(scenario):
    decision = decide(*scenario, NOW)
    if any(line.reasons for line in decision.lines):
        assert decision.outcome is Outcome.REJECT
    elif decision.review_reasons:
        assert decision.outcome is Outcome.REVIEW
    else:
        assert decision.outcome is Outcome.APPROVE
    assert decision.requires_review is (decision.outcome is Outcome.REVIEW)


@PROPERTY
@given(scenarios())
def test_return_value_never_exceeds_what_was_paid(scenario):
    policy, the_order, the_customer, the_request = scenario
    decision = decide(policy, the_order, the_customer, the_request, NOW)
    assert decision.return_value <= the_order.order_value
    lines = {line.line_id: line for line in the_order.lines}
    for line_decision in decision.lines:
        if line_decision.line_id in lines:
            assert line_decision.return_value <= lines[line_decision.line_id].paid_amount


@PROPERTY
@given(st.data(), st.integers(1, 6))
def test_returning_a_line_unit_by_unit_refunds_exactly_what_was_paid(data, quantity):
    facts = data.draw(line_facts("l1"))
    facts = dataclasses.replace(
        facts,
        quantity=quantity,
        final_sale=False,
        category="shirts",
        tags=frozenset(),
        discount=min(facts.discount, facts.unit_price * quantity),
    )
    the_policy = build_policy([])
    total = Decimal(0)
    for already_returned in range(quantity):
        the_line = dataclasses.replace(facts, already_returned_quantity=already_returned)
        the_order = OrderFacts(
            order_id="o", currency="EUR", placed_at=NOW, delivered_at=NOW, lines=(the_line,)
        )
        the_request = RequestFacts(items=(RequestedItem("l1", 1, "too_small"),))
        total += decide(the_policy, the_order, CustomerFacts(), the_request, NOW).return_value
    assert total == the_order.order_value


rule_values = st.sampled_from(
    [
        ("window_days", 5),
        ("window_days", 50),
        ("qc_level", "lenient"),
        ("qc_level", "standard"),
        ("refund_timing", "on_approval"),
        ("refund_timing", "on_inspection"),
        ("restocking_fee_percent", "10"),
        ("restocking_fee_percent", "30"),
    ]
)
conditions = st.sampled_from(
    [
        {},
        {"tier_in": ["gold"]},
        {"category_in": ["shoes"]},
        {"tag_any": ["sale"]},
        {"reason_in": ["defective"]},
    ]
)


def _without_rule_order(decision):
    """The decision with rule ids sorted: what must not depend on the order of rules."""
    return dataclasses.replace(
        decision,
        lines=tuple(
            dataclasses.replace(line, rules_fired=tuple(sorted(line.rules_fired)))
            for line in decision.lines
        ),
        trace=tuple(sorted(decision.trace, key=lambda fired: (fired.rule_id, fired.line_id or ""))),
    )


@PROPERTY
@given(scenarios(), conditions, conditions, rule_values, rule_values)
def test_rule_order_matters_only_where_a_later_rule_overrides(
    scenario, when_a, when_b, setting_a, setting_b
):
    _, the_order, the_customer, the_request = scenario
    rule_a = {"id": "a", "when": when_a, "then": dict([setting_a])}
    rule_b = {"id": "b", "when": when_b, "then": dict([setting_b])}
    forward = decide(build_policy([rule_a, rule_b]), the_order, the_customer, the_request, NOW)
    backward = decide(build_policy([rule_b, rule_a]), the_order, the_customer, the_request, NOW)
    if setting_a[0] != setting_b[0] or setting_a[1] == setting_b[1]:
        # Different keys (or the same value): the order of the rules is irrelevant.
        assert _without_rule_order(forward) == _without_rule_order(backward)
        return
    # Same key, different values: where both rules fire, the later one alone decides the line,
    # exactly as if the earlier rule did not exist; elsewhere the order is irrelevant.
    only_b = decide(build_policy([rule_b]), the_order, the_customer, the_request, NOW)
    only_a = decide(build_policy([rule_a]), the_order, the_customer, the_request, NOW)
    lines = zip(forward.lines, backward.lines, only_b.lines, only_a.lines, strict=True)
    for line_forward, line_backward, line_only_b, line_only_a in lines:
        if set(line_forward.rules_fired) == {"a", "b"}:
            assert _without_rules(line_forward) == _without_rules(line_only_b)
            assert _without_rules(line_backward) == _without_rules(line_only_a)
        else:
            assert _without_rules(line_forward) == _without_rules(line_backward)


def _without_rules(line_decision):
    return dataclasses.replace(line_decision, rules_fired=())
