"""The options step leads with keeping the value, as the store's policy orders it; the exchange
picker shows every variant as a card (picture, price, stock, the suggested size) and a sold-out
variant can be neither picked on the page nor posted by hand."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from retorno.core.actors import SYSTEM
from retorno.domain.policies import default_policy_document
from retorno.orders.models import Order, Variant
from retorno.policies.services import policy_publish
from retorno.portal.tests.test_exchange_pages import variant_cards
from retorno.portal.tests.test_portal import choose, lookup, options
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db


def _options_page(client: Client, shop: Store, order: Order, language: str = "en"):
    lookup(client, shop)
    choose(client, shop, order, reason="too_small")
    return client.get(reverse("portal:resolution", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE=language)


def _offered(page) -> list[str]:
    return [value for value, _text in page.context["form"].fields["resolution"].choices]


def test_keeping_the_value_comes_first(client: Client, shop: Store, order: Order) -> None:
    page = _options_page(client, shop, order)
    assert _offered(page) == ["exchange", "store_credit", "refund"]
    body = page.content.decode()
    assert body.index('value="exchange"') < body.index('value="store_credit"')
    assert body.index('value="store_credit"') < body.index('value="refund"')
    assert "includes a €1.66 bonus" in body  # credit shows its bonus


def test_the_store_policy_orders_the_options(client: Client, shop: Store, order: Order) -> None:
    document = default_policy_document()
    document["base"]["resolutions"] = ["refund", "exchange", "store_credit"]
    policy_publish(store=shop, document=document, actor=SYSTEM)
    assert _offered(_options_page(client, shop, order)) == ["refund", "exchange", "store_credit"]


def test_cards_show_picture_price_stock_and_the_suggested_size(
    client: Client, shop: Store, order: Order
) -> None:
    Variant.objects.filter(sku="TEE-XL").update(stock=0)
    Variant.objects.filter(sku="TEE-S").update(stock=2)
    page = _options_page(client, shop, order)
    cards = {card["name"]: card for card in variant_cards(page.content.decode())}
    assert set(cards) == {
        "Size: S · Colour: navy",
        "Size: L · Colour: navy",
        "Size: XL · Colour: navy",
    }
    large, small, xl = (cards[f"Size: {s} · Colour: navy"] for s in ("L", "S", "XL"))
    assert large["suggested"]  # too small: the next size up, chosen
    assert large["checked"]
    assert not small["suggested"]
    assert not small["checked"]
    assert (large["price"], large["stock"]) == ("€19.90", "In stock")
    assert small["stock"] == "Only 2 left"
    assert xl["stock"] == "Out of stock"
    assert xl["disabled"]
    assert not xl["checked"]
    assert not large["disabled"]
    assert not small["disabled"]
    assert "You said it was too small: we suggest the next size up." in page.content.decode()
    assert page.content.decode().count('src="/static/demo/products/t-shirt.svg"') >= 4

    spanish = variant_cards(
        client.get(
            reverse("portal:resolution", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE="es"
        ).content.decode()
    )
    by_name = {card["name"]: card for card in spanish}
    assert by_name["Talla: XL · Color: navy"]["stock"] == "Agotado"
    assert by_name["Talla: S · Color: navy"]["stock"] == "Solo quedan 2"
    assert by_name["Talla: L · Color: navy"]["price"] == "19,90\xa0€"


def test_a_sold_out_variant_posted_by_hand_is_refused(
    client: Client, shop: Store, order: Order
) -> None:
    Variant.objects.filter(sku="TEE-XL").update(stock=0)
    page = _options_page(client, shop, order)
    field = next(name for name in page.context["form"].fields if name.startswith("exchange_"))
    sold_out = Variant.objects.get(sku="TEE-XL")
    response = options(client, shop, resolution="exchange", **{field: str(sold_out.id)})
    assert response.status_code == 422
    assert "That variant is out of stock or no longer offered. Choose another." in (
        response.content.decode()
    )
    review = client.get(reverse("portal:review", args=[shop.slug]))
    assert review.status_code == 302  # nothing was saved: back to the options

    in_stock = Variant.objects.get(sku="TEE-L")
    assert (
        options(client, shop, resolution="exchange", **{field: str(in_stock.id)}).status_code == 302
    )


def test_another_stores_variant_is_refused(client: Client, shop: Store, order: Order) -> None:
    page = _options_page(client, shop, order)
    field = next(name for name in page.context["form"].fields if name.startswith("exchange_"))
    response = options(client, shop, resolution="exchange", **{field: "999999"})
    assert response.status_code == 422
