"""Shop now's split of a basket against the return's store credit."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from retorno.domain.returns.shop_now import shop_now_split

PRICES = st.lists(
    st.tuples(st.decimals(min_value=0, max_value=500, places=2), st.integers(1, 20)), max_size=8
)


def test_a_cheaper_basket_leaves_credit_and_a_dearer_one_is_charged_the_rest():
    cheap = shop_now_split([(Decimal("15.00"), 1)], Decimal("16.50"), "EUR")
    assert (cheap.from_credit, cheap.to_pay, cheap.credit_left) == (
        Decimal("15.00"),
        Decimal("0.00"),
        Decimal("1.50"),
    )
    dear = shop_now_split([(Decimal("45.00"), 2)], Decimal("16.50"), "EUR")
    assert (dear.total, dear.from_credit, dear.to_pay, dear.credit_left) == (
        Decimal("90.00"),
        Decimal("16.50"),
        Decimal("73.50"),
        Decimal("0.00"),
    )


@given(prices=PRICES, credit=st.decimals(min_value=-10, max_value=2000, places=2))
def test_no_money_is_made_or_lost(prices, credit):
    split = shop_now_split(prices, credit, "EUR")
    assert split.from_credit + split.to_pay == split.total
    assert split.from_credit + split.credit_left == max(credit, Decimal("0"))
    assert min(split.from_credit, split.to_pay, split.credit_left) >= 0
    assert split.to_pay == 0 or split.credit_left == 0  # never both charged and left over
