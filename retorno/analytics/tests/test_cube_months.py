"""The cycle-time histograms kept by month as well as by day give, for any period, exactly the
sums that reading every day gives; and the whole (no split) is the sum of the methods'
segments, with the percentiles the raw durations give."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from retorno.analytics import cube, operations, rollups
from retorno.analytics.models import RollupState
from retorno.analytics.scope import Scope
from retorno.domain.analytics.periods import Basis, Period
from retorno.domain.analytics.rollups import (
    ROLLUPS_VERSION,
    ItemFacts,
    LineFacts,
    OrderFacts,
    ReturnFacts,
    contribution_sum,
    month_split,
    returned_contribution,
    stage_tenths,
)
from retorno.domain.analytics.stats import percentile
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

FIRST = date(2026, 1, 20)
_stores = itertools.count(1)
seconds = st.one_of(st.none(), st.floats(0, 40 * 86400, allow_nan=False))
a_return = st.tuples(
    st.integers(0, 150),  # request day, from FIRST
    st.integers(0, 30),  # days from the order to the request
    st.sampled_from(("drop_off", "pickup", "keep")),
    st.sampled_from(("", "gold")),
    st.lists(seconds, min_size=5, max_size=5),
)
a_period = st.tuples(st.integers(-10, 160), st.integers(0, 200))


def _order(pk: int, spec: tuple) -> OrderFacts:
    day, ordered_before, method, tier, stages = spec
    request_day = FIRST + timedelta(days=day)
    line = LineFacts(pk, "tee", "Tee", "TEE-M", "apparel", "Acme", 3, 30_0000)
    ret = ReturnFacts(
        id=pk,
        day=request_day,
        counted=True,
        tier=tier,
        resolution="refund",
        method=method,
        carrier="",
        items=(ItemFacts(pk, "too_small", 1, 10_0000),),
        stage_seconds=tuple(stages),
    )
    return OrderFacts(
        pk, request_day - timedelta(days=ordered_before), tier, "ES", "web", (line,), (ret,)
    )


def _kept(specs: list[tuple]):
    store = StoreFactory(slug=f"months-{next(_stores)}", name="Months")
    # The rows are written as the rollups keep them; the store counts as rebuilt, so that a
    # read does not rebuild them from its (empty) source tables.
    RollupState.objects.create(store=store, version=ROLLUPS_VERSION, rebuilt_at=timezone.now())
    orders = [_order(pk, spec) for pk, spec in enumerate(specs, start=1)]
    rollups.figures_add(store.id, contribution_sum(returned_contribution(o) for o in orders))
    return store, orders


def _scope(store, period: tuple[int, int], basis: Basis) -> Scope:
    start = FIRST + timedelta(days=period[0])
    return Scope(store, Period(start, start + timedelta(days=period[1]), basis))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    specs=st.lists(a_return, min_size=1, max_size=25),
    periods=st.lists(a_period, min_size=1, max_size=4),
)
# Whole months only (Feb 1 - Mar 31, then Feb 1 - Apr 30), and a period inside one month.
@example(specs=[(12, 3, "pickup", "", [86400.0, None, 3600.0, None, 90000.0])], periods=[(12, 59)])
@example(specs=[(40, 0, "drop_off", "gold", [1.0] * 5)], periods=[(12, 88), (13, 5)])
def test_monthly_histograms_read_as_every_day(db, specs, periods):
    store, orders = _kept(specs)
    for period, basis, dimension in itertools.product(
        periods, Basis, ("cycle_method", "cycle_tier", "cycle_resolution")
    ):
        scope = _scope(store, period, basis)
        by_month = cube.histogram_sums(scope, dimension)
        every_day = cube.sums(scope, dimension)  # the daily rows alone
        assert {k: f.as_tuple() for k, f in by_month.items() if not f.is_zero()} == {
            k: f.as_tuple() for k, f in every_day.items() if not f.is_zero()
        }

    # And the whole: the percentiles of the raw durations in the period, by request day.
    scope = _scope(store, periods[0], Basis.REQUEST)
    inside = [
        o.returns[0] for o in orders if scope.period.start <= o.returns[0].day <= scope.period.end
    ]
    whole = operations.cycle_times(scope).segments
    assert [s.returns for s in whole] == ([len(inside)] if inside else [])
    for figure in whole[0].stages if whole else []:
        i = [name for name, _, _ in operations.STAGES].index(figure.stage)
        tenths = [
            stage_tenths(r.stage_seconds[i]) for r in inside if r.stage_seconds[i] is not None
        ]
        assert figure.returns == len(tenths)
        expected = percentile(tenths, 50)
        assert figure.p50_days == (None if expected is None else expected / 10)


@given(start=st.dates(date(2025, 1, 1), date(2027, 12, 31)), length=st.integers(0, 731))
def test_a_period_is_its_edges_and_its_whole_months(start, length):
    end = start + timedelta(days=length)
    edges, months = month_split(start, end)
    days: dict[date, int] = defaultdict(int)
    for first, last in edges:
        assert first <= last
        assert last - first < timedelta(days=62)  # at most a partial month at each edge
        for n in range((last - first).days + 1):
            days[first + timedelta(days=n)] += 1
    if months is not None:
        first, last = months
        assert first.day == 1
        assert (last + timedelta(days=1)).day == 1
        for n in range((last - first).days + 1):
            days[first + timedelta(days=n)] += 1
    # Every day of the period once, and no other.
    assert days == {start + timedelta(days=n): 1 for n in range(length + 1)}
