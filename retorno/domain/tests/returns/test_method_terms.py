"""The return-method step's terms: the fee per method and the day the money comes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from retorno.domain.money.timing import RefundTiming
from retorno.domain.returns.methods import method_terms

MONDAY = date(2026, 12, 7)


def test_a_refund_on_receipt_after_a_drop_off_comes_with_the_banks_days():
    terms = method_terms(
        "drop_off",
        resolution="refund",
        timing="on_receipt",
        fee=Decimal("5.00"),
        requested_on=MONDAY,
    )
    # approved +2, handed in +2, received +3, bank +3
    assert terms.money_on == MONDAY + timedelta(days=10)
    assert terms.fee == Decimal("5.00")
    assert not terms.free
    assert terms.timing is RefundTiming.ON_RECEIPT


def test_a_pickup_counts_from_its_pickup_day_and_store_credit_skips_the_bank():
    pickup_on = MONDAY + timedelta(days=1)
    terms = method_terms(
        "pickup",
        resolution="store_credit",
        timing="on_first_scan",
        fee=Decimal("0"),
        requested_on=MONDAY,
        pickup_on=pickup_on,
    )
    assert terms.money_on == pickup_on
    assert terms.free


def test_a_drop_off_ignores_a_pickup_day():
    with_day = method_terms(
        "drop_off",
        resolution="refund",
        timing="on_first_scan",
        fee=Decimal("0"),
        requested_on=MONDAY,
        pickup_on=MONDAY + timedelta(days=9),
    )
    assert with_day.money_on == MONDAY + timedelta(days=2 + 2 + 3)


def test_an_exchange_ships_once_checked_or_at_approval_when_instant():
    checked = method_terms(
        "self_ship",
        resolution="exchange",
        timing="on_approval",
        fee=Decimal("0"),
        requested_on=MONDAY,
    )
    assert checked.timing is RefundTiming.ON_INSPECTION
    assert checked.money_on == MONDAY + timedelta(days=2 + 2 + 3 + 2)
    instant = method_terms(
        "self_ship",
        resolution="exchange",
        timing="on_inspection",
        fee=Decimal("0"),
        requested_on=MONDAY,
        instant_exchange=True,
    )
    assert instant.money_on == MONDAY + timedelta(days=2)


@given(
    method=st.sampled_from(["pickup", "drop_off", "self_ship"]),
    resolution=st.sampled_from(["refund", "store_credit", "exchange"]),
    timing=st.sampled_from(list(RefundTiming)),
    fee=st.decimals(min_value=-10, max_value=100, places=2),
    wait=st.integers(min_value=1, max_value=30),
)
def test_money_never_comes_before_the_request_and_the_fee_is_never_negative(
    method, resolution, timing, fee, wait
):
    terms = method_terms(
        method,
        resolution=resolution,
        timing=timing,
        fee=fee,
        requested_on=MONDAY,
        pickup_on=MONDAY + timedelta(days=wait),
    )
    assert terms.money_on > MONDAY
    assert terms.fee >= 0
    later = method_terms(
        method,
        resolution=resolution,
        timing=timing,
        fee=fee,
        requested_on=MONDAY,
        pickup_on=MONDAY + timedelta(days=wait + 1),
    )
    assert later.money_on >= terms.money_on  # a later pickup never brings the money sooner
