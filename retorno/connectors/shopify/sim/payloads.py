"""Webhook bodies as Shopify sends them: the REST resource of each topic (snake_case, numeric ids
beside `admin_graphql_api_id`, amounts as strings)."""

from __future__ import annotations

from typing import Any

from retorno.connectors.shopify.sim.state import ShopState


def gid(kind: str, number: int) -> str:
    return f"gid://shopify/{kind}/{number}"


def _line_payload(state: ShopState, order: dict[str, Any], li: dict[str, Any]) -> dict[str, Any]:
    variant = state.variant(li["variant_id"]) or {}
    return {
        "id": li["id"],
        "admin_graphql_api_id": gid("LineItem", li["id"]),
        "product_id": li["product_id"],
        "variant_id": li["variant_id"],
        "sku": li["sku"],
        "title": li["title"],
        "name": f"{li['title']} - {li['variant_title']}" if li["variant_title"] else li["title"],
        "variant_title": li["variant_title"],
        "vendor": li["vendor"],
        "quantity": li["quantity"],
        "price": li["price"],
        "total_discount": li["total_discount"],
        "tax_lines": li["tax_lines"],
        "properties": [],
        "variant_inventory_management": "shopify" if variant else None,
        "fulfillable_quantity": li["quantity"]
        - sum(
            fli["quantity"]
            for f in order["fulfillments"]
            for fli in f["line_items"]
            if fli["line_item_id"] == li["id"]
        ),
    }


def fulfillment_payload(
    state: ShopState, order: dict[str, Any], fulfillment: dict[str, Any]
) -> dict[str, Any]:
    by_id = {li["id"]: li for li in order["line_items"]}
    return {
        "id": fulfillment["id"],
        "admin_graphql_api_id": gid("Fulfillment", fulfillment["id"]),
        "order_id": order["id"],
        "name": fulfillment["name"],
        "status": fulfillment["status"],
        "shipment_status": fulfillment["shipment_status"],
        "created_at": fulfillment["created_at"],
        "updated_at": fulfillment["updated_at"],
        "location_id": fulfillment["location_id"],
        "tracking_company": fulfillment["tracking_company"],
        "tracking_number": fulfillment["tracking_number"],
        "tracking_numbers": [fulfillment["tracking_number"]],
        "tracking_url": None,
        "line_items": [
            {**_line_payload(state, order, by_id[fli["line_item_id"]]), "quantity": fli["quantity"]}
            for fli in fulfillment["line_items"]
        ],
    }


def fulfillment_event_payload(
    state: ShopState, order: dict[str, Any], fulfillment: dict[str, Any], event: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": event["id"],
        "admin_graphql_api_id": gid("FulfillmentEvent", event["id"]),
        "fulfillment_id": fulfillment["id"],
        "order_id": order["id"],
        "status": event["status"],
        "happened_at": event["happened_at"],
        "created_at": event["created_at"],
        "updated_at": event["created_at"],
        "shop_id": 1,
    }


def _financial_status(order: dict[str, Any]) -> str:
    paid = sum(float(t["amount"]) for t in order["transactions"] if t["kind"] == "sale")
    refunded = sum(float(t["amount"]) for t in order["transactions"] if t["kind"] == "refund")
    if not paid:
        return "pending"
    if refunded <= 0:
        return "paid"
    return "refunded" if refunded >= paid else "partially_refunded"


def order_payload(state: ShopState, order: dict[str, Any]) -> dict[str, Any]:
    customer = order["customer"]
    return {
        "id": order["id"],
        "admin_graphql_api_id": gid("Order", order["id"]),
        "name": order["name"],
        "order_number": order["number"],
        "email": order["email"],
        "contact_email": order["email"],
        "created_at": order["created_at"],
        "updated_at": order["updated_at"],
        "processed_at": order["created_at"],
        "cancelled_at": order["cancelled_at"],
        "currency": order["currency"],
        "presentment_currency": order["currency"],
        "total_price": order["total_price"],
        "financial_status": _financial_status(order),
        "fulfillment_status": "fulfilled" if order["fulfillments"] else None,
        "tags": ", ".join(order["tags"]),
        "note": order["note"] or None,
        "source_identifier": order["source_identifier"] or None,
        "customer": {
            "id": customer["id"],
            "admin_graphql_api_id": gid("Customer", customer["id"]),
            "email": customer["email"],
            "first_name": customer["first_name"],
            "last_name": customer["last_name"],
            "phone": customer["phone"] or None,
        },
        "shipping_address": order["shipping_address"],
        "shipping_lines": [{"title": "Envío estándar", "price": order["shipping_price"]}],
        "line_items": [_line_payload(state, order, li) for li in order["line_items"]],
        "fulfillments": [fulfillment_payload(state, order, f) for f in order["fulfillments"]],
        "refunds": [refund_payload(state, order, r) for r in order["refunds"]],
    }


def refund_payload(
    state: ShopState, order: dict[str, Any], refund: dict[str, Any]
) -> dict[str, Any]:
    by_id = {li["id"]: li for li in order["line_items"]}
    return {
        "id": refund["id"],
        "admin_graphql_api_id": gid("Refund", refund["id"]),
        "order_id": order["id"],
        "created_at": refund["created_at"],
        "processed_at": refund["created_at"],
        "note": refund["note"] or None,
        "refund_line_items": [
            {
                "line_item_id": rli["line_item_id"],
                "quantity": rli["quantity"],
                "restock_type": rli["restock_type"].lower(),
                "line_item": _line_payload(state, order, by_id[rli["line_item_id"]]),
            }
            for rli in refund["refund_line_items"]
        ],
        "transactions": [
            {
                "id": t["id"],
                "admin_graphql_api_id": gid("OrderTransaction", t["id"]),
                "kind": t["kind"],
                "status": t["status"],
                "gateway": t["gateway"],
                "amount": t["amount"],
                "currency": order["currency"],
                "parent_id": t["parent_id"],
            }
            for t in refund["transactions"]
        ],
    }


def return_payload(state: ShopState, return_: dict[str, Any]) -> dict[str, Any]:
    order = state.order(return_["order_id"]) or {}
    by_id = {li["id"]: li for li in order.get("line_items", [])}
    return {
        "id": return_["id"],
        "admin_graphql_api_id": gid("Return", return_["id"]),
        "name": return_["name"],
        "status": return_["status"].lower(),
        "order": {"id": order.get("id"), "admin_graphql_api_id": gid("Order", order.get("id", 0))},
        "total_return_line_items": len(return_["return_line_items"]),
        "return_line_items": [
            {
                "id": rli["id"],
                "admin_graphql_api_id": gid("ReturnLineItem", rli["id"]),
                "quantity": rli["quantity"],
                "return_reason": rli["return_reason"].lower(),
                "return_reason_note": rli["return_reason_note"],
                "customer_note": rli["customer_note"] or None,
                "fulfillment_line_item": {
                    "id": rli["fulfillment_line_item_id"],
                    "admin_graphql_api_id": gid(
                        "FulfillmentLineItem", rli["fulfillment_line_item_id"]
                    ),
                    "line_item": {
                        "id": rli["line_item_id"],
                        "admin_graphql_api_id": gid("LineItem", rli["line_item_id"]),
                        "sku": by_id.get(rli["line_item_id"], {}).get("sku"),
                    },
                },
            }
            for rli in return_["return_line_items"]
        ],
        "decline": return_["decline"],
    }
