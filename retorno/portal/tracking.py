"""What the tracking page shows about a return: its steps, its pickup and its money."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.urls import reverse
from django.utils.dateparse import parse_date

from retorno.domain.days import local_day
from retorno.logistics.models import BookingProblem
from retorno.logistics.selectors import open_recovery_for_return
from retorno.portal import display
from retorno.returns.models import Return, ReturnEvent
from retorno.returns.services import SHOPPER_CHANGEABLE_STATES

# Days from the refund's trigger to the money showing on the shopper's statement.
REFUND_PROCESSING_DAYS = 3
# Rough transit estimates used only until the real milestone happens.
REVIEW_DAYS = 2
COLLECTION_DAYS = 2
TRANSIT_DAYS = 3
INSPECTION_DAYS = 2


def label_url_for(return_request: Return) -> str | None:
    """The URL of the return's printable label, or None while it has none (not booked yet, or
    a pickup without a label)."""
    from django.urls import reverse

    from retorno.logistics.selectors import latest_label_shipment

    shipment = latest_label_shipment(store=return_request.store, return_id=return_request.id)
    if shipment is None:
        return None
    return reverse("portal:label", kwargs={"token": return_request.tracking_token})


@dataclass(frozen=True)
class TimelineEntry:
    title: str
    at: datetime
    details: list[str]
    current: bool


def timeline(events: list[ReturnEvent]) -> list[TimelineEntry]:
    entries = []
    # Shopper details are data for staff, not a step of the return.
    events = [event for event in events if event.kind != "shopper_details"]
    for index, event in enumerate(events):
        details: list[str] = []
        if event.kind == "held_for_review":
            details = display.reasons_text((event.data or {}).get("reasons", []))
        elif event.kind == "pickup_changed":
            when = parse_date(str((event.data or {}).get("pickup_date", "")))
            if when:
                details = [display.long_date(when)]
        elif event.kind == "rejected" and event.note:
            details = [event.note]
        entries.append(
            TimelineEntry(
                title=display.label(display.EVENT_LABELS, event.kind),
                at=event.created_at,
                details=details,
                current=index == len(events) - 1,
            )
        )
    return entries


def _first(events: list[ReturnEvent], kind: str, zone: str) -> date | None:
    for event in events:
        if event.kind == kind:
            return local_day(event.created_at, zone)
    return None


@dataclass(frozen=True)
class MoneyStatus:
    done: bool
    on: date | None  # when it happened, or when we expect it
    timing: str


def money_status(return_request: Return, events: list[ReturnEvent]) -> MoneyStatus | None:
    """Whether the refund (credit, exchange) is done, and when it was or is expected."""
    if return_request.status in ("rejected", "cancelled"):
        return None
    zone = return_request.store.timezone
    resolved = _first(events, "resolved", zone)
    lines = (return_request.decision or {}).get("lines") or [{}]
    timing = str(lines[0].get("refund_timing") or "on_receipt")
    if resolved:
        return MoneyStatus(done=True, on=resolved, timing=timing)
    created = local_day(return_request.created_at, zone)
    approved = _first(events, "approved", zone) or created + timedelta(days=REVIEW_DAYS)
    scanned = (
        _first(events, "in_transit", zone)
        or return_request.pickup_date
        or approved + timedelta(days=COLLECTION_DAYS)
    )
    received = _first(events, "received", zone) or scanned + timedelta(days=TRANSIT_DAYS)
    inspected = _first(events, "inspected", zone) or received + timedelta(days=INSPECTION_DAYS)
    trigger = {
        "on_approval": approved,
        "on_first_scan": scanned,
        "on_receipt": received,
        "on_inspection": inspected,
    }.get(timing, received)
    days = 0 if return_request.resolution == "store_credit" else REFUND_PROCESSING_DAYS
    return MoneyStatus(done=False, on=trigger + timedelta(days=days), timing=timing)


def can_change(return_request: Return) -> bool:
    return return_request.status in SHOPPER_CHANGEABLE_STATES


@dataclass(frozen=True)
class ParcelProblem:
    """A parcel that did not leave, as the tracking page tells the shopper: no carrier took the
    booking (`booking`), or the carrier could not collect it; `url` is where to choose what to
    do next."""

    booking: bool
    url: str


def parcel_problem(return_request: Return) -> ParcelProblem | None:
    """The open case of an approved return whose parcel did not leave, if any."""
    if return_request.status != "approved":
        return None
    case = open_recovery_for_return(store=return_request.store, return_id=return_request.id)
    if case is None:
        return None
    return ParcelProblem(
        booking=case.reason in BookingProblem.values,
        url=reverse("portal:recovery", kwargs={"token": return_request.tracking_token}),
    )
