from decimal import Decimal

import pytest

from retorno.domain.resolutions.exchange import (
    DifferenceDirection,
    ExchangeError,
    KeepItemRules,
    exchange_difference,
    instant_exchange_allowed,
    keep_item_advice,
    keep_item_recommended,
)

D = Decimal


@pytest.mark.parametrize(
    ("new", "paid", "currency", "amount", "direction"),
    [
        ("59.90", "49.90", "EUR", "10.00", "customer_pays"),
        ("39.90", "49.90", "EUR", "10.00", "customer_refunded"),
        ("49.90", "49.90", "EUR", "0", "even"),
        ("5000", "4500", "JPY", "500", "customer_pays"),
        ("1.250", "1.500", "KWD", "0.250", "customer_refunded"),
    ],
)
def test_exchange_difference(new, paid, currency, amount, direction):
    difference = exchange_difference(D(new), D(paid), currency)
    assert difference.amount == D(amount)
    assert difference.direction is DifferenceDirection(direction)


def test_exchange_difference_refuses_unrounded_or_negative_prices():
    with pytest.raises(ExchangeError):
        exchange_difference(D("1.005"), D("1.00"), "EUR")
    with pytest.raises(ExchangeError):
        exchange_difference(D("-1"), D("1"), "JPY")


@pytest.mark.parametrize(
    ("tier", "allowed", "expected"),
    [("gold", ["gold", "silver"], True), ("bronze", ["gold"], False), (None, ["gold"], False),
     ("", [""], False), ("gold", [], False)],
)  # fmt: skip
def test_instant_exchange_allowed(tier, allowed, expected):
    assert instant_exchange_allowed(tier, allowed) is expected


@pytest.mark.parametrize(
    ("value", "shipping", "rules", "recommended", "code"),
    [
        ("4.00", "6.50", KeepItemRules(), True, "shipping_exceeds_recovery"),
        ("6.50", "6.50", KeepItemRules(), False, "worth_returning"),
        ("20.00", "6.50", KeepItemRules(recovery_percent=D("20")), True, "shipping_exceeds_recovery"),
        ("20.00", "6.50", KeepItemRules(recovery_percent=D("20"), max_item_value=D("15")), False,
         "above_max_item_value"),
        ("1.00", "6.50", KeepItemRules(enabled=False), False, "keep_item_disabled"),
    ],
)  # fmt: skip
def test_keep_item(value, shipping, rules, recommended, code):
    advice = keep_item_advice(D(value), D(shipping), rules, "EUR")
    assert (advice.recommended, advice.reason_code) == (recommended, code)
    assert keep_item_recommended(D(value), D(shipping), rules, "EUR") is recommended
