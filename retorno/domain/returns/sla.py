"""How long a return may wait in each state before a team should worry (the queue's timers).

A return waiting in a state is "ok" until its first limit, "due" (amber) until its second, then
"late" (red). Finished states have no timer. The limits are what a daily returns team aims
for: decide within a working day, inspect what arrived within two, refund within three; a
parcel on its way or a label waiting to be used is the shopper's and the carrier's time, so
those limits are in days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from retorno.domain.returns.states import ReturnStatus


class SlaLevel(StrEnum):
    OK = "ok"
    DUE = "due"
    LATE = "late"


@dataclass(frozen=True)
class SlaLimits:
    due_after: timedelta
    late_after: timedelta

    def __post_init__(self) -> None:
        if not timedelta(0) < self.due_after < self.late_after:
            raise ValueError("A timer's limits must be positive and the due one first")


HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

SLA_LIMITS: dict[str, SlaLimits] = {
    ReturnStatus.REQUESTED.value: SlaLimits(4 * HOUR, 24 * HOUR),
    ReturnStatus.PENDING_REVIEW.value: SlaLimits(8 * HOUR, 24 * HOUR),
    ReturnStatus.APPROVED.value: SlaLimits(7 * DAY, 14 * DAY),
    ReturnStatus.IN_TRANSIT.value: SlaLimits(7 * DAY, 14 * DAY),
    ReturnStatus.RECEIVED.value: SlaLimits(24 * HOUR, 48 * HOUR),
    ReturnStatus.INSPECTED.value: SlaLimits(24 * HOUR, 72 * HOUR),
}


def sla_level(status: str, waited: timedelta) -> SlaLevel | None:
    """The timer's colour for a return that has been `waited` in `status`; None for a state
    without a timer (finished ones). A negative wait (clocks apart) counts as none."""
    limits = SLA_LIMITS.get(status)
    if limits is None:
        return None
    if waited >= limits.late_after:
        return SlaLevel.LATE
    if waited >= limits.due_after:
        return SlaLevel.DUE
    return SlaLevel.OK


def sla_overdue_since(status: str) -> timedelta | None:
    """How long in `status` makes a return late (the queue's "late only" filter)."""
    limits = SLA_LIMITS.get(status)
    return None if limits is None else limits.late_after
