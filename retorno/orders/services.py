"""Order intake: upsert orders (with their customer and lines) as the store's platform sends them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from retorno.core.errors import Conflict, Unprocessable
from retorno.orders.intake import order_problems
from retorno.orders.models import Customer, Order, OrderLine, Variant
from retorno.stores.models import Store

ORDER_FIELDS = ("number", "currency", "placed_at", "delivered_at", "shipping_address", "tags")


def order_upsert(*, store: Store, data: dict[str, Any]) -> tuple[Order, bool]:
    """Create or update the order `data["external_id"]` of `store`. Returns (order, created).

    Lines are matched by their external id. A line that already has returns cannot disappear
    from the order (code `line_has_returns`): its history would be lost. An amount its currency
    cannot express or a time that cannot have happened is refused (code `validation_error`,
    `errors[].field` naming each) and nothing is written: entrances report these themselves,
    this is the guard for any that does not.
    """
    problems = order_problems(data, now=timezone.now())
    if problems:
        raise Unprocessable(
            "The order has values that cannot be stored.",
            code="validation_error",
            errors=[{"field": p.dotted, "message": p.message, "type": p.code} for p in problems],
        )
    with transaction.atomic():
        customer = _customer_upsert(store, data["customer"])
        order = (
            Order.objects.select_for_update()
            .filter(store=store, external_id=data["external_id"])
            .first()
        )
        created = order is None
        address = data.get("shipping_address") or {}
        values = {
            "customer": customer,
            "number": data.get("number") or data["external_id"],
            "currency": data["currency"].upper(),
            "placed_at": data["placed_at"],
            "delivered_at": data.get("delivered_at"),
            "shipping_address": address,
            "country": (address.get("country") or "").upper(),
            "postal_code": address.get("postal_code") or "",
            "shipping_amount": data.get("shipping_amount") or Decimal("0"),
            "shipping_tax_amount": data.get("shipping_tax_amount") or Decimal("0"),
            "tags": list(data.get("tags") or []),
        }
        if order is None:
            order = Order.objects.create(store=store, external_id=data["external_id"], **values)
        else:
            for name, value in values.items():
                setattr(order, name, value)
            order.save()
        _lines_sync(store, order, data["lines"], created)
    return order, created


def _customer_upsert(store: Store, data: dict[str, Any]) -> Customer:
    external_id = data.get("external_id") or ""
    email = data["email"].strip().lower()
    # Without an external id the store knows the customer by e-mail alone (a guest checkout).
    lookup = {"external_id": external_id} if external_id else {"external_id": "", "email": email}
    values = {
        "email": email,
        "name": data.get("name") or "",
        "phone": data.get("phone") or "",
        "tier": (data.get("tier") or "").lower(),
        "tags": list(data.get("tags") or []),
        "language": data.get("language") or "",
    }
    customer = Customer.objects.filter(store=store, **lookup).first()
    if customer is None:
        return Customer.objects.create(store=store, **{**lookup, **values})
    changed = [name for name, value in values.items() if getattr(customer, name) != value]
    if changed:
        for name in changed:
            setattr(customer, name, values[name])
        customer.save(update_fields=[*changed, "updated_at"])
    return customer


def _lines_sync(store: Store, order: Order, lines: list[dict[str, Any]], created: bool) -> None:
    existing = {} if created else {line.external_id: line for line in order.lines.all()}
    skus = {line["sku"] for line in lines}
    variants = {
        v.sku: v
        for v in Variant.objects.filter(store=store, sku__in=skus).select_related("product")
    }
    to_create = []
    for position, line in enumerate(lines):
        variant = variants.get(line["sku"])
        values = {
            "sku": line["sku"],
            # Kept as received (or as the catalog said when the line came in): analytics group
            # variants by it, and a later change of the catalog does not move past sales.
            "product_id": (line.get("product_id") or "").strip()
            or (variant.product.external_id if variant else ""),
            "title": line.get("title") or line["sku"],
            "category": (line.get("category") or "").lower(),
            "vendor": line.get("vendor") or "",
            "tags": list(line.get("tags") or []),
            "quantity": line["quantity"],
            "unit_price": line["unit_price"],
            "discount_amount": line.get("discount") or Decimal("0"),
            "tax_amount": line.get("tax") or Decimal("0"),
            "final_sale": bool(line.get("final_sale")),
            "options": line.get("options") or {},
            "image_url": line.get("image_url") or "",
            "position": position,
            "variant": variant,
        }
        current = existing.pop(line["external_id"], None)
        if current is None:
            to_create.append(OrderLine(order=order, external_id=line["external_id"], **values))
        else:
            for name, value in values.items():
                setattr(current, name, value)
            current.save()
    if to_create:
        OrderLine.objects.bulk_create(to_create)
    if existing:
        gone = OrderLine.objects.filter(id__in=[line.id for line in existing.values()])
        if gone.filter(return_items__isnull=False).exists():
            raise Conflict(
                "A line that has returns cannot be removed from the order.", code="line_has_returns"
            )
        gone.delete()
