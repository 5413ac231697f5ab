"""Portal fixtures: a store with a catalog (sizes in stock) and an order of a T-shirt in M."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from retorno.orders.catalog import product_upsert
from retorno.orders.models import Order
from retorno.orders.tests.factories import line_payload, make_order
from retorno.stores.models import Store


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PORTAL_LOOKUP_ATTEMPTS_PER_ADDRESS = 1000


def make_catalog(store: Store) -> None:
    product_upsert(
        store=store,
        external_id="tee",
        title="Organic T-shirt",
        category="apparel",
        image_url="/static/demo/products/t-shirt.svg",
        url="https://shop.example.com/products/tee",
        variants=[
            {
                "sku": f"TEE-{size}",
                "options": {"size": size, "colour": "navy"},
                "price": Decimal("19.90"),
                "stock": 5,
            }
            for size in ("S", "M", "L", "XL")
        ],
    )
    product_upsert(
        store=store,
        external_id="hoodie",
        title="Hoodie",
        category="apparel",
        image_url="/static/demo/products/sweatshirt.svg",
        url="https://shop.example.com/products/hoodie",
        variants=[{"sku": "HOOD-M", "options": {"size": "M"}, "price": Decimal("49"), "stock": 3}],
    )
    product_upsert(
        store=store,
        external_id="card",
        title="Gift card",
        category="gift-cards",
        variants=[{"sku": "GIFT-50", "options": {}, "price": Decimal("50"), "stock": 99}],
    )


def make_shop_order(store: Store, external_id: str = "5001", **kwargs: Any) -> Order:
    return make_order(
        store,
        external_id=external_id,
        email="ana@example.com",
        lines=[
            line_payload(
                f"{external_id}-1",
                sku="TEE-M",
                title="Organic T-shirt",
                options={"size": "M", "colour": "navy"},
                quantity=2,
            ),
            line_payload(
                f"{external_id}-2",
                sku="GIFT-50",
                title="Gift card",
                category="gift-cards",
                quantity=1,
                unit_price="50.00",
                tax="0",
            ),
        ],
        **kwargs,
    )


@pytest.fixture
def shop(store: Store) -> Store:
    make_catalog(store)
    return store


@pytest.fixture
def order(shop: Store) -> Order:
    return make_shop_order(shop)
