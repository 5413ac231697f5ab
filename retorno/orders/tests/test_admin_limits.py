"""The Django admin and the catalog service refuse what the order intake refuses: amounts finer
than the currency and times that cannot have happened. Nothing is saved, the field is named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.test import RequestFactory
from django.urls import reverse

from retorno.core.errors import Unprocessable
from retorno.orders.catalog import product_upsert
from retorno.orders.models import Order, Product, Variant
from retorno.orders.tests.factories import make_order


@pytest.fixture
def root(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456789")
    client.force_login(user)
    return user


def _order_form_data(order: Order, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "store": order.store_id,
        "customer": order.customer_id,
        "external_id": order.external_id,
        "number": order.number,
        "currency": order.currency,
        "placed_at_0": order.placed_at.date().isoformat(),
        "placed_at_1": "10:00:00",
        "delivered_at_0": "",
        "delivered_at_1": "",
        "shipping_address": "{}",
        "country": "ES",
        "postal_code": "28013",
        "channel": "web",
        "shipping_amount": "4.95",
        "shipping_tax_amount": "0",
        "tags": "[]",
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": str(order.lines.count()),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def _post_order(client, order: Order, headers: dict[str, str] | None = None, **changes: object):
    url = reverse("admin:orders_order_change", args=[order.pk])
    return client.post(url, _order_form_data(order, **changes), headers=headers)


def test_the_admin_saves_a_valid_order(client, root, store):
    order = make_order(store, external_id="1")
    response = _post_order(client, order, shipping_amount="5.10")
    assert response.status_code == 302, response.content[:2000]
    order.refresh_from_db()
    assert order.shipping_amount == Decimal("5.10")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"shipping_amount": "4.955"}, "shipping_amount"),
        ({"shipping_tax_amount": "0.001"}, "shipping_tax_amount"),
        ({"currency": "JPY", "shipping_amount": "5"}, "currency"),  # its lines have cents
        ({"currency": "XYZ"}, "currency"),
        ({"placed_at_0": "0001-01-01"}, "placed_at"),
        ({"placed_at_0": "1999-12-31", "placed_at_1": "23:00:00"}, "placed_at"),
        ({"delivered_at_0": "9999-12-31", "delivered_at_1": "00:00:00"}, "delivered_at"),
    ],
    ids=[
        "shipping",
        "shipping-tax",
        "currency-of-lines",
        "unknown-currency",
        "year-1",
        "1999",
        "9999",
    ],
)
def test_the_admin_refuses_and_names_the_field(client, root, store, changes, field):
    order = make_order(store, external_id="1")
    before = Order.objects.values().get(pk=order.pk)

    response = _post_order(client, order, **changes)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == [field], errors
    assert Order.objects.values().get(pk=order.pk) == before


def test_the_admin_refuses_a_time_too_far_ahead(client, root, store):
    order = make_order(store, external_id="1")
    ahead = datetime.now(UTC) + timedelta(days=3)

    response = _post_order(
        client, order, delivered_at_0=ahead.date().isoformat(), delivered_at_1="12:00:00"
    )

    assert list(response.context["adminform"].form.errors) == ["delivered_at"]


def test_the_admin_message_is_in_the_staff_language(client, root, store):
    order = make_order(store, external_id="1")
    response = _post_order(
        client, order, shipping_amount="4.955", headers={"Accept-Language": "es"}
    )
    errors = response.context["adminform"].form.errors["shipping_amount"]
    assert errors == ["EUR tiene 2 decimales: escribe el importe sin más decimales."]


def _variant(store) -> Variant:
    product_upsert(
        store=store,
        external_id="p1",
        title="Tee",
        variants=[{"sku": "TS-M", "price": Decimal("19.95"), "stock": 1}],
    )
    return Variant.objects.get(store=store, sku="TS-M")


def test_the_admin_refuses_a_variant_price_finer_than_the_store_currency(client, root, store):
    variant = _variant(store)
    url = reverse("admin:orders_variant_change", args=[variant.pk])
    data = {
        "store": store.pk,
        "product": variant.product_id,
        "sku": "TS-M",
        "options": "{}",
        "price": "19.955",
        "stock": "1",
        "image_url": "",
        "weight_grams": "0",
    }

    response = client.post(url, data)

    assert list(response.context["adminform"].form.errors) == ["price"]
    assert Variant.objects.get(pk=variant.pk).price == Decimal("19.95")
    assert client.post(url, {**data, "price": "19.90"}).status_code == 302
    assert Variant.objects.get(pk=variant.pk).price == Decimal("19.90")


def test_the_product_page_refuses_a_variant_price_finer_than_the_store_currency(
    client, root, store
):
    variant = _variant(store)
    product = variant.product
    url = reverse("admin:orders_product_change", args=[product.pk])
    data = {
        "store": store.pk,
        "external_id": "p1",
        "title": "Tee",
        "category": "",
        "vendor": "",
        "image_url": "",
        "tags": "[]",
        "variants-TOTAL_FORMS": "1",
        "variants-INITIAL_FORMS": "1",
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "1000",
        "variants-0-id": variant.pk,
        "variants-0-product": product.pk,
        "variants-0-sku": "TS-M",
        "variants-0-options": "{}",
        "variants-0-price": "19.951",
        "variants-0-stock": "1",
        "variants-0-weight_grams": "0",
    }

    response = client.post(url, data)

    assert response.status_code == 200
    (formset,) = response.context["inline_admin_formsets"]
    assert list(formset.formset.forms[0].errors) == ["price"]
    assert Variant.objects.get(pk=variant.pk).price == Decimal("19.95")


def test_the_catalog_service_refuses_a_price_finer_than_the_store_currency(store):
    with pytest.raises(Unprocessable) as error:
        product_upsert(
            store=store,
            external_id="p1",
            title="Tee",
            variants=[{"sku": "TS-M", "price": "19.955"}],
        )
    assert error.value.code == "invalid_product"
    assert "TS-M" in error.value.detail
    assert not Product.objects.exists()


# Every amount a person can type in the admin, with the test above that proves it is checked.
CHECKED_AMOUNTS = {
    ("Order", "shipping_amount"),
    ("Order", "shipping_tax_amount"),
    ("Variant", "price"),
}
# Decimals that are not money: rates the store sets as fractions (0.05 is 5 %).
RATES = {
    ("Supplier", "return_rate_threshold"),
    ("Supplier", "defect_rate_threshold"),
}


def test_every_editable_amount_in_the_admin_is_checked_against_its_currency(root):
    """A new money field editable in the admin must join CHECKED_AMOUNTS, with its check."""
    request = RequestFactory().get("/")
    request.user = root
    editable = set()
    for model, model_admin in admin.site._registry.items():
        admins = [(model, model_admin)] + [
            (inline.model, inline(model, admin.site)) for inline in model_admin.inlines
        ]
        for shown_model, shown_admin in admins:
            if not shown_model.__module__.startswith("retorno."):
                continue
            writable = shown_admin.has_change_permission(request) or (
                shown_admin.has_add_permission(request)
                if shown_admin is model_admin
                else shown_admin.has_add_permission(request, None)
            )
            if not writable:
                continue
            readonly = set(shown_admin.get_readonly_fields(request))
            form = shown_admin.get_form(request) if hasattr(shown_admin, "get_form") else None
            if form is None:
                form = shown_admin.get_formset(request).form
            for name in form.base_fields:
                field = shown_model._meta.get_field(name)
                if isinstance(field, models.DecimalField) and name not in readonly:
                    editable.add((shown_model.__name__, name))
    assert editable - RATES == CHECKED_AMOUNTS
