"""Analytics figures: periods, rates, the fit index and its test, percentiles, age buckets,
confirmed defects."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retorno.domain.analytics.fit import (
    Fit,
    binomial_p_two_sided,
    fit_figure,
    size_rank,
    size_step,
)
from retorno.domain.analytics.periods import Basis, Period, PeriodError, last_days
from retorno.domain.analytics.quality import confirmed_defect
from retorno.domain.analytics.rates import MIN_DENOMINATOR, change, rate
from retorno.domain.analytics.stats import age_bucket, percentile

# --- periods -------------------------------------------------------------------------------------


def test_the_previous_period_has_the_same_length_and_ends_the_day_before():
    period = Period(date(2026, 3, 1), date(2026, 3, 31), Basis.ORDER)
    previous = period.previous()
    assert previous == Period(date(2026, 1, 29), date(2026, 2, 28), Basis.ORDER)
    assert previous.days == period.days == 31


def test_bounds_are_local_midnights_across_a_clock_change():
    # Spain moves its clocks forward on 29 March 2026: that day has 23 hours.
    start, end = Period(date(2026, 3, 29), date(2026, 3, 29)).bounds("Europe/Madrid")
    assert start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)


def test_a_period_that_ends_before_it_starts_or_is_too_long_is_refused():
    with pytest.raises(PeriodError):
        Period(date(2026, 3, 2), date(2026, 3, 1))
    with pytest.raises(PeriodError):
        Period(date(2020, 1, 1), date(2026, 1, 1))
    assert last_days(date(2026, 3, 31), 30).start == date(2026, 3, 2)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), st.integers(1, 700))
def test_previous_periods_tile_the_calendar(end, days):
    period = last_days(end, days)
    previous = period.previous()
    assert previous.days == period.days
    assert (period.start - previous.end).days == 1


# --- rates ---------------------------------------------------------------------------------------


def test_a_rate_under_thirty_is_not_enough_data():
    assert rate(3, MIN_DENOMINATOR - 1).value is None
    assert rate(3, MIN_DENOMINATOR).value == Decimal("0.1")
    assert rate(3, MIN_DENOMINATOR).percent == Decimal("10.0")
    assert rate(0, 0).value is None


def test_a_rate_of_money_counts_its_units_for_enough_data():
    assert rate(Decimal("50"), Decimal("1000.00"), count=29).value is None
    assert rate(Decimal("50"), Decimal("1000.00"), count=30).value == Decimal("0.05")


def test_change_is_in_points_and_missing_when_either_is():
    assert change(Decimal("0.12"), Decimal("0.10")) == Decimal("0.02")
    assert change(None, Decimal("0.10")) is None


@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_a_shown_rate_is_numerator_over_denominator(n, d):
    figure = rate(n, d)
    if d < MIN_DENOMINATOR:
        assert figure.value is None
    else:
        assert abs(float(figure.value) - n / d) <= 0.00005


# --- fit -----------------------------------------------------------------------------------------


def test_binomial_matches_hand_sums():
    # 9 of 10: P(X<=1) = 11/1024, doubled.
    assert binomial_p_two_sided(9, 10) == pytest.approx(22 / 1024)
    assert binomial_p_two_sided(5, 10) == 1.0
    assert binomial_p_two_sided(0, 0) == 1.0
    assert binomial_p_two_sided(10, 10) == pytest.approx(2 / 1024)


@given(st.integers(1, 6000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_binomial_is_a_probability_symmetric_in_small_and_large(pair):
    k, n = pair
    p = binomial_p_two_sided(k, n)
    assert 0 <= p <= 1  # (tiny p-values underflow to 0.0)
    assert p == pytest.approx(binomial_p_two_sided(n - k, n))


def test_the_normal_approximation_agrees_with_the_exact_sum_where_they_meet():
    n = 5000
    k = 2600
    exact = 2 * sum(math.comb(n, i) for i in range(n - k + 1)) / 2**n
    z = (abs(k - n / 2) - 0.5) / math.sqrt(n / 4)
    assert math.erfc(z / math.sqrt(2)) == pytest.approx(exact, rel=0.05)


def test_a_product_is_flagged_only_past_all_three_thresholds():
    assert fit_figure(9, 1).fit is Fit.RUNS_SMALL  # index 0.8, n 10, p 0.021
    assert fit_figure(1, 9).fit is Fit.RUNS_LARGE
    assert fit_figure(8, 1).fit is Fit.TRUE_TO_SIZE  # n 9 < 10
    assert fit_figure(8, 2).fit is Fit.TRUE_TO_SIZE  # p 0.109
    big = fit_figure(600, 400)  # p tiny but index 0.2 < 0.3
    assert big.p_value < 0.001
    assert big.fit is Fit.TRUE_TO_SIZE
    assert fit_figure(0, 0).index is None


@given(st.integers(0, 300), st.integers(0, 300))
def test_the_index_is_between_minus_one_and_one_and_the_flag_follows_its_sign(small, large):
    figure = fit_figure(small, large)
    if small + large:
        assert -1 <= figure.index <= 1
    if figure.fit is Fit.RUNS_SMALL:
        assert small > large
        assert small + large >= 10
    if figure.fit is Fit.RUNS_LARGE:
        assert large > small


def test_sizes_compare_as_letters_or_numbers():
    assert size_step("M", "L") == 1
    assert size_step("XL", "2XL") == 1
    assert size_step("40", "39") == -1
    assert size_step("135 cm", "150 cm") == 1
    assert size_step("M", "40") == 0
    assert size_step("M", "M") == 0
    assert size_rank("azul") is None


# --- percentiles and buckets ---------------------------------------------------------------------


def test_nearest_rank_percentiles():
    values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6]
    assert percentile(values, 50) == 5
    assert percentile(values, 90) == 9
    assert percentile(values, 100) == 10
    assert percentile([], 50) is None


@given(st.lists(st.floats(0, 1e6), min_size=1), st.floats(0.1, 100))
def test_a_percentile_is_one_of_the_values_with_enough_below(values, q):
    p = percentile(values, q)
    assert p in values
    assert sum(v <= p for v in values) >= q / 100 * len(values) - 1e-9


def test_age_buckets_edges():
    assert [age_bucket(d) for d in (0, 2, 3, 7, 8, 14, 15, 400)] == [
        "0-2",
        "0-2",
        "3-7",
        "3-7",
        "8-14",
        "8-14",
        "15+",
        "15+",
    ]


def test_only_an_inspected_defect_counts():
    assert confirmed_defect("defective", "damaged")
    assert not confirmed_defect("defective", "like_new")
    assert confirmed_defect("missing_parts", "used", reason_confirmed=True)
    assert not confirmed_defect("too_small", "damaged")
