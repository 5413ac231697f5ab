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
