"""The simulated WooCommerce store's data and what changes it: products and variations with
their stock, orders, refunds (wc_create_refund: the gateway's refund when `api_refund`, the
line items back in stock when `api_restock`), webhooks. Shapes are the REST API v3's
(developer.woocommerce.com, "REST API v3"): orders and refunds are kept as the API shows them.

The site's time zone is UTC, so `date_*` and `date_*_gmt` read the same (both without a zone,
as WooCommerce writes them). Every change says which webhook topics it sets off.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from retorno.connectors.simkit import JsonState, money, now_iso

TAX_RATE = Decimal("21")
TAX_RATE_ID = 1
Event = tuple[str, dict[str, Any]]  # (topic, order or product as the API shows it)
PAID = ("processing", "completed")
STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed")


class WooError(Exception):
    """A request WooCommerce refuses: `{"code", "message", "data": {"status"}}`."""

    def __init__(self, status: int, code: str, message: str, **data: Any):
        super().__init__(message)
        self.status, self.code, self.message, self.data = status, code, message, data

    def body(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "data": {"status": self.status, **self.data},
        }


def invalid_id() -> WooError:
    return WooError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")


def wc_time() -> str:
    return now_iso().removesuffix("Z")


DEFAULT_SEED: dict[str, Any] = {
    "store": {"name": "Tienda Woo de prueba", "currency": "EUR"},
    "products": [
        {
            "name": "Sudadera con capucha",
            "attribute": "Talla",
            "variations": [
                {"sku": "WOO-HOOD-M", "price": "39.95", "option": "M", "stock": 15},
                {"sku": "WOO-HOOD-L", "price": "39.95", "option": "L", "stock": 15},
            ],
        },
        {"name": "Gorra", "sku": "WOO-CAP", "price": "14.95", "stock": 30},
    ],
}


class WooState(JsonState):
    """One store (simkit.JsonState: one lock, state.json written atomically)."""

    def _seed(self, seed: dict[str, Any] | None) -> None:
        seed = seed or DEFAULT_SEED
        store = seed.get("store") or {}
        self.data = {
            "next_id": 100,
            "store": {
                "name": store.get("name") or "Tienda Woo de prueba",
                "currency": (store.get("currency") or "EUR").upper(),
            },
            "gateways": {
                "stripe": {"title": "Tarjeta (Stripe)", "refunds": True},
                "cod": {"title": "Contra reembolso", "refunds": False},
            },
            "products": {},
            "orders": {},
            "refunds": {},
            "webhooks": {},
            "gateway_refunds": [],
            "deliveries": [],
        }
        for spec in seed.get("products") or []:
            self.product_add(spec)

    # -- catalogue ----------------------------------------------------------------------------

    def _item(self, **values: Any) -> dict[str, Any]:
        stamp = wc_time()
        stock = values.pop("stock", None)
        return {
            "id": self.next_id(),
            "status": "publish",
            "manage_stock": stock is not None,
            "stock_quantity": None if stock is None else int(stock),
            "stock_status": "instock",
            "date_created": stamp,
            "date_created_gmt": stamp,
            "date_modified": stamp,
            "date_modified_gmt": stamp,
            "meta_data": [],
            **values,
        }

    def product_add(self, spec: dict[str, Any]) -> dict[str, Any]:
        variations = spec.get("variations") or []
        product = self._item(
            name=spec["name"],
            type="variable" if variations else "simple",
            parent_id=0,
            sku=spec.get("sku") or "",
            price=money(spec.get("price") or "0") if not variations else "",
            regular_price=money(spec.get("price") or "0") if not variations else "",
            attributes=[],
            variations=[],
            **({"stock": spec.get("stock", 0)} if not variations else {}),
        )
        if variations:
            name = spec.get("attribute") or "Talla"
            product["attributes"] = [
                {
                    "id": 0,
                    "name": name,
                    "variation": True,
                    "options": [v["option"] for v in variations],
                }
            ]
            for v in variations:
                variation = self._item(
                    name=f"{spec['name']} - {v['option']}",
                    type="variation",
                    parent_id=product["id"],
                    sku=v["sku"],
                    price=money(v["price"]),
                    regular_price=money(v["price"]),
                    attributes=[{"id": 0, "name": name, "option": v["option"]}],
                    stock=v.get("stock", 0),
                )
                self.data["products"][str(variation["id"])] = variation
                product["variations"].append(variation["id"])
        self.data["products"][str(product["id"])] = product
        return product

    def item(self, item_id: Any) -> dict[str, Any] | None:
        return self.data["products"].get(str(item_id))

    def by_sku(self, sku: str) -> dict[str, Any] | None:
        return next((p for p in self.data["products"].values() if sku and p["sku"] == sku), None)

    def stock_change(self, item: dict[str, Any], delta: int) -> None:
        if not item["manage_stock"]:
            return
        item["stock_quantity"] = int(item["stock_quantity"] or 0) + delta
        item["stock_status"] = "instock" if item["stock_quantity"] > 0 else "outofstock"
        item["date_modified"] = item["date_modified_gmt"] = wc_time()

    def item_update(self, item: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        """PUT /products/<id> or /products/<id>/variations/<id>: stock and meta data."""
        if "stock_quantity" in changes:
            try:
                quantity = int(changes["stock_quantity"])
            except (TypeError, ValueError):
                raise WooError(
                    400,
                    "rest_invalid_param",
                    "Invalid parameter(s): stock_quantity",
                    params={"stock_quantity": "stock_quantity is not of type integer."},
                ) from None
            item["manage_stock"] = True
            item["stock_quantity"] = 0
            self.stock_change(item, quantity)
        if "manage_stock" in changes:
            item["manage_stock"] = bool(changes["manage_stock"])
        if "regular_price" in changes:
            item["regular_price"] = item["price"] = money(changes["regular_price"])
        _meta_merge(self, item, changes.get("meta_data"))
        item["date_modified"] = item["date_modified_gmt"] = wc_time()
        return item

    # -- orders -------------------------------------------------------------------------------

    def order(self, order_id: Any) -> dict[str, Any]:
        found = self.data["orders"].get(str(order_id))
        if found is None:
            raise invalid_id()
        return found

    def order_create(self, spec: dict[str, Any]) -> tuple[dict[str, Any], list[Event]]:
        """POST /orders: line items by product_id/variation_id or sku, priced from the
        catalogue with the store's 21 % tax; `set_paid` marks it paid (processing) and takes the
        units out of stock, as a checkout does."""
        items = spec.get("line_items") or []
        if not isinstance(items, list):
            raise WooError(400, "rest_invalid_param", "Invalid parameter(s): line_items")
        lines = [self._order_line(li) for li in items]
        billing = _address(spec.get("billing"), with_email=True)
        shipping = _address(spec.get("shipping") or spec.get("billing"), with_email=False)
        shipping_lines = []
        for sl in spec.get("shipping_lines") or []:
            total = Decimal(money(sl.get("total") or "0"))
            tax = _tax(total)
            shipping_lines.append(
                {
                    "id": self.next_id(),
                    "method_title": sl.get("method_title") or "Envío",
                    "method_id": sl.get("method_id") or "flat_rate",
                    "instance_id": "1",
                    "total": money(total),
                    "total_tax": money(tax),
                    "taxes": [{"id": TAX_RATE_ID, "total": str(tax), "subtotal": ""}],
                    "meta_data": [],
                }
            )
        stamp = wc_time()
        order_id = self.next_id()
        gateway = str(spec.get("payment_method") or "stripe")
        order: dict[str, Any] = {
            "id": order_id,
            "parent_id": 0,
            "number": str(order_id),
            "order_key": f"wc_order_{secrets.token_hex(6)}",
            "created_via": str(spec.get("created_via") or "rest-api"),
            "version": "9.4.2",
            "status": "pending",
            "currency": str(spec.get("currency") or self.data["store"]["currency"]).upper(),
            "prices_include_tax": False,
            "date_created": stamp,
            "date_created_gmt": stamp,
            "date_modified": stamp,
            "date_modified_gmt": stamp,
            "date_paid": None,
            "date_paid_gmt": None,
            "date_completed": None,
            "date_completed_gmt": None,
            "discount_total": "0.00",
            "discount_tax": "0.00",
            "customer_id": int(spec.get("customer_id") or 0),
            "customer_note": str(spec.get("customer_note") or ""),
            "billing": billing,
            "shipping": shipping,
            "payment_method": gateway,
            "payment_method_title": (self.data["gateways"].get(gateway) or {}).get(
                "title", gateway
            ),
            "transaction_id": "",
            "meta_data": [],
            "line_items": lines,
            "tax_lines": [],
            "shipping_lines": shipping_lines,
            "fee_lines": [],
            "coupon_lines": [],
            "refunds": [],
        }
        _meta_merge(self, order, spec.get("meta_data"))
        _totals(order)
        events: list[Event] = [("order.created", order)]
        self.data["orders"][str(order_id)] = order
        status = str(spec.get("status") or "pending")
        if spec.get("set_paid"):
            self._pay(order)
            status = status if status in PAID else "processing"
        self.status_set(order, status)
        return order, events

    def _order_line(self, li: dict[str, Any]) -> dict[str, Any]:
        item = None
        if li.get("variation_id"):
            item = self.item(li["variation_id"])
        elif li.get("product_id"):
            item = self.item(li["product_id"])
        elif li.get("sku"):
            item = self.by_sku(str(li["sku"]))
        else:
            raise WooError(
                400,
                "woocommerce_rest_required_product_reference",
                "Product ID or SKU is required.",
            )
        if item is None or item["type"] == "variable":
            raise WooError(400, "woocommerce_rest_invalid_product_id", "Invalid product ID.")
        quantity = int(li.get("quantity") or 1)
        price = Decimal(item["price"] or "0")
        subtotal = price * quantity
        total = Decimal(money(li["total"])) if li.get("total") not in (None, "") else subtotal
        parent = self.item(item["parent_id"]) if item["parent_id"] else None
        meta = [
            {
                "id": self.next_id(),
                "key": f"pa_{a['name'].lower()}",
                "value": a["option"].lower(),
                "display_key": a["name"],
                "display_value": a["option"],
            }
            for a in item["attributes"]
            if "option" in a
        ]
        return {
            "id": self.next_id(),
            "name": item["name"],
            "product_id": parent["id"] if parent else item["id"],
            "variation_id": item["id"] if parent else 0,
            "quantity": quantity,
            "tax_class": "",
            "subtotal": money(subtotal),
            "subtotal_tax": money(_tax(subtotal)),
            "total": money(total),
            "total_tax": money(_tax(total)),
            "taxes": [
                {"id": TAX_RATE_ID, "total": str(_tax(total)), "subtotal": str(_tax(subtotal))}
            ],
            "meta_data": meta,
            "sku": item["sku"],
            "price": float(price),
            "image": {"id": "", "src": ""},
            "parent_name": parent["name"] if parent else None,
        }

    def _pay(self, order: dict[str, Any]) -> None:
        stamp = wc_time()
        order["date_paid"] = order["date_paid_gmt"] = stamp
        order["transaction_id"] = (
            f"pi_{secrets.token_hex(8)}" if order["payment_method"] != "cod" else ""
        )
        for line in order["line_items"]:
            item = self.item(line["variation_id"] or line["product_id"])
            if item is not None:
                self.stock_change(item, -int(line["quantity"]))

    def status_set(self, order: dict[str, Any], status: str) -> None:
        if status not in STATUSES:
            raise WooError(
                400,
                "rest_invalid_param",
                "Invalid parameter(s): status",
                params={"status": f"status is not one of {', '.join(STATUSES)}."},
            )
        order["status"] = status
        stamp = wc_time()
        if status == "completed" and not order["date_completed"]:
            order["date_completed"] = order["date_completed_gmt"] = stamp
        order["date_modified"] = order["date_modified_gmt"] = stamp

    def order_update(self, order: dict[str, Any], changes: dict[str, Any]) -> list[Event]:
        """PUT /orders/<id>: status, customer note, meta data."""
        if "status" in changes:
            if changes["status"] in PAID and not order["date_paid"]:
                self._pay(order)
            self.status_set(order, str(changes["status"]))
        if "customer_note" in changes:
            order["customer_note"] = str(changes["customer_note"] or "")
        _meta_merge(self, order, changes.get("meta_data"))
        order["date_modified"] = order["date_modified_gmt"] = wc_time()
        return [("order.updated", order)]

    # -- refunds ------------------------------------------------------------------------------

    def refund_create(
        self, order: dict[str, Any], spec: dict[str, Any]
    ) -> tuple[dict[str, Any], list[Event]]:
        """POST /orders/<id>/refunds, as wc_create_refund: `amount` (else the lines' totals and
        taxes) must be above zero and within what is left to refund; with `api_refund` (the
        default) the order's gateway must refund it, else nothing is made; with `api_restock`
        (the default) the refunded quantities go back to stock."""
        by_id = {li["id"]: li for li in order["line_items"]}
        lines: list[tuple[dict[str, Any], int, Decimal, Decimal]] = []
        lines_total = Decimal("0")
        for index, li in enumerate(spec.get("line_items") or []):
            original = by_id.get(_int(li.get("id")))
            if original is None:
                raise WooError(
                    400,
                    "rest_invalid_param",
                    "Invalid parameter(s): line_items",
                    params={"line_items": f"line_items[{index}][id] is not a line of this order."},
                )
            quantity = _int(li.get("quantity"))
            refund_total = Decimal(money(li.get("refund_total") or "0"))
            tax = sum(
                (Decimal(money(t.get("refund_total") or "0")) for t in li.get("refund_tax") or []),
                Decimal("0"),
            )
            lines_total += refund_total + tax
            lines.append((original, quantity, refund_total, tax))
        amount = (
            Decimal(money(spec["amount"])) if spec.get("amount") not in (None, "") else lines_total
        )
        if amount <= 0:
            raise WooError(
                400,
                "woocommerce_rest_invalid_order_refund",
                "Refund amount must be greater than zero.",
            )
        refunded = sum((-Decimal(r["total"]) for r in order["refunds"]), Decimal("0"))
        if amount > Decimal(order["total"]) - refunded:
            raise WooError(
                500, "woocommerce_rest_cannot_create_order_refund", "Invalid refund amount."
            )
        api_refund = spec.get("api_refund", True) not in (False, "false", 0, "0")
        api_restock = spec.get("api_restock", True) not in (False, "false", 0, "0")
        if api_refund and not (self.data["gateways"].get(order["payment_method"]) or {}).get(
            "refunds"
        ):
            raise WooError(
                500,
                "woocommerce_rest_cannot_create_order_refund",
                "The payment gateway for this order does not support automatic refunds.",
            )
        stamp = wc_time()
        refund: dict[str, Any] = {
            "id": self.next_id(),
            "date_created": stamp,
            "date_created_gmt": stamp,
            "amount": money(amount),
            "reason": str(spec.get("reason") or ""),
            "refunded_by": int(spec.get("refunded_by") or 0),
            "refunded_payment": api_refund,
            "meta_data": [],
            "line_items": [],
            "shipping_lines": [],
            "tax_lines": [],
            "fee_lines": [],
        }
        _meta_merge(self, refund, spec.get("meta_data"))
        for original, quantity, refund_total, tax in lines:
            refund["line_items"].append(
                {
                    "id": self.next_id(),
                    "name": original["name"],
                    "product_id": original["product_id"],
                    "variation_id": original["variation_id"],
                    "quantity": -quantity,
                    "tax_class": "",
                    "subtotal": money(-refund_total),
                    "subtotal_tax": money(-tax),
                    "total": money(-refund_total),
                    "total_tax": money(-tax),
                    "taxes": [{"id": TAX_RATE_ID, "total": str(-tax), "subtotal": str(-tax)}],
                    "meta_data": [
                        {
                            "id": self.next_id(),
                            "key": "_refunded_item_id",
                            "value": str(original["id"]),
                        }
                    ],
                    "sku": original["sku"],
                    "price": -float(refund_total / quantity) if quantity else 0.0,
                }
            )
            if api_restock and quantity > 0:
                item = self.item(original["variation_id"] or original["product_id"])
                if item is not None:
                    self.stock_change(item, quantity)
        if api_refund:
            self.data["gateway_refunds"].append(
                {
                    "order_id": order["id"],
                    "refund_id": refund["id"],
                    "gateway": order["payment_method"],
                    "transaction_id": order["transaction_id"],
                    "amount": money(amount),
                    "at": stamp,
                }
            )
        self.data["refunds"][str(refund["id"])] = {**refund, "order_id": order["id"]}
        order["refunds"].append(
            {"id": refund["id"], "reason": refund["reason"], "total": money(-amount)}
        )
        if refunded + amount >= Decimal(order["total"]):
            order["status"] = "refunded"
        order["date_modified"] = order["date_modified_gmt"] = stamp
        return refund, [("order.updated", order)]

    def refunds_of(self, order: dict[str, Any]) -> list[dict[str, Any]]:
        found = [
            {k: v for k, v in r.items() if k != "order_id"}
            for r in self.data["refunds"].values()
            if r["order_id"] == order["id"]
        ]
        return sorted(found, key=lambda r: -r["id"])

    # -- order notes (REST v3 `orders/<id>/notes`) ----------------------------------------------

    def note_add(self, order: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
        text = str(spec.get("note") or "").strip()
        if not text:
            raise WooError(
                400, "rest_missing_callback_param", "Missing parameter(s): note", params=["note"]
            )
        stamp = wc_time()
        note = {
            "id": self.next_id(),
            "author": "WooCommerce",
            "date_created": stamp,
            "date_created_gmt": stamp,
            "note": text,
            "customer_note": bool(spec.get("customer_note")),
        }
        self.data.setdefault("notes", {}).setdefault(str(order["id"]), []).append(note)
        return note

    def notes_of(self, order: dict[str, Any]) -> list[dict[str, Any]]:
        """Newest first, as WooCommerce lists them."""
        return sorted(self.data.get("notes", {}).get(str(order["id"]), []), key=lambda n: -n["id"])

    # -- webhooks -----------------------------------------------------------------------------

    def webhook_add(self, spec: dict[str, Any]) -> dict[str, Any]:
        topic = str(spec.get("topic") or "")
        resource, _, event = topic.partition(".")
        if resource not in ("order", "product", "customer", "coupon") or not event:
            raise WooError(
                400,
                "rest_invalid_param",
                "Invalid parameter(s): topic",
                params={"topic": "Webhook topic unknown. Please select a valid topic."},
            )
        if not spec.get("delivery_url"):
            raise WooError(
                400,
                "rest_missing_callback_param",
                "Missing parameter(s): delivery_url",
                params=["delivery_url"],
            )
        stamp = wc_time()
        webhook = {
            "id": self.next_id(),
            "name": str(spec.get("name") or f"Webhook {topic}"),
            "status": str(spec.get("status") or "active"),
            "topic": topic,
            "resource": resource,
            "event": event,
            "hooks": [f"woocommerce_{event}_{resource}"],
            "delivery_url": str(spec["delivery_url"]),
            "secret": str(spec.get("secret") or secrets.token_urlsafe(24)),
            "api_version": "wp_api_v3",
            "failure_count": 0,
            "date_created": stamp,
            "date_created_gmt": stamp,
            "date_modified": stamp,
            "date_modified_gmt": stamp,
        }
        self.data["webhooks"][str(webhook["id"])] = webhook
        return webhook


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _tax(amount: Decimal) -> Decimal:
    return (amount * TAX_RATE / 100).quantize(Decimal("0.0001"))


def _address(data: Any, *, with_email: bool) -> dict[str, str]:
    data = data if isinstance(data, dict) else {}
    keys = [
        "first_name",
        "last_name",
        "company",
        "address_1",
        "address_2",
        "city",
        "state",
        "postcode",
        "country",
        "phone",
    ] + (["email"] if with_email else [])
    return {key: str(data.get(key) or "") for key in keys}


def _meta_merge(state: WooState, target: dict[str, Any], meta: Any) -> None:
    for entry in meta or []:
        if not isinstance(entry, dict) or not entry.get("key"):
            continue
        same = next((m for m in target["meta_data"] if m["key"] == entry["key"]), None)
        if same is not None:
            same["value"] = entry.get("value")
        else:
            target["meta_data"].append(
                {"id": state.next_id(), "key": str(entry["key"]), "value": entry.get("value")}
            )


def _totals(order: dict[str, Any]) -> None:
    items = sum((Decimal(li["total"]) for li in order["line_items"]), Decimal("0"))
    item_tax = sum((Decimal(li["taxes"][0]["total"]) for li in order["line_items"]), Decimal("0"))
    shipping = sum((Decimal(s["total"]) for s in order["shipping_lines"]), Decimal("0"))
    shipping_tax = sum(
        (Decimal(s["taxes"][0]["total"]) for s in order["shipping_lines"]), Decimal("0")
    )
    order["shipping_total"] = money(shipping)
    order["shipping_tax"] = money(shipping_tax)
    order["cart_tax"] = money(item_tax)
    order["total_tax"] = money(item_tax + shipping_tax)
    order["total"] = money(
        items + shipping + Decimal(money(item_tax)) + Decimal(money(shipping_tax))
    )
    if order["line_items"]:
        order["tax_lines"] = [
            {
                "id": 1,
                "rate_code": "ES-IVA-1",
                "rate_id": TAX_RATE_ID,
                "label": "IVA",
                "compound": False,
                "tax_total": order["cart_tax"],
                "shipping_tax_total": order["shipping_tax"],
                "rate_percent": float(TAX_RATE),
                "meta_data": [],
            }
        ]
