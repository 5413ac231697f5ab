"""Planning a return's shipment: the carrier allocated to its parcel, the pickup day, the
shipment row written before any carrier is called."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Max
from django.utils import timezone

from retorno.core.outbox import outbox_enqueue
from retorno.domain.logistics import (
    ReturnMethod,
)
from retorno.logistics.allocating import (
    ParcelFacts,
    allocation_inputs,
    allocation_request,
    parcel_allocate,
)
from retorno.logistics.models import (
    BookingState,
    Shipment,
)
from retorno.stores.models import Store

# The job that books a planned shipment (bookings.shipment_book).
BOOK_KIND = "logistics.book"


@dataclass(frozen=True, slots=True)
class Plan:
    shipment: Shipment | None
    enqueued: bool


def shipment_plan(
    *,
    store: Store,
    parcel: ParcelFacts,
    now: datetime | None = None,
    exclude_carriers: Iterable[str] = (),
) -> Plan:
    """Allocate the parcel among the store's carriers and queue its booking (outbox).

    Call inside the transaction that decides the return (approval, a re-booking): the shipment
    and its outbox row commit with it. A store without any enabled carrier account ships outside
    Retorno: nothing is created (shipment None). When no carrier can take the parcel the shipment
    is saved as `no_carrier` with the verdicts that say why. The explained ranking is stored on
    the shipment (`allocation`), and its codes, in order, as the candidates to book.
    """
    now = now or timezone.now()
    inputs = allocation_inputs(store, now=now)
    if inputs is None:
        return Plan(None, False)
    request = allocation_request(parcel, inputs)
    allocation = parcel_allocate(inputs, request, exclude_carriers=exclude_carriers)
    attempt = (
        Shipment.objects.filter(store=store, return_id=parcel.return_id).aggregate(
            n=Max("attempt_number")
        )["n"]
        or 0
    ) + 1
    ranking = [r.carrier_code for r in allocation.ranking]
    by_code = {a.code: a for a in inputs.accounts}
    # A date the shopper chose is asked of the carrier while it is still ahead in the store's
    # calendar. Otherwise Retorno asks for no date: the carrier books the first day it offers,
    # and the next working day stands in for it (capacity, pages) until the booking says.
    today = inputs.today
    pickup_date = parcel.pickup_date
    pickup_date_chosen = pickup_date is not None and pickup_date > today
    is_pickup = request.method is ReturnMethod.PICKUP
    if is_pickup and not pickup_date_chosen:
        pickup_date = _next_working_day(today)
    rules_set = inputs.rules_set
    shipment = Shipment.objects.create(
        store=store,
        return_id=parcel.return_id,
        rma=parcel.rma,
        reference=f"{parcel.rma}-{attempt}-{secrets.token_hex(3)}",
        attempt_number=attempt,
        method=parcel.method,
        carrier_account=by_code[ranking[0]] if ranking else None,
        booking_state=BookingState.PENDING if ranking else BookingState.NO_CARRIER,
        pickup_date=pickup_date if is_pickup else None,
        currency=parcel.currency,
        parcel={
            "sender": dict(parcel.sender),
            "recipient": dict(store.return_address or {}) or {"name": store.name},
            "weight_grams": request.weight_grams,
            "dimensions_cm": list(request.dimensions_cm),
            "declared_value": str(parcel.declared_value),
            "currency": parcel.currency,
            "category": parcel.category,
            "customer_tier": parcel.customer_tier,
            "tracking_url": parcel.tracking_url,
            "pickup_date_chosen": pickup_date_chosen,
        },
        rules_version=rules_set.version if rules_set is not None else None,
        allocation=allocation_json(allocation),
        candidates=ranking,
        created_at=now,
        updated_at=now,
    )
    if not ranking:
        return Plan(shipment, False)
    outbox_enqueue(
        store_id=store.id,
        kind=BOOK_KIND,
        dedupe_key=f"{BOOK_KIND}:{shipment.id}",
        payload={"shipment_id": shipment.id},
    )
    return Plan(shipment, True)


def _next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def allocation_json(allocation: Any) -> dict[str, Any]:
    return {
        "rule": allocation.rule_id,
        "strategy": str(allocation.strategy),
        "currency": allocation.currency,
        "ranking": [
            {
                "rank": r.rank,
                "carrier": r.carrier_code,
                "name": r.carrier_name,
                "price_amount": str(r.price_amount),
                "transit_days": r.transit_days,
                "message": r.message,
            }
            for r in allocation.ranking
        ],
        "verdicts": [
            {
                "carrier": v.carrier_code,
                "kept": v.kept,
                "code": str(v.code),
                "message": v.message,
                "rank": v.rank,
            }
            for v in allocation.verdicts
        ],
    }
