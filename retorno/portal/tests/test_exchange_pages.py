"""An exchange is settled in goods: the shopper sees the new variant and only the price
difference, with its reason; a same-price exchange costs nothing (no return fee is shown, kept
on the record or charged)."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from retorno.core.actors import SYSTEM
from retorno.money.models import Charge, ExchangeOrder
from retorno.orders.models import Order, Variant
from retorno.orders.tests.factories import line_payload, make_order
from retorno.portal.tests.test_portal import choose, lookup, options
from retorno.returns.models import Return
from retorno.returns.workflows.receiving import return_receive
from retorno.returns.workflows.resolving import return_resolve
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db


@pytest.fixture
def tee_order(shop: Store) -> Order:
    """One T-shirt in M, paid 19.90 with its VAT: the shelf price of every size."""
    return make_order(
        shop,
        external_id="5001",
        email="ana@example.com",
        lines=[
            line_payload(
                "5001-1",
                sku="TEE-M",
                title="Organic T-shirt",
                options={"size": "M", "colour": "navy"},
                quantity=1,
                unit_price="16.45",
                tax="3.45",
            )
        ],
    )


def variant_cards(page: str) -> list[dict[str, str]]:
    """The exchange picker's cards as the shopper reads them: name, price, cost, stock, and
    whether the radio is disabled, checked or marked as suggested."""
    cards = []
    for item in re.findall(r'<li class="variant-card[^"]*"[^>]*>(.*?)</li>', page, re.S):
        text = {
            key: html.unescape(re.search(rf'class="{key}[^"]*">([^<]*)<', item).group(1))
            for key in ("variant-name", "price", "cost", "stock")
        }
        radio = re.search(r"<input [^>]*>", item).group(0)
        cards.append(
            {
                "name": text["variant-name"],
                "price": text["price"],
                "cost": text["cost"],
                "stock": text["stock"],
                "disabled": " disabled" in radio,
                "checked": " checked" in radio,
                "suggested": 'class="tag"' in item,
                "value": re.search(r'value="(\d+)"', radio).group(1),
            }
        )
    return cards


def _exchange_review(client: Client, shop: Store, order: Order, language: str = "en"):
    lookup(client, shop)
    choose(client, shop, order, reason="too_small")
    page = client.get(reverse("portal:resolution", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE="en")
    field = next(name for name in page.context["form"].fields if name.startswith("exchange_"))
    large = Variant.objects.get(sku="TEE-L")
    options(client, shop, resolution="exchange", **{field: str(large.id)})
    return client.get(reverse("portal:review", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE=language)


def test_a_same_price_exchange_costs_nothing_and_says_so(
    client: Client, shop: Store, tee_order: Order
) -> None:
    review = _exchange_review(client, shop, tee_order)
    body = review.content.decode()
    assert "You get" in body
    assert "Size: L" in body
    assert "Same price as you paid (€19.90): nothing to pay." in body
    assert "The exchange costs you nothing" in body
    assert "€5.00" not in body  # no return shipping fee on an exchange
    spanish = client.get(
        reverse("portal:review", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Mismo precio que pagaste (19,90\xa0€): nada que pagar." in spanish

    token = review.context["submission"]
    client.post(reverse("portal:review", args=[shop.slug]), {"submission": token})
    returned = Return.objects.get()
    assert returned.return_shipping_fee_amount == 0
    assert returned.refund_estimate_amount == Decimal("19.90")
    tracking = client.get(
        reverse("portal:tracking", args=[returned.tracking_token]), HTTP_ACCEPT_LANGUAGE="en"
    )
    page = tracking.content.decode()
    assert 'class="new-variant">Size: L · Colour: navy<' in page
    assert "The exchange costs you nothing" in page
    assert 'id="money-amount"' not in page  # the card shows the new size, not an amount

    line = returned.items.get().order_line.external_id
    return_receive(store=shop, rma=returned.rma, quantities={line: 1}, actor=SYSTEM)
    return_resolve(store=shop, rma=returned.rma, actor=SYSTEM)
    exchange = ExchangeOrder.objects.get(return_id=returned.id)
    assert (exchange.difference_direction, exchange.difference_amount) == ("even", 0)
    assert not Charge.objects.exists()


def test_a_dearer_exchange_shows_the_difference_and_its_reason(
    client: Client, shop: Store, tee_order: Order
) -> None:
    Variant.objects.filter(sku="TEE-L").update(price=Decimal("24.90"))
    lookup(client, shop)
    choose(client, shop, tee_order, reason="too_small")
    options_page = client.get(
        reverse("portal:resolution", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    cards = {card["name"]: card for card in variant_cards(options_page)}
    assert cards["Size: L · Colour: navy"]["price"] == "€24.90"
    assert cards["Size: L · Colour: navy"]["cost"] == "€5.00 more to pay"
    assert cards["Size: S · Colour: navy"]["cost"] == "Same price: nothing to pay"

    review = _exchange_review(client, shop, tee_order).content.decode()
    assert "The new item costs €24.90 and you paid €19.90 for yours: €5.00 to pay." in review
    assert "You pay €5.00, the price difference" in review
