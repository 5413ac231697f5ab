"""The amounts of a whole return: the store-credit total keeps its cents, an exchange bears no
fees, and a line's price per unit is shown only when its units cost the same."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retorno.domain.returns.amounts import (
    paid_per_unit,
    return_amounts,
    settled_in_goods,
    store_credit_total,
)

D = Decimal


def amounts(resolution, items="83.45", fee="0", shipping="5.00", bonus="0", kept=False):
    return return_amounts(
        items_amount=D(items),
        restocking_fee=D(fee),
        return_shipping_fee=D(shipping),
        shipping_refund=D("0"),
        bonus_percent=D(bonus),
        kept=kept,
        currency="EUR",
        resolution=resolution,
    )


def test_store_credit_total_keeps_the_cents():
    credit = amounts("store_credit", bonus="10")
    assert credit.refund_amount == D("78.45")
    assert credit.store_credit_bonus_amount == D("7.85")  # 7.845 rounded half up
    assert credit.store_credit_total_amount == D("86.30")


def test_an_exchange_bears_no_fees():
    """An exchange is settled in goods: only the price difference changes hands."""
    exchange = amounts("exchange", items="29.95", fee="3.00")
    assert settled_in_goods("exchange")
    assert not settled_in_goods("refund")
    assert exchange.return_shipping_fee_amount == exchange.restocking_fee_amount == D("0")
    assert exchange.refund_amount == D("29.95")
    refund = amounts("refund", items="29.95", fee="3.00")
    assert refund.refund_amount == D("21.95")


@given(
    st.decimals(min_value=0, max_value=10_000, places=2),
    st.decimals(min_value=0, max_value=100, places=2),
)
def test_the_credit_total_is_exactly_the_credit_and_its_bonus(refund, percent):
    credit = amounts("store_credit", items=str(refund), shipping="0", bonus=str(percent))
    total = credit.refund_amount + credit.store_credit_bonus_amount
    assert credit.store_credit_total_amount == total
    assert (
        store_credit_total(credit.refund_amount, credit.store_credit_bonus_amount, "EUR") == total
    )


@pytest.mark.parametrize(
    ("paid", "quantity", "unit"),
    [("29.99", 3, None), ("30.00", 3, "10.00"), ("23.35", 1, "23.35"), ("0", 2, "0.00")],
)
def test_paid_per_unit(paid, quantity, unit):
    got = paid_per_unit(paid_total=D(paid), quantity=quantity, currency="EUR")
    assert got == (D(unit) if unit is not None else None)
