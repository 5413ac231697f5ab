"""The default policy, rule by rule: it is the product contract (docs/policies.md)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from retorno.domain.policies import Outcome, RuleFired, decide
from retorno.domain.returns.amounts import units_paid_amount
from retorno.domain.tests.policies.builders import (
    DEFAULT_POLICY,
    NOW,
    codes,
    customer,
    line,
    order,
    request,
)


def decide_default(the_order, the_customer=None, the_request=None, now=NOW):
    return decide(DEFAULT_POLICY, the_order, the_customer or customer(), the_request, now)


@pytest.mark.parametrize(
    ("tier", "window_days"),
    [("", 30), ("bronze", 30), ("silver", 45), ("gold", 60), ("platinum", 30)],
)
def test_window_is_open_up_to_and_including_its_last_instant(tier, window_days):
    the_order = order(line(), delivered_days_ago=window_days)
    decision = decide_default(the_order, customer(tier), request(("l1", 1, "too_small")))
    assert decision.outcome is Outcome.APPROVE
    assert decision.lines[0].eligible
    assert decision.lines[0].window_ends_at == NOW


@pytest.mark.parametrize(
    ("tier", "window_days"),
    [("", 30), ("bronze", 30), ("silver", 45), ("gold", 60)],
)
def test_window_expires_just_after_its_last_instant(tier, window_days):
    the_order = order(line(), delivered_days_ago=window_days)
    decision = decide_default(
        the_order, customer(tier), request(("l1", 1, "too_small")), now=NOW + timedelta(seconds=1)
    )
    assert decision.outcome is Outcome.REJECT
    only = decision.lines[0]
    assert not only.eligible
    assert only.returnable_quantity == 0
    assert codes(only.reasons) == ["window_expired"]
    assert only.reasons[0].message == "The return window for this item ended on 2026-09-04."
    assert only.reasons[0].params_dict == {"date": "2026-09-04"}


def test_window_is_counted_from_delivery_not_from_the_order():
    # Placed 40 days ago, delivered 29 days ago: still inside 30 days from delivery.
    the_order = order(line(), delivered_days_ago=29)
    assert the_order.placed_at < NOW - timedelta(days=30)
    assert decide_default(the_order).lines[0].eligible


def test_undelivered_line_is_not_returnable():
    decision = decide_default(order(line(), delivered_days_ago=None), None, request(("l1", 1, "x")))
    assert decision.outcome is Outcome.REJECT
    assert codes(decision.lines[0].reasons) == ["not_delivered"]
    assert decision.lines[0].window_ends_at is None


def test_final_sale_is_never_returnable():
    decision = decide_default(order(line(final_sale=True)), customer("gold"))
    assert codes(decision.lines[0].reasons) == ["final_sale"]
    assert decision.outcome is Outcome.REJECT


def test_gift_cards_are_never_returnable():
    decision = decide_default(order(line(category="gift-cards")), customer("gold"))
    assert codes(decision.lines[0].reasons) == ["excluded_category"]
    assert decision.lines[0].reasons[0].message == (
        "Items in the category “gift-cards” cannot be returned."
    )


def test_every_applicable_reason_is_given_not_just_the_first():
    the_line = line(category="gift-cards", final_sale=True, already_returned_quantity=1)
    decision = decide_default(order(the_line, delivered_days_ago=31))
    assert codes(decision.lines[0].reasons) == [
        "final_sale",
        "excluded_category",
        "window_expired",
        "already_returned",
    ]


@pytest.mark.parametrize(
    ("quantity", "already_returned", "returnable", "reason_codes"),
    [
        (1, 0, 1, []),
        (3, 1, 2, []),
        (2, 2, 0, ["already_returned"]),
        (2, 5, 0, ["already_returned"]),  # inconsistent upstream data still leaves nothing
    ],
)
def test_already_returned_units_are_not_returnable(
    quantity, already_returned, returnable, reason_codes
):
    the_line = line(quantity=quantity, already_returned_quantity=already_returned)
    only = decide_default(order(the_line)).lines[0]
    assert only.returnable_quantity == returnable
    assert codes(only.reasons) == reason_codes


def test_asking_for_more_than_is_returnable_rejects_the_request():
    the_line = line(quantity=3, already_returned_quantity=1)
    decision = decide_default(order(the_line), None, request(("l1", 3, "too_small")))
    assert decision.outcome is Outcome.REJECT
    only = decision.lines[0]
    assert only.eligible  # the item can go back, just not three of them
    assert codes(only.reasons) == ["quantity_exceeds_returnable"]
    assert only.reasons[0].params_dict == {"requested": "3", "returnable": "2"}


def test_a_line_not_on_the_order_is_rejected():
    decision = decide_default(order(line()), None, request(("l1", 1, "x"), ("zz", 1, "x")))
    assert decision.outcome is Outcome.REJECT
    assert [line_decision.line_id for line_decision in decision.lines] == ["l1", "zz"]
    assert codes(decision.lines[1].reasons) == ["unknown_line"]
    assert decision.lines[0].reasons == ()


def test_one_ineligible_line_rejects_the_whole_request_and_each_line_says_why():
    the_order = order(line("ok"), line("gift", category="gift-cards"))
    decision = decide_default(the_order, None, request(("ok", 1, "x"), ("gift", 1, "x")))
    assert decision.outcome is Outcome.REJECT
    assert decision.line("ok").reasons == ()
    assert codes(decision.line("gift").reasons) == ["excluded_category"]


@pytest.mark.parametrize("resolution", ["refund", "store_credit", "exchange", None])
def test_default_resolutions_are_allowed(resolution):
    decision = decide_default(order(line()), None, request(("l1", 1, "x"), resolution=resolution))
    assert decision.outcome is Outcome.APPROVE
    assert decision.lines[0].allowed_resolutions == ("exchange", "store_credit", "refund")
    assert decision.lines[0].store_credit_bonus_percent == Decimal("10")


def test_a_resolution_the_policy_does_not_offer_is_rejected():
    decision = decide_default(order(line()), None, request(("l1", 1, "x"), resolution="cash"))
    assert decision.outcome is Outcome.REJECT
    assert codes(decision.lines[0].reasons) == ["resolution_not_allowed"]
    assert decision.lines[0].reasons[0].message == "“cash” is not available for this item."


@pytest.mark.parametrize(
    ("tier", "reasons", "fee"),
    [
        ("", ["too_small"], "5.00"),
        ("bronze", ["changed_mind"], "5.00"),
        ("silver", ["too_small"], "0.00"),
        ("gold", ["too_small"], "0.00"),
        ("", ["defective"], "0.00"),
        ("", ["damaged"], "0.00"),
        ("", ["wrong_item"], "0.00"),
        ("", ["missing_parts"], "0.00"),
        ("", ["arrived_late"], "5.00"),
        ("", ["better_price"], "5.00"),
        ("", ["defective", "damaged"], "0.00"),
        ("", ["defective", "too_small"], "5.00"),  # waived only if every line's reason is
        ("gold", ["defective", "too_small"], "0.00"),
    ],
)
def test_return_shipping_fee_and_its_waivers(tier, reasons, fee):
    lines = [line(f"l{index}") for index in range(len(reasons))]
    items = [(f"l{index}", 1, reason) for index, reason in enumerate(reasons)]
    decision = decide_default(order(*lines), customer(tier), request(*items))
    assert decision.outcome is Outcome.APPROVE
    assert decision.return_shipping_fee == Decimal(fee)
    assert str(decision.return_shipping_fee) == fee
    assert decision.restocking_fee == Decimal(0)


def test_shipping_fee_is_charged_once_per_return():
    the_order = order(line("a"), line("b"), line("c"))
    decision = decide_default(the_order, None, request(("a", 1, "x"), ("b", 1, "y"), ("c", 1, "z")))
    assert decision.return_shipping_fee == Decimal("5.00")


def test_shipping_fee_uses_the_order_currency_minor_units():
    the_line = line(unit_price=Decimal("4000"))
    decision = decide_default(order(the_line, currency="JPY"), None, request(("l1", 1, "x")))
    assert str(decision.return_shipping_fee) == "5"
    assert str(decision.return_value) == "4000"


def test_shipping_fee_never_exceeds_what_the_return_is_worth():
    the_line = line(unit_price=Decimal("3.00"))
    decision = decide_default(order(the_line), None, request(("l1", 1, "x")))
    assert decision.return_shipping_fee == Decimal("3.00")
    assert decision.fees_total == decision.return_value


@pytest.mark.parametrize(
    ("unit_price", "quantity", "outcome"),
    [
        ("500.00", 1, Outcome.APPROVE),  # "more than 500.00": exactly 500.00 is approved
        ("500.01", 1, Outcome.REVIEW),
        ("250.01", 2, Outcome.REVIEW),  # the threshold is on the whole return
    ],
)
def test_returns_worth_more_than_500_go_to_review(unit_price, quantity, outcome):
    the_line = line(unit_price=Decimal(unit_price), quantity=quantity)
    decision = decide_default(order(the_line), None, request(("l1", quantity, "too_small")))
    assert decision.outcome is outcome
    assert decision.requires_review is (outcome is Outcome.REVIEW)
    if outcome is Outcome.REVIEW:
        assert codes(decision.review_reasons) == ["value_above_review_threshold"]
        assert decision.review_reasons[0].message == (
            "Returns worth more than 500.00 EUR are checked by our team."
        )
    else:
        assert decision.review_reasons == ()


def test_review_threshold_counts_only_the_requested_units():
    the_line = line(unit_price=Decimal("300.00"), quantity=3)
    decision = decide_default(order(the_line), None, request(("l1", 1, "too_small")))
    assert decision.return_value == Decimal("300.00")
    assert decision.outcome is Outcome.APPROVE


def test_return_value_is_what_was_paid_discount_and_tax_included():
    # 3 x 10.00, 3.00 discount, 2.70 tax: 29.70 paid, 9.90 per unit.
    the_line = line(quantity=3, unit_price="10.00", discount="3.00", tax="2.70")
    decision = decide_default(order(the_line), None, request(("l1", 2, "x")))
    assert decision.return_value == Decimal("19.80")
    assert decision.lines[0].return_value == Decimal("19.80")


def test_partial_returns_of_a_line_add_up_to_exactly_what_was_paid():
    # 10.00 paid for 3 units cannot split evenly; the cents must not be lost or doubled.
    the_line_facts = {"quantity": 3, "unit_price": "10.00", "discount": "20.00"}
    values = []
    for already_returned in range(3):
        the_line = line(already_returned_quantity=already_returned, **the_line_facts)
        values.append(decide_default(order(the_line), None, request(("l1", 1, "x"))).return_value)
    # The shares the return's amount and its refund take (units_paid_amount): the leftover cent
    # goes to the first unit, so what the policy decides fees on is what is quoted and refunded.
    assert values == [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")]
    assert sum(values) == Decimal("10.00")
    assert values == [
        units_paid_amount(
            paid_total=Decimal("10.00"), quantity=3, units=1, units_before=n, currency="EUR"
        )
        for n in range(3)
    ]


def test_gold_decision_is_explained_by_the_rules_that_fired():
    decision = decide_default(order(line()), customer("gold"), request(("l1", 1, "too_small")))
    assert decision.trace == (
        RuleFired("gold-window", None, "Gold members have 60 days to return."),
        RuleFired("loyalty-free-returns", None, "Silver and gold members return for free."),
    )
    assert decision.lines[0].rules_fired == ("gold-window", "loyalty-free-returns")
    assert decision.lines[0].fee_waived


def test_default_settings_reach_every_line():
    only = decide_default(order(line()), None, request(("l1", 1, "x"))).lines[0]
    assert only.refund_timing == "on_receipt"
    assert only.qc_level == "standard"
    assert not only.requires_review
    assert only.restocking_fee == Decimal("0.00")


def test_without_a_request_every_line_is_previewed_at_its_full_returnable_quantity():
    the_order = order(
        line("a", quantity=3, already_returned_quantity=1),
        line("gift", category="gift-cards"),
        line("c", unit_price=Decimal("20.00")),
    )
    decision = decide_default(the_order)
    assert [item.line_id for item in decision.lines] == ["a", "gift", "c"]
    assert [item.requested_quantity for item in decision.lines] == [2, 0, 1]
    assert [item.eligible for item in decision.lines] == [True, False, True]
    # An ineligible line does not reject a preview; its reasons are still given.
    assert decision.outcome is Outcome.APPROVE
    assert codes(decision.line("gift").reasons) == ["excluded_category"]
    assert decision.return_value == Decimal("100.00")
    assert decision.return_shipping_fee == Decimal("5.00")  # no reason, so no reason waiver


def test_a_preview_with_nothing_returnable_is_rejected():
    decision = decide_default(order(line(final_sale=True), delivered_days_ago=None))
    assert decision.outcome is Outcome.REJECT
    assert decision.return_value == Decimal("0.00")
    assert decision.return_shipping_fee == Decimal("0.00")
