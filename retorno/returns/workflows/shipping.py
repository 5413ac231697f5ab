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
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from retorno.core.actors import SYSTEM, Actor
from retorno.core.errors import Conflict, NotFound, RetornoError, Unprocessable
from retorno.core.models import OutboxMessage
from retorno.core.outbox import outbox_enqueue
from retorno.domain.days import local_day
from retorno.domain.errors import DomainError
from retorno.domain.logistics import NextStep, ReturnAction, next_step_after_failure
from retorno.domain.logistics.gateway import RawTrackingEvent
from retorno.domain.returns.states import Command, ReturnStatus
from retorno.logistics import recoveries
from retorno.logistics import selectors as logistics_selectors
from retorno.logistics import services as logistics
from retorno.logistics.gateways import gateway_for
from retorno.logistics.models import BookingState, CarrierAccount, RecoveryState, Shipment
from retorno.returns import services
from retorno.returns.events import EventKind, Recorded, command, event_record, transition_record
from retorno.returns.links import tracking_url
from retorno.returns.locks import return_lock, return_lock_by_id
from retorno.returns.models import Method, Return, ReturnEvent
from retorno.stores.models import Store

logger = logging.getLogger(__name__)

SHIPPED_METHODS = frozenset({Method.PICKUP, Method.DROP_OFF, Method.SELF_SHIP})
# Approvals older than this are history (an import, the demo's backfill): never booked.
MAX_APPROVAL_AGE_TO_BOOK = timedelta(days=2)


def _carrier_actor(code: str, name: str) -> Actor:
    return Actor(kind="carrier", id=code, label=name or code)


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
    logistics.shipment_cancel(store=return_request.store, return_id=return_request.id)


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


def parcel_facts(
    return_request: Return,
    *,
    method: str | None = None,
    address: Mapping[str, Any] | None = None,
    pickup_date: date | None = None,
) -> logistics.ParcelFacts:
    """The return's parcel as logistics sees it: sender (pickup address with the shopper's
    contact), weight from the variants, declared value, category and tier."""
    customer = return_request.customer
    items = list(return_request.items.select_related("order_line__variant"))
    weight = 0
    for item in items:
        variant = item.order_line.variant
        units = item.quantity_approved or item.quantity_requested
        weight += (variant.weight_grams if variant is not None else 0) * units
    sender = {
        "name": customer.name,
        "phone": customer.phone,
        "email": customer.email,
        **dict(address if address is not None else (return_request.pickup_address or {})),
    }
    categories = [item.order_line.category for item in items if item.order_line.category]
    return logistics.ParcelFacts(
        return_id=return_request.id,
        rma=return_request.rma,
        method=method or return_request.method,
        sender=sender,
        weight_grams=weight,
        declared_value=Decimal(return_request.items_amount),
        currency=return_request.currency,
        category=categories[0] if categories else "",
        customer_tier=customer.tier,
        pickup_date=pickup_date if pickup_date is not None else return_request.pickup_date,
        tracking_url=tracking_url(return_request),
    )


def shipment_plan_for_return(
    return_request: Return,
    *,
    now: datetime | None = None,
    method: str | None = None,
    address: Mapping[str, Any] | None = None,
    pickup_date: date | None = None,
    exclude_carriers: Sequence[str] = (),
) -> Shipment | None:
    """Allocate and queue the booking of the return's parcel; record the choice on the trail.
    Call inside the command that holds the return's row lock."""
    now = now or timezone.now()
    plan = logistics.shipment_plan(
        store=return_request.store,
        parcel=parcel_facts(
            return_request, method=method, address=address, pickup_date=pickup_date
        ),
        now=now,
        exclude_carriers=exclude_carriers,
    )
    shipment = plan.shipment
    if shipment is None:
        return None
    allocation = shipment.allocation
    if shipment.booking_state == BookingState.NO_CARRIER:
        event_record(
            return_request,
            EventKind.CARRIER_NOT_FOUND,
            actor=SYSTEM,
            now=now,
            note="No carrier can take this parcel: "
            + "; ".join(f"{v['carrier']}: {v['message']}" for v in allocation.get("verdicts", [])),
            data={"shipment": shipment.reference, "allocation": allocation},
        )
    else:
        first = allocation["ranking"][0]
        event_record(
            return_request,
            EventKind.CARRIER_ALLOCATED,
            actor=SYSTEM,
            now=now,
            note=f"{first['name']} chosen by rule {allocation['rule']} ({first['message']}).",
            data={
                "shipment": shipment.reference,
                "carrier": first["carrier"],
                "rule": allocation["rule"],
                "strategy": allocation["strategy"],
                "ranking": [r["carrier"] for r in allocation["ranking"]],
            },
        )
    return shipment


