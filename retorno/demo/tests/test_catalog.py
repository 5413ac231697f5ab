from __future__ import annotations

from decimal import Decimal

import pytest

from retorno.core.errors import Conflict, Unprocessable
from retorno.demo.stores import store_create
from retorno.orders.catalog import product_upsert
from retorno.orders.models import Product, Variant


@pytest.fixture
def store(db):
    return store_create(slug="shop", name="Shop")[0]


def tee(**overrides):
    values = {
        "external_id": "p1",
        "title": "Camiseta",
        "category": "Apparel",
        "vendor": "Algodón Norte",
        "image_url": "",
        "tags": ["t-shirt"],
        "variants": [
            {
                "sku": "TS-M",
                "options": {"size": "M"},
                "price": Decimal("19.95"),
                "stock": 5,
                "weight_grams": 180,
            },
            {
                "sku": "TS-L",
                "options": {"size": "L"},
                "price": Decimal("19.95"),
                "stock": 0,
                "weight_grams": 190,
            },
        ],
    }
    return {**values, **overrides}


def test_creates_then_updates_in_place(store):
    product, created = product_upsert(store=store, **tee())
    assert created
    assert product.category == "apparel"
    assert set(product.variants.values_list("sku", flat=True)) == {"TS-M", "TS-L"}

    again, created = product_upsert(
        store=store,
        **tee(title="Camiseta básica", variants=[{"sku": "TS-M", "price": "21.00", "stock": 9}]),
    )

    assert not created
    assert again.id == product.id
    assert again.title == "Camiseta básica"
    medium = Variant.objects.get(store=store, sku="TS-M")
    assert (medium.price, medium.stock) == (Decimal("21.00"), 9)
    assert Variant.objects.filter(store=store).count() == 2  # unlisted variants are kept


def test_repeating_the_same_call_changes_nothing(store):
    product_upsert(store=store, **tee())
    before = list(Variant.objects.values_list("id", "updated_at", "price", "stock"))
    product_upsert(store=store, **tee())
    assert list(Variant.objects.values_list("id", "updated_at", "price", "stock")) == before


def test_invalid_input_writes_nothing(store):
    with pytest.raises(Unprocessable):
        product_upsert(store=store, **tee(variants=[{"sku": "A", "price": "-1"}]))
    with pytest.raises(Unprocessable):
        product_upsert(store=store, **tee(variants=[{"sku": "A"}, {"sku": "A"}]))
    with pytest.raises(Unprocessable):
        product_upsert(store=store, **tee(title="  "))
    assert not Product.objects.exists()


def test_a_sku_belongs_to_one_product(store):
    product_upsert(store=store, **tee())
    with pytest.raises(Conflict) as exc:
        product_upsert(store=store, **tee(external_id="p2", variants=[{"sku": "TS-M"}]))
    assert exc.value.code == "sku_taken"
    assert not Product.objects.filter(external_id="p2").exists()


def test_skus_are_per_store(store):
    other = store_create(slug="other", name="Other")[0]
    product_upsert(store=store, **tee())
    product, created = product_upsert(store=other, **tee())
    assert created
    assert product.store == other


def test_a_product_page_must_be_a_web_address(store):
    with pytest.raises(Unprocessable) as caught:
        product_upsert(store=store, **tee(url="javascript:alert(1)"))
    assert caught.value.code == "invalid_product"
    assert not Product.objects.exists()
    product, _ = product_upsert(store=store, **tee(url="https://shop.example.com/p/camiseta"))
    assert product.url == "https://shop.example.com/p/camiseta"


def test_every_kind_of_demo_product_has_a_picture():
    from django.contrib.staticfiles import finders

    from retorno.demo.data import CATALOG

    for spec in CATALOG:
        assert finders.find(f"demo/products/{spec.kind}.svg"), spec.kind
