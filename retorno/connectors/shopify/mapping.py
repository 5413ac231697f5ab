"""Shopify's orders as Retorno's order intake takes them (retorno.orders.services), from either
shape Shopify sends: a webhook's REST body (snake_case, numeric ids) or an Admin GraphQL node
(camelCase, global ids). Pure functions: values in, values out; a payload that cannot be an order
raises MappingError naming the field."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from retorno.connectors.values import MappingError, amount, parse_time, require, tag_list

# The Shopify return reasons and the store's reason codes (retorno.domain reasons).
RETURN_REASONS = {
    "size_too_small": "too_small",
    "size_too_large": "too_large",
    "defective": "defective",
    "not_as_described": "not_as_described",
    "wrong_item": "wrong_item",
    "unwanted": "changed_mind",
    "style": "changed_mind",
    "color": "changed_mind",
    "other": "other",
    "unknown": "other",
}
# And back: the reason Shopify is told for a return asked for in Retorno.
SHOPIFY_REASONS = {
    "too_small": "SIZE_TOO_SMALL",
    "too_large": "SIZE_TOO_LARGE",
    "defective": "DEFECTIVE",
    "damaged": "DEFECTIVE",
    "missing_parts": "DEFECTIVE",
    "better_price": "UNWANTED",
    "not_as_described": "NOT_AS_DESCRIBED",
    "wrong_item": "WRONG_ITEM",
    "changed_mind": "UNWANTED",
    "arrived_late": "UNWANTED",
}


def numeric_id(value: Any) -> str:
    """`gid://shopify/Order/123` or 123 as "123"."""
    text = str(value or "").strip()
    if text.startswith("gid://"):
        text = text.rsplit("/", 1)[-1]
    return text


def delivered_at(fulfillments: list[dict[str, Any]]) -> datetime | None:
    """When the order was delivered: the latest delivery of its fulfillments, once every
    fulfillment is delivered (a partly delivered order is not delivered yet)."""
    times = []
    for index, f in enumerate(fulfillments):
        if str(f.get("status") or "").lower() in ("cancelled", "error", "failure"):
            continue
        when = f.get("delivered_at") or f.get("deliveredAt")
        shipment = str(f.get("shipment_status") or f.get("displayStatus") or "").lower()
        if when is None and shipment == "delivered":
            when = f.get("updated_at") or f.get("updatedAt")
        if when is None:
            return None
        times.append(parse_time(when, f"fulfillments.{index}.delivered_at"))
    found = [t for t in times if t is not None]
    return max(found) if found else None


def order_from_rest(body: dict[str, Any]) -> dict[str, Any]:
    """An orders/create or orders/updated body as order intake data."""
    if not isinstance(body, dict):
        raise MappingError("body", "is not a JSON object.")
    order_id = numeric_id(require(body, "id", "id"))
    customer = body.get("customer") or {}
    email = (body.get("email") or body.get("contact_email") or customer.get("email") or "").strip()
    if not email:
        raise MappingError("email", "the order has no e-mail address to reach the shopper.")
    address = body.get("shipping_address") or body.get("billing_address") or {}
    lines: list[dict[str, Any]] = []
    for index, li in enumerate(require(body, "line_items", "line_items")):
        quantity = int(li.get("quantity") or 0)
        if quantity < 1:
            continue
        tax = sum(
            (
                amount(t.get("price"), f"line_items.{index}.tax_lines")
                for t in li.get("tax_lines") or []
            ),
            Decimal("0"),
        )
        sku = (li.get("sku") or "").strip() or f"shopify-variant-{li.get('variant_id') or li['id']}"
        lines.append(
            {
                "external_id": numeric_id(require(li, "id", f"line_items.{index}.id")),
                "sku": sku,
                "product_id": numeric_id(li.get("product_id")),
                "title": li.get("title") or li.get("name") or sku,
                "vendor": li.get("vendor") or "",
                "quantity": quantity,
                "unit_price": amount(li.get("price"), f"line_items.{index}.price"),
                "discount": amount(li.get("total_discount"), f"line_items.{index}.total_discount"),
                "tax": tax,
                "variant_title": li.get("variant_title") or "",
                "options": {},
            }
        )
    if not lines:
        raise MappingError("line_items", "the order has no line with a quantity.")
    shipping = sum(
        (amount(s.get("price"), "shipping_lines.price") for s in body.get("shipping_lines") or []),
        Decimal("0"),
    )
    name = " ".join(
        p for p in (customer.get("first_name"), customer.get("last_name")) if p
    ) or " ".join(p for p in (address.get("first_name"), address.get("last_name")) if p)
    return {
        "external_id": order_id,
        "number": body.get("name") or order_id,
        "currency": str(require(body, "currency", "currency")).upper(),
        "placed_at": parse_time(
            body.get("processed_at") or require(body, "created_at", "created_at"), "created_at"
        ),
        "delivered_at": delivered_at(body.get("fulfillments") or []),
        "shipping_address": {
            "name": name,
            "line1": address.get("address1") or "",
            "line2": address.get("address2") or "",
            "city": address.get("city") or "",
            "postal_code": address.get("zip") or "",
            "country": (address.get("country_code") or "").upper(),
            "phone": address.get("phone") or "",
        },
        "shipping_amount": shipping,
        "customer": {
            "external_id": numeric_id(customer.get("id")) if customer.get("id") else "",
            "email": email,
            "name": name,
            "phone": customer.get("phone") or "",
        },
        "tags": tag_list(body.get("tags")),
        "lines": lines,
    }


def order_from_graphql(node: dict[str, Any]) -> dict[str, Any]:
    """An Admin GraphQL order node (the backfill's query) as order intake data."""
    customer = node.get("customer") or {}
    address = node.get("shippingAddress") or {}
    lines: list[dict[str, Any]] = []
    for index, li in enumerate((node.get("lineItems") or {}).get("nodes") or []):
        quantity = int(li.get("quantity") or 0)
        if quantity < 1:
            continue
        variant = li.get("variant") or {}
        unit = ((li.get("originalUnitPriceSet") or {}).get("shopMoney") or {}).get("amount")
        discount = ((li.get("totalDiscountSet") or {}).get("shopMoney") or {}).get("amount")
        tax = sum(
            (
                amount(((t.get("priceSet") or {}).get("shopMoney") or {}).get("amount"), "tax")
                for t in li.get("taxLines") or []
            ),
            Decimal("0"),
        )
        sku = (li.get("sku") or "").strip() or f"shopify-variant-{numeric_id(variant.get('id'))}"
        lines.append(
            {
                "external_id": numeric_id(require(li, "id", f"lineItems.{index}.id")),
                "sku": sku,
                "product_id": numeric_id((li.get("product") or {}).get("id")),
                "title": li.get("title") or sku,
                "vendor": li.get("vendor") or "",
                "quantity": quantity,
                "unit_price": amount(unit, f"lineItems.{index}.originalUnitPriceSet"),
                "discount": amount(discount, f"lineItems.{index}.totalDiscountSet"),
                "tax": tax,
                "variant_title": li.get("variantTitle") or "",
                "options": {
                    str(o["name"]): str(o["value"]) for o in variant.get("selectedOptions") or []
                },
            }
        )
    if not lines:
        raise MappingError("lineItems", "the order has no line with a quantity.")
    email = (node.get("email") or customer.get("email") or "").strip()
    if not email:
        raise MappingError("email", "the order has no e-mail address to reach the shopper.")
    shipping = ((node.get("totalShippingPriceSet") or {}).get("shopMoney") or {}).get("amount")
    name = customer.get("displayName") or address.get("name") or ""
    return {
        "external_id": numeric_id(require(node, "id", "id")),
        "number": node.get("name") or numeric_id(node["id"]),
        "currency": str(require(node, "currencyCode", "currencyCode")).upper(),
        "placed_at": parse_time(node.get("processedAt") or node.get("createdAt"), "createdAt"),
        "delivered_at": delivered_at(node.get("fulfillments") or []),
        "shipping_address": {
            "name": name if name != email else "",
            "line1": address.get("address1") or "",
            "line2": address.get("address2") or "",
            "city": address.get("city") or "",
            "postal_code": address.get("zip") or "",
            "country": (address.get("countryCodeV2") or "").upper(),
            "phone": address.get("phone") or "",
        },
        "shipping_amount": amount(shipping, "totalShippingPriceSet"),
        "customer": {
            "external_id": numeric_id(customer.get("id")) if customer.get("id") else "",
            "email": email,
            "name": name if name != email else "",
            "phone": customer.get("phone") or "",
        },
        "tags": tag_list(node.get("tags")),
        "lines": lines,
    }


def return_request_lines(body: dict[str, Any]) -> tuple[str, str, list[dict[str, Any]]]:
    """(Shopify return id, order id, lines) of a returns/request body; each line is its order
    line's id, quantity, Retorno reason code and the customer's note."""
    if not isinstance(body, dict):
        raise MappingError("body", "is not a JSON object.")
    return_id = numeric_id(require(body, "id", "id"))
    order_id = numeric_id(require(body.get("order") or {}, "id", "order.id"))
    lines = []
    for index, rli in enumerate(require(body, "return_line_items", "return_line_items")):
        line = ((rli.get("fulfillment_line_item") or {}).get("line_item")) or {}
        line_id = numeric_id(
            require(line, "id", f"return_line_items.{index}.fulfillment_line_item.line_item.id")
        )
        reason = str(rli.get("return_reason") or "unknown").lower()
        note = " ".join(
            p for p in (rli.get("customer_note"), rli.get("return_reason_note")) if p
        ).strip()
        lines.append(
            {
                "line": line_id,
                "quantity": int(require(rli, "quantity", f"return_line_items.{index}.quantity")),
                "reason": RETURN_REASONS.get(reason, "other"),
                "comment": note[:1000],
            }
        )
    return return_id, order_id, lines


def decline_reason(codes: list[str]) -> str:
    """Shopify's ReturnDeclineReason for the policy's refusal codes: the return window over,
    a final-sale item, or OTHER (the note then says why)."""
    if "window_expired" in codes:
        return "RETURN_PERIOD_ENDED"
    if "final_sale" in codes:
        return "FINAL_SALE"
    return "OTHER"


def refund_from_rest(body: dict[str, Any]) -> dict[str, Any]:
    """A `refunds/create` body: its id, order, note, the money it gave back (successful refund
    transactions) and the units of each line, with what they gave back when Shopify says
    (`subtotal` + `total_tax`; None otherwise)."""
    refund_id = numeric_id(require(body, "id", "id"))
    order_id = numeric_id(require(body, "order_id", "order_id"))
    given_back = sum(
        (
            amount(t.get("amount"), f"transactions.{index}.amount")
            for index, t in enumerate(body.get("transactions") or [])
            if str(t.get("kind") or "").lower() == "refund"
            and str(t.get("status") or "").lower() == "success"
        ),
        Decimal("0"),
    )
    lines = []
    for index, rli in enumerate(body.get("refund_line_items") or []):
        field = f"refund_line_items.{index}"
        try:
            quantity = int(require(rli, "quantity", f"{field}.quantity"))
        except (TypeError, ValueError):
            raise MappingError(f"{field}.quantity", "is not a whole number.") from None
        given = None
        if rli.get("subtotal") not in (None, ""):
            given = amount(rli.get("subtotal"), f"{field}.subtotal") + amount(
                rli.get("total_tax"), f"{field}.total_tax"
            )
        lines.append(
            {
                "line": numeric_id(require(rli, "line_item_id", f"{field}.line_item_id")),
                "quantity": quantity,
                "amount": given,
            }
        )
    return {
        "refund_id": refund_id,
        "order_id": order_id,
        "note": str(body.get("note") or ""),
        "amount": given_back,
        "lines": lines,
    }
