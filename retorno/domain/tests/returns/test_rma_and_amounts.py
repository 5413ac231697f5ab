import re
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from retorno.domain.returns.amounts import line_paid_total, units_paid_amount
from retorno.domain.returns.rma import new_rma, normalise_rma


def test_rma_format_is_readable():
    rma = new_rma("R", random_bits=0)
    assert rma == "R-0000-0000"
    assert re.fullmatch(r"R-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", new_rma("R"))


@given(st.integers(0, 2**40 - 1))
def test_rma_numbers_are_distinct_for_distinct_bits(bits):
    other = (bits + 1) % 2**40
    assert new_rma("R", bits) != new_rma("R", other)


def test_normalise_accepts_what_people_type():
    assert normalise_rma(" r-7kx3-9qfo ") == "R-7KX3-9QF0"
    assert normalise_rma("R-1LI0-OOOO") == "R-1110-0000"


def test_line_paid_total():
    assert line_paid_total(Decimal("19.90"), 2, Decimal("0"), Decimal("3.45")) == Decimal("43.25")


@given(
    st.integers(1, 20),
    st.decimals(min_value=0, max_value=1000, places=2),
    st.decimals(min_value=0, max_value=50, places=2),
    st.lists(st.integers(1, 5), max_size=10),
)
def test_successive_partial_returns_never_exceed_what_was_paid(quantity, price, tax, batches):
    paid = line_paid_total(price, quantity, Decimal("0"), tax)
    taken = 0
    total = Decimal("0")
    for units in batches:
        units = min(units, quantity - taken)
        if units <= 0:
            break
        total += units_paid_amount(
            paid_total=paid, quantity=quantity, units=units, units_before=taken, currency="EUR"
        )
        taken += units
    assert total <= paid
    if taken == quantity:
        assert total == paid


@given(
    st.integers(1, 40),
    st.decimals(min_value=0, max_value=5000, places=2),
    st.integers(0, 40),
    st.integers(1, 40),
    st.sampled_from(["EUR", "JPY", "KWD"]),
)
def test_unit_shares_match_the_general_allocation(quantity, paid, before, units, currency):
    from retorno.domain.money import allocate, quantize

    shares = allocate(quantize(paid, currency), [Decimal(1)] * quantity, currency)
    start = min(before, quantity)
    expected = sum(shares[start : start + units], Decimal("0"))
    got = units_paid_amount(
        paid_total=paid, quantity=quantity, units=units, units_before=before, currency=currency
    )
    assert got == expected
