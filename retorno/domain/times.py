"""Which times Retorno takes as facts from the outside world (an order placed, a parcel delivered).

A time is only a fact when it can have happened: on or after `EARLIEST_FACT_AT` and no later than
now plus `FUTURE_MARGIN`. Anything else is a typo, a placeholder (`0001-01-01`, `9999-12-31`) or
an attack, and it is refused where it comes in: stored, such a time breaks every window computed
from it (a delivery in year 9999 plus a 30-day window is past the last date there is).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from retorno.domain.days import local_day
from retorno.domain.errors import DomainError

# No store has an order from before online returns existed; the bound is far enough to import
# any real history.
EARLIEST_FACT_AT = datetime(2000, 1, 1, tzinfo=UTC)
# The platform's clock may be ahead of ours, and a time sent with the wrong offset is off by up to
# a day: refusing those would refuse honest orders.
FUTURE_MARGIN = timedelta(days=1)

# Days typed to bound a query (an export's period). Nothing is recorded before the first fact,
# and a day past the last one leaves no room for the day after it that ends a period.
EARLIEST_QUERY_DAY = local_day(EARLIEST_FACT_AT, UTC)
LATEST_QUERY_DAY = date(2100, 12, 31)


class TimeOutOfRange(DomainError):
    """A time that cannot be a fact. `code` is stable, the message is English."""

    code = "time_out_of_range"


def check_fact_time(value: datetime, *, now: datetime) -> datetime:
    """Return `value` (aware) in UTC when it lies between `EARLIEST_FACT_AT` and
    `now + FUTURE_MARGIN`, both included. Raises TimeOutOfRange otherwise, and ValueError for a
    naive `value`.

    Compared before the conversion: a time near year 1 or 9999 with an offset has no UTC
    equivalent at all.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("A time needs its offset from UTC.")
    latest = now + FUTURE_MARGIN
    if value < EARLIEST_FACT_AT or value > latest:
        raise TimeOutOfRange(
            f"{value.isoformat()} is outside the accepted range: from "
            f"{EARLIEST_QUERY_DAY.isoformat()} to one day from now."
        )
    return value.astimezone(UTC)
