"""What the simulated store does: place, fulfil and deliver orders, take return requests, and
carry out the Admin API's mutations. Each function runs inside `ShopState.changing()` and returns
its result with the webhooks it sets off, as Shopify documents them per topic."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from retorno.connectors.shopify.sim import payloads
from retorno.connectors.shopify.sim.state import ShopState, SimError, Webhook
from retorno.connectors.simkit import money, now_iso

RETURN_REASONS = {
    "COLOR",
    "DEFECTIVE",
    "NOT_AS_DESCRIBED",
    "OTHER",
    "SIZE_TOO_LARGE",
    "SIZE_TOO_SMALL",
    "STYLE",
    "UNKNOWN",
    "UNWANTED",
    "WRONG_ITEM",
}


def _order_updated(state: ShopState, order: dict[str, Any]) -> Webhook:
    order["updated_at"] = now_iso()
    return ("orders/updated", payloads.order_payload(state, order))


def order_place(
    state: ShopState,
    *,
    email: str,
    lines: list[tuple[str, int]],
    first_name: str = "",
    last_name: str = "",
    address: dict[str, str] | None = None,
    tags: list[str] | None = None,
    note: str = "",
    source_identifier: str = "",
    shipping_price: str = "4.95",
    charge: bool = True,
) -> tuple[dict[str, Any], list[Webhook]]:
    """An order paid at checkout (one sale transaction for its total), not yet fulfilled."""
    if not lines:
        raise SimError("An order needs at least one line item.", field=["lineItems"])
    data = state.data
    customer = next(
        (o["customer"] for o in data["orders"].values() if o["customer"]["email"] == email), None
    ) or {
        "id": state.next_id(),
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
        "phone": "",
    }
    line_items = []
    for sku, quantity in lines:
        variant = state.variant_by_sku(sku)
        if variant is None:
            raise SimError(f"No variant with SKU {sku!r}.", field=["lineItems", "sku"])
        if quantity < 1:
            raise SimError("A quantity is at least 1.", field=["lineItems", "quantity"])
        product = state.product(variant["product_id"])
        line_items.append(
            {
                "id": state.next_id(),
                "variant_id": variant["id"],
                "product_id": product["id"],
                "sku": sku,
                "title": product["title"],
                "variant_title": " / ".join(variant["options"].values()),
                "options": dict(variant["options"]),
                "vendor": product["vendor"],
                "quantity": quantity,
                "price": variant["price"],
                "total_discount": "0.00",
                "tax_lines": [],
            }
        )
    number = data["next_order_number"]
    data["next_order_number"] += 1
    created = now_iso()
    total = sum(Decimal(li["price"]) * li["quantity"] for li in line_items) + Decimal(
        shipping_price
    )
    order: dict[str, Any] = {
        "id": state.next_id(),
        "number": number,
        "name": f"#{number}",
        "email": email,
        "created_at": created,
        "updated_at": created,
        "currency": data["shop"]["currency"],
        "customer": customer,
        "shipping_address": {
            "first_name": first_name,
            "last_name": last_name,
            "address1": "Calle Mayor 1",
            "city": "Madrid",
            "zip": "28013",
            "country_code": "ES",
            **(address or {}),
        },
        "line_items": line_items,
        "shipping_price": money(shipping_price),
        "total_price": money(total),
        "transactions": [],
        "fulfillments": [],
        "refunds": [],
        "return_ids": [],
        "tags": list(tags or []),
        "note": note,
        "source_identifier": source_identifier,
        "cancelled_at": None,
    }
    if charge:
        order["transactions"].append(
            {
                "id": state.next_id(),
                "kind": "sale",
                "status": "success",
                "gateway": "bogus",
                "amount": money(total),
                "parent_id": None,
                "processed_at": created,
            }
        )
    data["orders"][str(order["id"])] = order
    for li in line_items:
        key = f"{state.data['variants'][str(li['variant_id'])]['inventory_item_id']}:{data['locations'][0]['id']}"
        data["inventory"][key] = int(data["inventory"].get(key, 0)) - li["quantity"]
    return order, [("orders/create", payloads.order_payload(state, order))]


def order_fulfil(
    state: ShopState, order: dict[str, Any], *, tracking_number: str = ""
) -> tuple[dict[str, Any], list[Webhook]]:
    """Ship every unfulfilled unit from the first location, in one fulfillment."""
    shipped: dict[int, int] = {}
    for fulfillment in order["fulfillments"]:
        for fli in fulfillment["line_items"]:
            shipped[fli["line_item_id"]] = shipped.get(fli["line_item_id"], 0) + fli["quantity"]
    items = [
        {
            "id": state.next_id(),
            "line_item_id": li["id"],
            "quantity": li["quantity"] - shipped.get(li["id"], 0),
        }
        for li in order["line_items"]
        if li["quantity"] > shipped.get(li["id"], 0)
    ]
    if not items:
        raise SimError("Every unit of this order is fulfilled already.")
    at = now_iso()
    fulfillment = {
        "id": state.next_id(),
        "name": f"{order['name']}.{len(order['fulfillments']) + 1}",
        "status": "success",
        "shipment_status": None,
        "created_at": at,
        "updated_at": at,
        "in_transit_at": None,
        "delivered_at": None,
        "location_id": state.data["locations"][0]["id"],
        "tracking_company": "Correos",
        "tracking_number": tracking_number or f"PQ{state.data['next_id']}ES",
        "line_items": items,
        "events": [],
    }
    order["fulfillments"].append(fulfillment)
    return fulfillment, [
        ("fulfillments/create", payloads.fulfillment_payload(state, order, fulfillment)),
        _order_updated(state, order),
    ]


def fulfillment_event(
    state: ShopState,
    order: dict[str, Any],
    fulfillment: dict[str, Any],
    *,
    status: str,
    happened_at: str | None = None,
) -> list[Webhook]:
    """The carrier reports a step (in_transit, delivered...): a fulfillment event, the
    fulfillment's shipment status, and the webhooks Shopify sends for them."""
    happened = happened_at or now_iso()
    event = {
        "id": state.next_id(),
        "status": status,
        "happened_at": happened,
        "created_at": now_iso(),
    }
    fulfillment["events"].append(event)
    fulfillment["shipment_status"] = status
    fulfillment["updated_at"] = now_iso()
    if status == "in_transit":
        fulfillment["in_transit_at"] = happened
    if status == "delivered":
        fulfillment["delivered_at"] = happened
    return [
        (
            "fulfillment_events/create",
            payloads.fulfillment_event_payload(state, order, fulfillment, event),
        ),
        ("fulfillments/update", payloads.fulfillment_payload(state, order, fulfillment)),
        _order_updated(state, order),
    ]