# --- booking (outbox handler) ------------------------------------------------------------------


def booking_deliver(message: OutboxMessage) -> dict[str, Any]:
    """Outbox handler of logistics.book: book with the carriers, outside any transaction, then
    write every try and the label on the return's trail. A carrier that is down raises
    BookingRetry after recording it, so the outbox retries with its backoff."""
    outcome = logistics.shipment_book(
        shipment_id=int(message.payload["shipment_id"]), outbox_attempts=message.attempts
    )
    booking_outcome_record(outcome)
    if outcome.state == "retry":
        raise logistics.BookingRetry(
            f"carrier {outcome.carrier} unavailable for shipment {outcome.shipment_id}"
        )
    return {"state": outcome.state, "carrier": outcome.carrier, "tracking": outcome.tracking_number}


def booking_outcome_record(
    outcome: logistics.BookingOutcome, *, now: datetime | None = None
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
                data={"tries": [t.as_json() for t in outcome.tries]},
            )


def label_public_url(return_request: Return) -> str:
    return settings.RETORNO_PUBLIC_URL + reverse(
        "portal:label", kwargs={"token": return_request.tracking_token}
    )


# --- tracking: webhooks and polling -------------------------------------------------------------


def tracking_webhook_receive(
    *, webhook_code: str, headers: Mapping[str, str], body: bytes
) -> logistics.IngestResult:
    """An inbound carrier webhook: the adapter verifies the signature (InvalidSignature: nothing
    is stored) and parses the batch; the events are stored once each and the returns move."""
    account = logistics_selectors.carrier_account_by_webhook_code(webhook_code)
    if account is None or not account.enabled:
        raise NotFound("No such carrier webhook.", code="carrier_not_found")
    events = gateway_for(account).parse_webhook(headers, body)
    return tracking_events_apply(account=account, events=events)


def tracking_events_apply(
    *,
    account: CarrierAccount,
    events: Sequence[RawTrackingEvent],
    now: datetime | None = None,
) -> logistics.IngestResult:
    """Store carrier events and move the returns they concern, in one transaction."""
    now = now or timezone.now()
    with command():
        result = logistics.tracking_events_ingest(account=account, events=events, now=now)
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
    store: Store, changes: Sequence[logistics.ShipmentChange], *, now: datetime
) -> None:
    for change in changes:
        try:
            with command():  # a change rolled back takes its events with it
                _apply_change(store, change, now)
        except (RetornoError, DomainError) as error:
            # The return moved on by another path (cancelled, received by hand): keep the scan,
            # note why the return did not follow.
            logger.warning("return %s did not follow %s: %s", change.rma, change.status, error)


def _apply_change(store: Store, change: logistics.ShipmentChange, now: datetime) -> None:
    actor = _carrier_actor(change.carrier, change.carrier_name)
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
        pickup_failed_handle(store=store, change=change, now=now)
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


# --- failed pickups ------------------------------------------------------------------------------


def recovery_url(return_request: Return) -> str:
    return settings.RETORNO_PUBLIC_URL + reverse(
        "portal:recovery", kwargs={"token": return_request.tracking_token}
    )


def pickup_failed_handle(
    *, store: Store, change: logistics.ShipmentChange, now: datetime | None = None
) -> NextStep:
    """A pickup failed: write to the shopper with a link to fix it (outreach), hand it to the
    failed-pickup desk after the store's number of failures, cancel the return at the maximum."""
    now = now or timezone.now()
    failures = recoveries.failed_pickups_count(store_id=store.id, return_id=change.return_id)
    step = next_step_after_failure(max(1, failures), recoveries.failed_pickup_policy(store))
    return_request = return_lock(store, change.rma)
    actor = _carrier_actor(change.carrier, change.carrier_name)
    data = {
        "carrier": change.carrier,
        "tracking_number": change.tracking_number,
        "reason": change.failure_reason,
        "failures": failures,
        "step": str(step),
        "recovery_url": recovery_url(return_request),
        "shipment_id": change.shipment_id,
    }
    if step is NextStep.CANCEL:
        recoveries.recovery_close(
            store=store,
            return_id=change.return_id,
            state=RecoveryState.CANCELLED,
            actor=actor,
            note=f"Cancelled after {failures} failed pickups",
            now=now,
        )
        event_record(
            return_request,
            EventKind.PICKUP_FAILED,
            actor=actor,
            now=now,
            note=f"Pickup failed ({change.failure_reason or 'no reason given'}).",
            data=data,
        )
        if return_request.status in (ReturnStatus.APPROVED, ReturnStatus.PENDING_REVIEW):
            services.return_cancel(
                store=store,
                rma=change.rma,
                actor=SYSTEM,
                note=(
                    f"Cancelled after {failures} failed pickup attempts. "
                    "Start a new return if you still want to send the items back."
                ),
                now=now,
            )
        return step
    recoveries.recovery_open(
        store=store, change=change, failures=failures, at_desk=step is NextStep.DESK, now=now
    )
    event_record(
        return_request,
        EventKind.PICKUP_FAILED,
        actor=actor,
        now=now,
        note=f"Pickup failed ({change.failure_reason or 'no reason given'}).",
        data=data,
    )
    return step


