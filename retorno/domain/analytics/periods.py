"""A period of local days, counted by order date or by return request date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from retorno.domain.days import Zone, zone
from retorno.domain.errors import DomainError

# The longest period a figure is asked for: two years and a day (a leap year's worth of slack).
MAX_PERIOD_DAYS = 732


class Basis(StrEnum):
    """Which date puts a return in a period: its order's (placed) or its request's."""

    ORDER = "order"
    REQUEST = "request"


class PeriodError(DomainError):
    code = "invalid_period"


@dataclass(frozen=True, slots=True)
class Period:
    """The local days `start`..`end`, both included, in the store's zone."""

    start: date
    end: date
    basis: Basis = Basis.REQUEST

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError("The period ends before it starts.")
        if self.days > MAX_PERIOD_DAYS:
            raise PeriodError(f"A period is at most {MAX_PERIOD_DAYS} days long.")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length that ends the day before this one starts."""
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end, self.basis)

    def bounds(self, where: Zone) -> tuple[datetime, datetime]:
        """[from, to): the instants of the period's first local midnight and of the midnight
        after its last day, in `where`."""
        tz = zone(where)
        start = datetime.combine(self.start, time.min, tz)
        end = datetime.combine(self.end + timedelta(days=1), time.min, tz)
        return start, end


def last_days(today: date, days: int, basis: Basis = Basis.REQUEST) -> Period:
    """The `days` local days ending today."""
    if days < 1:
        raise PeriodError("A period is at least one day long.")
    return Period(today - timedelta(days=days - 1), today, basis)
