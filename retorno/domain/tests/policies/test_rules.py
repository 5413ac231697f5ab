"""Settings and conditions beyond the default policy, and how rules combine."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from retorno.domain.policies import FactsError, Outcome, RuleFired, decide
from retorno.domain.policies.reasons import MESSAGES
from retorno.domain.tests.policies.builders import (
    NOW,
    codes,
    customer,
    line,
    order,
    policy,
    request,
)


def test_window_can_start_at_the_order_and_then_needs_no_delivery():
    the_policy = policy({"window_starts": "order"})
    the_order = order(line(), delivered_days_ago=None)
    only = decide(the_policy, the_order, customer(), None, NOW).lines[0]
    assert only.eligible
    assert only.window_ends_at == the_order.placed_at + timedelta(days=30)


def test_excluded_tags():
    the_policy = policy({"excluded_tags": ["hygiene", "custom"]})
    the_line = line(tags=frozenset({"custom", "hygiene", "new"}))
    only = decide(the_policy, order(the_line), customer(), None, NOW).lines[0]
    assert codes(only.reasons) == ["excluded_tag"]
    assert only.reasons[0].params_dict == {"tag": "custom"}  # first in order, so stable


@pytest.mark.parametrize(("discount", "eligible"), [("20.00", True), ("20.01", False)])
def test_max_discount_percent(discount, eligible):
    the_policy = policy({"max_discount_percent": "50"})
    the_line = line(unit_price="40.00", discount=discount)
    only = decide(the_policy, order(the_line), customer(), None, NOW).lines[0]
    assert only.eligible is eligible
    assert codes(only.reasons) == ([] if eligible else ["discount_above_limit"])


def test_final_sale_can_be_made_returnable():
    the_policy = policy({"final_sale_returnable": True})
    assert decide(the_policy, order(line(final_sale=True)), customer(), None, NOW).lines[0].eligible


def test_restocking_fee_is_a_percentage_of_the_line_value_unless_waived():
    the_policy = policy({"restocking_fee_percent": "15"})
    the_order = order(line("a", unit_price="33.33"), line("b", unit_price="10.00"))
    decision = decide(
        the_policy,
        the_order,
        customer(),
        request(("a", 1, "too_small"), ("b", 1, "defective")),
        NOW,
    )
    assert decision.line("a").restocking_fee == Decimal("5.00")  # 4.9995 rounded half up
    assert decision.line("b").restocking_fee == Decimal("0.00")
    assert decision.line("b").fee_waived
    assert decision.restocking_fee == Decimal("5.00")
    assert decision.return_shipping_fee == Decimal("5.00")
    assert decision.fees_total == Decimal("10.00")


def test_review_reasons_and_always_review():
    the_policy = policy({"review_reasons": ["not_as_described"]})
    the_order = order(line("a"), line("b"))
    decision = decide(
        the_policy,
        the_order,
        customer(),
        request(("a", 1, "not_as_described"), ("b", 1, "too_small")),
        NOW,
    )
    assert decision.outcome is Outcome.REVIEW
    assert decision.line("a").requires_review
    assert not decision.line("b").requires_review
    assert codes(decision.review_reasons) == ["reason_requires_review"]
    assert decision.review_reasons[0].params_dict == {"reason": "not_as_described"}

    always = policy({"always_review": True})
    decision = decide(always, the_order, customer(), request(("a", 1, "x"), ("b", 1, "y")), NOW)
    assert decision.outcome is Outcome.REVIEW
    assert codes(decision.review_reasons) == ["always_review"]  # once, not once per line


def test_no_review_threshold():
    the_policy = policy({"review_above_amount": None})
    the_line = line(unit_price="100000.00")
    decision = decide(the_policy, order(the_line), customer(), request(("l1", 1, "x")), NOW)
    assert decision.outcome is Outcome.APPROVE


def test_rejection_beats_review():
    the_order = order(line("big", unit_price="900.00"), line("gift", category="gift-cards"))
    the_request = request(("big", 1, "x"), ("gift", 1, "x"))
    decision = decide(policy(), the_order, customer(), the_request, NOW)
    assert decision.outcome is Outcome.REJECT
    assert not decision.requires_review
    assert codes(decision.review_reasons) == ["value_above_review_threshold"]


def test_a_line_scoped_rule_applies_to_matching_lines_only():
    rules = [
        {
            "id": "swimwear",
            "description": "Swimwear: store credit only, inspected strictly.",
            "when": {"category_in": ["swimwear"]},
            "then": {"resolutions": ["store_credit"], "window_days": 14},
        }
    ]
    the_policy = policy(rules=rules)
    the_order = order(line("swim", category="swimwear"), line("shirt"), delivered_days_ago=20)
    decision = decide(the_policy, the_order, customer(), None, NOW)
    assert codes(decision.line("swim").reasons) == ["window_expired"]
    assert decision.line("shirt").eligible
    assert decision.line("shirt").allowed_resolutions == ("exchange", "store_credit", "refund")
    assert decision.line("swim").rules_fired == ("swimwear",)
    assert decision.line("shirt").rules_fired == ()
    assert decision.trace == (
        RuleFired("swimwear", "swim", "Swimwear: store credit only, inspected strictly."),
    )

    fresh = order(line("swim", category="swimwear"), delivered_days_ago=1)
    refused = decide(the_policy, fresh, customer(), request(("swim", 1, "x")), NOW)
    assert codes(refused.lines[0].reasons) == ["resolution_not_allowed"]
    assert refused.lines[0].allowed_resolutions == ("store_credit",)


def test_a_rule_can_exclude_with_a_reason_code():
    rules = [
        {
            "id": "no-underwear",
            "when": {"tag_any": ["underwear"]},
            "then": {"returnable": False, "reason_code": "excluded_category"},
        },
        {"id": "clearance", "when": {"sku_in": ["SKU-c"]}, "then": {"returnable": False}},
    ]
    the_order = order(line("u", tags=frozenset({"underwear"}), category="intimates"), line("c"))
    decision = decide(policy(rules=rules), the_order, customer(), None, NOW)
    assert decision.line("u").reasons[0].message == (
        "Items in the category “intimates” cannot be returned."
    )
    assert codes(decision.line("c").reasons) == ["excluded_by_rule"]


def test_reason_conditions_fire_only_with_that_reason():
    rules = [
        {
            "id": "defects-refund-fast",
            "when": {"reason_in": ["defective"]},
            "then": {"refund_timing": "on_first_scan", "qc_level": "lenient"},
        }
    ]
    the_policy = policy(rules=rules)
    defective = decide(the_policy, order(line()), customer(), request(("l1", 1, "defective")), NOW)
    assert defective.lines[0].refund_timing == "on_first_scan"
    assert defective.lines[0].qc_level == "lenient"
    other = decide(the_policy, order(line()), customer(), request(("l1", 1, "too_small")), NOW)
    assert other.lines[0].refund_timing == "on_receipt"
    preview = decide(the_policy, order(line()), customer(), None, NOW)  # no reason: no fire
    assert preview.lines[0].refund_timing == "on_receipt"


@pytest.mark.parametrize(
    ("when", "fires"),
    [
        ({"country_in": ["es"]}, True),
        ({"country_in": ["PT"]}, False),
        ({"customer_tag_any": ["vip", "press"]}, True),
        ({"customer_tag_any": ["press"]}, False),
        ({"order_value_gte": "40.00"}, True),
        ({"order_value_gte": "40.01"}, False),
        ({"order_value_lte": "40.00"}, True),
        ({"order_value_lte": "39.99"}, False),
        ({"days_since_delivery_gte": 10}, True),
        ({"days_since_delivery_gte": 11}, False),
        ({"days_since_delivery_lte": 10}, True),
        ({"days_since_delivery_lte": 9}, False),
        ({"vendor_in": ["acme"]}, True),
        ({"tier_in": [""]}, True),
        ({"tier_in": ["gold"]}, False),
        ({"country_in": ["ES"], "tier_in": ["gold"]}, False),  # every condition must hold
        ({}, True),
    ],
)
def test_conditions(when, fires):
    rules = [{"id": "r", "when": when, "then": {"qc_level": "lenient"}}]
    the_order = order(line(vendor="acme"), delivered_days_ago=10)
    decision = decide(policy(rules=rules), the_order, customer("", "vip"), None, NOW)
    assert (decision.lines[0].qc_level == "lenient") is fires


def test_days_since_delivery_conditions_never_match_undelivered_orders():
    rules = [{"id": "r", "when": {"days_since_delivery_lte": 999}, "then": {"qc_level": "lenient"}}]
    the_policy = policy({"window_starts": "order"}, rules)
    the_order = order(line(), delivered_days_ago=None)
    assert decide(the_policy, the_order, customer(), None, NOW).lines[0].qc_level == "standard"


def test_a_later_rule_overrides_an_earlier_one_for_the_keys_it_sets():
    first = {"id": "first", "when": {}, "then": {"window_days": 5, "qc_level": "lenient"}}
    second = {"id": "second", "when": {}, "then": {"window_days": 50}}
    the_order = order(line(), delivered_days_ago=0)
    forward = decide(policy(rules=[first, second]), the_order, customer(), None, NOW).lines[0]
    assert forward.window_ends_at == NOW + timedelta(days=50)
    assert forward.qc_level == "lenient"  # not set by the later rule, so kept
    backward = decide(policy(rules=[second, first]), the_order, customer(), None, NOW).lines[0]
    assert backward.window_ends_at == NOW + timedelta(days=5)


def test_order_scoped_return_settings():
    rules = [
        {
            "id": "spain-vip",
            "when": {"country_in": ["ES"], "order_value_gte": "100.00"},
            "then": {
                "return_shipping_fee": "2.50",
                "review_above_amount": "50.00",
                "refund_shipping": True,
            },
        }
    ]
    the_policy = policy(rules=rules)
    small = decide(the_policy, order(line()), customer(), request(("l1", 1, "x")), NOW)
    assert small.return_shipping_fee == Decimal("5.00")
    assert not small.refund_shipping
    big_order = order(line(unit_price="60.00", quantity=2))
    big = decide(the_policy, big_order, customer(), request(("l1", 1, "x")), NOW)
    assert big.return_shipping_fee == Decimal("2.50")
    assert big.refund_shipping
    assert big.outcome is Outcome.REVIEW


def test_every_reason_code_has_a_message_and_is_documented():
    docs_path = Path(__file__).resolve().parents[4] / "docs" / "policies.md"
    docs = docs_path.read_text(encoding="utf-8")
    for code, message in MESSAGES.items():
        assert message.strip()
        assert f"`{code}`" in docs, code


def test_facts_must_be_valid():
    with pytest.raises(FactsError) as caught:
        decide(policy(), order(line()), customer(), None, NOW.replace(tzinfo=None))
    assert caught.value.code == "invalid_facts"
    with pytest.raises(FactsError) as caught:
        request(("l1", 1, "x"), ("l1", 2, "y"))
    assert caught.value.code == "invalid_request"
    with pytest.raises(FactsError):
        request(("l1", 0, "x"))
    with pytest.raises(FactsError):
        request()
    with pytest.raises(FactsError):
        line(quantity=-1)
    with pytest.raises(FactsError):
        line(unit_price=Decimal("NaN"))
    with pytest.raises(FactsError):
        line(unit_price="10.00", discount="10.01")
    with pytest.raises(FactsError):
        order(line("a"), line("a"))
    with pytest.raises(FactsError):
        order(line(), currency="XXX")


@pytest.mark.parametrize("reason", ["arrived_late", "better_price", "missing_parts"])
def test_the_newer_leaves_drive_conditions_waivers_reviews_and_photos(reason):
    the_policy = policy(
        {
            "fee_waived_reasons": [reason],
            "review_reasons": [reason],
            "photo_required_reasons": [reason],
            "restocking_fee_percent": "10",
        },
        rules=[
            {"id": "slow-refund", "when": {"reason_in": [reason]}, "then": {"qc_level": "lenient"}}
        ],
    )
    the_order = order(line("a"), line("b"))
    decision = decide(
        the_policy, the_order, customer(), request(("a", 1, reason), ("b", 1, "too_small")), NOW
    )
    leaf, other = decision.line("a"), decision.line("b")
    assert leaf.fee_waived
    assert leaf.restocking_fee == Decimal("0.00")
    assert not other.fee_waived
    assert other.restocking_fee == Decimal("4.00")
    assert leaf.requires_review
    assert not other.requires_review
    assert decision.review_reasons[0].params_dict == {"reason": reason}
    assert reason in leaf.photo_required_reasons
    assert leaf.qc_level == "lenient"
    assert other.qc_level == "standard"
    assert leaf.rules_fired == ("slow-refund",)
