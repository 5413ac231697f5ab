"""A return and the store's Shopify shop (retorno.connectors.shopify, docs/integrations.md).

In: `inbound_deliver` processes a stored webhook (outbox `shopify.inbound`): orders and
fulfillments through the connector; a return the customer asked for in Shopify (returns/request)
becomes a Retorno return, decided by the store's policy like any other, linked to Shopify's.

Out: `on_event` is a handler of the event kernel: each step of a return that Shopify must hear
of becomes an outbox message (`shopify.sync`) carrying the facts as plain data, written in the
command's transaction; the connector makes the calls after commit, each once.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from retorno.connectors.receipts import receipt_process
from retorno.connectors.shopify import services as shopify
from retorno.connectors.shopify import sync
from retorno.connectors.shopify.mapping import (
    MappingError,
    decline_reason,
    refund_from_rest,
    return_request_lines,
)
from retorno.connectors.shopify.models import ShopifyConnection, ShopifyWebhookReceipt
from retorno.connectors.shopify.payments import ShopifyGateway
from retorno.connectors.shopify.services import (
    RETURN_TOPICS,
    receipt_apply,
    receipt_body,
)
from retorno.core.actors import Actor
from retorno.core.errors import NotFound, Unprocessable
from retorno.domain.returns.amounts import line_paid_total, units_paid_amount
from retorno.domain.returns.events import EventKind
from retorno.money import selectors as money_selectors
from retorno.money.services.external_refunds import ExternalLine, refund_record_external
from retorno.orders.models import Order
from retorno.returns.events import Recorded, run_memo
from retorno.returns.models import Resolution, ReturnItem
from retorno.returns.services import ItemRequest, return_create
from retorno.returns.workflows.connectors import adapter_choose, adapter_release
from retorno.returns.workflows.refunds import record_refunded
from retorno.returns.workflows.store_credit_shopify import store_credit_enqueue
from retorno.stores.models import Store

SHOPIFY = Actor(kind="system", id="shopify", label="Shopify")


def shopify_connect(*, store: Store, refunds_in_shopify: bool, **values: Any) -> ShopifyConnection:
    """Connect the store to its shop and choose where refunds are made: through Shopify (the
    store's payment adapter becomes `shopify`) or as the store had it."""
    connection = shopify.connection_save(
        store=store, refunds_in_shopify=refunds_in_shopify, **values
    )
    adapter_choose(
        store=store,
        adapter=ShopifyGateway.name,
        wanted=refunds_in_shopify,
        fallback=connection.fallback_payment_adapter,
        remember=lambda current: shopify.connection_fallback_set(connection, current),
    )
    return connection


def shopify_disconnect(*, store: Store) -> None:
    """Disconnect; refunds go back to the adapter the store had before."""
    fallback = shopify.connection_get(store=store).fallback_payment_adapter
    shopify.connection_delete(store=store)
    adapter_release(store=store, adapter=ShopifyGateway.name, fallback=fallback)


class OrderNotYetHere(Exception):
    """A return request for an order whose orders/create has not been processed yet: the
    outbox tries again later."""


def _return_from_request(receipt: ShopifyWebhookReceipt) -> str:
    store = receipt.store
    return_id, order_id, lines = return_request_lines(receipt_body(receipt))
    known = sync.link_for_shopify_return(store, return_id)
    if known is not None:
        return f"return {known.rma} (already)"
    methods = [m for m in (store.return_methods or []) if m != "keep"] or ["drop_off"]
    try:
        created = return_create(
            store=store,
            order_external_id=order_id,
            items=[
                ItemRequest(
                    line=line["line"],
                    quantity=line["quantity"],
                    reason=line["reason"],
                    comment=line["comment"],
                )
                for line in lines
            ],
            resolution=Resolution.REFUND,
            method=methods[0],
            actor=SHOPIFY,
            source="shopify",
        )
    except NotFound as missing:
        if missing.code == "order_not_found":
            raise OrderNotYetHere(order_id) from None
        raise
    except Unprocessable as refused:
        if refused.code != "ineligible":
            raise
        return _decline_refused(store, return_id, refused)
    sync.link_shopify_return(store, rma=created.rma, order_id=order_id, return_id=return_id)
    return f"return {created.rma}"


def _decline_refused(store: Store, return_id: str, refused: Unprocessable) -> str:
    """The store's policy refuses what the customer asked for in Shopify: no Retorno return is
    made, and Shopify is told to decline the request with the policy's reasons (as the
    customer would read them in Retorno's portal)."""
    reasons = [
        reason
        for item in refused.extra.get("items") or []
        if not item.get("eligible", True) or item.get("reasons")
        for reason in item.get("reasons") or []
    ]
    codes = [str(r.get("code") or "") for r in reasons]
    note = " ".join(dict.fromkeys(str(r.get("message") or "") for r in reasons)).strip()
    sync.sync_enqueue(
        store=store,
        key=f"decline-request:{return_id}",
        facts={
            "step": "decline_request",
            "return_id": return_id,
            "reason": decline_reason(codes),
            "note": note or refused.detail,
        },
    )
    return f"refused by the policy ({', '.join(dict.fromkeys(codes)) or 'ineligible'}): declined in Shopify"


class RefundNotYetRecorded(Exception):
    """A refunds/create for a refund Retorno is making right now: its answer is not recorded
    yet, so the outbox looks again later rather than take it for the merchant's."""


def _refund_from_shopify(receipt: ShopifyWebhookReceipt) -> str:
    """A refund Shopify tells of. Retorno's own (made through the `shopify` payment adapter) is
    known by its id and changes nothing. One the merchant made in Shopify's admin is recorded in
    Retorno's ledger against the order, and against the return that holds those units when
    there is one (on its trail): later refunds of the order never pay those units or that money
    again."""
    store = receipt.store
    data = refund_from_rest(receipt_body(receipt))
    reference = sync.gid("Refund", data["refund_id"])
    ours = money_selectors.refund_by_provider_reference(store, ShopifyGateway.name, reference)
    if ours is not None:
        return f"refund {data['refund_id']}: Retorno's refund {ours.id}"
    made = sync.call_made(store, reference)
    if made is not None:
        return f"refund {data['refund_id']}: Retorno's {made.kind.replace('_', ' ')}"
    order = Order.objects.filter(store=store, external_id=data["order_id"]).first()
    if order is None:
        raise OrderNotYetHere(data["order_id"])
    note = data["note"]
    if note.startswith("Retorno ") and money_selectors.refund_in_flight(
        store, ShopifyGateway.name, order, note.removeprefix("Retorno ").strip()
    ):
        raise RefundNotYetRecorded(reference)
    by_id = {line.external_id: line for line in order.lines.all()}
    lines: list[ExternalLine] = []
    held: dict[int, ReturnItem] = {}
    for wanted in data["lines"]:
        line = by_id.get(wanted["line"])
        if line is None:
            raise MappingError("refund_line_items", f"line {wanted['line']} is not on the order.")
        item = (
            ReturnItem.objects.select_related("return_request")
            .filter(order_line=line, return_request__store=store)
            .exclude(return_request__status__in=("rejected", "cancelled"))
            .order_by("-id")
            .first()
        )
        if item is not None:
            held[item.return_request_id] = item
        amount = wanted["amount"]
        if amount is None:  # Shopify did not say: the paid value of those units
            amount = units_paid_amount(
                paid_total=line_paid_total(
                    line.unit_price,
                    line.quantity,
                    line.discount_amount + line.order_discount_amount,
                    line.tax_amount,
                ),
                quantity=line.quantity,
                units=wanted["quantity"],
                units_before=0,
                currency=order.currency,
            )
        lines.append(
            ExternalLine(
                order_line=line,
                units=wanted["quantity"],
                amount=amount,
                return_item_id=item.id if item is not None else None,
            )
        )
    if not data["amount"] and not lines:
        return f"refund {data['refund_id']}: no money, no lines"
    target = next(iter(held.values()), None)
    refund, new = refund_record_external(
        store=store,
        order_id=order.id,
        provider=ShopifyGateway.name,
        reference=reference,
        amount=data["amount"],
        lines=lines,
        note=f"Made in Shopify's admin. {note}".strip(),
        settled_by=SHOPIFY.label,
        now=receipt.received_at,
        return_id=target.return_request_id if target is not None else None,
        rma=target.return_request.rma if target is not None else "",
    )
    if new and refund.return_id is not None:
        with transaction.atomic():
            record_refunded(refund)
    where = f" of {refund.rma}" if refund.rma else ""
    return f"refund {data['refund_id']} made in Shopify: recorded as refund {refund.id}{where}"


def _inbound_apply(receipt: ShopifyWebhookReceipt) -> str:
    if receipt.topic in RETURN_TOPICS:
        return _return_from_request(receipt)
    if receipt.topic == "refunds/create":
        return _refund_from_shopify(receipt)
    return receipt_apply(receipt.store, receipt)


def inbound_deliver(message: Any) -> dict[str, Any]:
    """Outbox handler of `shopify.inbound`: one stored webhook (connectors.receipts: a payload
    that cannot be processed is kept as failed with its reason, retried from the back office or
    the API; anything else unexpected is retried by the outbox)."""
    return receipt_process(ShopifyWebhookReceipt, message, _inbound_apply)


# --- out ---------------------------------------------------------------------------------------

STEPS = {
    EventKind.APPROVED: "approve",
    EventKind.REJECTED: "decline",
    EventKind.CANCELLED: "cancel",
    EventKind.LABEL_READY: "label",
    EventKind.RESTOCKED: "restock",
    # Resolved in Retorno is processed in Shopify: its return closes then (a later `closed`
    # finds it closed and sends nothing).
    EventKind.RESOLVED: "close",
    EventKind.CLOSED: "close",
}


def on_event(recorded: Recorded) -> None:
    """Event-kernel handler: the step Shopify must hear of, as an outbox message (same
    transaction), when the store is connected to a shop."""
    if recorded.kind == EventKind.REFUNDED:
        store_credit_enqueue(recorded.return_request.store, recorded.event.data or {})
        return
    step = STEPS.get(recorded.kind)
    if step is None:
        return
    return_request = recorded.return_request
    # Whether the store is connected is read once per command, however many events it records.
    memo = run_memo()
    key = f"shopify-connected:{return_request.store_id}"
    if key not in memo:
        memo[key] = sync.store_connected(return_request.store_id)
    if not memo[key]:
        return
    data = recorded.event.data or {}
    facts: dict[str, Any] = {
        "step": step,
        "rma": return_request.rma,
        "order": return_request.order.external_id,
        "note": (recorded.event.note or "")[:500],
    }
    if step == "approve":
        facts["items"] = [
            {
                "line": item.order_line.external_id,
                "quantity": item.quantity_approved or item.quantity_requested,
                "reason": item.reason,
            }
            for item in return_request.items.select_related("order_line")
            if (item.quantity_approved or item.quantity_requested)
        ]
    elif step == "label":
        facts["tracking_number"] = data.get("tracking_number") or ""
        facts["label_url"] = data.get("label_url") or ""
    elif step == "restock":
        facts["line"] = data.get("line")
        facts["sku"] = data.get("sku")
        facts["quantity"] = data.get("quantity")
    sync.sync_enqueue(
        store=return_request.store, key=f"return-event:{recorded.event.id}", facts=facts
    )
