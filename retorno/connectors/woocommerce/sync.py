"""Retorno's changes told to the WooCommerce store (outbox `woocommerce.sync`), each once.

- restock: the restocked units are added to the stock of the SKU's product or variation. The
  REST API sets a stock quantity (it has no "add"), so the connector reads the stock and writes
  it plus the units, with a meta data entry `retorno_restock:<key>` on the product in the same
  write; a retried step that finds its entry has nothing left to do. A store that restocks with
  the refund (`restock_with_refund`: the refund's `api_restock`) gets nothing here.
- exchange: the released exchange's new items become a paid order for the customer
  (`set_paid`, meta data `retorno_exchange`), unless an order with that meta data exists
  already (an answer lost on the way).
- close: WooCommerce has no return of its own to close, so a return resolved (or closed) in
  Retorno is written on its order as a private order note (`orders/<id>/notes`) ending in a
  marker `[retorno:<rma>:closed]`, unless a note with that marker is there already.

A throttled or unavailable store is retried by the outbox; a refusal is not.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from retorno.connectors.woocommerce.client import (
    WooClient,
    WooRejected,
    WooThrottled,
    WooUnavailable,
)
from retorno.connectors.woocommerce.models import WooCall, WooConnection
from retorno.connectors.woocommerce.services import woo_client
from retorno.core.outbox import PermanentFailure, RetryAt, outbox_enqueue
from retorno.stores.models import Store

SYNC_KIND = "woocommerce.sync"
EXCHANGE_META = "retorno_exchange"


def store_connected(store_id: int) -> bool:
    return WooConnection.objects.filter(store_id=store_id).exists()


def sync_enqueue(*, store: Store, key: str, facts: dict[str, Any]) -> None:
    """Queue a step for the store (inside the caller's transaction) when it is connected."""
    if not store_connected(store.id):
        return
    outbox_enqueue(store_id=store.id, kind=SYNC_KIND, dedupe_key=f"woo:{key}", payload=facts)


def _meta(resource: dict[str, Any], key: str) -> Any:
    return next(
        (m.get("value") for m in resource.get("meta_data") or [] if m.get("key") == key), None
    )


def _item_by_sku(client: WooClient, sku: str) -> dict[str, Any]:
    found = client.get("products", {"sku": sku}).data
    items = [p for p in found or [] if p.get("sku") == sku]
    if not items:
        raise WooRejected("woocommerce_unknown_sku", f"WooCommerce has no product with SKU {sku}.")
    return dict(items[0])


def _item_path(item: dict[str, Any]) -> str:
    if item.get("type") == "variation" and item.get("parent_id"):
        return f"products/{item['parent_id']}/variations/{item['id']}"
    return f"products/{item['id']}"


def _restock(client: WooClient, store: Store, facts: dict[str, Any], key: str) -> str:
    if WooCall.objects.filter(store=store, key=key).exists():
        return "restocked (already)"
    quantity = int(facts.get("quantity") or 0)
    sku = str(facts.get("sku") or "")
    if quantity <= 0 or not sku:
        return "nothing to restock"
    path = _item_path(_item_by_sku(client, sku))
    item = client.get(path).data
    marker = f"retorno_restock:{key}"[:200]
    if _meta(item, marker) is None:
        if not item.get("manage_stock"):
            raise WooRejected(
                "woocommerce_stock_not_managed",
                f"WooCommerce does not manage the stock of {sku}: nothing to restock.",
            )
        before = int(item.get("stock_quantity") or 0)
        item = client.put(
            path,
            {
                "stock_quantity": before + quantity,
                "meta_data": [{"key": marker, "value": str(quantity)}],
            },
        ).data
    WooCall.objects.get_or_create(
        store=store,
        key=key,
        defaults={
            "kind": "restock",
            "woo_id": str(item.get("id") or ""),
            "detail": {"sku": sku, "quantity": quantity, "stock": item.get("stock_quantity")},
            "created_at": timezone.now(),
        },
    )
    return f"restocked {quantity} × {sku}"


def _exchange(client: WooClient, store: Store, facts: dict[str, Any], key: str) -> str:
    done = WooCall.objects.filter(store=store, key=key).first()
    if done is not None:
        return f"exchange order {done.woo_id}"
    number = str(facts["exchange"])
    email = str(facts.get("email") or "")
    existing = None
    if email:
        found = client.get("orders", {"search": email, "per_page": 50}).data
        existing = next((o for o in found or [] if _meta(o, EXCHANGE_META) == number), None)
    if existing is None:
        existing = client.post(
            "orders",
            {
                "status": "processing",
                "set_paid": True,
                "currency": facts.get("currency") or None,
                "billing": {"email": email},
                "line_items": [
                    {"sku": line["sku"], "quantity": int(line["units"])}
                    for line in facts.get("lines") or []
                ],
                "customer_note": f"Exchange {number} for return {facts.get('rma') or ''}",
                "meta_data": [
                    {"key": EXCHANGE_META, "value": number},
                    {"key": "retorno_rma", "value": str(facts.get("rma") or "")},
                ],
            },
        ).data
    WooCall.objects.get_or_create(
        store=store,
        key=key,
        defaults={
            "kind": "exchange_order",
            "woo_id": str(existing["id"]),
            "detail": {"exchange": number},
            "created_at": timezone.now(),
        },
    )
    return f"exchange order {existing['id']}"


def close_marker(rma: str) -> str:
    return f"[retorno:{rma}:closed]"


def _close(client: WooClient, store: Store, facts: dict[str, Any], key: str) -> str:
    done = WooCall.objects.filter(store=store, key=key).first()
    if done is not None:
        return f"closed (note {done.woo_id})"
    order = str(facts.get("order") or "")
    if not order.isdigit():
        return "not a WooCommerce order"  # placed before the store connected, or elsewhere
    marker = close_marker(str(facts["rma"]))
    notes = client.get(f"orders/{order}/notes").data or []
    note = next((n for n in notes if marker in str(n.get("note") or "")), None)
    if note is None:
        said = str(facts.get("note") or "").strip()
        text = f"Return {facts['rma']} closed in Retorno." + (f" {said}" if said else "")
        note = client.post(
            f"orders/{order}/notes", {"note": f"{text} {marker}", "customer_note": False}
        ).data
    WooCall.objects.get_or_create(
        store=store,
        key=key,
        defaults={
            "kind": "return_closed",
            "woo_id": str(note.get("id") or ""),
            "detail": {"rma": facts["rma"], "order": order},
            "created_at": timezone.now(),
        },
    )
    return f"closed (note {note.get('id')})"


def sync_step(
    store: Store, facts: dict[str, Any], key: str, *, client: WooClient | None = None
) -> str:
    connection = WooConnection.objects.filter(store=store).first()
    if connection is None:
        return "not connected"
    step = facts["step"]
    if step == "restock" and connection.restock_with_refund:
        return "restocked with the refund"
    client = client or woo_client(connection)
    if step == "restock":
        return _restock(client, store, facts, key)
    if step == "exchange":
        return _exchange(client, store, facts, key)
    if step == "close":
        return _close(client, store, facts, key)
    return f"{step}: nothing to do in WooCommerce"


def sync_deliver(message: Any) -> dict[str, Any]:
    """Outbox handler of `woocommerce.sync`."""
    store = Store.objects.get(id=message.store_id)
    try:
        done = sync_step(store, message.payload, message.dedupe_key)
    except WooThrottled as throttled:
        raise RetryAt(
            timezone.now() + timedelta(seconds=throttled.wait), throttled.message
        ) from None
    except WooUnavailable as unavailable:
        raise RuntimeError(unavailable.message) from None
    except WooRejected as refused:
        raise PermanentFailure(refused.message) from None
    return {"done": done}
