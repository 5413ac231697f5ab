"""The weekly digest's pure rules: the store's own Monday in its zone, the week reported, the
reasons rising fastest and what the digest calls out."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retorno.domain.analytics.digest import (
    Anomaly,
    DigestWeek,
    ReasonChange,
    anomalies,
    digest_due,
    last_full_week,
    newly,
    reason_changes,
)
from retorno.domain.days import local_day, local_time

UTC = ZoneInfo("UTC")


def due(instant: datetime, where: str) -> DigestWeek | None:
    return digest_due(local_day(instant, where), local_time(instant, where).hour)


def test_due_on_the_stores_own_monday_morning():
    # Monday 2026-12-07 05:30 UTC: Monday 06:30 in Madrid, still Sunday in Los Angeles, Monday
    # 18:30 in Auckland.
    this, before = DigestWeek(date(2026, 11, 30)), DigestWeek(date(2026, 11, 23))
    instant = datetime(2026, 12, 7, 5, 30, tzinfo=UTC)
    assert due(instant, "Europe/Madrid") == this
    assert due(instant, "America/Los_Angeles") == before
    assert due(instant, "Pacific/Auckland") == this
    # Sunday 2026-12-06 18:00 UTC is already Monday 07:00 in Auckland.
    early = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)
    assert due(early, "Pacific/Auckland") == this
    assert due(early, "Europe/Madrid") == before
    # Monday before 06:00 local: not yet this week's, still the week before's.
    madrid = ZoneInfo("Europe/Madrid")
    assert due(datetime(2026, 12, 7, 5, 59, tzinfo=madrid), "Europe/Madrid") == before
    # A Monday missed: the week's digest is still due on Wednesday and on Sunday night.
    assert due(datetime(2026, 12, 9, 10, 0, tzinfo=madrid), "Europe/Madrid") == this
    assert due(datetime(2026, 12, 13, 23, 59, tzinfo=madrid), "Europe/Madrid") == this


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 1, 1)), st.times())
def test_the_week_due_is_the_last_full_week_from_monday_morning(day, clock):
    moment = datetime.combine(day, clock, UTC)
    week = last_full_week(moment.date())
    assert week.start.weekday() == 0
    assert week.end == week.start + timedelta(days=6)
    assert week.end < moment.date() <= week.end + timedelta(days=7)
    found = digest_due(day, clock.hour)
    if day.weekday() == 0 and clock.hour < 6:
        assert found == week.previous
    else:
        assert found == week
    # Never a week that has not ended, never one older than the week before the last.
    assert day - timedelta(days=14) <= found.end < day


def test_a_week_starts_on_a_monday():
    with pytest.raises(ValueError, match="Monday"):
        DigestWeek(date(2026, 12, 8))
    assert DigestWeek(date(2026, 12, 7)).previous == DigestWeek(date(2026, 11, 30))


def test_reasons_rising_fastest_first():
    current = {"too_small": 20, "defective": 15, "changed_mind": 5}
    previous = {"too_small": 10, "defective": 5, "changed_mind": 25, "late": 2}
    changes = reason_changes(current, previous)
    assert [c.reason for c in changes] == ["too_small", "defective", "late", "changed_mind"]
    defective = changes[1]
    assert (defective.share, defective.previous_share) == (Decimal("0.375"), Decimal("0.119"))
    assert defective.change == Decimal("0.256")
    # Under 30 units returned in a week: no share, no change.
    thin = reason_changes({"too_small": 3}, {"too_small": 1})
    assert thin == [ReasonChange("too_small", 3, None, None)]


def test_what_the_digest_calls_out():
    rising = [
        ReasonChange("defective", 15, Decimal("0.375"), Decimal("0.119")),
        ReasonChange("too_small", 20, Decimal("0.5"), Decimal("0.47")),
    ]
    found = anomalies(
        rate_change=Decimal("0.021"),
        reasons=rising,
        newly_flagged=newly(["jeans", "shirt"], ["shirt"]),
        suppliers_over=["Volt"],
        aging=3,
    )
    assert [(a.code, a.subject) for a in found] == [
        ("return_rate_up", ""),
        ("reason_rising", "defective"),
        ("fit_flagged", "jeans"),
        ("supplier_over_threshold", "Volt"),
        ("aging", ""),
    ]
    quiet = anomalies(
        rate_change=Decimal("0.019"),
        reasons=rising[1:],
        newly_flagged=[],
        suppliers_over=[],
        aging=0,
    )
    assert quiet == []
    assert anomalies(
        rate_change=None, reasons=[], newly_flagged=[], suppliers_over=[], aging=1
    ) == [Anomaly("aging", value=1)]
