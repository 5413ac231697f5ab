"""Pickup statistics from attempts: first-attempt success and recovery."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retorno.domain.errors import DomainError
from retorno.domain.logistics import (
    CarrierStats,
    FailedPickupReason,
    PickupAttempt,
    pickup_stats,
    pickup_stats_by_carrier,
)

R = FailedPickupReason


def attempt(shipment, number, succeeded, carrier="rapido", reason=None):
    return PickupAttempt(
        carrier=carrier,
        shipment_ref=shipment,
        attempt_number=number,
        succeeded=succeeded,
        failure_reason=reason,
    )


ATTEMPTS = [
    attempt("s1", 1, True),
    attempt("s2", 1, False, reason=R.CUSTOMER_NOT_AVAILABLE),
    attempt("s2", 2, True),
    attempt("s3", 1, False, reason=R.WRONG_ADDRESS),
    attempt("s3", 2, False, reason=R.WRONG_ADDRESS),
    attempt("s4", 2, True),  # arrived before its first attempt: order must not matter
    attempt("s4", 1, False, reason=R.CUSTOMER_NOT_AVAILABLE),
    attempt("s5", 1, True, carrier="moto"),
]


def test_pickup_stats_counts_first_attempts_and_recoveries():
    stats = pickup_stats_by_carrier(ATTEMPTS)["rapido"]
    assert (stats.first_attempts, stats.first_attempt_successes) == (4, 1)
    assert (stats.failed_first_attempts, stats.recovered) == (3, 2)
    assert stats.first_attempt_success_rate == Decimal("0.2500")
    assert stats.recovery_rate == Decimal("0.6667")
    assert stats.failures_by_reason == ((R.CUSTOMER_NOT_AVAILABLE, 2), (R.WRONG_ADDRESS, 1))
    assert pickup_stats_by_carrier(ATTEMPTS)["moto"].first_attempt_success_rate == Decimal(1)


def test_nothing_measured_gives_no_rates():
    stats = pickup_stats([])
    assert stats.first_attempt_success_rate is None
    assert stats.recovery_rate is None
    assert stats.pickup_success_score == 0.0


def test_counts_must_be_consistent():
    with pytest.raises(DomainError):
        CarrierStats.from_counts(first_attempts=2, first_attempt_successes=3)
    with pytest.raises(DomainError):
        CarrierStats.from_counts(first_attempts=2, first_attempt_successes=1, recovered=2)
    with pytest.raises(DomainError):
        attempt("s1", 0, True)


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.lists(st.tuples(st.sampled_from("abcdef"), st.integers(1, 4), st.booleans()), max_size=30),
    st.randoms(use_true_random=False),
)
def test_stats_do_not_depend_on_order_and_rates_stay_in_range(rows, random):
    attempts = [attempt(shipment, number, ok) for shipment, number, ok in rows]
    shuffled = list(attempts)
    random.shuffle(shuffled)
    stats = pickup_stats(attempts)
    assert pickup_stats(shuffled) == stats
    for rate in (stats.first_attempt_success_rate, stats.recovery_rate):
        assert rate is None or Decimal(0) <= rate <= Decimal(1)
    assert 0.0 <= stats.pickup_success_score <= 1.0
