"""The order page shows what the shopper paid (tax and discounts included), the same figures
a refund gives back, not the net price the store's platform sends."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from retorno.orders.models import Order
from retorno.orders.tests.factories import line_payload, make_order
from retorno.portal.tests.test_portal import choose, confirm, lookup, options
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db


@pytest.fixture
def taxed_order(shop: Store) -> Order:
    return make_order(
        shop,
        external_id="5001",
        email="ana@example.com",
        lines=[
            # 19.90 net + 4.18 VAT: the shopper paid 24.08.
            line_payload("5001-1", sku="TEE-M", quantity=1, unit_price="19.90", tax="4.18"),
            # 3 × 8.26 net, 1.00 off, 5.00 VAT = 28.78, which does not split evenly.
            line_payload(
                "5001-2",
                sku="TEE-S",
                title="Socks",
                quantity=3,
                unit_price="8.26",
                discount="1.00",
                tax="5.00",
            ),
        ],
    )


def test_the_order_page_shows_what_was_paid(
    client: Client, shop: Store, taxed_order: Order
) -> None:
    lookup(client, shop)
    english = client.get(reverse("portal:order", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE="en")
    body = english.content.decode()
    assert "1 unit · €24.08" in body
    assert "€19.90" not in body  # the price before VAT is not what the shopper paid
    assert "3 units · €28.78 in total" in body
    spanish = client.get(reverse("portal:order", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE="es")
    assert "1 unidad · 24,08\xa0€" in spanish.content.decode()
    assert "3 unidades · 28,78\xa0€ en total" in spanish.content.decode()


def test_the_refund_is_the_price_the_order_page_showed(
    client: Client, shop: Store, taxed_order: Order
) -> None:
    lookup(client, shop)
    choose(client, shop, taxed_order, reason="wrong_item")  # no return fee for a wrong item
    options(client, shop, resolution="refund")
    review, _token = confirm(client, shop)
    quote = review.context["quote"]
    assert quote.items_amount == quote.refund_amount
    assert str(quote.refund_amount) == "24.08"


def test_an_order_discount_is_in_the_price_shown_and_said(client: Client, shop: Store) -> None:
    make_order(
        shop,
        external_id="5002",
        email="ana@example.com",
        discount_amount="10.00",
        lines=[
            line_payload("5002-1", sku="TEE-M", quantity=2, unit_price="20.00", tax="4.20"),
            line_payload("5002-2", sku="TEE-S", quantity=1, unit_price="10.00", tax="2.10"),
        ],
    )
    lookup(client, shop, number="#5002")
    english = client.get(reverse("portal:order", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE="en")
    body = english.content.decode()
    # 40.00 less 8.00 of the order's 10.00 off, plus 4.20 VAT, over two units.
    assert "2 units · €18.10 each" in body
    assert "Includes €8.00 off from the order's discount." in body
    assert "1 unit · €10.10" in body
    spanish = client.get(reverse("portal:order", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE="es")
    assert "Incluye 8,00\xa0€ de descuento del pedido." in spanish.content.decode()
