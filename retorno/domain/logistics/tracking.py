"""Tracking: one normalised status set for every carrier, timelines, and what a return does next.

Adapters turn a carrier's raw status into a `TrackingEvent` with `make_event(status_map, ...)`.
Unknown raw codes are kept with status `unknown` (and logged by the caller), never dropped, so
a carrier adding a code loses no history. See docs/tracking-statuses.md for every map.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType

from retorno.domain.errors import DomainError


class TrackingStatus(enum.StrEnum):
    LABEL_CREATED = "label_created"
    PICKUP_SCHEDULED = "pickup_scheduled"
    PICKUP_FAILED = "pickup_failed"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED_TO_WAREHOUSE = "delivered_to_warehouse"
    EXCEPTION = "exception"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"


class FailedPickupReason(enum.StrEnum):
    CUSTOMER_NOT_AVAILABLE = "customer_not_available"
    WRONG_ADDRESS = "wrong_address"
    ITEM_NOT_READY = "item_not_ready"
    REFUSED = "refused"
    NOT_SERVICEABLE = "not_serviceable"
    CARRIER_ISSUE = "carrier_issue"


class ReturnAction(enum.StrEnum):
    """What the return should do after a tracking change (commands of the return state machine,
    plus the failed-pickup flow). NONE: nothing."""

    MARK_IN_TRANSIT = "mark_in_transit"
    RECEIVE = "receive"
    PICKUP_FAILED = "pickup_failed"
    NONE = "none"


class NextStep(enum.StrEnum):
    """After a failed pickup: write to the shopper, hand to the failed-pickup desk, or cancel."""

    OUTREACH = "outreach"
    DESK = "desk"
    CANCEL = "cancel"


S = TrackingStatus

# Once a parcel is at the warehouse or the shipment is cancelled, nothing a carrier says later
# changes that: carriers do resend stale scans after the fact.
TERMINAL_STATUSES: frozenset[TrackingStatus] = frozenset({S.DELIVERED_TO_WAREHOUSE, S.CANCELLED})
# The parcel has left the shopper: the return is in transit.
MOVING_STATUSES: frozenset[TrackingStatus] = frozenset(
    {S.PICKED_UP, S.IN_TRANSIT, S.OUT_FOR_DELIVERY}
)

# Lifecycle order: breaks ties between events at the same instant so that a timeline does not
# depend on the order events arrived in.
_LIFECYCLE_RANK: Mapping[TrackingStatus, int] = MappingProxyType(
    {
        status: rank
        for rank, status in enumerate(
            (
                S.LABEL_CREATED,
                S.PICKUP_SCHEDULED,
                S.PICKUP_FAILED,
                S.PICKED_UP,
                S.IN_TRANSIT,
                S.EXCEPTION,
                S.UNKNOWN,
                S.OUT_FOR_DELIVERY,
                S.DELIVERED_TO_WAREHOUSE,
                S.CANCELLED,
            )
        )
    }
)


class TrackingError(DomainError):
    def __init__(self, message: str, *, code: str = "invalid_tracking") -> None:
        super().__init__(message, code=code)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackingEvent:
    """One carrier scan, normalised. `raw_status` is exactly what the carrier said (as built by
    its adapter), `status` our reading of it. `occurred_at` is the carrier's time, aware.
    `failure_reason` is set on pickup_failed events when the carrier's code tells why."""

    carrier: str
    tracking_number: str
    raw_status: str
    status: TrackingStatus
    occurred_at: datetime
    location: str = ""
    description: str = ""
    failure_reason: FailedPickupReason | None = None

    def __post_init__(self) -> None:
        if self.occurred_at.tzinfo is None or self.occurred_at.utcoffset() is None:
            raise TrackingError("occurred_at must be a timezone-aware datetime.")

    @property
    def identity(self) -> tuple[str, str, str, datetime]:
        """Two events with the same identity are the same scan delivered twice."""
        return (self.carrier, self.tracking_number, self.raw_status, self.occurred_at)


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusMap:
    """A carrier's raw codes mapped onto TrackingStatus, and onto failed-pickup reasons.

    A raw code is either a status ("in_transit") or a status and a detail joined by
    `DETAIL_SEPARATOR` ("TRANSIT:package_accepted"). Lookup tries the full code first, then the
    status alone, so a map lists details only where they change the reading. `source` names the
    public document the map follows.
    """

    carrier: str
    source: str
    statuses: Mapping[str, TrackingStatus]
    failure_reasons: Mapping[str, FailedPickupReason]

    DETAIL_SEPARATOR = ":"

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "statuses",
            MappingProxyType({raw: TrackingStatus(s) for raw, s in self.statuses.items()}),
        )
        object.__setattr__(
            self,
            "failure_reasons",
            MappingProxyType(
                {raw: FailedPickupReason(r) for raw, r in self.failure_reasons.items()}
            ),
        )

    @classmethod
    def raw_code(cls, status: str, detail: str | None = None) -> str:
        """The raw code an adapter stores for a carrier status and optional detail."""
        return f"{status}{cls.DETAIL_SEPARATOR}{detail}" if detail else status


def normalise(status_map: StatusMap, raw_code: str) -> tuple[TrackingStatus, bool]:
    """Read a carrier's raw code: (status, known). Unmapped codes give (UNKNOWN, False); the
    caller keeps the event and logs the code so the map can be extended."""
    status = status_map.statuses.get(raw_code)
    if status is None:
        general = raw_code.partition(StatusMap.DETAIL_SEPARATOR)[0]
        status = status_map.statuses.get(general)
        if status is None:
            return S.UNKNOWN, False
    return status, True


