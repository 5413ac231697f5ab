"""Pickup attempts, measured from tracking: every failed pickup, and the first move of a pickup
shipment as its success, numbered per return across its shipments."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max

from retorno.domain.logistics import (
    ReturnAction,
)
from retorno.logistics.models import (
    CarrierAccount,
    PickupAttempt,
    Shipment,
)

logger = logging.getLogger(__name__)


def pickup_attempt_record(
    shipment: Shipment,
    account: CarrierAccount,
    *,
    action: ReturnAction,
    failure_reason: str,
    occurred_at: datetime,
) -> None:
    """Measure pickups: a failure on every pickup_failed, a success on the first move of a
    pickup shipment. Numbered per return, across its shipments."""
    if action is ReturnAction.PICKUP_FAILED:
        succeeded = False
    elif action in (ReturnAction.MARK_IN_TRANSIT, ReturnAction.RECEIVE) and (
        shipment.method == "pickup"
    ):
        if PickupAttempt.objects.filter(shipment=shipment, succeeded=True).exists():
            return
        succeeded = True
    else:
        return
    number = (
        PickupAttempt.objects.filter(
            store_id=shipment.store_id, return_id=shipment.return_id
        ).aggregate(n=Max("attempt_number"))["n"]
        or 0
    ) + 1
    try:
        with transaction.atomic():
            PickupAttempt.objects.create(
                store_id=shipment.store_id,
                shipment=shipment,
                carrier_account=account,
                return_id=shipment.return_id,
                attempt_number=number,
                succeeded=succeeded,
                failure_reason=failure_reason if not succeeded else "",
                occurred_at=occurred_at,
            )
    except IntegrityError:
        logger.warning("pickup attempt %s of return %s recorded twice", number, shipment.return_id)
