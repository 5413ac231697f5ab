from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retorno.domain.money import MoneyError, allocate, minor_units
from retorno.domain.money.discounts import order_discount_shares

D = Decimal
PROPERTY = settings(max_examples=300, deadline=None, database=None)


def test_a_discount_is_spread_by_line_value_and_the_shares_add_up():
    assert order_discount_shares(D("10.00"), [D("20.00"), D("10.00")], "EUR") == [
        D("6.67"),
        D("3.33"),
    ]


def test_equal_lines_differ_by_one_unit_at_most_earlier_lines_first():
    assert order_discount_shares(D("1.00"), [D("5.00")] * 3, "EUR") == [
        D("0.34"),
        D("0.33"),
        D("0.33"),
    ]


def test_zero_yen_lines_take_no_share():
    assert order_discount_shares(D("7"), [D("0"), D("10"), D("4")], "JPY") == [
        D("0"),
        D("5"),
        D("2"),
    ]


def test_no_discount_gives_zero_shares():
    assert order_discount_shares(D("0.00"), [D("0.00"), D("3.00")], "EUR") == [D("0.00")] * 2


def test_a_discount_above_what_the_lines_cost_is_refused():
    with pytest.raises(MoneyError) as caught:
        order_discount_shares(D("30.01"), [D("20.00"), D("10.00")], "EUR")
    assert caught.value.code == "discount_exceeds_lines"


@pytest.mark.parametrize(
    ("discount", "values"),
    [(D("-1.00"), [D("5.00")]), (D("1.001"), [D("5.00")]), (D("1.00"), [D("-5.00")])],
)
def test_negative_or_inexact_amounts_are_refused(discount, values):
    with pytest.raises(MoneyError) as caught:
        order_discount_shares(discount, values, "EUR")
    assert caught.value.code == "invalid_amount"


def test_floats_are_refused():
    with pytest.raises(MoneyError):
        order_discount_shares(1.0, [D("5.00")], "EUR")  # type: ignore[arg-type]


@st.composite
def discounted_orders(draw):
    currency = draw(st.sampled_from(["JPY", "EUR", "KWD"]))
    digits = minor_units(currency)
    units = draw(st.lists(st.integers(0, 10**7), min_size=1, max_size=12))
    values = [D(u).scaleb(-digits) for u in units]
    discount_units = draw(st.integers(0, sum(units)))
    return currency, D(discount_units).scaleb(-digits), values


@PROPERTY
@given(discounted_orders())
def test_shares_add_up_exactly_and_never_exceed_a_line(case):
    currency, discount, values = case
    shares = order_discount_shares(discount, values, currency)
    assert len(shares) == len(values)
    assert sum(shares, D(0)) == discount
    quantum = D(1).scaleb(-minor_units(currency))
    total = sum(values, D(0))
    for share, value in zip(shares, values, strict=True):
        assert D(0) <= share <= value
        assert share == share.quantize(quantum)
        # Within one minor unit of the exact proportional share.
        exact = Fraction(discount) * Fraction(value) / Fraction(total) if total else Fraction(0)
        assert abs(Fraction(share) - exact) < Fraction(quantum)


@PROPERTY
@given(discounted_orders(), st.integers(1, 10**6))
def test_any_discount_over_the_lines_total_is_refused(case, extra):
    currency, _discount, values = case
    quantum = D(1).scaleb(-minor_units(currency))
    with pytest.raises(MoneyError) as caught:
        order_discount_shares(sum(values, D(0)) + extra * quantum, values, currency)
    assert caught.value.code == "discount_exceeds_lines"


@PROPERTY
@given(discounted_orders())
def test_shares_are_the_domains_largest_remainder_split(case):
    currency, discount, values = case
    if discount == 0 or not any(values):
        return
    assert order_discount_shares(discount, values, currency) == allocate(discount, values, currency)
