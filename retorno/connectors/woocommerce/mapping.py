"""WooCommerce's orders (REST API v3, the same shape in webhooks and in lists) as Retorno's order
intake takes them, and Retorno's refunds as WooCommerce's refund lines. Pure functions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from retorno.connectors.values import MappingError, amount, parse_time, require

# Orders not paid (or not any more): not imported until they are.
UNPAID = frozenset({"pending", "failed", "checkout-draft", "trash", "auto-draft"})
CENT = Decimal("0.01")


def is_paid(body: dict[str, Any]) -> bool:
    return str(body.get("status") or "") not in UNPAID


def _options(meta: list[dict[str, Any]]) -> dict[str, str]:
    """A variation's attributes (`pa_talla` → Talla: M) from a line's meta data; WooCommerce's
    own keys start with an underscore."""
    found = {}
    for entry in meta or []:
        key = str(entry.get("key") or "")
        if not key or key.startswith("_") or isinstance(entry.get("value"), dict | list):
            continue
        name = str(entry.get("display_key") or key.removeprefix("pa_"))
        found[name] = str(entry.get("display_value") or entry.get("value") or "")
    return found


def order_from_woo(body: dict[str, Any]) -> dict[str, Any]:
    """An order as order intake data. WooCommerce has no delivery date: a `completed` order
    (shipped) counts as delivered when it was completed."""
    if not isinstance(body, dict):
        raise MappingError("body", "is not a JSON object.")
    order_id = str(require(body, "id", "id"))
    billing = body.get("billing") or {}
    shipping = body.get("shipping") or {}
    address = shipping if shipping.get("address_1") else billing
    email = str(billing.get("email") or "").strip()
    if not email:
        raise MappingError("billing.email", "the order has no e-mail address to reach the shopper.")
    lines: list[dict[str, Any]] = []
    for index, li in enumerate(require(body, "line_items", "line_items")):
        quantity = int(li.get("quantity") or 0)
        if quantity < 1:
            continue
        subtotal = amount(li.get("subtotal"), f"line_items.{index}.subtotal")
        total = amount(li.get("total"), f"line_items.{index}.total")
        product = li.get("variation_id") or li.get("product_id")
        sku = str(li.get("sku") or "").strip() or f"woo-product-{product}"
        lines.append(
            {
                "external_id": str(require(li, "id", f"line_items.{index}.id")),
                "sku": sku,
                "product_id": str(li.get("product_id") or ""),
                "title": li.get("parent_name") or li.get("name") or sku,
                "vendor": "",
                "quantity": quantity,
                "unit_price": (subtotal / quantity).quantize(CENT),
                "discount": max(subtotal - total, Decimal("0")),
                "tax": amount(li.get("total_tax"), f"line_items.{index}.total_tax"),
                "variant_title": "",
                "options": _options(li.get("meta_data") or []),
            }
        )
    if not lines:
        raise MappingError("line_items", "the order has no line with a quantity.")
    name = " ".join(p for p in (billing.get("first_name"), billing.get("last_name")) if p)
    completed = (
        parse_time(body.get("date_completed_gmt"), "date_completed_gmt", naive_utc=True)
        if body.get("status") == "completed"
        else None
    )
    created = body.get("date_paid_gmt") or require(body, "date_created_gmt", "date_created_gmt")
    return {
        "external_id": order_id,
        "number": str(body.get("number") or order_id),
        "currency": str(require(body, "currency", "currency")).upper(),
        "placed_at": parse_time(created, "date_created_gmt", naive_utc=True),
        "delivered_at": completed,
        "shipping_address": {
            "name": " ".join(p for p in (address.get("first_name"), address.get("last_name")) if p),
            "line1": address.get("address_1") or "",
            "line2": address.get("address_2") or "",
            "city": address.get("city") or "",
            "postal_code": address.get("postcode") or "",
            "country": str(address.get("country") or "").upper(),
            "phone": address.get("phone") or billing.get("phone") or "",
        },
        "shipping_amount": amount(body.get("shipping_total"), "shipping_total"),
        "customer": {
            "external_id": str(body["customer_id"]) if body.get("customer_id") else "",
            "email": email,
            "name": name,
            "phone": billing.get("phone") or "",
        },
        "tags": [],
        "lines": lines,
    }


def refund_lines(order: dict[str, Any], lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Retorno's refund lines (order line id, units, net amount with its tax, tax) as the
    `line_items` of WooCommerce's refund: `refund_total` without tax, `refund_tax` on the line's
    tax rate (the tax of a net smaller than the paid amount shrinks in proportion)."""
    taxes = {
        str(li.get("id")): (li.get("taxes") or [{}])[0].get("id")
        for li in order.get("line_items") or []
    }
    found = []
    for line in lines:
        line_id = str(line["line"])
        if line_id not in taxes:
            raise MappingError("line_items", f"the WooCommerce order has no line {line_id}.")
        net, tax, gross = (Decimal(str(line.get(k) or "0")) for k in ("net", "tax", "gross"))
        tax_part = (tax * net / gross).quantize(CENT) if gross > 0 else Decimal("0")
        item: dict[str, Any] = {
            "id": int(line_id),
            "quantity": int(line["units"]),
            "refund_total": str(net - tax_part),
        }
        if tax_part and taxes[line_id] is not None:
            item["refund_tax"] = [{"id": taxes[line_id], "refund_total": str(tax_part)}]
        else:
            item["refund_total"] = str(net)
        found.append(item)
    return found
