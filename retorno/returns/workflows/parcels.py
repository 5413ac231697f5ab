"""A return's parcel: what logistics is told about it, which methods a carrier can take it with,
and the shipment planned for it (its carrier chosen, its booking queued), on the return's trail.

Used by the booking on approval (workflows.shipping) and by the recovery after a failed pickup or
booking (workflows.recovery); both sit above this module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from retorno.core.actors import SYSTEM, Actor
from retorno.logistics.allocating import ParcelFacts, methods_served, methods_served_for_parcels
from retorno.logistics.models import BookingState, Shipment
from retorno.logistics.services import planning
from retorno.orders.models import Customer, Order, OrderLine
from retorno.returns.events import EventKind, event_record
from retorno.returns.models import Method, Return
from retorno.returns.selectors.links import recovery_url, tracking_url


def carrier_actor(code: str, name: str) -> Actor:
    return Actor(kind="carrier", id=code, label=name or code)


def parcel_facts(
    return_request: Return,
    *,
    method: str | None = None,
    address: Mapping[str, Any] | None = None,
    pickup_date: date | None = None,
) -> ParcelFacts:
    """The return's parcel as logistics sees it: sender (pickup address with the shopper's
    contact), weight from the variants, declared value, category and tier."""
    items = list(return_request.items.select_related("order_line__variant"))
    return _parcel(
        customer=return_request.customer,
        contents=[(i.order_line, i.quantity_approved or i.quantity_requested) for i in items],
        address=address if address is not None else (return_request.pickup_address or {}),
        method=method or return_request.method,
        declared_value=Decimal(return_request.items_amount),
        currency=return_request.currency,
        return_id=return_request.id,
        rma=return_request.rma,
        pickup_date=pickup_date if pickup_date is not None else return_request.pickup_date,
        tracking_url=tracking_url(return_request),
    )


def _parcel(
    *,
    customer: Customer,
    contents: Sequence[tuple[OrderLine, int]],
    address: Mapping[str, Any],
    method: str,
    declared_value: Decimal,
    currency: str,
    return_id: int = 0,
    rma: str = "",
    pickup_date: date | None = None,
    tracking_url: str = "",
) -> ParcelFacts:
    weight = sum(
        (line.variant.weight_grams if line.variant is not None else 0) * units
        for line, units in contents
    )
    categories = [line.category for line, _units in contents if line.category]
    return ParcelFacts(
        return_id=return_id,
        rma=rma,
        method=method,
        sender={"name": customer.name, "phone": customer.phone, "email": customer.email, **address},
        weight_grams=weight,
        declared_value=declared_value,
        currency=currency,
        category=categories[0] if categories else "",
        customer_tier=customer.tier,
        pickup_date=pickup_date,
        tracking_url=tracking_url,
    )


def methods_served_for_order(
    *,
    order: Order,
    items: Sequence[Mapping[str, Any]],
    methods: Sequence[str],
    declared_value: Decimal,
    pickup_address: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Which of `methods` a carrier can take the parcel of a return not made yet with, as its
    booking would find (retorno.logistics.allocating): `items` are the lines chosen
    ({"line": external id, "quantity": n}). A pickup is collected at `pickup_address` (default:
    where the order was delivered); a drop-off or a label leaves from where the order was
    delivered, as the return will record it. Order is kept."""
    now = now or timezone.now()
    lines = {line.external_id: line for line in order.lines.select_related("variant")}
    contents = [(lines[i["line"]], int(i["quantity"])) for i in items if i["line"] in lines]
    delivered_to = dict(order.shipping_address or {})
    groups = []
    for address, group in (
        (dict(pickup_address or delivered_to), [m for m in methods if m == Method.PICKUP]),
        (delivered_to, [m for m in methods if m != Method.PICKUP]),
    ):
        if group:
            parcel = _parcel(
                customer=order.customer,
                contents=contents,
                address=address,
                method=group[0],
                declared_value=declared_value,
                currency=order.currency,
            )
            groups.append((parcel, group))
    served = set(methods_served_for_parcels(store=order.store, parcels=groups, now=now))
    return [m for m in methods if m in served]


def methods_served_for_return(
    return_request: Return,
    methods: Sequence[str],
    *,
    address: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Which of `methods` a carrier can take the return's parcel with, from its pickup address
    (or `address`), as booking it again would find. Order is kept."""
    return methods_served(
        store=return_request.store,
        parcel=parcel_facts(return_request, address=address),
        methods=methods,
        now=now or timezone.now(),
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
    plan = planning.shipment_plan(
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
            data={
                "shipment": shipment.reference,
                "shipment_id": shipment.id,
                "method": shipment.method,
                "allocation": allocation,
                "recovery_url": recovery_url(return_request),
            },
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
