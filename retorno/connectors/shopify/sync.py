"""Retorno's returns, told to Shopify (outbox `shopify.sync`), each step once.

- approve: a return asked for in Shopify is approved there (returnApproveRequest); one asked
  for in Retorno is created there, open (returnCreate), unless an unlinked Shopify return of the
  same lines and quantities exists already (an answer lost on the way: it is adopted, not made
  twice).
- decline / cancel: returnDeclineRequest for a requested return; returnCancel for an open one.
- label: the return's label and tracking number become a reverse delivery
  (reverseDeliveryCreateWithShipping), unless one with that tracking number exists already.
- restock: the restocked units are added to the available stock of the location
  (inventoryAdjustQuantities, reason "restock", `@idempotent` key of the restock event, so a
  retried call adjusts once); the location is the connection's restock location, else the one
  the line was fulfilled from.
- close: returnClose, when the return is resolved (or closed) in Retorno.
- decline_request: a return asked for in Shopify that the store's policy refused (no Retorno
  return was made) is declined there (returnDeclineRequest) with the policy's reason, once per
  Shopify return (`ShopifyCall`).

Steps are serialised per return by a row lock on its link. A throttled or unavailable shop is
retried by the outbox; a refusal is recorded on the link (`last_error`) and not retried.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from retorno.connectors.shopify import queries
from retorno.connectors.shopify.client import (
    AdminClient,
    ShopifyRejected,
    ShopifyThrottled,
    ShopifyUnavailable,
)
from retorno.connectors.shopify.mapping import SHOPIFY_REASONS, numeric_id
from retorno.connectors.shopify.models import ShopifyCall, ShopifyConnection, ShopifyReturnLink
from retorno.connectors.shopify.services import admin_client
from retorno.core import storecache
from retorno.core.outbox import PermanentFailure, RetryAt, outbox_enqueue
from retorno.stores.models import Store

SYNC_KIND = "shopify.sync"


def gid(kind: str, number: str) -> str:
    return f"gid://shopify/{kind}/{numeric_id(number)}"


def link_for_shopify_return(store: Store, return_id: str) -> ShopifyReturnLink | None:
    return ShopifyReturnLink.objects.filter(
        store=store, shopify_return_id=numeric_id(return_id)
    ).first()


def link_shopify_return(store: Store, *, rma: str, order_id: str, return_id: str) -> None:
    """A return asked for in Shopify, now Retorno's `rma`."""
    ShopifyReturnLink.objects.get_or_create(
        store=store,
        rma=rma,
        defaults={
            "shopify_order_id": numeric_id(order_id),
            "shopify_return_id": numeric_id(return_id),
            "origin": "shopify",
            "shopify_status": "requested",
        },
    )


def store_connected(store_id: int) -> bool:
    """Whether the store is connected to a Shopify shop (kept per process a few seconds:
    storecache)."""
    return storecache.remembered(
        "shopify_connected",
        store_id,
        lambda: ShopifyConnection.objects.filter(store_id=store_id).exists(),
    )


storecache.forget_on_change(ShopifyConnection, "shopify_connected")


def sync_enqueue(*, store: Store, key: str, facts: dict[str, Any]) -> None:
    """Queue a step for Shopify (inside the caller's transaction) when the store is connected."""
    if not store_connected(store.id):
        return
    outbox_enqueue(store_id=store.id, kind=SYNC_KIND, dedupe_key=f"shopify:{key}", payload=facts)


def _order_facts(client: AdminClient, order_id: str) -> dict[str, Any]:
    data = client.execute(queries.ORDER_FOR_RETURN, {"id": gid("Order", order_id)}).data
    order = data.get("order")
    if not order:
        raise ShopifyRejected("shopify_order_not_found", f"Shopify has no order {order_id}.")
    return dict(order)


