"""The facts the analytics rollups are computed from, read from the source tables for a batch
of orders (retorno.domain.analytics.rollups turns them into rows)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from retorno.domain.analytics.quality import CONFIRMING_GRADE
from retorno.domain.analytics.rollups import (
    InspectionFacts,
    ItemFacts,
    LineFacts,
    OrderFacts,
    ReturnFacts,
    ShipmentFacts,
    scaled,
)
from retorno.domain.days import local_day
from retorno.domain.money.ledger import RefundState
from retorno.domain.returns.events import EventKind
from retorno.domain.returns.ledger import ItemDecision
from retorno.domain.returns.states import RELEASING_STATES
from retorno.logistics.models import PickupAttempt, Shipment, TrackingEvent
from retorno.money.models import Refund
from retorno.orders.models import Order, OrderLine
from retorno.returns.models import Return, ReturnEvent, ReturnItem
from retorno.stores.models import Store
from retorno.warehouse.models import Inspection

NOT_COUNTED = frozenset(s.value for s in RELEASING_STATES)
# The trail's events that start and end the refund cycle's stages (the order of
# retorno.domain.analytics.rollups.STAGES).
STAGE_EVENTS = (
    (EventKind.CREATED, EventKind.IN_TRANSIT),
    (EventKind.IN_TRANSIT, EventKind.RECEIVED),
    (EventKind.RECEIVED, EventKind.INSPECTED),
    (EventKind.INSPECTED, EventKind.REFUNDED),
    (EventKind.CREATED, EventKind.REFUNDED),
)
STEP_KINDS = sorted({str(kind) for pair in STAGE_EVENTS for kind in pair})
SIZE = "size"
# A shipment's tracking statuses that mean the carrier has it, the last its arrival; the methods
# whose label or code the shopper takes to the carrier.
SCANNED = ("picked_up", "in_transit", "out_for_delivery", "delivered_to_warehouse")
DELIVERED = "delivered_to_warehouse"
LABELLED = ("self_ship", "drop_off")


# --- facts ---------------------------------------------------------------------------------------


def _size(options: Any) -> str:
    """The `size` option of a line or variant, "" when it has none."""
    return str(options.get(SIZE) or "").strip() if isinstance(options, dict) else ""


def _stage_seconds(first: dict[str, datetime]) -> list[float | None]:
    """Each stage's seconds from the first time of each step; None unless both ends happened,
    in order."""
    out: list[float | None] = []
    for start, end in STAGE_EVENTS:
        a, b = first.get(str(start)), first.get(str(end))
        out.append((b - a).total_seconds() if a is not None and b is not None and b >= a else None)
    return out


def _region(address: Any, country: str) -> str:
    region = address.get("region") if isinstance(address, dict) else None
    return str(region) if region else country


def orders_facts(
    order_ids: Sequence[int], store: Store, *, returns_too: bool = True
) -> tuple[list[OrderFacts], dict[tuple[str, str], str]]:
    """The facts of the orders (two queries, and six more when they have returns), and the
    product and variant titles they show."""
    orders = list(
        Order.objects.filter(id__in=order_ids).values_list(
            "id", "placed_at", "channel", "shipping_address", "country", "customer__tier"
        )
    )
    lines: dict[int, list[LineFacts]] = defaultdict(list)
    titles: dict[tuple[str, str], str] = {}
    for pk, order_id, product_id, title, sku, category, vendor, units, price, discount, tax in (
        OrderLine.objects.filter(order_id__in=order_ids)
        .order_by()
        .values_list(
            "id",
            "order_id",
            "product_id",
            "title",
            "sku",
            "category",
            "vendor",
            "quantity",
            "unit_price",
            "discount_amount",
            "tax_amount",
        )
    ):
        product = product_id or title
        paid = scaled(price) * units - scaled(discount) + scaled(tax)
        lines[order_id].append(LineFacts(pk, product, title, sku, category, vendor, units, paid))
        titles[("product", product)] = title
        titles[("variant", sku)] = title
    returns = (
        []
        if not returns_too
        else list(
            Return.objects.filter(order_id__in=order_ids)
            .order_by()
            .values_list(
                "id", "order_id", "created_at", "status", "customer_tier", "resolution", "method"
            )
        )
    )
    return_ids = [r[0] for r in returns]
    extra = _return_extras(return_ids, store.id)
    by_order: dict[int, list[ReturnFacts]] = defaultdict(list)
    for pk, order_id, created_at, status, tier, resolution, method in returns:
        facts = extra.get(pk, {})
        by_order[order_id].append(
            ReturnFacts(
                id=pk,
                day=local_day(created_at, store.timezone),
                counted=status not in NOT_COUNTED,
                tier=tier or "",
                resolution=resolution,
                method=method,
                carrier=facts.get("carrier", ""),
                items=tuple(facts.get("items", ())),
                inspections=tuple(facts.get("inspections", ())),
                review_reasons=tuple(facts.get("reviews", ())),
                overrides=tuple(facts.get("overrides", ())),
                labels=facts.get("labels", 0),
                refunds=facts.get("refunds", 0),
                shipping=facts.get("shipping", 0),
                fees=facts.get("fees", 0),
                stage_seconds=facts.get("stages", ()),
                shipments=tuple(facts.get("shipments", ())),
            )
        )
    return [
        OrderFacts(
            id=pk,
            day=local_day(placed_at, store.timezone),
            tier=tier or "",
            region=_region(address, country),
            channel=channel or "web",
            lines=tuple(lines[pk]),
            returns=tuple(by_order[pk]),
        )
        for pk, placed_at, channel, address, country, tier in orders
    ], titles


def _return_extras(return_ids: list[int], store_id: int) -> dict[int, dict[str, Any]]:
    """Items, shipments, exceptions, refunds and inspections of the returns: five queries (none
    when there are no returns)."""
    extra: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"items": [], "inspections": [], "reviews": [], "overrides": []}
    )
    if not return_ids:
        return extra
    items = list(
        ReturnItem.objects.filter(return_request_id__in=return_ids)
        .order_by()
        .values_list(
            "id",
            "return_request_id",
            "order_line_id",
            "reason",
            "quantity_requested",
            "amount",
            "decision",
            "order_line__options",
            "exchange_variant__options",
        )
    )
    latest: dict[int, tuple[int, int]] = {}
    booked: dict[int, tuple[int, str, str]] = {}  # shipment -> (return, carrier, method)
    for return_id, pk, attempt, carrier, price, booked_at, method, account in (
        Shipment.objects.filter(return_id__in=return_ids)
        .order_by()
        .values_list(
            "return_id",
            "id",
            "attempt_number",
            "carrier_account__name",
            "price_amount",
            "booked_at",
            "method",
            "carrier_account_id",
        )
    ):
        facts = extra[return_id]
        if carrier and (attempt, pk) > latest.get(return_id, (-1, -1)):
            latest[return_id] = (attempt, pk)
            facts["carrier"] = carrier
        if booked_at is not None and price is not None:
            facts["labels"] = facts.get("labels", 0) + scaled(price)
        if account is not None:
            booked[pk] = (return_id, carrier, method)
    if booked:
        _shipments(booked, extra)
    firsts: dict[int, dict[str, datetime]] = defaultdict(dict)
    for return_id, kind, data, agent, at in (
        ReturnEvent.objects.filter(
            return_request_id__in=return_ids,
            kind__in=[EventKind.HELD_FOR_REVIEW, EventKind.DECISION_OVERRIDDEN, *STEP_KINDS],
        )
        .order_by("id")
        .values_list("return_request_id", "kind", "data", "actor_label", "created_at")
    ):
        if kind in STEP_KINDS:
            first = firsts[return_id]
            if kind not in first or at < first[kind]:
                first[kind] = at
            continue
        data = data if isinstance(data, dict) else {}
        if kind == EventKind.HELD_FOR_REVIEW:
            reasons = tuple(
                str(r.get("code") if isinstance(r, dict) else r) for r in data.get("reasons") or []
            )
            extra[return_id]["reviews"].append(reasons)
        else:
            extra[return_id]["overrides"].append((str(data.get("rule") or "-"), agent or "-"))
    for return_id, first in firsts.items():
        extra[return_id]["stages"] = tuple(_stage_seconds(first))
    for return_id, amount, shipping, restocking, return_fee in (
        Refund.objects.filter(return_id__in=return_ids, state=RefundState.SUCCEEDED)
        .order_by()
        .values_list(
            "return_id",
            "amount",
            "shipping_amount",
            "restocking_fee_amount",
            "return_shipping_fee_amount",
        )
    ):
        facts = extra[return_id]
        facts["refunds"] = facts.get("refunds", 0) + scaled(amount)
        facts["shipping"] = facts.get("shipping", 0) + scaled(shipping)
        facts["fees"] = facts.get("fees", 0) + scaled(restocking) + scaled(return_fee)
    confirmed: dict[int, int] = defaultdict(int)
    for (
        return_id,
        item_id,
        category,
        grade,
        disposition,
        units,
        unit_value,
        recovered,
        reason_confirmed,
    ) in (
        Inspection.objects.filter(store_id=store_id, return_id__in=return_ids)
        .order_by()
        .values_list(
            "return_id",
            "return_item_id",
            "category",
            "grade",
            "disposition",
            "quantity",
            "unit_value_amount",
            "recovery_amount",
            "reason_confirmed",
        )
    ):
        extra[return_id]["inspections"].append(
            InspectionFacts(
                category, grade, disposition, units, scaled(unit_value) * units, scaled(recovered)
            )
        )
        if grade == CONFIRMING_GRADE or reason_confirmed:
            confirmed[item_id] += units
    for pk, return_id, line_id, reason, units, amount, decision, options, exchanged in items:
        extra[return_id]["items"].append(
            ItemFacts(
                line_id,
                reason,
                units,
                scaled(amount),
                decision == ItemDecision.REJECTED,
                _size(options),
                _size(exchanged),
                confirmed.get(pk, 0),
            )
        )
    return extra


def _shipments(booked: dict[int, tuple[int, str, str]], extra: dict[int, dict[str, Any]]) -> None:
    """The carrier panel's facts of the shipments booked with a carrier account: two queries
    (their first pickup attempts; their scans and deliveries)."""
    first_pickup = {
        shipment_id: (carrier, succeeded)
        for shipment_id, carrier, succeeded in PickupAttempt.objects.filter(
            shipment_id__in=list(booked), attempt_number=1
        )
        .order_by()
        .values_list("shipment_id", "carrier_account__name", "succeeded")
    }
    scanned: dict[int, datetime] = {}
    delivered: dict[int, datetime] = {}
    for shipment_id, status, at in (
        TrackingEvent.objects.filter(shipment_id__in=list(booked), status__in=SCANNED)
        .order_by()
        .values_list("shipment_id", "status", "occurred_at")
    ):
        if shipment_id not in scanned or at < scanned[shipment_id]:
            scanned[shipment_id] = at
        if status == DELIVERED and (shipment_id not in delivered or at < delivered[shipment_id]):
            delivered[shipment_id] = at
    for pk, (return_id, carrier, method) in sorted(booked.items()):
        first, ok = first_pickup.get(pk, ("", False))
        start, end = scanned.get(pk), delivered.get(pk)
        extra[return_id].setdefault("shipments", []).append(
            ShipmentFacts(
                carrier=carrier,
                label=method in LABELLED,
                scanned=start is not None,
                transit=(end - start).total_seconds() if start and end else None,
                first_pickup=first,
                first_pickup_ok=ok,
            )
        )