@dataclass(frozen=True)
class RecoveryChoice:
    """What the shopper (or an agent) chose after a failed pickup."""

    action: str  # reschedule | update_address | drop_off | cancel
    pickup_date: date | None = None
    address: Mapping[str, Any] | None = None
    phone: str = ""
    note: str = ""


RECOVERY_ACTIONS = ("reschedule", "update_address", "drop_off", "cancel")


def pickup_recovery_apply(
    *, store: Store, rma: str, choice: RecoveryChoice, actor: Actor, now: datetime | None = None
) -> Return:
    """Apply a recovery choice and re-book at once: a new date or a corrected address or phone
    books a new pickup (the failed shipment is superseded and cancelled with its carrier),
    drop-off books a drop-off code, cancel cancels the return. Raises Conflict when the pickup
    has not failed (code `pickup_not_failed`) or the return can no longer change."""
    now = now or timezone.now()
    if choice.action not in RECOVERY_ACTIONS:
        raise Unprocessable(f"Unknown choice {choice.action!r}.", code="invalid_choice")
    with command():
        return_request = return_lock(store, rma)
        if return_request.status != ReturnStatus.APPROVED:
            raise Conflict("This return can no longer be changed.", code="pickup_not_changeable")
        failed = recoveries.shipment_for_recovery(store=store, return_id=return_request.id)
        if choice.action == "cancel":
            recoveries.recovery_close(
                store=store,
                return_id=return_request.id,
                state=RecoveryState.CANCELLED,
                actor=actor,
                note=choice.note or "Cancelled after a failed pickup",
                now=now,
            )
            return services.return_cancel(
                store=store,
                rma=rma,
                actor=actor,
                note=choice.note or "Cancelled after a failed pickup.",
                now=now,
            )
        address = dict(return_request.pickup_address or {})
        if choice.address:
            address.update({k: v for k, v in choice.address.items() if v is not None})
        if choice.phone:
            address["phone"] = choice.phone
        method = Method.DROP_OFF if choice.action == "drop_off" else Method.PICKUP
        pickup_date = choice.pickup_date if method == Method.PICKUP else None
        if (
            method == Method.PICKUP
            and pickup_date is not None
            and pickup_date <= local_day(now, store.timezone)
        ):
            raise Unprocessable(
                "Choose a pickup date from tomorrow on.", code="invalid_pickup_date"
            )
        changed_fields = ["updated_at"]
        if address != (return_request.pickup_address or {}):
            return_request.pickup_address = address
            changed_fields.append("pickup_address")
        if method != return_request.method:
            return_request.method = method
            changed_fields.append("method")
        if pickup_date is not None:
            return_request.pickup_date = pickup_date
            changed_fields.append("pickup_date")
        return_request.updated_at = now
        return_request.save(update_fields=changed_fields)
        logistics.shipment_supersede(store=store, shipment_id=failed.id, now=now)
        recoveries.recovery_close(
            store=store,
            return_id=return_request.id,
            state=RecoveryState.SWITCHED_TO_DROP_OFF
            if method == Method.DROP_OFF
            else RecoveryState.REBOOKED,
            actor=actor,
            note=choice.note or choice.action,
            now=now,
        )
        event_record(
            return_request,
            EventKind.PICKUP_REBOOKED
            if method == Method.PICKUP
            else EventKind.SWITCHED_TO_DROP_OFF,
            actor=actor,
            now=now,
            note=choice.note,
            data={
                "choice": choice.action,
                "pickup_date": pickup_date.isoformat() if pickup_date else None,
                "address_changed": "pickup_address" in changed_fields,
            },
        )
        shipment_plan_for_return(
            return_request, now=now, method=method, address=address, pickup_date=pickup_date
        )
    return return_request


def shipment_rebook_by_agent(
    *, store: Store, rma: str, actor: Actor, note: str = "", now: datetime | None = None
) -> Return:
    """Desk action: book again with the same facts (e.g. after calling the shopper)."""
    return pickup_recovery_apply(
        store=store,
        rma=rma,
        choice=RecoveryChoice(action="reschedule", note=note),
        actor=actor,
        now=now,
    )
