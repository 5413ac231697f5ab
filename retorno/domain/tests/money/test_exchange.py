from decimal import Decimal

import pytest

from retorno.domain.money.exchange import (
    DifferenceDirection,
    ExchangeError,
    exchange_difference,
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