def _return_lines(
    state: ShopState, order: dict[str, Any], lines: list[dict[str, Any]], *, requested: bool
) -> list[dict[str, Any]]:
    if not lines:
        raise SimError("A return needs at least one line item.", field=["returnLineItems"])
    result = []
    for index, line in enumerate(lines):
        fli_id = int(line["fulfillment_line_item_id"])
        found = state.fulfillment_line(fli_id)
        if found is None or found[0]["id"] != order["id"]:
            raise SimError(
                "Fulfillment line item does not belong to the order.",
                field=["returnLineItems", str(index), "fulfillmentLineItemId"],
                code="INVALID",
            )
        _, fli = found
        reason = line.get("return_reason") or ("UNKNOWN" if not requested else None)
        if reason is not None and reason not in RETURN_REASONS:
            raise SimError("Unknown return reason.", field=["returnLineItems", str(index)])
        open_quantity = sum(
            rli["quantity"]
            for rid in order["return_ids"]
            for rli in state.data["returns"][str(rid)]["return_line_items"]
            if rli["fulfillment_line_item_id"] == fli_id
            and state.data["returns"][str(rid)]["status"] not in ("DECLINED", "CANCELED")
        )
        quantity = int(line["quantity"])
        if quantity < 1 or quantity + open_quantity > fli["quantity"]:
            raise SimError(
                "Quantity is more than the returnable quantity.",
                field=["returnLineItems", str(index), "quantity"],
                code="INVALID_QUANTITY",
            )
        result.append(
            {
                "id": state.next_id(),
                "fulfillment_line_item_id": fli_id,
                "line_item_id": fli["line_item_id"],
                "quantity": quantity,
                "processed_quantity": 0,
                "return_reason": reason or "UNKNOWN",
                "return_reason_note": line.get("return_reason_note") or "",
                "customer_note": line.get("customer_note") or "",
            }
        )
    return result


