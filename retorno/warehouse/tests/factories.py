"""Returns ready for the warehouse: a catalog variant with stock, an order, an approved return."""

from __future__ import annotations

import itertools
from decimal import Decimal

from retorno.core.actors import SYSTEM, Actor
from retorno.domain.policies import default_policy_document
from retorno.orders.models import Product, Variant
from retorno.orders.tests.factories import line_payload, make_order
from retorno.policies.selectors import compiled_policy_cache_clear
from retorno.policies.services import policy_publish
from retorno.returns.models import Return
from retorno.returns.services import ItemRequest, return_create
from retorno.stores.models import Store

STAFF = Actor(kind="staff", id="7", label="Wendy Warehouse")
_numbers = itertools.count(9001)

CHECKLISTS = {
    "checklists": [
        {
            "category": "shoes",
            "checks": [
                {"id": "box", "label": "Original box present?"},
                {"id": "soles", "label": "Soles clean?"},
                {"id": "laces", "label": "Laces present?", "required": False},
            ],
        }
    ]
}


def variant(store: Store, sku: str, *, stock: int = 5, vendor: str = "Acme Shoes") -> Variant:
    product, _ = Product.objects.get_or_create(
        store=store,
        external_id=f"p-{sku}",
        defaults={"title": "Trail runner", "category": "shoes", "vendor": vendor},
    )
    return Variant.objects.create(
        store=store, product=product, sku=sku, price=Decimal("80.00"), stock=stock
    )


def approved_return(
    store: Store,
    *,
    sku: str | None = None,
    quantity: int = 2,
    reason: str = "too_small",
    tier: str = "",
    vendor: str = "Acme Shoes",
    stock: int = 5,
    price: str = "80.00",
) -> Return:
    number = str(next(_numbers))
    sku = sku or f"SHOE-{number}"
    if not Variant.objects.filter(store=store, sku=sku).exists():
        variant(store, sku, stock=stock, vendor=vendor)
    make_order(
        store,
        external_id=number,
        tier=tier,
        lines=[
            line_payload(
                f"{number}-1",
                sku=sku,
                title="Trail runner",
                category="shoes",
                vendor=vendor,
                quantity=quantity,
                unit_price=price,
                tax="0.00",
            )
        ],
    )
    created = return_create(
        store=store,
        order_external_id=number,
        items=[ItemRequest(line=f"{number}-1", quantity=quantity, reason=reason)],
        resolution="refund",
        method="drop_off",
        actor=SYSTEM,
    )
    assert created.status == "approved", created.status
    return created


def line_of(return_request: Return) -> str:
    return return_request.items.get().order_line.external_id


def make_gold_lenient(store: Store) -> None:
    document = default_policy_document()
    document["rules"].append(
        {
            "id": "gold-lenient-qc",
            "description": "Gold members' returns skip inspection.",
            "when": {"tier_in": ["gold"]},
            "then": {"qc_level": "lenient"},
        }
    )
    # Compiled policies are cached by version id, and SQLite reuses the ids of rows that an
    # earlier test rolled back: forget them so this store's new version is really read.
    compiled_policy_cache_clear()
    policy_publish(store=store, document=document, actor=SYSTEM)