def _fulfillment_lines(order: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Order line id -> its fulfillment line items (id, quantity, location)."""
    lines: dict[str, list[dict[str, Any]]] = {}
    for fulfillment in order.get("fulfillments") or []:
        location = (fulfillment.get("location") or {}).get("id")
        for fli in (fulfillment.get("fulfillmentLineItems") or {}).get("nodes") or []:
            line = numeric_id(fli["lineItem"]["id"])
            lines.setdefault(line, []).append({**fli, "location": location})
    return lines


def _create_return(
    client: AdminClient, store: Store, link: ShopifyReturnLink, facts: dict[str, Any]
) -> None:
    order = _order_facts(client, link.shopify_order_id)
    wanted = {str(i["line"]): int(i["quantity"]) for i in facts.get("items") or []}
    taken = set(
        ShopifyReturnLink.objects.filter(store=store)
        .exclude(shopify_return_id="")
        .values_list("shopify_return_id", flat=True)
    )
    for existing in (order.get("returns") or {}).get("nodes") or []:
        number = numeric_id(existing["id"])
        if number in taken or existing["status"] not in ("OPEN", "REQUESTED"):
            continue
        have: dict[str, int] = {}
        for rli in (existing.get("returnLineItems") or {}).get("nodes") or []:
            line = numeric_id(rli["fulfillmentLineItem"]["lineItem"]["id"])
            have[line] = have.get(line, 0) + int(rli["quantity"])
        if have == wanted:
            link.shopify_return_id, link.shopify_status = number, existing["status"].lower()
            return
    fulfilled = _fulfillment_lines(order)
    items = []
    for item in facts.get("items") or []:
        left = int(item["quantity"])
        for fli in fulfilled.get(str(item["line"]), []):
            take = min(left, int(fli["quantity"] or 0))
            if take <= 0:
                continue
            items.append(
                {
                    "fulfillmentLineItemId": fli["id"],
                    "quantity": take,
                    "returnReason": SHOPIFY_REASONS.get(item.get("reason") or "", "OTHER"),
                    "returnReasonNote": f"Retorno {facts['rma']}",
                }
            )
            left -= take
        if left > 0:
            raise ShopifyRejected(
                "shopify_not_fulfilled",
                f"Line {item['line']} has {left} unit(s) Shopify has not fulfilled: Shopify "
                "only takes returns of fulfilled units.",
            )
    payload = client.mutate(
        queries.RETURN_CREATE,
        {
            "input": {
                "orderId": gid("Order", link.shopify_order_id),
                "returnLineItems": items,
                "notifyCustomer": False,
            }
        },
        "returnCreate",
    )
    link.shopify_return_id = numeric_id(payload["return"]["id"])
    link.shopify_status = payload["return"]["status"].lower()


def _set_status(
    client: AdminClient, link: ShopifyReturnLink, query: str, field: str, variables: dict[str, Any]
) -> None:
    try:
        payload = client.mutate(query, variables, field)
    except ShopifyRejected as refused:
        if refused.code == "shopify_invalid_state":
            # Shopify's return is past this step already (done by an earlier, answered-late call
            # or by the merchant in Shopify's admin): nothing left to do.
            link.last_error = ""
            return
        raise
    link.shopify_status = payload["return"]["status"].lower()


def _label(client: AdminClient, link: ShopifyReturnLink, facts: dict[str, Any]) -> None:
    number = facts.get("tracking_number") or ""
    data = client.execute(
        queries.RETURN_FOR_DELIVERY, {"id": gid("Return", link.shopify_return_id)}
    ).data
    found = data.get("return") or {}
    orders = (found.get("reverseFulfillmentOrders") or {}).get("nodes") or []
    if not orders:
        raise ShopifyRejected("shopify_no_reverse_order", "The Shopify return is not open yet.")
    rfo = orders[0]
    for delivery in (rfo.get("reverseDeliveries") or {}).get("nodes") or []:
        tracking = ((delivery.get("deliverable") or {}).get("tracking") or {}).get("number")
        if number and tracking == number:
            link.reverse_delivery_id, link.tracking_number = numeric_id(delivery["id"]), number
            return
    lines = [
        {"reverseFulfillmentOrderLineItemId": li["id"], "quantity": li["totalQuantity"]}
        for li in (rfo.get("lineItems") or {}).get("nodes") or []
    ]
    variables: dict[str, Any] = {"rfo": rfo["id"], "lines": lines}
    if number:
        variables["tracking"] = {"number": number}
    if facts.get("label_url"):
        variables["label"] = {"fileUrl": facts["label_url"]}
    payload = client.mutate(
        queries.REVERSE_DELIVERY, variables, "reverseDeliveryCreateWithShipping"
    )
    link.reverse_delivery_id = numeric_id(payload["reverseDelivery"]["id"])
    link.tracking_number = number


def _restock(
    client: AdminClient,
    connection: ShopifyConnection,
    store: Store,
    facts: dict[str, Any],
    key: str,
) -> None:
    if ShopifyCall.objects.filter(store=store, key=key).exists():
        return
    quantity = int(facts.get("quantity") or 0)
    sku = str(facts.get("sku") or "")
    if quantity <= 0 or not sku:
        return
    found = client.execute(queries.VARIANT_BY_SKU, {"query": f"sku:'{sku}'"}).data
    variants = (found.get("productVariants") or {}).get("nodes") or []
    if not variants:
        raise ShopifyRejected("shopify_unknown_sku", f"Shopify has no variant with SKU {sku}.")
    location = connection.restock_location_id
    if not location:
        lines = _fulfillment_lines(_order_facts(client, str(facts["order"])))
        fulfilled = lines.get(str(facts.get("line") or ""), [])
        location = next((f["location"] for f in fulfilled if f["location"]), "")
    if not location:
        raise ShopifyRejected(
            "shopify_no_location", "No restock location: set one on the connection."
        )
    payload = client.mutate(
        queries.INVENTORY_ADJUST,
        {
            "key": key,
            "input": {
                "reason": "restock",
                "name": "available",
                "referenceDocumentUri": f"gid://retorno/Return/{facts['rma']}",
                "changes": [
                    {
                        "delta": quantity,
                        "inventoryItemId": variants[0]["inventoryItem"]["id"],
                        "locationId": location
                        if str(location).startswith("gid://")
                        else gid("Location", location),
                    }
                ],
            },
        },
        "inventoryAdjustQuantities",
    )
    ShopifyCall.objects.get_or_create(
        store=store,
        key=key,
        defaults={
            "kind": "restock",
            "shopify_id": payload["inventoryAdjustmentGroup"]["id"],
            "detail": {"sku": sku, "quantity": quantity, "location": location},
            "created_at": timezone.now(),
        },
    )


def _exchange(client: AdminClient, store: Store, facts: dict[str, Any], key: str) -> str:
    """The exchange's new items as a Shopify order for the customer, paid (the returned item
    paid for it; a price difference was settled in Retorno), tagged and named by its number."""
    done = ShopifyCall.objects.filter(store=store, key=key).first()
    if done is not None:
        return f"exchange order {done.shopify_id}"
    source = f"retorno-{facts['exchange']}"
    found = client.execute(queries.ORDER_BY_SOURCE, {"query": f"source_identifier:{source}"})
    existing = (found.data.get("orders") or {}).get("nodes") or []
    if existing:
        shopify_id = existing[0]["id"]
    else:
        lines = []
        for line in facts.get("lines") or []:
            variants = client.execute(queries.VARIANT_BY_SKU, {"query": f"sku:'{line['sku']}'"})
            nodes = (variants.data.get("productVariants") or {}).get("nodes") or []
            if not nodes:
                raise ShopifyRejected(
                    "shopify_unknown_sku", f"Shopify has no variant with SKU {line['sku']}."
                )
            lines.append({"variantId": nodes[0]["id"], "quantity": int(line["units"])})
        payload = client.mutate(
            queries.ORDER_CREATE,
            {
                "order": {
                    "lineItems": lines,
                    "email": facts.get("email") or None,
                    "currency": facts.get("currency"),
                    "tags": ["retorno-exchange", f"rma-{facts.get('rma') or ''}"],
                    "note": f"Exchange {facts['exchange']} for return {facts.get('rma') or ''}",
                    "sourceIdentifier": source,
                    "financialStatus": "PAID",
                }
            },
            "orderCreate",
        )
        shopify_id = payload["order"]["id"]
    ShopifyCall.objects.get_or_create(
        store=store,
        key=key,
        defaults={
            "kind": "exchange_order",
            "shopify_id": shopify_id,
            "detail": {"exchange": facts["exchange"]},
            "created_at": timezone.now(),
        },
    )
    return f"exchange order {shopify_id}"


def _decline_request(client: AdminClient, store: Store, facts: dict[str, Any]) -> str:
    return_id = numeric_id(facts["return_id"])
    key = f"decline-request:{return_id}"
    if ShopifyCall.objects.filter(store=store, key=key).exists():
        return "declined (already)"
    status = "declined"
    try:
        payload = client.mutate(
            queries.RETURN_DECLINE,
            {
                "input": {
                    "id": gid("Return", return_id),
                    "declineReason": facts.get("reason") or "OTHER",
                    "declineNote": (facts.get("note") or "")[:500],
                    "notifyCustomer": True,
                }
            },
            "returnDeclineRequest",
        )
        status = str(payload["return"]["status"]).lower()
    except ShopifyRejected as refused:
        if refused.code != "shopify_invalid_state":
            raise
        status = "not requested any more"  # the merchant acted in Shopify's admin first
    ShopifyCall.objects.get_or_create(
        store=store,
        key=key,
        defaults={
            "kind": "decline_request",
            "shopify_id": return_id,
            "detail": {"reason": facts.get("reason"), "status": status},
            "created_at": timezone.now(),
        },
    )
    return f"decline: {status}"


def sync_step(
    store: Store, facts: dict[str, Any], key: str, *, client: AdminClient | None = None
) -> str:
    """Do one step in Shopify (see the module's text); what was done."""
    connection = ShopifyConnection.objects.filter(store=store).first()
    if connection is None:
        return "not connected"
    client = client or admin_client(connection)
    step = facts["step"]
    if step == "restock":
        _restock(client, connection, store, facts, key)
        return "restocked"
    if step == "exchange":
        return _exchange(client, store, facts, key)
    if step == "decline_request":
        return _decline_request(client, store, facts)
    with transaction.atomic():
        link, _ = ShopifyReturnLink.objects.get_or_create(
            store=store,
            rma=facts["rma"],
            defaults={"shopify_order_id": numeric_id(facts["order"]), "origin": "retorno"},
        )
        link = ShopifyReturnLink.objects.select_for_update().get(id=link.id)
        try:
            done = _step(client, store, link, step, facts)
        except ShopifyRejected as refused:
            link.last_error = refused.message[:500]
            link.save()
            raise
        link.last_error = ""
        link.save()
    return done


def _step(
    client: AdminClient, store: Store, link: ShopifyReturnLink, step: str, facts: dict[str, Any]
) -> str:
    if step == "approve":
        if not link.shopify_return_id:
            _create_return(client, store, link, facts)
        elif link.shopify_status == "requested":
            _set_status(
                client,
                link,
                queries.RETURN_APPROVE,
                "returnApproveRequest",
                {"input": {"id": gid("Return", link.shopify_return_id), "notifyCustomer": False}},
            )
        return f"open in Shopify ({link.shopify_return_id})"
    if not link.shopify_return_id:
        return "not in Shopify"  # a Retorno return Shopify never heard of
    if step == "decline" and link.shopify_status == "requested":
        _set_status(
            client,
            link,
            queries.RETURN_DECLINE,
            "returnDeclineRequest",
            {
                "input": {
                    "id": gid("Return", link.shopify_return_id),
                    "declineReason": "OTHER",
                    "declineNote": facts.get("note") or "",
                    "notifyCustomer": False,
                }
            },
        )
    elif step == "cancel" and link.shopify_status in ("open", "requested"):
        _set_status(
            client,
            link,
            queries.RETURN_CANCEL,
            "returnCancel",
            {"id": gid("Return", link.shopify_return_id)},
        )
    elif step == "label" and not link.reverse_delivery_id:
        _label(client, link, facts)
    elif step == "close" and link.shopify_status == "open":
        _set_status(
            client,
            link,
            queries.RETURN_CLOSE,
            "returnClose",
            {"id": gid("Return", link.shopify_return_id)},
        )
    return f"{step}: {link.shopify_status}"


def sync_deliver(message: Any) -> dict[str, Any]:
    """Outbox handler of `shopify.sync`."""
    store = Store.objects.get(id=message.store_id)
    try:
        done = sync_step(store, message.payload, message.dedupe_key)
    except ShopifyThrottled as throttled:
        raise RetryAt(
            timezone.now() + timedelta(seconds=throttled.wait), throttled.message
        ) from None
    except ShopifyUnavailable as unavailable:
        raise RuntimeError(unavailable.message) from None  # the outbox's backoff
    except ShopifyRejected as refused:
        raise PermanentFailure(refused.message) from None
    return {"done": done}


STORE_CREDIT_KIND = "shopify.store_credit"


def store_credit_in_shopify(store_id: int) -> bool:
    """Whether the store's store credit is issued in Shopify: it is connected and its refunds
    are made there (docs/adr/0017)."""
    return ShopifyConnection.objects.filter(store_id=store_id, refunds_in_shopify=True).exists()


def store_credit_issue(
    store: Store, *, order_id: str, amount: str, currency: str, note: str, key: str
) -> str:
    """Issue `amount` as Shopify store credit to the order's customer: `refundCreate` on the
    order with a `storeCreditRefund` refund method and no money transaction, `@idempotent` with
    `key`, once (`ShopifyCall`). Shopify's refund id. Raises the client's errors: throttled or
    unavailable (retry the same key), rejected (a definite refusal)."""
    done = ShopifyCall.objects.filter(store=store, key=key).first()
    if done is not None:
        return done.shopify_id
    connection = ShopifyConnection.objects.filter(store=store).first()
    if connection is None:
        raise ShopifyRejected("not_connected", "The store is not connected to Shopify.")
    payload = admin_client(connection).mutate(
        queries.REFUND_CREATE,
        {
            "key": key,
            "input": {
                "orderId": gid("Order", order_id),
                "note": note,
                "notify": True,
                "refundMethods": [
                    {"storeCreditRefund": {"amount": {"amount": amount, "currencyCode": currency}}}
                ],
            },
        },
        "refundCreate",
    )
    shopify_id = str(payload["refund"]["id"])
    ShopifyCall.objects.get_or_create(
        store=store,
        key=key,
        defaults={
            "kind": "store_credit",
            "shopify_id": shopify_id,
            "detail": {"amount": amount, "currency": currency, "order": order_id},
            "created_at": timezone.now(),
        },
    )
    return shopify_id


def call_made(store: Store, shopify_id: str) -> ShopifyCall | None:
    """The call of Retorno's that created `shopify_id` in Shopify (a store credit, an order)."""
    return ShopifyCall.objects.filter(store=store, shopify_id=shopify_id).first()
