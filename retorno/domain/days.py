"""Days are local: the one place where an instant becomes a calendar day or a wall-clock time.

A store works in its own time zone, and so does a carrier: "today", a pickup date, the last day
of a return window are days there, never days in UTC or in the server's zone. Instants stay aware
(and in UTC in the database); whenever one has to become a day, or a time of day for a person to
read, it goes through `local_day` / `local_time` with the zone of the store (or carrier) it
belongs to. tests/architecture/test_local_days.py forbids the other ways (`now.date()`,
`date.today()`, `datetime.now()`, `timezone.localdate()`, ...) everywhere else.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Zone = str | tzinfo | None


def zone(where: Zone) -> tzinfo:
    """The time zone `where` names ("Europe/Madrid"), or `where` itself when it is one. UTC when
    the name is empty or unknown: a store saved with a wrong name keeps working, in UTC."""
    if isinstance(where, tzinfo):
        return where
    if not where:
        return UTC
    try:
        return ZoneInfo(where)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local_time(moment: datetime, where: Zone) -> datetime:
    """`moment` as a wall clock in `where` shows it (aware, same instant). Raises ValueError for
    a naive datetime: without an offset it is no instant at all."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("A local time needs a timezone-aware datetime.")
    return moment.astimezone(zone(where))


def local_day(moment: datetime, where: Zone) -> date:
    """The calendar day `moment` falls on in `where`: "today" is `local_day(now, store_zone)`."""
    return local_time(moment, where).date()
