"""What a store's webhook endpoints are told, and when (docs/webhooks.md).

`publish` is a handler of the event kernel (returns.handlers): a step on a return's trail that
a store can subscribe to becomes a webhook event, written with its deliveries in the command's
transaction. Claims publish from their commands; an exchange order from the outbox message
that releases it (written in the transaction that released it). Each publication names its
source, so a handler run again publishes nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from retorno.connectors.shopify.sync import sync_enqueue
from retorno.connectors.woocommerce.sync import sync_enqueue as woo_sync_enqueue
from retorno.domain.returns.events import EventKind
from retorno.money.models import Claim, ExchangeOrder, Refund
from retorno.money.services.fulfilment import exchange_deliver
from retorno.returns.events import Recorded, run_memo
from retorno.stores.models import Store
from retorno.webhooks.services import endpoints_listening, webhook_publish

# The return's own life: the payload carries the return.
RETURN_TYPES: Mapping[EventKind, str] = {
    EventKind.CREATED: "return.requested",
    EventKind.APPROVED: "return.approved",
    EventKind.REJECTED: "return.rejected",
    EventKind.CANCELLED: "return.cancelled",
    EventKind.IN_TRANSIT: "return.in_transit",
    EventKind.RECEIVED: "return.received",
    EventKind.INSPECTED: "return.inspected",
    EventKind.RESOLVED: "return.resolved",
    EventKind.CLOSED: "return.closed",
}
# The parcel: the payload carries the return's latest shipment.
SHIPMENT_TYPES: Mapping[EventKind, str] = {
    EventKind.LABEL_READY: "shipment.booked",
    EventKind.BOOKING_FAILED: "shipment.booking_failed",
    EventKind.CARRIER_NOT_FOUND: "shipment.booking_failed",
    EventKind.PICKUP_FAILED: "shipment.pickup_failed",
    EventKind.SHIPMENT_EXCEPTION: "shipment.exception",
}
# Money: the payload carries the refund.
REFUND_TYPES: Mapping[EventKind, str] = {
    EventKind.REFUND_ISSUED: "refund.created",
    EventKind.REFUNDED: "refund.succeeded",
}
PUBLISHED_KINDS = frozenset({*RETURN_TYPES, *SHIPMENT_TYPES, *REFUND_TYPES, EventKind.RESTOCKED})


def restock_publications(
    rma: str, data: Mapping[str, Any], restocked_at: Any
) -> list[tuple[str, str, Any]]:
    """One `inventory.restocked` per unit a restock step put back on the shelf: unit n of m of
    the inspection, its stock right after it. The source names the inspection and the unit, so
    a handler run again, a replayed event or a second restock step of the same units (refused
    by the warehouse, but keyed alike) publishes no unit twice."""
    quantity = int(data.get("quantity") or 0)
    source = data.get("inspection") or f"event-{data.get('inventory_event')}"
    stock_after = data.get("stock_after")
    found = []
    for unit in range(1, quantity + 1):
        body = {
            "rma": rma,
            "line": data.get("line"),
            "sku": data.get("sku"),
            "quantity": 1,
            "unit": unit,
            "units": quantity,
            "inspection": data.get("inspection"),
            "inventory_event": data.get("inventory_event"),
            "stock_after": stock_after - (quantity - unit) if stock_after is not None else None,
            "restocked_at": restocked_at,
        }
        found.append(("inventory.restocked", "restock", (f"restock:{source}:unit:{unit}", body)))
    return found


def _publications(recorded: Recorded) -> list[tuple[str, str, Any]]:
    """(event type, object type, reference or body) for each webhook the event makes."""
    kind, event = recorded.kind, recorded.event
    return_request = recorded.return_request
    data = event.data or {}
    if kind == EventKind.APPROVED:
        # The warehouse's advance notice of the units on their way (docs/integrations.md).
        return [
            (RETURN_TYPES[kind], "return", return_request.rma),
            ("inventory.expected", "advance_notice", return_request.rma),
        ]
    if kind in RETURN_TYPES:
        return [(RETURN_TYPES[kind], "return", return_request.rma)]
    if kind in SHIPMENT_TYPES:
        return [(SHIPMENT_TYPES[kind], "shipment", return_request.rma)]
    if kind in REFUND_TYPES and data.get("refund"):
        found = [(REFUND_TYPES[kind], "refund", int(data["refund"]))]
        if kind == EventKind.REFUNDED and data.get("destination") == "store_credit":
            found.append(("store_credit.issued", "refund", int(data["refund"])))
        return found
    if kind == EventKind.RESTOCKED:
        return restock_publications(return_request.rma, data, event.created_at)
    return []


def publish(recorded: Recorded) -> None:
    """Event-kernel handler: the webhooks a step on a return's trail makes (same transaction).
    The store's endpoints are read once per command, however many events it records."""
    publications = _publications(recorded)
    if not publications:
        return
    store = recorded.return_request.store
    memo = run_memo()
    key = f"webhook-endpoints:{store.id}"
    if key not in memo:
        memo[key] = endpoints_listening(store=store)
    for event_type, object_type, ref in publications:
        source_key = f"return-event:{recorded.event.id}:{event_type}"
        if object_type == "restock":
            source_key, ref = ref
        webhook_publish(
            listening=memo[key],
            store=recorded.return_request.store,
            event_type=event_type,
            object_type=object_type,
            ref=ref,
            source_key=source_key,
            now=recorded.event.created_at,
        )


def claim_publish(store: Store, claim: Claim, event_type: str) -> None:
    """A claim was opened, resolved or rejected (inside the command's transaction)."""
    webhook_publish(
        store=store,
        event_type=event_type,
        object_type="claim",
        ref=claim.number,
        source_key=f"claim:{claim.id}:{event_type}",
        now=claim.updated_at or timezone.now(),
    )


def exchange_created_deliver(message: Any) -> dict[str, Any]:
    """Outbox handler of a released exchange order: the order for the store's fulfilment (as
    money logs it) and the `exchange.created` webhook, published once per exchange order."""
    result = exchange_deliver(message)
    exchange = (
        ExchangeOrder.objects.select_related("store", "customer")
        .filter(store_id=message.store_id, number=message.payload.get("exchange"))
        .first()
    )
    if exchange is not None:
        with transaction.atomic():
            # The store's Shopify shop gets the new items as an order (once per exchange).
            facts = {"step": "exchange", **message.payload, "email": exchange.customer.email}
            sync_enqueue(store=exchange.store, key=f"exchange:{exchange.id}", facts=facts)
            # And the store's WooCommerce store, as a new paid order.
            woo_sync_enqueue(store=exchange.store, key=f"exchange:{exchange.id}", facts=facts)
            webhook_publish(
                store=exchange.store,
                event_type="exchange.created",
                object_type="exchange",
                ref=exchange.number,
                source_key=f"exchange:{exchange.id}:created",
                now=exchange.released_at or timezone.now(),
            )
    return result


def refund_failed_publish(refund: Refund) -> None:
    """The payment provider refused a refund (inside the transaction that marks it failed). Each
    refused call is an event of its own: finance may retry, and the retry may be refused too."""
    webhook_publish(
        store=refund.store,
        event_type="refund.failed",
        object_type="refund",
        ref=refund.id,
        source_key=f"refund:{refund.id}:failed:{refund.calls}",
        now=refund.failed_at or timezone.now(),
    )