def failure_reason(status_map: StatusMap, raw_code: str) -> FailedPickupReason | None:
    """Why a pickup failed, when the raw code says (full code first, then the status alone)."""
    reason = status_map.failure_reasons.get(raw_code)
    if reason is None:
        reason = status_map.failure_reasons.get(raw_code.partition(StatusMap.DETAIL_SEPARATOR)[0])
    return reason


def make_event(
    status_map: StatusMap,
    *,
    tracking_number: str,
    raw_status: str,
    occurred_at: datetime,
    location: str = "",
    description: str = "",
) -> TrackingEvent:
    """Build a normalised TrackingEvent from a carrier's raw status. Never drops a code: an
    unmapped one becomes status UNKNOWN (check `event.status` to log it)."""
    status, _known = normalise(status_map, raw_status)
    reason = failure_reason(status_map, raw_status) if status is S.PICKUP_FAILED else None
    return TrackingEvent(
        carrier=status_map.carrier,
        tracking_number=tracking_number,
        raw_status=raw_status,
        status=status,
        occurred_at=occurred_at,
        location=location,
        description=description,
        failure_reason=reason,
    )


def _order_key(
    event: TrackingEvent,
) -> tuple[datetime, int, str, str, str, timedelta | None, str, str, str]:
    return (
        event.occurred_at,
        _LIFECYCLE_RANK[event.status],
        event.carrier,
        event.tracking_number,
        event.raw_status,
        # Same instant written with different offsets: still a fixed order.
        event.occurred_at.utcoffset(),
        event.location,
        event.description,
        event.failure_reason or "",
    )


def timeline(events: Iterable[TrackingEvent]) -> tuple[TrackingEvent, ...]:
    """Events in the order they happened, each scan once.

    Ordered by occurred_at; events at the same instant follow the lifecycle (picked_up before
    in_transit) and then their fields, so any arrival order gives the same timeline.
    Duplicates (same carrier, tracking number, raw status and instant) are kept once: the first
    in that order, which is also independent of arrival order.
    """
    ordered = sorted(events, key=_order_key)
    seen: set[tuple[str, str, str, datetime]] = set()
    unique: list[TrackingEvent] = []
    for event in ordered:
        identity = event.identity
        if identity not in seen:
            seen.add(identity)
            unique.append(event)
    return tuple(unique)


def current_event(events: Iterable[TrackingEvent]) -> TrackingEvent | None:
    """The event that gives the shipment its current status, or None without events.

    The first terminal event (delivered to warehouse, cancelled) wins for good: a stale scan
    sent later, whatever its time, does not reopen the shipment. Otherwise the latest event
    wins, except that `unknown` events never hide a known status (they stay on the timeline).
    """
    latest_known: TrackingEvent | None = None
    latest_any: TrackingEvent | None = None
    for event in timeline(events):
        if event.status in TERMINAL_STATUSES:
            return event
        latest_any = event
        if event.status is not S.UNKNOWN:
            latest_known = event
    return latest_known or latest_any


def current_status(events: Iterable[TrackingEvent]) -> TrackingStatus | None:
    """The shipment's current normalised status (see `current_event`), None without events."""
    event = current_event(events)
    return None if event is None else event.status


def return_progress(previous: TrackingStatus | None, new: TrackingStatus | None) -> ReturnAction:
    """What the return should do when its shipment's current status goes from `previous` to
    `new` (both from `current_status`, before and after ingesting events).

    picked_up / in_transit / out_for_delivery -> MARK_IN_TRANSIT, once: not when the parcel was
    already moving. delivered_to_warehouse -> RECEIVE. pickup_failed -> PICKUP_FAILED unless
    the parcel has already left. Anything after a terminal status, or no change -> NONE.
    """
    if new is None or new == previous or previous in TERMINAL_STATUSES:
        return ReturnAction.NONE
    if new is S.DELIVERED_TO_WAREHOUSE:
        return ReturnAction.RECEIVE
    if new in MOVING_STATUSES:
        return ReturnAction.NONE if previous in MOVING_STATUSES else ReturnAction.MARK_IN_TRANSIT
    if new is S.PICKUP_FAILED and previous not in MOVING_STATUSES:
        return ReturnAction.PICKUP_FAILED
    return ReturnAction.NONE


def failed_pickup_attempts(events: Iterable[TrackingEvent]) -> int:
    """How many pickups failed on this shipment's timeline (each distinct scan counts once)."""
    return sum(1 for event in timeline(events) if event.status is S.PICKUP_FAILED)


@dataclass(frozen=True, slots=True)
class FailedPickupPolicy:
    """A store's escalation for failed pickups, in failed attempts.

    With (2, 3): the 1st failure starts the outreach to the shopper, the 2nd goes to the
    failed-pickup desk, the 3rd cancels. Equal values skip the desk.
    """

    max_attempts_before_desk: int = 2
    max_attempts_before_cancel: int = 3

    def __post_init__(self) -> None:
        if not 1 <= self.max_attempts_before_desk <= self.max_attempts_before_cancel:
            raise TrackingError(
                "Need 1 <= max_attempts_before_desk <= max_attempts_before_cancel.",
                code="invalid_failed_pickup_policy",
            )


def next_step_after_failure(attempts: int, policy: FailedPickupPolicy) -> NextStep:
    """The step after the `attempts`-th failed pickup (attempts counts this one, from 1)."""
    if attempts < 1:
        raise TrackingError("attempts counts the failure just seen, so it starts at 1.")
    if attempts >= policy.max_attempts_before_cancel:
        return NextStep.CANCEL
    if attempts >= policy.max_attempts_before_desk:
        return NextStep.DESK
    return NextStep.OUTREACH
