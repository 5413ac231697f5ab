"""The queue's timers: a colour per time in state, never going back as time passes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retorno.domain.returns.sla import SLA_LIMITS, SlaLevel, SlaLimits, sla_level, sla_overdue_since
from retorno.domain.returns.states import ReturnStatus

ORDER = [SlaLevel.OK, SlaLevel.DUE, SlaLevel.LATE]
waits = st.integers(min_value=0, max_value=60 * 86_400).map(lambda s: timedelta(seconds=s))


@given(st.sampled_from(sorted(SLA_LIMITS)), waits, waits)
def test_a_timer_only_gets_worse_as_time_passes(status: str, a: timedelta, b: timedelta) -> None:
    early, late = sorted((a, b))
    first, second = sla_level(status, early), sla_level(status, late)
    assert first is not None
    assert second is not None
    assert ORDER.index(first) <= ORDER.index(second)


@given(st.sampled_from(sorted(SLA_LIMITS)), waits)
def test_late_exactly_from_the_late_limit(status: str, waited: timedelta) -> None:
    limit = sla_overdue_since(status)
    assert limit is not None
    assert (sla_level(status, waited) is SlaLevel.LATE) == (waited >= limit)


@pytest.mark.parametrize("status", ["resolved", "rejected", "cancelled", "closed"])
def test_finished_returns_have_no_timer(status: str) -> None:
    assert sla_level(status, timedelta(days=400)) is None
    assert sla_overdue_since(status) is None


def test_every_open_status_has_a_timer() -> None:
    finished = {"resolved", "rejected", "cancelled", "closed"}
    assert set(SLA_LIMITS) == {s.value for s in ReturnStatus} - finished


def test_a_review_waiting_ten_hours_is_due_and_a_day_late() -> None:
    assert sla_level("pending_review", timedelta(hours=7)) is SlaLevel.OK
    assert sla_level("pending_review", timedelta(hours=10)) is SlaLevel.DUE
    assert sla_level("pending_review", timedelta(hours=24)) is SlaLevel.LATE


def test_limits_must_be_in_order() -> None:
    with pytest.raises(ValueError, match="limits"):
        SlaLimits(timedelta(hours=5), timedelta(hours=2))
