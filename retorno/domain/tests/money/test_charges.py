from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retorno.domain.money.charges import (
    DEFAULT_INSTANT_RETURN_DAYS,
    ChargeError,
    ChargePurpose,
    KeptLine,
    charge_idempotency_key,
    charge_refund_amount,
    instant_exchange_overdue,
    instant_return_days,
    instant_return_due_by,
    kept_unit_amount,
    unreturned_amount,
)

D = Decimal
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def test_keys_are_one_per_exchange_and_purpose():
    assert charge_idempotency_key(7, ChargePurpose.EXCHANGE_DIFFERENCE) == (
        "retorno-charge-7-difference"
    )
    assert charge_idempotency_key(7, "unreturned_item", 3) == "retorno-charge-7-unreturned-a3"
    for bad in (
        (True, "unreturned_item", 1),
        ("a b", "unreturned_item", 1),
        (7, "tip", 1),
        (7, "unreturned_item", 0),
    ):
        with pytest.raises(ChargeError) as caught:
            charge_idempotency_key(*bad)
        assert caught.value.code == "invalid_charge_key"


@pytest.mark.parametrize(
    ("value", "days"),
    [(14, 14), (None, 30), ("14", 30), (True, 30), (0, 30), (-3, 30), (366, 30), (365, 365)],
)
def test_instant_return_days_fall_back_to_thirty(value, days):
    assert instant_return_days(value) == days
    assert DEFAULT_INSTANT_RETURN_DAYS == 30


def test_due_by_and_overdue():
    due = instant_return_due_by(NOW, 14)
    assert due == NOW + timedelta(days=14)
    after = due + timedelta(seconds=1)
    assert not instant_exchange_overdue(due, due, scanned=False, units_received=0)
    assert instant_exchange_overdue(due, after, scanned=False, units_received=0)
    assert not instant_exchange_overdue(due, after, scanned=True, units_received=0)
    assert not instant_exchange_overdue(due, after, scanned=False, units_received=1)
    assert not instant_exchange_overdue(None, after, scanned=False, units_received=0)
    with pytest.raises(ChargeError):
        instant_exchange_overdue(due, after.replace(tzinfo=None), scanned=False, units_received=0)


@pytest.mark.parametrize(
    ("new", "paid", "charged", "unit"),
    [
        ("25.00", "20.00", True, "20.00"),  # the difference is paid: the rest is owed
        ("25.00", "20.00", False, "25.00"),  # nothing paid towards the new unit
        ("15.00", "20.00", True, "15.00"),  # a cheaper unit had no difference to charge
    ],
)
def test_kept_unit_amount(new, paid, charged, unit):
    assert kept_unit_amount(D(new), D(paid), difference_charged=charged, currency="EUR") == D(unit)


def test_unreturned_amount_counts_units_not_back():
    lines = [KeptLine(2, 0, D("20.00")), KeptLine(3, 1, D("5.50")), KeptLine(1, 4, D("9.99"))]
    assert unreturned_amount(lines, "EUR") == D("51.00")
    with pytest.raises(ChargeError):
        unreturned_amount([KeptLine(1, 0, D("1.001"))], "EUR")


def test_charge_refund_amount():
    assert charge_refund_amount(D("40.00"), D("20.00"), D("0"), "EUR") == D("20.00")
    assert charge_refund_amount(D("40.00"), D("0"), D("20.00"), "EUR") == D("20.00")
    assert charge_refund_amount(D("40.00"), D("20.00"), D("20.00"), "EUR") == D("0.00")
    assert charge_refund_amount(D("40.00"), D("40.00"), D("0"), "EUR") == D("0.00")


# --- properties ----------------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=100_000).map(lambda n: D(n) / 100)
units = st.integers(min_value=0, max_value=20)
line = st.builds(KeptLine, units, units, cents)


@given(st.lists(line, max_size=6), st.lists(units, max_size=6))
def test_more_arrivals_never_raise_the_charge_back(lines, extra):
    before = unreturned_amount(lines, "EUR")
    more = [
        KeptLine(
            kept.units_shipped,
            kept.units_received + (extra[i] if i < len(extra) else 0),
            kept.unit_amount,
        )
        for i, kept in enumerate(lines)
    ]
    after = unreturned_amount(more, "EUR")
    assert D(0) <= after <= before
    shipped_value = sum((kept.units_shipped * kept.unit_amount for kept in lines), D(0))
    assert before <= shipped_value
    everything_back = [KeptLine(k.units_shipped, k.units_shipped, k.unit_amount) for k in lines]
    assert unreturned_amount(everything_back, "EUR") == 0


@given(
    st.lists(st.tuples(units, units, cents), min_size=1, max_size=5),
    st.lists(st.lists(units, min_size=5, max_size=5), max_size=4),
)
def test_late_arrivals_refund_exactly_what_is_no_longer_owed(spec, arrivals):
    """Whatever order the originals come back in, the refunds of a charge-back add up to the
    charge less what is still owed, and never to more than the charge."""
    lines = [KeptLine(shipped, 0, price) for shipped, _, price in spec]
    charged = unreturned_amount(lines, "EUR")
    refunded = D(0)
    received = [0] * len(lines)
    for batch in arrivals:
        received = [r + batch[i] for i, r in enumerate(received)]
        now_lines = [
            KeptLine(k.units_shipped, received[i], k.unit_amount) for i, k in enumerate(lines)
        ]
        still_due = unreturned_amount(now_lines, "EUR")
        part = charge_refund_amount(charged, still_due, refunded, "EUR")
        assert part >= 0
        refunded += part
        assert refunded <= charged
        assert refunded == charged - still_due
