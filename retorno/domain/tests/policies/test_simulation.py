"""Properties of the policy simulator for any policies and any requests: replaying the policy in
force changes nothing; the figures add up (matrix, changes, tiers, review workload, money); each
change carries the explanation decide() gives under each policy."""

from __future__ import annotations

import copy
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from retorno.domain.policies import decide, default_policy_document, parse_policy
from retorno.domain.policies.decision import Outcome
from retorno.domain.policies.model import OrderContext
from retorno.domain.policies.simulation import (
    OUTCOMES,
    ReplayCase,
    replay_one,
    simulate,
    top_tiers_of,
)
from retorno.domain.tests.policies.builders import NOW
from retorno.domain.tests.policies.test_properties import (
    PROPERTY,
    customers,
    order_facts,
    requests,
    rule_lists,
)

WINDOWS = st.integers(0, 120)


@st.composite
def documents(draw):
    document = copy.deepcopy(default_policy_document())
    document["rules"] = draw(rule_lists)
    base = document["base"]
    base["window_days"] = draw(WINDOWS)
    base["window_starts"] = draw(st.sampled_from(["delivery", "order"]))
    base["review_reasons"] = draw(
        st.lists(st.sampled_from(["too_small", "defective"]), unique=True)
    )
    base["return_shipping_fee"] = draw(st.sampled_from(["0", "5.00", "12.50"]))
    base["restocking_fee_percent"] = draw(st.sampled_from(["0", "10", "15"]))
    base["refund_shipping"] = draw(st.booleans())
    return document


@st.composite
def cases(draw):
    found = []
    for index in range(draw(st.integers(0, 12))):
        order = draw(order_facts())
        request = draw(requests(order))
        found.append(
            ReplayCase(
                key=f"R-{index}",
                order=order,
                customer=draw(customers),
                request=request,
                now=NOW,
                value=draw(st.integers(0, 50_000).map(lambda c: Decimal(c).scaleb(-2))),
                shipping_refund=draw(st.sampled_from([Decimal(0), Decimal("4.95")])),
            )
        )
    return found


@PROPERTY
@given(documents(), cases())
def test_replaying_the_policy_in_force_changes_nothing(document, the_cases):
    in_force = parse_policy(document)
    draft = parse_policy(copy.deepcopy(document))  # the same document, typed again in the editor
    sim = simulate(in_force, draft, the_cases)
    assert sim.changed == 0
    assert sim.changes == []
    assert all(cell.count == 0 for (a, b), cell in sim.matrix.items() if a is not b)
    assert sim.fees_old == sim.fees_new
    assert sim.refunds_old == sim.refunds_new
    assert sim.reviews_old == sim.reviews_new
    assert all(rule.old == rule.new for rule in sim.rules)
    assert all(tier.newly_refused == tier.newly_reviewed == 0 for tier in sim.tiers)


@PROPERTY
@given(documents(), documents(), cases())
def test_the_figures_add_up(old_document, new_document, the_cases):
    old, new = parse_policy(old_document), parse_policy(new_document)
    sim = simulate(old, new, the_cases, change_limit=5)
    assert sim.requests == len(the_cases) == sum(c.count for c in sim.matrix.values())
    off_diagonal = sum(c.count for (a, b), c in sim.matrix.items() if a is not b)
    assert sim.changed == off_diagonal
    assert len(sim.changes) == min(5, off_diagonal)
    assert sim.reviews_old == sim.outcome_count(Outcome.REVIEW, new=False)
    assert sim.reviews_new == sim.outcome_count(Outcome.REVIEW, new=True)
    assert sum(t.requests for t in sim.tiers) == sim.requests
    newly_refused = sum(
        c.count for (a, b), c in sim.matrix.items() if b is Outcome.REJECT and a is not b
    )
    assert sum(t.newly_refused for t in sim.tiers) == newly_refused
    assert sum(sim.days_since_delivery.values()) + sim.not_delivered == sim.requests
    # Each listed change is what decide() says under each policy, with its explanation.
    by_key = {case.key: case for case in the_cases}
    for change in sim.changes:
        case = by_key[change.key]
        before = decide(old, case.order, case.customer, case.request, case.now)
        after = decide(new, case.order, case.customer, case.request, case.now)
        assert (change.old.outcome, change.new.outcome) == (before.outcome, after.outcome)
        assert change.old.outcome is not change.new.outcome
        if after.outcome is Outcome.REJECT:
            assert change.new.reasons  # a refusal always says why
            assert change.new.fees == change.new.refund == 0
    assert set(sim.matrix) == {(a, b) for a in OUTCOMES for b in OUTCOMES}


@PROPERTY
@given(documents(), cases())
def test_a_refused_request_pays_nothing_and_money_never_goes_negative(document, the_cases):
    policy = parse_policy(document)
    for case in the_cases:
        _, replayed = replay_one(policy, case)
        assert replayed.fees >= 0
        assert replayed.refund >= 0
        if replayed.outcome is Outcome.REJECT:
            assert replayed.fees == replayed.refund == 0


def test_the_top_tier_is_the_highest_known_one():
    assert top_tiers_of(["", "silver", "gold", "bronze"]) == frozenset({"gold"})
    assert top_tiers_of(["VIP", "gold"]) == frozenset({"vip"})
    assert top_tiers_of(["", "club"]) == frozenset()


@PROPERTY
@given(documents(), documents(), cases())
def test_a_replay_with_remembered_rules_decides_as_a_fresh_policy_does(
    old_document, new_document, the_cases
):
    """Compiled policies remember what their order conditions make of each order context and
    skip per-line matching when no rule is line-scoped. Replaying with them warm (the same two
    policies over every case, twice) decides every case exactly as policies compiled afresh for
    that one decision do, and the figures are those of a cold replay."""
    old, new = parse_policy(old_document), parse_policy(new_document)
    first = simulate(old, new, the_cases)
    again = simulate(old, new, the_cases)
    assert again == first
    assert simulate(parse_policy(old_document), parse_policy(new_document), the_cases) == first
    for case in the_cases:
        for document, warm in ((old_document, old), (new_document, new)):
            fresh = parse_policy(document)
            args = (case.order, case.customer, case.request, case.now)
            assert decide(warm, *args) == decide(fresh, *args)
            assert replay_one(warm, case) == replay_one(fresh, case)


@PROPERTY
@given(documents(), order_facts(), customers)
def test_remembered_order_rules_are_the_rules_that_match(document, order, customer):
    policy = parse_policy(document)
    context = OrderContext(
        tier=customer.tier,
        customer_tags=customer.tags,
        signals=customer.signals,
        country=order.country.upper(),
        order_value=order.order_value,
        days_since_delivery=None if order.delivered_at is None else (NOW - order.delivered_at).days,
    )
    for _ in range(2):  # computed, then remembered
        found = policy.order_rules(context)
        assert found.rules == tuple(r for r in policy.rules if r.matches_order(context))
        assert found.whole_order == tuple(r for r in found.rules if not r.is_line_scoped)
        expected = dict(policy.base)
        for rule in found.whole_order:
            expected.update(rule.overrides)
        assert dict(found.settings) == expected
