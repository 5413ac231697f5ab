"""The simulated store's data: catalog, inventory, orders, fulfillments, returns, refunds, kept as
plain JSON in a state directory (`state.json`), so a restarted simulator has what it had.

Every change goes through a method here, under one lock, and says which webhooks it sets off
(topic, REST-shaped payload): the server hands those to the webhook sender. Ids are numbers, as
Shopify's are; the GraphQL layer writes them as `gid://shopify/<Type>/<n>`.
"""

from __future__ import annotations

from typing import Any

from retorno.connectors.simkit import JsonState, money

Webhook = tuple[str, dict[str, Any]]


class SimError(Exception):
    """A request the store refuses: becomes a userError (field, message, code)."""

    def __init__(self, message: str, *, field: list[str] | None = None, code: str = "INVALID"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


DEFAULT_SEED: dict[str, Any] = {
    "shop": {"name": "Tienda de prueba", "currency": "EUR", "email": "tienda@example.com"},
    "locations": [{"name": "Almacén central"}, {"name": "Centro de devoluciones"}],
    "products": [
        {
            "title": "Camiseta básica",
            "vendor": "Algodón Norte",
            "product_type": "apparel",
            "variants": [
                {"sku": "SIM-TSH-M", "price": "19.95", "options": {"Talla": "M"}, "stock": 20},
                {"sku": "SIM-TSH-L", "price": "19.95", "options": {"Talla": "L"}, "stock": 20},
            ],
        }
    ],
}


class ShopState(JsonState):
    """One store (simkit.JsonState: one lock, state.json written atomically)."""

    def _seed(self, seed: dict[str, Any] | None) -> None:
        seed = seed or DEFAULT_SEED
        shop = seed.get("shop") or {}
        self.data = {
            "next_id": 1000000,
            "next_order_number": 1001,
            "shop": {
                "name": shop.get("name") or "Tienda de prueba",
                "currency": (shop.get("currency") or "EUR").upper(),
                "email": shop.get("email") or "",
            },
            "locations": [],
            "products": [],
            "variants": {},
            "inventory": {},
            "orders": {},
            "returns": {},
            "idempotency": {},
        }
        for location in seed.get("locations") or DEFAULT_SEED["locations"]:
            self.data["locations"].append({"id": self.next_id(), "name": location["name"]})
        first_location = self.data["locations"][0]["id"]
        for product in seed.get("products") or []:
            product_id = self.next_id()
            self.data["products"].append(
                {
                    "id": product_id,
                    "title": product["title"],
                    "vendor": product.get("vendor") or "",
                    "product_type": product.get("product_type") or "",
                    "tags": list(product.get("tags") or []),
                }
            )
            for variant in product.get("variants") or []:
                variant_id = self.next_id()
                item_id = self.next_id()
                self.data["variants"][str(variant_id)] = {
                    "id": variant_id,
                    "product_id": product_id,
                    "sku": variant["sku"],
                    "price": money(variant.get("price") or "0"),
                    "options": dict(variant.get("options") or {}),
                    "inventory_item_id": item_id,
                }
                self.data["inventory"][f"{item_id}:{first_location}"] = int(variant.get("stock", 0))

    # -- reads ------------------------------------------------------------------------------

    def product(self, product_id: int) -> dict[str, Any]:
        return next(p for p in self.data["products"] if p["id"] == product_id)

    def variant(self, variant_id: int) -> dict[str, Any] | None:
        return self.data["variants"].get(str(variant_id))

    def variant_by_sku(self, sku: str) -> dict[str, Any] | None:
        return next((v for v in self.data["variants"].values() if v["sku"] == sku), None)

    def variant_by_item(self, item_id: int) -> dict[str, Any] | None:
        return next(
            (v for v in self.data["variants"].values() if v["inventory_item_id"] == item_id), None
        )

    def location(self, location_id: int) -> dict[str, Any] | None:
        return next((loc for loc in self.data["locations"] if loc["id"] == location_id), None)

    def order(self, order_id: int) -> dict[str, Any] | None:
        return self.data["orders"].get(str(order_id))

    def return_(self, return_id: int) -> dict[str, Any] | None:
        return self.data["returns"].get(str(return_id))

    def available(self, item_id: int, location_id: int) -> int:
        return int(self.data["inventory"].get(f"{item_id}:{location_id}", 0))

    def fulfillment_line(self, fli_id: int) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """(order, fulfillment line item) for a fulfillment line item id."""
        for order in self.data["orders"].values():
            for fulfillment in order["fulfillments"]:
                for fli in fulfillment["line_items"]:
                    if fli["id"] == fli_id:
                        return order, fli
        return None

    def line(self, order: dict[str, Any], line_id: int) -> dict[str, Any] | None:
        return next((li for li in order["line_items"] if li["id"] == line_id), None)
