"""What the tracking page shows about a return: its steps, its pickup and its money."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.urls import reverse
from django.utils.dateparse import parse_date

from retorno.core import labels
from retorno.core.money_timing import when_money_arrives
from retorno.core.weblinks import is_web_link
from retorno.domain.days import local_day
from retorno.domain.money.timing import Milestone, expected_money_on
from retorno.domain.returns.shopper_steps import ParcelState
from retorno.logistics.models import BookingProblem
from retorno.logistics.selectors import (
    latest_label_shipment,
    open_recovery_for_return,
    shipments_for_return,
)
from retorno.portal import display
from retorno.returns.models import Return, ReturnEvent
from retorno.returns.services import SHOPPER_CHANGEABLE_STATES
from retorno.returns.workflows.refunds import return_timing
from retorno.returns.workflows.resolving import EVENT_MILESTONES


def label_url_for(return_request: Return) -> str | None:
    """The URL of the return's printable label, or None while it has none (not booked yet, or
    a pickup without a label)."""
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
    # Only the steps a shopper sees: a carrier that did not answer, a booking tried again, the
    # warehouse's and the ledger's steps are internal (a parcel no carrier took has its own
    # message on the page), and shopper details are data for staff.
    events = [event for event in events if labels.shown_to_shoppers(event.kind)]
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
                title=labels.shopper_label("event", event.kind),
                at=event.created_at,
                details=details,
                current=index == len(events) - 1,
            )
        )
    return entries


def _reached(events: list[ReturnEvent], zone: str) -> dict[Milestone, date]:
    """The store-local day each refund milestone was first reached."""
    reached: dict[Milestone, date] = {}
    for event in events:
        milestone = next((m for kind, m in EVENT_MILESTONES.items() if kind == event.kind), None)
        if milestone is not None and milestone not in reached:
            reached[milestone] = local_day(event.created_at, zone)
    return reached


@dataclass(frozen=True)
class MoneyStatus:
    done: bool
    on: date | None  # when it happened, or when we expect it (None: no date to promise)
    sentence: str  # when the money (or the new item) comes, as every page and e-mail says it


def money_status(return_request: Return, events: list[ReturnEvent]) -> MoneyStatus | None:
    """Whether the refund (credit, exchange) is done, and when it was or is expected: the
    refund timing of the whole return (the latest of its lines', as the refund itself uses)."""
    if return_request.status in ("rejected", "cancelled"):
        return None
    zone = return_request.store.timezone
    sentence = when_money_arrives(
        return_request.resolution,
        return_timing(return_request),
        instant_exchange=bool((return_request.decision or {}).get("instant_exchange")),
    )
    resolved = next((local_day(e.created_at, zone) for e in events if e.kind == "resolved"), None)
    if resolved:
        return MoneyStatus(done=True, on=resolved, sentence=sentence)
    if return_request.resolution == "exchange":
        return MoneyStatus(done=False, on=None, sentence=sentence)
    expected = expected_money_on(
        return_timing(return_request),
        requested_on=local_day(return_request.created_at, zone),
        reached=_reached(events, zone),
        pickup_on=return_request.pickup_date,
        store_credit=return_request.resolution == "store_credit",
    )
    return MoneyStatus(done=False, on=expected, sentence=sentence)


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


@dataclass(frozen=True)
class Parcel:
    """The latest booking of the return's parcel, as the shopper needs it."""

    state: ParcelState
    method: str
    carrier: str = ""
    tracking_number: str = ""
    carrier_tracking_url: str = ""  # only a web address (is_web_link)
    drop_off_code: str = ""
    pickup_date: date | None = None


_PARCEL_STATES = {
    "booked": ParcelState.BOOKED,
    "failed": ParcelState.FAILED,
    "no_carrier": ParcelState.FAILED,
}


def parcel_for(return_request: Return) -> Parcel | None:
    """The return's current parcel booking (a failed pickup re-booked or a switch of method
    makes a new one and supersedes the old), or None when nothing was ever booked."""
    shipments = [
        s
        for s in shipments_for_return(store=return_request.store, return_id=return_request.id)
        if s.booking_state not in ("superseded", "cancelled")
    ]
    if not shipments:
        return None
    shipment = shipments[-1]
    link = shipment.carrier_tracking_url
    return Parcel(
        state=_PARCEL_STATES.get(shipment.booking_state, ParcelState.NONE),
        method=shipment.method,
        carrier=shipment.carrier_account.name if shipment.carrier_account else "",
        tracking_number=shipment.tracking_number,
        carrier_tracking_url=link if is_web_link(link) else "",
        drop_off_code=shipment.drop_off_code,
        pickup_date=shipment.pickup_date,
    )