def return_open(
    state: ShopState, order: dict[str, Any], lines: list[dict[str, Any]], *, requested: bool
) -> tuple[dict[str, Any], list[Webhook]]:
    """A return on `order`: REQUESTED when the customer asks (returns/request), OPEN when the
    merchant creates it (returnCreate), with a reverse fulfillment order for its items."""
    if order.get("cancelled_at"):
        raise SimError("The order is cancelled.", field=["orderId"])
    return_lines = _return_lines(state, order, lines, requested=requested)
    return_id = state.next_id()
    return_ = {
        "id": return_id,
        "order_id": order["id"],
        "name": f"{order['name']}-R{len(order['return_ids']) + 1}",
        "status": "REQUESTED" if requested else "OPEN",
        "created_at": now_iso(),
        "closed_at": None,
        "decline": None,
        "return_line_items": return_lines,
        "reverse_fulfillment_orders": [],
    }
    if not requested:
        _open_reverse_fulfillment(state, return_)
    state.data["returns"][str(return_id)] = return_
    order["return_ids"].append(return_id)
    topic = "returns/request" if requested else "returns/approve"
    return return_, [(topic, payloads.return_payload(state, return_))]


def _open_reverse_fulfillment(state: ShopState, return_: dict[str, Any]) -> None:
    return_["reverse_fulfillment_orders"].append(
        {
            "id": state.next_id(),
            "status": "OPEN",
            "line_items": [
                {
                    "id": state.next_id(),
                    "fulfillment_line_item_id": rli["fulfillment_line_item_id"],
                    "total_quantity": rli["quantity"],
                }
                for rli in return_["return_line_items"]
            ],
            "reverse_deliveries": [],
        }
    )


def _return_of(state: ShopState, return_id: int) -> dict[str, Any]:
    return_ = state.return_(return_id)
    if return_ is None:
        raise SimError("Return does not exist.", field=["id"], code="NOT_FOUND")
    return return_


def return_approve(state: ShopState, return_id: int) -> tuple[dict[str, Any], list[Webhook]]:
    return_ = _return_of(state, return_id)
    if return_["status"] != "REQUESTED":
        raise SimError(
            f"Return is not approvable. Only returns with status REQUESTED can be approved "
            f"(status {return_['status']}).",
            field=["input", "id"],
            code="INVALID_STATE",
        )
    return_["status"] = "OPEN"
    _open_reverse_fulfillment(state, return_)
    return return_, [("returns/approve", payloads.return_payload(state, return_))]


def return_decline(
    state: ShopState, return_id: int, *, reason: str, note: str
) -> tuple[dict[str, Any], list[Webhook]]:
    return_ = _return_of(state, return_id)
    if return_["status"] != "REQUESTED":
        raise SimError(
            f"Return is not declinable. Only returns with status REQUESTED can be declined "
            f"(status {return_['status']}).",
            field=["input", "id"],
            code="INVALID_STATE",
        )
    return_["status"] = "DECLINED"
    return_["decline"] = {"reason": reason, "note": note}
    return return_, [("returns/decline", payloads.return_payload(state, return_))]


