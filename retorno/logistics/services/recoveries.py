"""Failed pickups and failed bookings being recovered: counting the failures, the store's
escalation policy, opening and closing the one open case a return has, and finding the shipment
a recovery replaces. Writes, like services; returns' shipping module orchestrates them."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from retorno.core.actors import Actor
from retorno.core.errors import Conflict, NotFound
from retorno.domain.logistics import FailedPickupPolicy, FailedPickupReason, TrackingStatus
from retorno.logistics import selectors
from retorno.logistics.models import (
    OPEN_RECOVERY_STATES,
    BookingProblem,
    BookingState,
    PickupAttempt,
    PickupRecovery,
    RecoveryState,
    Shipment,
)
from retorno.logistics.services.tracking import ShipmentChange
from retorno.stores.models import Store


def failed_pickups_count(*, store_id: int, return_id: int) -> int:
    return PickupAttempt.objects.filter(
        store_id=store_id, return_id=return_id, succeeded=False
    ).count()


def failed_pickup_policy(store: Store) -> FailedPickupPolicy:
    row = selectors.logistics_settings_for(store)
    before_desk = max(1, row.failed_pickups_before_desk)
    return FailedPickupPolicy(
        max_attempts_before_desk=before_desk,
        max_attempts_before_cancel=max(before_desk, row.failed_pickups_before_cancel),
    )


# --- failed-pickup recovery ------------------------------------------------------------------


def recovery_open(
    *,
    store: Store,
    change: ShipmentChange,
    failures: int,
    at_desk: bool,
    now: datetime | None = None,
) -> PickupRecovery:
    """Open (or escalate) the recovery of a failed pickup. Earlier open cases of the return are
    folded into this one: a return has one open case at a time."""
    shipment = Shipment.objects.get(id=change.shipment_id)
    return _case_open(
        shipment,
        reason=change.failure_reason,
        failures=failures,
        state=RecoveryState.AT_DESK if at_desk else RecoveryState.AWAITING_SHOPPER,
        now=now or timezone.now(),
    )


def booking_problem_open(
    *, store: Store, shipment_id: int, now: datetime | None = None
) -> PickupRecovery | None:
    """Hand a shipment no carrier took to the failed-pickup desk: every carrier refused or stayed
    down (booking_failed), or none could take the parcel at all (no_carrier). Folds the return's
    earlier open case into it. None when the shipment is not (or no longer) in that state: a
    replayed event opens nothing."""
    shipment = (
        Shipment.objects.filter(
            store=store,
            id=shipment_id,
            booking_state__in=(BookingState.FAILED, BookingState.NO_CARRIER),
        )
        .only("id", "store_id", "return_id", "rma", "carrier_account_id", "booking_state")
        .first()
    )
    if shipment is None:
        return None
    problem = (
        BookingProblem.BOOKING_FAILED
        if shipment.booking_state == BookingState.FAILED
        else BookingProblem.NO_CARRIER
    )
    return _case_open(
        shipment,
        reason=problem,
        failures=failed_pickups_count(store_id=store.id, return_id=shipment.return_id),
        state=RecoveryState.AT_DESK,
        now=now or timezone.now(),
    )


def _case_open(
    shipment: Shipment, *, reason: str, failures: int, state: str, now: datetime
) -> PickupRecovery:
    PickupRecovery.objects.filter(
        store_id=shipment.store_id, return_id=shipment.return_id, state__in=OPEN_RECOVERY_STATES
    ).exclude(shipment_id=shipment.id).update(
        state=RecoveryState.CLOSED, resolution_note="Failed again", resolved_at=now, updated_at=now
    )
    facts = {
        "store_id": shipment.store_id,
        "return_id": shipment.return_id,
        "rma": shipment.rma,
        "carrier_account_id": shipment.carrier_account_id,
        "reason": reason,
        "failures": failures,
        "state": state,
        "updated_at": now,
    }
    recovery, _ = PickupRecovery.objects.update_or_create(
        shipment_id=shipment.id, defaults=facts, create_defaults={**facts, "created_at": now}
    )
    return recovery


def recovery_close(
    *,
    store: Store,
    return_id: int,
    state: str,
    actor: Actor,
    note: str = "",
    now: datetime | None = None,
) -> int:
    """Close the return's open recovery with how it ended (rebooked, drop_off, cancelled...)."""
    now = now or timezone.now()
    return PickupRecovery.objects.filter(
        store=store, return_id=return_id, state__in=OPEN_RECOVERY_STATES
    ).update(
        state=state,
        resolution_note=note[:2000],
        resolved_by=str(actor)[:200],
        resolved_at=now,
        updated_at=now,
    )


def active_shipment_for_return(*, store: Store, return_id: int) -> Shipment | None:
    return (
        Shipment.objects.filter(store=store, return_id=return_id)
        .exclude(booking_state__in=(BookingState.SUPERSEDED, BookingState.CANCELLED))
        .order_by("-attempt_number")
        .first()
    )


def shipment_for_recovery(*, store: Store, return_id: int) -> Shipment:
    shipment = active_shipment_for_return(store=store, return_id=return_id)
    if shipment is None:
        raise NotFound("This return has no shipment.", code="shipment_not_found")
    if shipment.status != TrackingStatus.PICKUP_FAILED and shipment.booking_state not in (
        BookingState.FAILED,
        BookingState.NO_CARRIER,
    ):
        raise Conflict("The pickup of this return has not failed.", code="pickup_not_failed")
    return shipment


# Every reason a parcel can be at the desk for, as the desk's filter lists them.
FAILURE_REASONS = [r.value for r in FailedPickupReason] + [p.value for p in BookingProblem]
