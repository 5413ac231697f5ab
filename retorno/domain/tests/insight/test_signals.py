"""Abuse signals on hand-made histories: each fires exactly at its definition's edge, with its
evidence, and a policy can act on them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from retorno.domain.insight.signals import (
    ClaimFact,
    History,
    LineFact,
    OrderFact,
    ReturnedUnit,
    ReturnFact,
    bracketing,
    customer_signals,
    empty_box,
    false_claims,
    fired_codes,
    serial_returner,
    wardrobing,
)
from retorno.domain.policies import Outcome, decide
from retorno.domain.policies.document import (
    PolicyDocumentError,
    default_policy_document,
    parse_policy,
)
from retorno.domain.tests.policies.builders import NOW as POLICY_NOW
from retorno.domain.tests.policies.builders import customer, line, order, policy, request

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def bought(n_orders: int, returned_per_order: list[int], *, placed_days_ago: float = 30):
    orders, returns = [], []
    for index in range(n_orders):
        back = returned_per_order[index] if index < len(returned_per_order) else 0
        orders.append(
            OrderFact(
                order_id=f"o{index}",
                number=f"#{index}",
                placed_at=days_ago(placed_days_ago),
                delivered_at=days_ago(placed_days_ago - 2),
                lines=(LineFact(f"o{index}-1", "p1", "sku1", "shirts", 2, back),),
            )
        )
        if back:
            returns.append(ReturnFact(f"R-{index}", f"o{index}", days_ago(20), back))
    return orders, returns


@pytest.mark.parametrize(
    ("returned", "fires"),
    [
        ([1, 1, 1, 1, 1, 0, 0, 0, 0, 0], False),  # 5 returns but 5 of 20 units (25%)
        ([2, 2, 2, 2, 1, 1, 0, 0, 0, 0], True),  # 6 returns, 10 of 20 units: exactly 50%
        ([2, 2, 2, 2, 2, 2, 2, 2, 2, 2], True),
        ([2, 2, 2, 2, 0, 0, 0, 0, 0, 0], False),  # 40% and only 4 returns
        ([2, 2, 2, 2], False),  # 100% of 8 units, but only 4 returns
    ],
)
def test_serial_returner_needs_half_the_units_and_five_returns(returned, fires):
    orders, returns = bought(max(len(returned), 10 if len(returned) == 10 else 4), returned)
    signal = serial_returner(History(tuple(orders), tuple(returns)), NOW)
    assert signal.fired is fires
    assert signal.evidence[0].code == "return_rate"


def test_serial_returner_looks_at_the_last_twelve_months_only():
    orders, returns = bought(6, [2, 2, 2, 2, 2, 2], placed_days_ago=400)
    assert not serial_returner(History(tuple(orders), tuple(returns)), NOW).fired


def bracket_order(*, sizes=("S", "M"), returned=(0, 1), product_keys=("p1", "p1")) -> OrderFact:
    return OrderFact(
        "o1",
        "#1001",
        days_ago(10),
        days_ago(8),
        tuple(
            LineFact(
                f"l{i}", product_keys[i], f"sku-{size}", "dresses", 1, returned[i], {"size": size}
            )
            for i, size in enumerate(sizes)
        ),
    )


def test_bracketing_two_sizes_of_one_product_and_one_back():
    fired = bracketing(History((bracket_order(),)), NOW)
    assert fired.fired
    assert fired.evidence[0].params["order"] == "#1001"
    assert not bracketing(History((bracket_order(returned=(0, 0)),)), NOW).fired
    assert not bracketing(History((bracket_order(sizes=("M", "M")),)), NOW).fired
    assert not bracketing(History((bracket_order(product_keys=("p1", "p2")),)), NOW).fired


def test_bracketing_counts_the_return_being_asked_for_now():
    history = History((bracket_order(returned=(0, 0)),))
    assert bracketing(history, NOW, requested=("o1", frozenset({"l0"}))).fired
    assert not bracketing(history, NOW, requested=("o2", frozenset({"l0"}))).fired


def unit(grade: str, *, category="dresses", days_kept=3, checks=(), reason="changed_mind"):
    return ReturnedUnit(
        "R-1", "l1", category, reason, days_ago(20), days_ago(20 + days_kept), grade, checks
    )


@pytest.mark.parametrize(
    ("the_unit", "fires"),
    [
        (unit("used"), True),
        (unit("like_new", checks=("tags_attached",)), True),
        (unit("like_new"), False),
        (unit("used", category="electronics"), False),
        (unit("used", days_kept=7), True),
        (unit("used", days_kept=8), False),
    ],
)
def test_wardrobing_needs_wear_an_event_category_and_a_quick_return(the_unit, fires):
    assert wardrobing(History(inspected=(the_unit,)), NOW).fired is fires


def test_empty_box_by_weight_serial_or_swap():
    def parcel(**facts):
        return History(returns=(ReturnFact("R-9", "o1", days_ago(5), 1, **facts),))

    assert empty_box(parcel(expected_weight_grams=900, measured_weight_grams=200), NOW).fired
    # Within 20% (or 50 g for light parcels) is normal packaging.
    assert not empty_box(parcel(expected_weight_grams=900, measured_weight_grams=1050), NOW).fired
    assert not empty_box(parcel(expected_weight_grams=100, measured_weight_grams=140), NOW).fired
    assert empty_box(parcel(serial_matches=False), NOW).fired
    assert empty_box(parcel(unexpected_skus=("FAKE-1",), units_missing=1), NOW).fired
    assert not empty_box(parcel(unexpected_skus=("GIFT-1",)), NOW).fired  # an extra, not a swap
    swapped = History(inspected=(unit("wrong_item", category="electronics"),))
    assert empty_box(swapped, NOW).evidence[0].code == "other_item_returned"
    sent_wrong = History(inspected=(unit("wrong_item", reason="wrong_item"),))
    assert not empty_box(sent_wrong, NOW).fired  # the store sent the wrong one


def test_false_claims_from_three_never_arrived_or_damage_claims():
    claims = tuple(ClaimFact(f"C-{i}", "never_arrived", days_ago(10 * i)) for i in range(1, 3))
    assert not false_claims(History(claims=claims), NOW).fired
    damaged = ReturnFact("R-1", "o1", days_ago(3), 1, reasons=("damaged",))
    signal = false_claims(History(claims=claims, returns=(damaged,)), NOW)
    assert signal.fired
    assert [e.code for e in signal.evidence] == [
        "never_arrived_claim",
        "never_arrived_claim",
        "damaged_return",
    ]
    wrong = tuple(ClaimFact(f"W-{i}", "wrong_item", days_ago(1)) for i in range(5))
    assert not false_claims(History(claims=wrong), NOW).fired


def test_all_signals_in_order_and_the_codes_a_policy_matches():
    signals = customer_signals(History((bracket_order(),)), NOW)
    assert [s.code for s in signals] == [
        "serial_returner",
        "bracketing",
        "wardrobing",
        "empty_box",
        "false_claims",
    ]
    assert fired_codes(signals) == {"bracketing"}


def test_a_policy_sends_a_signalled_customer_to_review_waives_nothing_and_asks_for_photos():
    the_policy = policy(
        rules=[
            {
                "id": "loyalty-free-returns",
                "when": {"tier_in": ["gold"]},
                "then": {"fee_waived": True},
            },
            {
                "id": "abuse-review",
                "description": "Serial returners and swaps: a person looks, fees apply.",
                "when": {"signal_any": ["serial_returner", "empty_box"]},
                "then": {
                    "always_review": True,
                    "fee_waived": False,
                    "fee_waived_reasons": [],
                    "photo_required_reasons": ["too_small", "defective"],
                },
            },
        ]
    )
    assert the_policy.uses_signals
    the_order = order(line())
    items = request(("l1", 1, "defective"))
    clean = decide(the_policy, the_order, customer("gold"), items, POLICY_NOW)
    assert clean.outcome is Outcome.APPROVE
    assert clean.lines[0].fee_waived
    flagged_customer = customer("gold")
    flagged = decide(
        the_policy,
        the_order,
        type(flagged_customer)(tier="gold", signals=frozenset({"empty_box"})),
        items,
        POLICY_NOW,
    )
    assert flagged.outcome is Outcome.REVIEW
    assert not flagged.lines[0].fee_waived
    assert flagged.return_shipping_fee > 0
    assert "defective" in flagged.lines[0].photo_required_reasons
    assert [rule.rule_id for rule in flagged.trace][-1] == "abuse-review"


def test_an_unknown_signal_is_refused_by_the_document():
    document = {
        "schema": 1,
        "base": default_policy_document()["base"],
        "rules": [
            {"id": "x", "when": {"signal_any": ["shoplifter"]}, "then": {"always_review": True}}
        ],
    }
    with pytest.raises(PolicyDocumentError) as refused:
        parse_policy(document)
    assert refused.value.errors[0].field.startswith("rules[0].when.signal_any")
    assert not policy().uses_signals