def return_cancel(state: ShopState, return_id: int) -> tuple[dict[str, Any], list[Webhook]]:
    return_ = _return_of(state, return_id)
    if return_["status"] not in ("OPEN", "REQUESTED"):
        raise SimError("Return is not cancelable.", field=["id"], code="INVALID_STATE")
    if any(rli["processed_quantity"] for rli in return_["return_line_items"]):
        raise SimError("A processed return cannot be canceled.", field=["id"])
    return_["status"] = "CANCELED"
    for rfo in return_["reverse_fulfillment_orders"]:
        rfo["status"] = "CANCELED"
    return return_, [("returns/cancel", payloads.return_payload(state, return_))]


def return_close(state: ShopState, return_id: int) -> tuple[dict[str, Any], list[Webhook]]:
    return_ = _return_of(state, return_id)
    if return_["status"] != "OPEN":
        raise SimError(
            f"Return is not closable (status {return_['status']}).",
            field=["id"],
            code="INVALID_STATE",
        )
    return_["status"] = "CLOSED"
    return_["closed_at"] = now_iso()
    for rfo in return_["reverse_fulfillment_orders"]:
        rfo["status"] = "CLOSED"
    return return_, [("returns/close", payloads.return_payload(state, return_))]


def reverse_delivery_create(
    state: ShopState,
    rfo_id: int,
    lines: list[dict[str, Any]],
    *,
    tracking: dict[str, Any] | None,
    label_url: str | None,
) -> tuple[dict[str, Any], list[Webhook]]:
    for return_ in state.data["returns"].values():
        for rfo in return_["reverse_fulfillment_orders"]:
            if rfo["id"] == rfo_id:
                break
        else:
            continue
        break
    else:
        raise SimError(
            "Reverse fulfillment order does not exist.",
            field=["reverseFulfillmentOrderId"],
            code="NOT_FOUND",
        )
    if rfo["status"] != "OPEN":
        raise SimError("The reverse fulfillment order is not open.", code="INVALID_STATE")
    known = {li["id"]: li for li in rfo["line_items"]}
    for index, line in enumerate(lines):
        item = known.get(int(line["reverse_fulfillment_order_line_item_id"]))
        if item is None or not 0 < int(line["quantity"]) <= item["total_quantity"]:
            raise SimError(
                "Invalid reverse delivery line item.",
                field=["reverseDeliveryLineItems", str(index)],
                code="INVALID",
            )
    delivery = {
        "id": state.next_id(),
        "tracking": dict(tracking or {}),
        "label_url": label_url,
        "created_at": now_iso(),
        "line_items": [
            {"rfo_line_item_id": int(li["reverse_fulfillment_order_line_item_id"]), **li}
            for li in lines
        ],
    }
    rfo["reverse_deliveries"].append(delivery)
    return delivery, []


