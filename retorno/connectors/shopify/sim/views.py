"""The simulated store's data as GraphQL objects: dicts keyed by field name, with a callable for
each field that takes arguments (connections, filtered lists). Ids are global ids."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any

from graphql import GraphQLError

from retorno.connectors.shopify.sim.payloads import gid
from retorno.connectors.shopify.sim.state import ShopState
from retorno.connectors.simkit import money

MAX_PAGE = 250


def parse_gid(value: Any, kind: str) -> int:
    text = str(value or "")
    prefix = f"gid://shopify/{kind}/"
    if not text.startswith(prefix) or not text[len(prefix) :].isdigit():
        raise GraphQLError(f"Invalid global id '{text}'", extensions={"code": "INVALID_ID"})
    return int(text[len(prefix) :])


def cursor_of(number: int) -> str:
    return base64.b64encode(f'{{"last_id":{number}}}'.encode()).decode()


def _after_id(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        text = base64.b64decode(cursor.encode()).decode()
        return int(text.split(":")[1].rstrip("}"))
    except (ValueError, IndexError):
        raise GraphQLError("Invalid cursor.", extensions={"code": "BAD_REQUEST"}) from None


def connection(
    items: Sequence[Any],
    view: Callable[[Any], dict[str, Any]],
    key: Callable[[Any], int],
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> dict[str, Any]:
    """A page of `items` in the order given: `first` after a cursor (or `last` before one)."""
    size = first if first is not None else last
    if size is None:
        raise GraphQLError(
            "you must provide one of first or last", extensions={"code": "BAD_REQUEST"}
        )
    if size > MAX_PAGE or size < 0:
        raise GraphQLError(
            f"The page size must be between 0 and {MAX_PAGE}.", extensions={"code": "BAD_REQUEST"}
        )
    keys = [key(item) for item in items]
    start, end = 0, len(items)
    if after is not None:
        marker = _after_id(after)
        start = keys.index(marker) + 1 if marker in keys else len(items)
    if before is not None:
        marker = _after_id(before)
        end = keys.index(marker) if marker in keys else 0
    window = list(items[start:end])
    if first is not None:
        page = window[:size]
        more_after, more_before = len(window) > size, start > 0
    else:
        page = window[-size:] if size else []
        more_after, more_before = end < len(items), len(window) > size
    nodes = [view(item) for item in page]
    cursors = [cursor_of(key(item)) for item in page]
    return {
        "edges": [{"cursor": c, "node": n} for c, n in zip(cursors, nodes, strict=True)],
        "nodes": nodes,
        "pageInfo": {
            "hasNextPage": more_after,
            "hasPreviousPage": more_before,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        },
    }


def _paged(items: Sequence[Any], view: Callable[[Any], dict[str, Any]]) -> Callable[..., Any]:
    def resolve(_info: Any, first: int | None = None, after: str | None = None, **_: Any) -> Any:
        return connection(items, view, lambda item: item["id"], first=first, after=after)

    return resolve


def money_bag(amount: Any, currency: str) -> dict[str, Any]:
    value = {"amount": money(amount), "currencyCode": currency}
    return {"shopMoney": value, "presentmentMoney": value}


def location_view(location: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": gid("Location", location["id"]),
        "legacyResourceId": str(location["id"]),
        "name": location["name"],
        "isActive": True,
    }


def variant_view(state: ShopState, variant: dict[str, Any]) -> dict[str, Any]:
    product = state.product(variant["product_id"])
    item_id = variant["inventory_item_id"]

    def level(_info: Any, locationId: str) -> dict[str, Any] | None:
        location = state.location(parse_gid(locationId, "Location"))
        if location is None:
            return None
        return {
            "id": gid("InventoryLevel", item_id * 1000 + location["id"] % 1000),
            "location": location_view(location),
            "quantities": lambda _i, names: [
                {
                    "name": n,
                    "quantity": state.available(item_id, location["id"])
                    if n in ("available", "on_hand")
                    else 0,
                }
                for n in names
            ],
        }

    return {
        "id": gid("ProductVariant", variant["id"]),
        "legacyResourceId": str(variant["id"]),
        "sku": variant["sku"],
        "title": " / ".join(variant["options"].values()) or "Default Title",
        "price": variant["price"],
        "selectedOptions": [{"name": k, "value": v} for k, v in variant["options"].items()],
        "inventoryItem": {
            "id": gid("InventoryItem", item_id),
            "sku": variant["sku"],
            "inventoryLevel": level,
        },
        "product": product_view(product),
        "inventoryQuantity": sum(
            state.available(item_id, loc["id"]) for loc in state.data["locations"]
        ),
    }


def product_view(product: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": gid("Product", product["id"]),
        "legacyResourceId": str(product["id"]),
        "title": product["title"],
        "vendor": product["vendor"],
        "productType": product["product_type"],
        "tags": product["tags"],
    }


def line_view(state: ShopState, order: dict[str, Any], li: dict[str, Any]) -> dict[str, Any]:
    currency = order["currency"]
    variant = state.variant(li["variant_id"])
    refunded = sum(
        rli["quantity"]
        for refund in order["refunds"]
        for rli in refund["refund_line_items"]
        if rli["line_item_id"] == li["id"]
    )
    return {
        "id": gid("LineItem", li["id"]),
        "name": f"{li['title']} - {li['variant_title']}" if li["variant_title"] else li["title"],
        "title": li["title"],
        "sku": li["sku"],
        "quantity": li["quantity"],
        "currentQuantity": li["quantity"] - refunded,
        "refundableQuantity": li["quantity"] - refunded,
        "vendor": li["vendor"],
        "variantTitle": li["variant_title"] or None,
        "product": product_view(state.product(li["product_id"])),
        "variant": variant_view(state, variant) if variant else None,
        "originalUnitPriceSet": money_bag(li["price"], currency),
        "discountedUnitPriceSet": money_bag(li["price"], currency),
        "totalDiscountSet": money_bag(li["total_discount"], currency),
        "taxLines": [
            {
                "title": t["title"],
                "rate": t.get("rate"),
                "priceSet": money_bag(t["price"], currency),
            }
            for t in li["tax_lines"]
        ],
        "customAttributes": [],
    }


def fulfillment_view(state: ShopState, order: dict[str, Any], f: dict[str, Any]) -> dict[str, Any]:
    by_id = {li["id"]: li for li in order["line_items"]}
    location = state.location(f["location_id"])
    display = {
        None: "FULFILLED",
        "confirmed": "FULFILLED",
        "in_transit": "IN_TRANSIT",
        "out_for_delivery": "OUT_FOR_DELIVERY",
        "delivered": "DELIVERED",
        "attempted_delivery": "ATTEMPTED_DELIVERY",
        "failure": "FAILURE",
    }
    return {
        "id": gid("Fulfillment", f["id"]),
        "legacyResourceId": str(f["id"]),
        "name": f["name"],
        "status": f["status"].upper(),
        "displayStatus": display.get(f["shipment_status"], "FULFILLED"),
        "createdAt": f["created_at"],
        "updatedAt": f["updated_at"],
        "inTransitAt": f["in_transit_at"],
        "deliveredAt": f["delivered_at"],
        "location": location_view(location) if location else None,
        "trackingInfo": lambda _i, first=None: [
            {"number": f["tracking_number"], "url": None, "company": f["tracking_company"]}
        ],
        "fulfillmentLineItems": _paged(
            f["line_items"], lambda fli: fli_view(state, order, by_id, fli)
        ),
        "events": _paged(
            f["events"],
            lambda e: {
                "id": gid("FulfillmentEvent", e["id"]),
                "status": e["status"].upper(),
                "happenedAt": e["happened_at"],
                "createdAt": e["created_at"],
            },
        ),
    }


def fli_view(
    state: ShopState, order: dict[str, Any], by_id: dict[int, Any], fli: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": gid("FulfillmentLineItem", fli["id"]),
        "quantity": fli["quantity"],
        "lineItem": line_view(state, order, by_id[fli["line_item_id"]]),
    }


def transaction_view(order: dict[str, Any], t: dict[str, Any]) -> dict[str, Any]:
    parent = next((p for p in order["transactions"] if p["id"] == t["parent_id"]), None)
    return {
        "id": gid("OrderTransaction", t["id"]),
        "kind": t["kind"].upper(),
        "status": t["status"].upper(),
        "gateway": t["gateway"],
        "amountSet": money_bag(t["amount"], order["currency"]),
        "processedAt": t.get("processed_at"),
        "parentTransaction": transaction_view(order, parent) if parent else None,
    }


def refund_view(state: ShopState, order: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
    by_id = {li["id"]: li for li in order["line_items"]}
    total = sum(float(t["amount"]) for t in r["transactions"]) + sum(
        float(c["amount"]) for c in r["store_credit"]
    )
    return {
        "id": gid("Refund", r["id"]),
        "legacyResourceId": str(r["id"]),
        "createdAt": r["created_at"],
        "note": r["note"] or None,
        "totalRefundedSet": money_bag(total, order["currency"]),
        "transactions": lambda _i, first=None: [
            transaction_view(order, t) for t in r["transactions"]
        ],
        "storeCreditTransactions": [
            {"amount": {"amount": c["amount"], "currencyCode": c["currency"]}, "expiresAt": None}
            for c in r["store_credit"]
        ],
        "refundLineItems": lambda _i, first=None: [
            {
                "lineItem": line_view(state, order, by_id[rli["line_item_id"]]),
                "quantity": rli["quantity"],
                "restockType": rli["restock_type"],
            }
            for rli in r["refund_line_items"]
        ],
    }


def order_view(state: ShopState, order: dict[str, Any]) -> dict[str, Any]:
    currency = order["currency"]
    customer = order["customer"]
    paid = sum(float(t["amount"]) for t in order["transactions"] if t["kind"] == "sale")
    refunded = sum(float(t["amount"]) for t in order["transactions"] if t["kind"] == "refund")
    financial = "PENDING" if not paid else "PAID"
    if refunded:
        financial = "REFUNDED" if refunded >= paid else "PARTIALLY_REFUNDED"
    address = order["shipping_address"]
    return {
        "id": gid("Order", order["id"]),
        "legacyResourceId": str(order["id"]),
        "name": order["name"],
        "email": order["email"],
        "phone": None,
        "createdAt": order["created_at"],
        "updatedAt": order["updated_at"],
        "processedAt": order["created_at"],
        "cancelledAt": order["cancelled_at"],
        "currencyCode": currency,
        "displayFinancialStatus": financial,
        "displayFulfillmentStatus": "FULFILLED" if order["fulfillments"] else "UNFULFILLED",
        "tags": order["tags"],
        "note": order["note"] or None,
        "sourceIdentifier": order["source_identifier"] or None,
        "customer": {
            "id": gid("Customer", customer["id"]),
            "legacyResourceId": str(customer["id"]),
            "email": customer["email"],
            "firstName": customer["first_name"] or None,
            "lastName": customer["last_name"] or None,
            "displayName": f"{customer['first_name']} {customer['last_name']}".strip()
            or customer["email"],
            "phone": customer["phone"] or None,
            "locale": "es",
            "tags": [],
        },
        "shippingAddress": {
            "address1": address.get("address1"),
            "address2": address.get("address2"),
            "city": address.get("city"),
            "zip": address.get("zip"),
            "province": address.get("province"),
            "countryCodeV2": address.get("country_code"),
            "country": address.get("country"),
            "name": f"{address.get('first_name', '')} {address.get('last_name', '')}".strip(),
            "phone": address.get("phone"),
        },
        "totalPriceSet": money_bag(order["total_price"], currency),
        "totalShippingPriceSet": money_bag(order["shipping_price"], currency),
        "totalRefundedSet": money_bag(refunded, currency),
        "lineItems": _paged(order["line_items"], lambda li: line_view(state, order, li)),
        "fulfillments": lambda _i, first=None: [
            fulfillment_view(state, order, f) for f in order["fulfillments"]
        ],
        "transactions": lambda _i, first=None: [
            transaction_view(order, t) for t in order["transactions"]
        ],
        "refunds": lambda _i, first=None: [refund_view(state, order, r) for r in order["refunds"]],
        "returns": _paged(
            [state.data["returns"][str(rid)] for rid in order["return_ids"]],
            lambda r: return_view(state, r),
        ),
    }


def return_view(state: ShopState, r: dict[str, Any]) -> dict[str, Any]:
    order = state.order(r["order_id"]) or {}
    by_id = {li["id"]: li for li in order.get("line_items", [])}

    def fli(fli_id: int) -> dict[str, Any] | None:
        found = state.fulfillment_line(fli_id)
        return fli_view(state, order, by_id, found[1]) if found else None

    def rfo_view(rfo: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": gid("ReverseFulfillmentOrder", rfo["id"]),
            "status": rfo["status"],
            "lineItems": _paged(
                rfo["line_items"],
                lambda li: {
                    "id": gid("ReverseFulfillmentOrderLineItem", li["id"]),
                    "totalQuantity": li["total_quantity"],
                    "fulfillmentLineItem": fli(li["fulfillment_line_item_id"]),
                },
            ),
            "reverseDeliveries": _paged(
                rfo["reverse_deliveries"],
                lambda d: {
                    "id": gid("ReverseDelivery", d["id"]),
                    "deliverable": {
                        "__typename": "ReverseDeliveryShippingDeliverable",
                        "label": {"publicFileUrl": d["label_url"], "createdAt": d["created_at"]}
                        if d["label_url"]
                        else None,
                        "tracking": {
                            "number": d["tracking"].get("number"),
                            "url": d["tracking"].get("url"),
                            "carrierName": None,
                        },
                    },
                },
            ),
        }

    return {
        "id": gid("Return", r["id"]),
        "name": r["name"],
        "status": r["status"],
        "createdAt": r["created_at"],
        "closedAt": r["closed_at"],
        "totalQuantity": sum(rli["quantity"] for rli in r["return_line_items"]),
        "order": lambda _i: order_view(state, order),
        "decline": r["decline"],
        "returnLineItems": _paged(
            r["return_line_items"],
            lambda rli: {
                "__typename": "ReturnLineItem",
                "id": gid("ReturnLineItem", rli["id"]),
                "quantity": rli["quantity"],
                "processedQuantity": rli["processed_quantity"],
                "returnReason": rli["return_reason"],
                "returnReasonNote": rli["return_reason_note"] or None,
                "customerNote": rli["customer_note"] or None,
                "fulfillmentLineItem": fli(rli["fulfillment_line_item_id"]),
            },
        ),
        "reverseFulfillmentOrders": _paged(r["reverse_fulfillment_orders"], rfo_view),
    }
