"""The demo's parcels of the past: a shipment for every return a carrier took to the warehouse,
with its scans and pickup attempts, so the carriers' figures (first-attempt pickup success,
labels used, transit) have a history. Written once, after the demo's carrier accounts exist,
from the returns' own trail: the carrier and tracking number of the first scan, the time of the
scan and of the receipt. Labels of returns cancelled before sending are issued and never used.

Only finished journeys are written (delivered to the warehouse, or a cancelled label), so no
job ever polls a carrier about them.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Min

from retorno.domain.returns.events import EventKind
from retorno.logistics.models import (
    BookingState,
    CarrierAccount,
    PickupAttempt,
    Shipment,
    TrackingEvent,
)
from retorno.returns.models import Return, ReturnEvent
from retorno.stores.models import Store

# How often each carrier collects a pickup at its first attempt (a failure is followed by a
# second attempt the next day).
FIRST_ATTEMPT_SUCCESS = {"rapido": 0.93, "norte": 0.81, "eco": 0.68}
FAILURES = ("customer_not_available", "item_not_ready", "wrong_address")
# What the store pays a carrier for a return label (a pickup costs PICKUP_EXTRA more); a
# shopper who ships it themselves pays their own postage.
LABEL_PRICES = {"rapido": Decimal("6.90"), "norte": Decimal("5.40"), "eco": Decimal("4.20")}
PICKUP_EXTRA = Decimal("1.50")


def label_price(code: str, method: str) -> Decimal | None:
    if method == "self_ship":
        return None
    price = LABEL_PRICES.get(code, Decimal("5.00"))
    return price + PICKUP_EXTRA if method == "pickup" else price


def carrier_history_write(store: Store, *, seed: int) -> int:
    """Write the shipments of the store's past returns; returns how many. Does nothing when the
    store has shipments already."""
    if Shipment.objects.filter(store=store).exists():
        return 0
    rng = random.Random(seed)
    accounts = {a.code: a for a in CarrierAccount.objects.filter(store=store)}
    received = dict(
        ReturnEvent.objects.filter(store=store, kind=EventKind.RECEIVED)
        .values("return_request_id")
        .annotate(at=Min("created_at"))
        .values_list("return_request_id", "at")
    )
    returns = {
        r.id: r for r in Return.objects.filter(store=store).only("id", "rma", "method", "currency")
    }
    shipments: list[Shipment] = []
    scans: list[tuple[int, str, str, datetime]] = []
    attempts: list[tuple[int, int, bool, str, datetime]] = []
    for event in ReturnEvent.objects.filter(store=store, kind=EventKind.IN_TRANSIT).order_by(
        "return_request_id", "created_at"
    ):
        account = accounts.get(str(event.data.get("carrier") or ""))
        ret = returns[event.return_request_id]
        arrived = received.get(ret.id)
        if account is None or arrived is None or arrived < event.created_at:
            continue
        index = len(shipments)
        shipments.append(
            Shipment(
                store=store,
                return_id=ret.id,
                rma=ret.rma,
                reference=f"{ret.rma}-H1",
                method=ret.method,
                carrier_account=account,
                booking_state=BookingState.BOOKED,
                status="delivered_to_warehouse",
                status_at=arrived,
                tracking_number=str(event.data.get("tracking_number") or ""),
                price_amount=label_price(account.code, ret.method),
                currency=ret.currency,
                booked_at=event.created_at - timedelta(hours=20),
                created_at=event.created_at - timedelta(hours=20),
                updated_at=arrived,
            )
        )
        scans.append((index, "picked_up", "", event.created_at))
        scans.append((index, "delivered_to_warehouse", "", arrived))
        if ret.method == "pickup":
            if rng.random() < FIRST_ATTEMPT_SUCCESS.get(account.code, 0.8):
                attempts.append((index, 1, True, "", event.created_at))
            else:
                reason = rng.choice(FAILURES)
                attempts.append((index, 1, False, reason, event.created_at - timedelta(days=1)))
                attempts.append((index, 2, True, "", event.created_at))
    # Labels and drop-off codes of returns cancelled before the parcel left: never scanned.
    cancelled = ReturnEvent.objects.filter(
        store=store,
        kind=EventKind.CANCELLED,
        return_request__method__in=("drop_off", "self_ship"),
        return_request__events__kind=EventKind.APPROVED,
    ).distinct()
    codes = sorted(accounts)
    for event in cancelled:
        ret = returns[event.return_request_id]
        if not codes:
            break
        account = accounts[rng.choice(codes)]
        shipments.append(
            Shipment(
                store=store,
                return_id=ret.id,
                rma=ret.rma,
                reference=f"{ret.rma}-H1",
                method=ret.method,
                carrier_account=account,
                booking_state=BookingState.CANCELLED,
                status="cancelled",
                status_at=event.created_at,
                currency=ret.currency,  # an unused label is not charged
                booked_at=event.created_at - timedelta(days=1),
                created_at=event.created_at - timedelta(days=1),
                updated_at=event.created_at,
            )
        )
    created = Shipment.objects.bulk_create(shipments)
    TrackingEvent.objects.bulk_create(
        TrackingEvent(
            carrier_account=created[i].carrier_account,
            shipment=created[i],
            tracking_number=created[i].tracking_number,
            dedupe_key=f"{created[i].reference}:{status}",
            raw_status=status.upper(),
            status=status,
            failure_reason=failure,
            occurred_at=at,
            received_at=at,
        )
        for i, status, failure, at in scans
    )
    PickupAttempt.objects.bulk_create(
        PickupAttempt(
            store=store,
            shipment=created[i],
            carrier_account=created[i].carrier_account,
            return_id=created[i].return_id,
            attempt_number=number,
            succeeded=succeeded,
            failure_reason=failure,
            occurred_at=at,
        )
        for i, number, succeeded, failure, at in attempts
    )
    return len(created)
