"""Where a return and its parcel meet: booking on approval, carrier events moving the return,
and the failed-pickup recovery. Logistics sits below returns and never imports it, so the
orchestration that needs both lives here, and interfaces (the webhook API, the portal, the back
office, the polling task) call these functions.

The trail: every booking try, label, failed pickup and carrier milestone is a ReturnEvent on the
return (so the back office, the API's /events and the shopper's timeline show one history, and
the notifications that follow events need nothing new). Scan-level detail stays in logistics
(TrackingEvent) and is served by GET /returns/{rma}/shipments.

Carrier delivery is a parcel fact, not a unit count: "delivered to the warehouse" moves the return
to `received` with a `received` event whose data says `parcel_delivered: true,
units_counted: false`; the warehouse then counts units in with return_receive (the state machine
allows received → received), so refunds never follow units nobody has seen.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from retorno.core.actors import SYSTEM, Actor
from retorno.core.errors import NotFound, RetornoError
from retorno.core.models import OutboxMessage
from retorno.core.outbox import outbox_enqueue
from retorno.domain.errors import DomainError
from retorno.domain.logistics import ReturnAction
from retorno.domain.logistics.gateway import RawTrackingEvent
from retorno.domain.returns.states import Command, ReturnStatus
from retorno.integrations.http import WEBHOOK_QUERY_HEADER
from retorno.logistics import selectors as logistics_selectors
from retorno.logistics.gateways import gateway_for
from retorno.logistics.models import CarrierAccount, RecoveryState, Shipment
from retorno.logistics.services import bookings, recoveries, tracking
from retorno.returns import services
from retorno.returns.events import EventKind, Recorded, command, event_record, transition_record
from retorno.returns.locks import return_lock, return_lock_by_id
from retorno.returns.models import Method, Return, ReturnEvent
from retorno.returns.selectors.links import recovery_url
from retorno.returns.workflows import recovery
from retorno.returns.workflows.parcels import carrier_actor, shipment_plan_for_return
from retorno.stores.models import Store
from retorno.stores.selectors import store_public_url

logger = logging.getLogger(__name__)

SHIPPED_METHODS = frozenset({Method.PICKUP, Method.DROP_OFF, Method.SELF_SHIP})
# Approvals older than this are history (an import, the demo's backfill): never booked.
MAX_APPROVAL_AGE_TO_BOOK = timedelta(days=2)


# --- handlers: what a return event means to logistics ------------------------------------------


def on_approved(recorded: Recorded) -> None:
    """Queue the carrier allocation and booking of an approved return that travels (not one
    approved long ago: an import or the demo's history)."""
    return_request, event = recorded.return_request, recorded.event
    if return_request.method not in SHIPPED_METHODS:
        return
    if timezone.now() - event.created_at > MAX_APPROVAL_AGE_TO_BOOK:
        return
    allocation_enqueue(return_request, event)


def on_cancelled(recorded: Recorded) -> None:
    """Cancel the shipments of a cancelled return with their carriers."""
    return_request = recorded.return_request
    bookings.shipment_cancel(store=return_request.store, return_id=return_request.id)


# --- allocation (outbox handler) ---------------------------------------------------------------

ALLOCATE_KIND = "logistics.allocate"


def allocation_enqueue(return_request: Return, approval: ReturnEvent) -> None:
    """Queue the allocation of the approved return's parcel, in the approval's transaction.

    Ranking the carriers reads their profiles, rules and capacity (several queries and the
    allocation engine); done by the job, it keeps that work out of the approval's transaction
    and out of the web request. One job per approval, however often the effects run. A store
    without carriers gets no job: it would find nothing to allocate.
    """
    if not logistics_selectors.store_books_carriers(return_request.store_id):
        return
    outbox_enqueue(
        store_id=return_request.store_id,
        kind=ALLOCATE_KIND,
        dedupe_key=f"{ALLOCATE_KIND}:{return_request.id}:{approval.id}",
        payload={
            "return_id": return_request.id,
            "approval_event_id": approval.id,
            "approved_at": approval.created_at.isoformat(),
        },
    )


def allocation_deliver(message: OutboxMessage) -> dict[str, Any]:
    """Outbox handler of logistics.allocate: allocate a carrier to the approved return and queue
    its booking (shipment_plan_for_return), under the return's row lock.

    Nothing happens when the return is no longer approved (cancelled or moved on meanwhile) or
    this approval already has its shipment (a re-driven job)."""
    payload = message.payload
    approved_at = datetime.fromisoformat(payload["approved_at"])
    with command():
        return_request = return_lock_by_id(payload["return_id"], store_id=message.store_id)
        if return_request is None or not _awaits_allocation(return_request, approved_at):
            return {"skipped": True}
        # Allocated now (pickup dates count from today), never dated before the approval.
        now = max(timezone.now(), approved_at)
        shipment = shipment_plan_for_return(return_request, now=now)
    return {"shipment": shipment.reference if shipment is not None else None}


def _awaits_allocation(return_request: Return, approved_at: datetime) -> bool:
    """Approved, and no shipment planned since this approval."""
    return (
        return_request.status == ReturnStatus.APPROVED
        and not Shipment.objects.filter(
            store_id=return_request.store_id,
            return_id=return_request.id,
            created_at__gte=approved_at,
        ).exists()
    )


# --- booking (outbox handler) ------------------------------------------------------------------


def booking_deliver(message: OutboxMessage) -> dict[str, Any]:
    """Outbox handler of logistics.book: book with the carriers, outside any transaction, then
    write every try and the label on the return's trail. A carrier that is down raises
    BookingRetry after recording it, so the outbox retries with its backoff."""
    outcome = bookings.shipment_book(
        shipment_id=int(message.payload["shipment_id"]), outbox_attempts=message.attempts
    )
    booking_outcome_record(outcome)
    if outcome.state == "retry":
        raise bookings.BookingRetry(
            f"carrier {outcome.carrier} unavailable for shipment {outcome.shipment_id}"
        )
    return {"state": outcome.state, "carrier": outcome.carrier, "tracking": outcome.tracking_number}


def booking_outcome_record(
    outcome: bookings.BookingOutcome, *, now: datetime | None = None
) -> None:
    """Put a booking run on the return's trail: one event per failed try, then `label_ready`
    (which the shopper is sent) or `booking_failed`."""
    if outcome.state == "unchanged":
        return
    now = now or timezone.now()
    with command():
        return_request = return_lock_by_id(outcome.return_id, store_id=outcome.store_id)
        if return_request is None:
            return
        for attempt in outcome.tries:
            if attempt.outcome in ("booked", "skipped"):
                continue
            event_record(
                return_request,
                EventKind.CARRIER_UNAVAILABLE
                if attempt.outcome == "unavailable"
                else EventKind.CARRIER_REJECTED,
                actor=SYSTEM,
                now=now,
                note=attempt.message,
                data={
                    "carrier": attempt.carrier,
                    "will_retry": attempt.will_retry,
                    "next": "retry" if attempt.will_retry else "next carrier",
                },
            )
        if outcome.state == "booked":
            data: dict[str, Any] = {
                "carrier": outcome.carrier_name,
                "carrier_code": outcome.carrier,
                "tracking_number": outcome.tracking_number,
                "method": outcome.method,
            }
            if outcome.label_ready:
                data["label_url"] = label_public_url(return_request)
            if outcome.drop_off_code:
                data["dropoff_code"] = outcome.drop_off_code
            if outcome.pickup_date:
                data["pickup_date"] = outcome.pickup_date.isoformat()
            if outcome.pickup_window:
                data["pickup_window"] = outcome.pickup_window
            event_record(return_request, EventKind.LABEL_READY, actor=SYSTEM, now=now, data=data)
            _apply_changes(return_request.store, outcome.shipment_changes, now=now)
        elif outcome.state == "failed":
            event_record(
                return_request,
                EventKind.BOOKING_FAILED,
                actor=SYSTEM,
                now=now,
                note="No carrier could book this return; it waits at the failed-pickup desk.",
                data={
                    "shipment_id": outcome.shipment_id,
                    "method": outcome.method,
                    "tries": [t.as_json() for t in outcome.tries],
                    "recovery_url": recovery_url(return_request),
                },
            )


def label_public_url(return_request: Return) -> str:
    return store_public_url(return_request.store) + reverse(
        "portal:label", kwargs={"token": return_request.tracking_token}
    )


# --- tracking: webhooks and polling -------------------------------------------------------------


def tracking_webhook_receive(
    *, webhook_code: str, headers: Mapping[str, str], body: bytes, query: str | None = None
) -> tracking.IngestResult:
    """An inbound carrier webhook: the adapter verifies the signature (InvalidSignature: nothing
    is stored) and parses the batch; the events are stored once each and the returns move.

    `query` is the webhook URL's query string, for carriers that sign with a token in it: it
    reaches the adapter as the `WEBHOOK_QUERY_HEADER` pseudo-header, replacing any header of
    that name the sender set."""
    if query is not None:
        headers = {**headers, WEBHOOK_QUERY_HEADER: query}
    account = logistics_selectors.carrier_account_by_webhook_code(webhook_code)
    if account is None or not account.enabled:
        raise NotFound("No such carrier webhook.", code="carrier_not_found")
    events = gateway_for(account).parse_webhook(headers, body)
    tracking.event_times_check(events, now=timezone.now())
    return tracking_events_apply(account=account, events=events)


def tracking_events_apply(
    *,
    account: CarrierAccount,
    events: Sequence[RawTrackingEvent],
    now: datetime | None = None,
) -> tracking.IngestResult:
    """Store carrier events and move the returns they concern, in one transaction."""
    now = now or timezone.now()
    with command():
        result = tracking.tracking_events_ingest(account=account, events=events, now=now)
        if result.changes:
            _apply_changes(account.store, result.changes, now=now)
    return result


def shipments_poll(*, limit: int = 200, now: datetime | None = None) -> int:
    """Fetch tracking from carriers without webhooks for shipments still travelling. One
    carrier being down is logged and skipped; returns the number of events received."""
    received = 0
    for shipment in logistics_selectors.pollable_shipments(limit=limit):
        account = shipment.carrier_account
        assert account is not None
        try:
            events = gateway_for(account).track(shipment.tracking_number)
        except DomainError as error:
            logger.warning("polling %s failed: %s", shipment.reference, error)
            continue
        result = tracking_events_apply(account=account, events=events, now=now)
        received += result.received
        Shipment.objects.filter(id=shipment.id).update(updated_at=now or timezone.now())
    return received


def _apply_changes(
    store: Store, changes: Sequence[tracking.ShipmentChange], *, now: datetime
) -> None:
    for change in changes:
        try:
            with command():  # a change rolled back takes its events with it
                _apply_change(store, change, now)
        except (RetornoError, DomainError) as error:
            # The return moved on by another path (cancelled, received by hand): keep the scan,
            # note why the return did not follow.
            logger.warning("return %s did not follow %s: %s", change.rma, change.status, error)


def _apply_change(store: Store, change: tracking.ShipmentChange, now: datetime) -> None:
    actor = carrier_actor(change.carrier, change.carrier_name)
    data = {
        "carrier": change.carrier,
        "tracking_number": change.tracking_number,
        "status": change.status,
        "occurred_at": change.occurred_at.isoformat(),
        "shipment_id": change.shipment_id,
    }
    if change.action is ReturnAction.MARK_IN_TRANSIT:
        return_request = return_lock(store, change.rma)
        recoveries.recovery_close(
            store=store,
            return_id=change.return_id,
            state=RecoveryState.CLOSED,
            actor=actor,
            note="Picked up",
            now=now,
        )
        if return_request.status == ReturnStatus.APPROVED:
            services.return_mark_in_transit(
                store=store,
                rma=change.rma,
                actor=actor,
                note=f"Picked up by {change.carrier_name}.",
                data=data,
                now=now,
            )
    elif change.action is ReturnAction.RECEIVE:
        return_parcel_delivered(store=store, rma=change.rma, actor=actor, data=data, now=now)
    elif change.action is ReturnAction.PICKUP_FAILED:
        recovery.pickup_failed_handle(store=store, change=change, now=now)
    elif change.status == "exception":
        return_request = return_lock(store, change.rma)
        event_record(
            return_request,
            EventKind.SHIPMENT_EXCEPTION,
            actor=actor,
            now=now,
            note=f"{change.carrier_name} reports a problem ({change.raw_status}).",
            data=data,
        )


def return_parcel_delivered(
    *, store: Store, rma: str, actor: Actor, data: dict[str, Any], now: datetime | None = None
) -> Return:
    """The carrier delivered the parcel to the warehouse: the return is `received` (the parcel
    is here) with no unit counted yet; the warehouse counts units with return_receive."""
    now = now or timezone.now()
    with command():
        return_request = return_lock(store, rma)
        if return_request.status == ReturnStatus.RECEIVED:
            return return_request
        transition_record(
            return_request,
            Command.RECEIVE,
            EventKind.RECEIVED,
            actor=actor,
            now=now,
            note="Parcel delivered to the warehouse by the carrier; units are counted on receiving.",
            data={**data, "parcel_delivered": True, "units_counted": False, "quantities": {}},
        )
    return return_request