def refund_create(
    state: ShopState, order: dict[str, Any], data: dict[str, Any]
) -> tuple[dict[str, Any], list[Webhook]]:
    """Money back to the original payment (transactions of kind REFUND whose parent is a sale)
    and/or as store credit (refundMethods.storeCreditRefund); refunded line items are marked,
    and restocked when their restockType is RETURN."""
    sales = {t["id"]: t for t in order["transactions"] if t["kind"] == "sale"}
    refunded = sum(
        Decimal(t["amount"])
        for t in order["transactions"]
        if t["kind"] == "refund" and t["status"] == "success"
    )
    transactions = []
    for index, txn in enumerate(data.get("transactions") or []):
        if str(txn.get("kind")).upper() != "REFUND":
            raise SimError("Only REFUND transactions can be created.", field=["transactions"])
        parent = sales.get(int(txn["parent_id"])) if txn.get("parent_id") else None
        if parent is None:
            raise SimError(
                "Parent transaction does not exist.",
                field=["transactions", str(index), "parentId"],
            )
        amount = Decimal(str(txn["amount"]))
        if amount <= 0 or refunded + amount > Decimal(parent["amount"]):
            raise SimError(
                "Refund amount exceeds the refundable amount.",
                field=["transactions", str(index), "amount"],
            )
        refunded += amount
        transactions.append(
            {
                "id": state.next_id(),
                "kind": "refund",
                "status": "success",
                "gateway": txn.get("gateway") or parent["gateway"],
                "amount": money(amount),
                "parent_id": parent["id"],
                "processed_at": now_iso(),
            }
        )
    credits = []
    for method in data.get("refund_methods") or []:
        credit = method.get("store_credit_refund")
        if credit:
            amount = Decimal(str(credit["amount"]["amount"]))
            if amount <= 0:
                raise SimError("Store credit must be positive.", field=["refundMethods"])
            # MoneyInput's currencyCode (snake_cased with the rest of the input by the API).
            currency = credit["amount"].get("currency_code") or credit["amount"].get("currencyCode")
            credits.append({"amount": money(amount), "currency": currency})
    lines = []
    for index, rli in enumerate(data.get("refund_line_items") or []):
        line = state.line(order, int(rli["line_item_id"]))
        if line is None or not 0 < int(rli["quantity"]) <= line["quantity"]:
            raise SimError("Invalid refund line item.", field=["refundLineItems", str(index)])
        restock = (rli.get("restock_type") or "NO_RESTOCK").upper()
        lines.append(
            {"line_item_id": line["id"], "quantity": int(rli["quantity"]), "restock_type": restock}
        )
        if restock == "RETURN":
            variant = state.variant(line["variant_id"])
            location = int(rli.get("location_id") or state.data["locations"][0]["id"])
            if variant is not None:
                key = f"{variant['inventory_item_id']}:{location}"
                state.data["inventory"][key] = state.data["inventory"].get(key, 0) + int(
                    rli["quantity"]
                )
    if not transactions and not credits and not lines:
        raise SimError("A refund needs a transaction, a refund method or a line item.")
    refund = {
        "id": state.next_id(),
        "order_id": order["id"],
        "created_at": now_iso(),
        "note": data.get("note") or "",
        "transactions": transactions,
        "store_credit": credits,
        "refund_line_items": lines,
    }
    order["transactions"].extend(transactions)
    order["refunds"].append(refund)
    return refund, [
        ("refunds/create", payloads.refund_payload(state, order, refund)),
        _order_updated(state, order),
    ]


def inventory_adjust(
    state: ShopState, data: dict[str, Any]
) -> tuple[dict[str, Any], list[Webhook]]:
    if data.get("name") not in ("available", "damaged", "quality_control", "safety_stock"):
        raise SimError("The quantity name is not valid.", field=["input", "name"], code="INVALID")
    changes = []
    for index, change in enumerate(data.get("changes") or []):
        item_id, location_id = int(change["inventory_item_id"]), int(change["location_id"])
        if state.variant_by_item(item_id) is None:
            raise SimError(
                "The specified inventory item could not be found.",
                field=["input", "changes", str(index), "inventoryItemId"],
                code="INVENTORY_ITEM_NOT_FOUND",
            )
        if state.location(location_id) is None:
            raise SimError(
                "The specified location could not be found.",
                field=["input", "changes", str(index), "locationId"],
                code="LOCATION_NOT_FOUND",
            )
        key = f"{item_id}:{location_id}"
        after = int(state.data["inventory"].get(key, 0)) + int(change["delta"])
        state.data["inventory"][key] = after
        changes.append(
            {
                "name": data["name"],
                "delta": int(change["delta"]),
                "quantity_after": after,
                "item_id": item_id,
                "location_id": location_id,
            }
        )
    if not changes:
        raise SimError("At least one change is required.", field=["input", "changes"])
    group = {
        "id": state.next_id(),
        "created_at": now_iso(),
        "reason": data["reason"],
        "reference_document_uri": data.get("reference_document_uri"),
        "changes": changes,
    }
    state.data.setdefault("adjustments", []).append(group)
    return group, []
