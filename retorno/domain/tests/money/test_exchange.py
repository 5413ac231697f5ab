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


def test_the_difference_of_a_whole_exchange_offsets_its_lines():
    from retorno.domain.money.exchange import SwapLine, exchange_total_difference

    dearer = SwapLine(new_unit_price=D("59.90"), returned_unit_paid=D("49.90"), units=2)
    cheaper = SwapLine(new_unit_price=D("39.90"), returned_unit_paid=D("49.90"), units=1)
    same = SwapLine(new_unit_price=D("19.95"), returned_unit_paid=D("19.95"), units=3)
    total = exchange_total_difference([dearer, cheaper, same], "EUR")
    assert (total.amount, total.direction) == (D("10.00"), DifferenceDirection.CUSTOMER_PAYS)
    even = exchange_total_difference([same], "EUR")
    assert (even.amount, even.direction) == (D("0"), DifferenceDirection.EVEN)
    back = exchange_total_difference([cheaper], "EUR")
    assert (back.amount, back.direction) == (D("10.00"), DifferenceDirection.CUSTOMER_REFUNDED)
