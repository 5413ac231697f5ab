"""The policy's money settings: instant exchange, keep-the-item and inspection deductions."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retorno.domain.policies import (
    PolicyDocumentError,
    complete_policy_document,
    decide,
    default_policy_document,
    parse_policy,
)
from retorno.domain.policies.decision import KeepItemCode
from retorno.domain.tests.policies.builders import NOW, customer, line, order, policy, request

D = Decimal
KEEP = {"keep_item": True, "return_shipping_cost": "6.50"}


def test_a_policy_without_the_added_settings_means_what_it_meant_before():
    document = default_policy_document()
    for key in ("instant_exchange", "keep_item", "return_shipping_cost", "used_deduction_percent"):
        del document["base"][key]
    decision = decide(parse_policy(document), order(line()), customer("gold"), None, NOW)
    assert decision.instant_exchange is False
    assert decision.keep_item.allowed is False
    assert decision.keep_item.code is KeepItemCode.KEEP_ITEM_DISABLED
    assert decision.lines[0].used_deduction_percent == D("0")
    assert decision.lines[0].damaged_deduction_percent == D("50")


def test_completing_a_document_spells_out_every_added_setting_and_keeps_the_rest():
    document = default_policy_document()
    del document["base"]["keep_item"]
    document["base"]["instant_exchange_return_days"] = 21
    completed = complete_policy_document(document)
    assert completed["base"]["keep_item"] is False
    assert completed["base"]["instant_exchange_return_days"] == 21
    assert "keep_item" not in document["base"]  # the input is not changed


def test_instant_exchange_for_the_tiers_a_rule_names():
    the_policy = policy(
        {"instant_exchange_return_days": 14},
        rules=[
            {
                "id": "gold-instant",
                "when": {"tier_in": ["gold"]},
                "then": {"instant_exchange": True},
            }
        ],
    )
    gold = decide(the_policy, order(line()), customer("gold"), None, NOW)
    bronze = decide(the_policy, order(line()), customer("bronze"), None, NOW)
    assert (gold.instant_exchange, gold.instant_exchange_return_days) == (True, 14)
    assert bronze.instant_exchange is False


def test_instant_exchange_is_set_for_the_whole_return_only():
    document = default_policy_document()
    document["rules"] = [
        {"id": "x", "when": {"category_in": ["shoes"]}, "then": {"instant_exchange": True}}
    ]
    with pytest.raises(PolicyDocumentError) as caught:
        parse_policy(document)
    assert caught.value.errors[0].field == "rules[0].then.instant_exchange"


@pytest.mark.parametrize(
    ("price", "settings", "allowed", "code"),
    [
        ("4.00", KEEP, True, KeepItemCode.SHIPPING_EXCEEDS_RECOVERY),
        ("6.50", KEEP, False, KeepItemCode.WORTH_RETURNING),
        (
            "20.00",
            {**KEEP, "keep_item_recovery_percent": "20"},
            True,
            KeepItemCode.SHIPPING_EXCEEDS_RECOVERY,
        ),
        (
            "20.00",
            {**KEEP, "keep_item_recovery_percent": "20", "keep_item_max_value": "15.00"},
            False,
            KeepItemCode.ABOVE_MAX_ITEM_VALUE,
        ),
        ("1.00", {"return_shipping_cost": "6.50"}, False, KeepItemCode.KEEP_ITEM_DISABLED),
    ],
)
def test_keep_the_item_when_bringing_it_back_costs_more_than_it_recovers(
    price, settings, allowed, code
):
    the_order = order(line(unit_price=price))
    decision = decide(policy(settings), the_order, customer(), request(("l1", 1, "too_small")), NOW)
    assert (decision.keep_item.allowed, decision.keep_item.code) == (allowed, code)


def test_keep_the_item_weighs_one_parcel_against_every_line():
    the_order = order(line("a", unit_price="4.00"), line("b", unit_price="4.00"))
    both = request(("a", 1, "too_small"), ("b", 1, "too_small"))
    one = request(("a", 1, "too_small"))
    assert decide(policy(KEEP), the_order, customer(), both, NOW).keep_item.code is (
        KeepItemCode.WORTH_RETURNING
    )
    assert decide(policy(KEEP), the_order, customer(), one, NOW).keep_item.allowed


def test_a_category_rule_can_allow_keep_the_item_for_its_lines_only():
    the_policy = policy(
        {"return_shipping_cost": "6.50"},
        rules=[
            {
                "id": "cosmetics-keep",
                "when": {"category_in": ["cosmetics"]},
                "then": {"keep_item": True},
            }
        ],
    )
    the_order = order(
        line("a", unit_price="3.00", category="cosmetics"), line("b", unit_price="2.00")
    )
    only_cosmetics = decide(the_policy, the_order, customer(), request(("a", 1, "other")), NOW)
    mixed = decide(
        the_policy, the_order, customer(), request(("a", 1, "other"), ("b", 1, "other")), NOW
    )
    assert only_cosmetics.keep_item.allowed
    assert mixed.keep_item.code is KeepItemCode.KEEP_ITEM_DISABLED


def test_a_rejected_request_is_never_kept():
    the_order = order(line(unit_price="4.00", final_sale=True))
    decision = decide(policy(KEEP), the_order, customer(), request(("l1", 1, "too_small")), NOW)
    assert decision.keep_item.code is KeepItemCode.NOT_APPROVABLE


def test_deduction_rates_per_line_from_rules():
    the_policy = policy(
        {"damaged_deduction_percent": "40"},
        rules=[
            {
                "id": "shoes-used",
                "when": {"category_in": ["shoes"]},
                "then": {"used_deduction_percent": "25"},
            }
        ],
    )
    the_order = order(line("a", category="shoes"), line("b"))
    a, b = decide(the_policy, the_order, customer(), None, NOW).lines
    assert (a.damaged_deduction_percent, a.used_deduction_percent) == (D("40"), D("25"))
    assert (b.damaged_deduction_percent, b.used_deduction_percent) == (D("40"), D("0"))


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("keep_item_recovery_percent", "101"),
        ("damaged_deduction_percent", "-1"),
        ("return_shipping_cost", "-0.01"),
        ("keep_item_max_value", "-5"),
        ("instant_exchange_return_days", 0),
    ],
)
def test_invalid_money_settings_name_their_field(key, value):
    document = default_policy_document()
    document["base"][key] = value
    with pytest.raises(PolicyDocumentError) as caught:
        parse_policy(document)
    assert [error.field for error in caught.value.errors] == [f"base.{key}"]


_cents = st.integers(0, 20_000).map(lambda cents: D(cents) / 100)


@given(
    prices=st.lists(_cents, min_size=1, max_size=4),
    cost=_cents,
    recovery=st.integers(0, 100),
    cap=st.one_of(st.none(), _cents),
)
def test_keep_the_item_is_allowed_exactly_when_it_saves_the_store_money(
    prices, cost, recovery, cap
):
    settings = {
        "keep_item": True,
        "return_shipping_cost": f"{cost:.2f}",
        "keep_item_recovery_percent": str(recovery),
        "keep_item_max_value": None if cap is None else f"{cap:.2f}",
        "return_shipping_fee": "0.00",
    }
    lines = [line(f"l{i}", unit_price=f"{price:.2f}") for i, price in enumerate(prices)]
    the_request = request(*((f"l{i}", 1, "too_small") for i in range(len(prices))))
    decision = decide(policy(settings), order(*lines), customer(), the_request, NOW)
    keep = decision.keep_item
    recovered = sum(
        (line_decision.keep_item_recovered_value for line_decision in decision.lines), D(0)
    )
    assert keep.recovered_value == recovered <= decision.return_value
    under_cap = cap is None or all(ld.return_value <= cap for ld in decision.lines)
    assert keep.allowed == (under_cap and cost > recovered)
