"""Local days: the store's "today" around its midnight and the daylight-saving changes, and the
days the policy engine tells the shopper."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from retorno.domain.days import local_day, local_time, zone
from retorno.domain.policies import OrderFacts, decide
from retorno.domain.tests.policies.builders import DEFAULT_POLICY, customer, line, request

MADRID = "Europe/Madrid"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        # Winter (UTC+1): local midnight is 23:00 UTC.
        ("2026-01-12 22:30", date(2026, 1, 12)),
        ("2026-01-12 22:59:59", date(2026, 1, 12)),
        ("2026-01-12 23:00", date(2026, 1, 13)),
        ("2026-01-12 23:30", date(2026, 1, 13)),
        # Summer (UTC+2): local midnight is 22:00 UTC.
        ("2026-07-13 21:30", date(2026, 7, 13)),
        ("2026-07-13 22:30", date(2026, 7, 14)),
        # Last Sunday of March: 02:00 CET becomes 03:00 CEST (01:00 UTC).
        ("2026-03-29 00:30", date(2026, 3, 29)),  # 01:30 CET
        ("2026-03-29 01:30", date(2026, 3, 29)),  # 03:30 CEST
        ("2026-03-28 22:30", date(2026, 3, 28)),  # 23:30 CET, the night before
        ("2026-03-28 23:30", date(2026, 3, 29)),  # 00:30 CET
        ("2026-03-29 21:30", date(2026, 3, 29)),  # 23:30 CEST, the new offset already
        ("2026-03-29 22:30", date(2026, 3, 30)),  # 00:30 CEST
        # Last Sunday of October: 03:00 CEST becomes 02:00 CET (01:00 UTC).
        ("2026-10-24 21:30", date(2026, 10, 24)),  # 23:30 CEST
        ("2026-10-24 22:30", date(2026, 10, 25)),  # 00:30 CEST
        ("2026-10-25 00:30", date(2026, 10, 25)),  # 02:30 CEST
        ("2026-10-25 01:30", date(2026, 10, 25)),  # 02:30 CET, the hour that repeats
        ("2026-10-25 22:30", date(2026, 10, 25)),  # 23:30 CET, the new offset already
        ("2026-10-25 23:30", date(2026, 10, 26)),  # 00:30 CET
    ],
)
def test_the_local_day_around_midnight_and_daylight_saving(moment, day):
    assert local_day(utc(moment), MADRID) == day


def test_the_same_instant_is_another_day_elsewhere():
    moment = utc("2026-01-12 23:30")
    assert local_day(moment, "UTC") == date(2026, 1, 12)
    assert local_day(moment, MADRID) == date(2026, 1, 13)
    assert local_day(moment, "America/Mexico_City") == date(2026, 1, 12)
    assert local_day(moment, ZoneInfo("Asia/Tokyo")) == date(2026, 1, 13)
    # An instant given with another offset is still the same instant.
    assert local_day(moment.astimezone(timezone(timedelta(hours=-5))), MADRID) == date(2026, 1, 13)


def test_local_time_keeps_the_instant_and_shows_the_wall_clock():
    moment = utc("2026-07-13 07:00")
    shown = local_time(moment, MADRID)
    assert shown == moment
    assert (shown.hour, shown.minute) == (9, 0)


@pytest.mark.parametrize("name", ["", None, "Mars/Olympus_Mons", "../etc/passwd"])
def test_an_empty_or_unknown_zone_is_utc(name):
    assert zone(name) is UTC
    assert local_day(utc("2026-01-12 23:30"), name) == date(2026, 1, 12)


def test_a_naive_datetime_has_no_local_day():
    naive = datetime(2026, 1, 12, 23, 30)  # noqa: DTZ001 - the input refused
    with pytest.raises(ValueError, match="timezone-aware"):
        local_day(naive, MADRID)


@pytest.mark.parametrize(
    ("window_ends", "zone_name", "last_day"),
    [
        ("2026-01-12 22:30", MADRID, "2026-01-12"),  # 23:30 in Madrid
        ("2026-01-12 23:30", MADRID, "2026-01-13"),  # 00:30 in Madrid
        ("2026-01-12 23:30", "UTC", "2026-01-12"),
        ("2026-03-29 21:30", MADRID, "2026-03-29"),  # 23:30 CEST on the day of the change
        ("2026-03-29 22:30", MADRID, "2026-03-30"),
        ("2026-10-25 22:30", MADRID, "2026-10-25"),  # 23:30 CET on the day of the change
        ("2026-10-25 23:30", MADRID, "2026-10-26"),
    ],
)
def test_an_expired_window_names_its_last_day_in_the_stores_zone(window_ends, zone_name, last_day):
    ends_at = utc(window_ends)
    delivered_at = ends_at - timedelta(days=30)  # the default policy's window
    the_order = OrderFacts(
        order_id="o1",
        currency="EUR",
        placed_at=delivered_at - timedelta(days=3),
        delivered_at=delivered_at,
        country="ES",
        postal_code="28001",
        lines=(line(),),
    )
    now = local_time(ends_at + timedelta(hours=1), zone_name)
    decision = decide(DEFAULT_POLICY, the_order, customer(), request(("l1", 1, "too_small")), now)
    (reason,) = decision.lines[0].reasons
    assert reason.code == "window_expired"
    assert reason.params_dict == {"date": last_day}
    assert decision.lines[0].window_ends_at == ends_at
