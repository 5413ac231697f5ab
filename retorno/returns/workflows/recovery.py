"""Recovering a return whose parcel did not leave: a failed pickup (outreach to the shopper, then
the failed-pickup desk, cancelled at the store's limit) and the choice that follows, made by the
shopper on the recovery page or by an agent at the desk, booked again at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from retorno.core.actors import SYSTEM, Actor
from retorno.core.errors import Conflict, Unprocessable
from retorno.domain.days import local_day
from retorno.domain.logistics import NextStep, next_step_after_failure
from retorno.domain.returns.states import ReturnStatus
from retorno.logistics.models import RecoveryState
from retorno.logistics.services import bookings, recoveries, tracking
from retorno.returns import services
from retorno.returns.events import EventKind, Recorded, command, event_record
from retorno.returns.locks import return_lock
from retorno.returns.models import Method, Return
from retorno.returns.selectors.links import recovery_url
from retorno.returns.workflows.parcels import carrier_actor, shipment_plan_for_return
from retorno.stores.models import Store


def pickup_failed_handle(
    *, store: Store, change: tracking.ShipmentChange, now: datetime | None = None
) -> NextStep:
    """A pickup failed: write to the shopper with a link to fix it (outreach), hand it to the
    failed-pickup desk after the store's number of failures, cancel the return at the maximum."""
    now = now or timezone.now()
    failures = recoveries.failed_pickups_count(store_id=store.id, return_id=change.return_id)
    step = next_step_after_failure(max(1, failures), recoveries.failed_pickup_policy(store))
    return_request = return_lock(store, change.rma)
    actor = carrier_actor(change.carrier, change.carrier_name)
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


def on_booking_failed(recorded: Recorded) -> None:
    """Handler of booking_failed and carrier_not_found: the parcel has no carrier, so the return
    goes to the failed-pickup desk at once, where an agent retries, switches the method or
    cancels (the shopper is told by notify_shopper, with the same choices on the recovery
    page)."""
    return_request, event = recorded.return_request, recorded.event
    if return_request.status != ReturnStatus.APPROVED or "shipment_id" not in event.data:
        return
    recoveries.booking_problem_open(
        store=return_request.store, shipment_id=int(event.data["shipment_id"]), now=event.created_at
    )


@dataclass(frozen=True)
class RecoveryChoice:
    """What the shopper (or an agent) chose for a parcel that did not leave."""

    action: str  # one of RECOVERY_ACTIONS
    pickup_date: date | None = None
    address: Mapping[str, Any] | None = None
    phone: str = ""
    note: str = ""


# Each choice but cancel, and the method it books. `retry` books the return's own method again.
CHOICE_METHODS: Mapping[str, str | None] = {
    "retry": None,
    "reschedule": Method.PICKUP,
    "update_address": Method.PICKUP,
    "drop_off": Method.DROP_OFF,
    "label": Method.SELF_SHIP,
}
RECOVERY_ACTIONS = (*CHOICE_METHODS, "cancel")
# The trail's step and the case's end for a booking by `method`, kept or switched to.
_SAME_METHOD: Mapping[str, EventKind] = {Method.PICKUP: EventKind.PICKUP_REBOOKED}
_SWITCHED_TO: Mapping[str, EventKind] = {
    Method.PICKUP: EventKind.SWITCHED_TO_PICKUP,
    Method.DROP_OFF: EventKind.SWITCHED_TO_DROP_OFF,
    Method.SELF_SHIP: EventKind.SWITCHED_TO_LABEL,
}
_CASE_END: Mapping[str, RecoveryState] = {
    Method.DROP_OFF: RecoveryState.SWITCHED_TO_DROP_OFF,
    Method.SELF_SHIP: RecoveryState.SWITCHED_TO_LABEL,
}


def pickup_recovery_apply(
    *, store: Store, rma: str, choice: RecoveryChoice, actor: Actor, now: datetime | None = None
) -> Return:
    """Apply a recovery choice and book again at once: the failed shipment is superseded (and
    cancelled with its carrier) and a new one is allocated. `retry` books the same method, a new
    date or a corrected address or phone a pickup, `drop_off` a drop-off code, `label` a return
    label; `cancel` cancels the return. Raises Conflict when the parcel's pickup or booking has
    not failed (code `pickup_not_failed`) or the return can no longer change."""
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
        method = CHOICE_METHODS[choice.action] or return_request.method
        was = return_request.method
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
        bookings.shipment_supersede(store=store, shipment_id=failed.id, now=now)
        recoveries.recovery_close(
            store=store,
            return_id=return_request.id,
            state=_CASE_END.get(method, RecoveryState.REBOOKED)
            if method != was
            else RecoveryState.REBOOKED,
            actor=actor,
            note=choice.note or choice.action,
            now=now,
        )
        event_record(
            return_request,
            _SWITCHED_TO[method]
            if method != was
            else _SAME_METHOD.get(method, EventKind.BOOKING_RETRIED),
            actor=actor,
            now=now,
            note=choice.note,
            data={
                "choice": choice.action,
                "method": method,
                "pickup_date": pickup_date.isoformat() if pickup_date else None,
                "address_changed": "pickup_address" in changed_fields,
            },
        )
        shipment_plan_for_return(
            return_request, now=now, method=method, address=address, pickup_date=pickup_date
        )
    return return_request
