"""A return brought to one of the store's shops, and the store's price per return method: shown
on the options step, carried to the review and stored with the return as its refund figures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from retorno.logistics.models import Shipment
from retorno.orders.models import Order
from retorno.portal.tests.test_method_step import method_page, simulator  # noqa: F401
from retorno.portal.tests.test_portal import choose, lookup
from retorno.returns.models import Return
from retorno.stores.models import Store
from retorno.stores.services import return_methods_save

pytestmark = pytest.mark.django_db

SHOP = {
    "name": "Gran Vía",
    "address": "Gran Vía 32",
    "postal_code": "28013",
    "city": "Madrid",
    "hours": {"mon": "10:00–21:00", "sat": "10:00–14:00"},
}


def priced(shop: Store, methods=("pickup", "drop_off", "self_ship", "in_store")) -> Store:
    return return_methods_save(
        store=shop,
        methods=list(methods),
        prices={"drop_off": "0", "self_ship": "4.95"},
        locations=[SHOP],
    )


def _make(client: Client, shop: Store, method: str, reason: str = "too_small") -> Return:
    """Choose the T-shirt, the refund and `method`, check the review, confirm."""
    response = client.post(
        reverse("portal:resolution", args=[shop.slug]),
        {"resolution": "refund", "method": method, "pickup_date": ""},
    )
    assert response.status_code == 302, response.context["form"].errors
    review = client.get(response["Location"])
    assert review.status_code == 200
    done = client.post(review.request["PATH_INFO"], {"submission": review.context["submission"]})
    assert done.status_code == 302
    return Return.objects.get(order__store=shop, method=method)


def test_each_card_shows_the_store_price_and_what_comes_back_with_it(
    simulator,  # noqa: F811
    shop: Store,
    order: Order,
) -> None:
    priced(shop)
    page = method_page(Client(), shop, order)
    cards = {card.value: card for card in page.context["method_cards"]}
    assert list(cards) == ["pickup", "drop_off", "self_ship", "in_store"]
    # The policy's 5.00 where the store set no price; in store is free unless priced.
    assert cards["pickup"].price == "€5.00, taken from what you get back"
    assert cards["drop_off"].price == cards["in_store"].price == "Free"
    assert cards["self_ship"].price == "€4.95, taken from what you get back"
    refund = {value: card.when[-1].split(" by ")[0] for value, card in cards.items()}
    assert refund == {
        "pickup": "Refund of €16.63",
        "drop_off": "Refund of €21.63",
        "self_ship": "Refund of €16.68",
        "in_store": "Refund of €21.63",
    }
    assert [loc.name for loc in cards["in_store"].locations] == ["Gran Vía"]
    assert cards["in_store"].locations[0].address == "Gran Vía 32, 28013, Madrid"
    html = page.content.decode()
    assert 'id="in-store-locations"' in html
    assert "10:00–14:00" in html


def test_the_chosen_price_reaches_the_review_and_the_return(
    simulator,  # noqa: F811
    shop: Store,
    order: Order,
) -> None:
    priced(shop)
    client = Client()
    method_page(client, shop, order)
    made = _make(client, shop, "self_ship")
    assert made.return_shipping_fee_amount == Decimal("4.95")
    assert made.refund_estimate_amount == Decimal("16.68")


def test_the_policy_waiver_waives_the_store_price(
    simulator,  # noqa: F811
    shop: Store,
    order: Order,
) -> None:
    priced(shop)
    client = Client()
    lookup(client, shop, number=order.number)
    choose(client, shop, order, reason="wrong_item")
    page = client.get(reverse("portal:resolution", args=[shop.slug]))
    assert {c.value: c.price for c in page.context["method_cards"]}["self_ship"] == "Free"


def test_an_approved_return_in_store_books_no_carrier(
    simulator,  # noqa: F811
    shop: Store,
    order: Order,
) -> None:
    priced(shop, methods=("drop_off", "in_store"))
    client = Client()
    page = method_page(client, shop, order, language="es")
    assert page.status_code == 200
    assert [c.value for c in page.context["method_cards"]] == ["drop_off", "in_store"]
    html = page.content.decode()
    assert "Llévalo a una de nuestras tiendas" in html
    made = _make(client, shop, "in_store")
    assert made.return_shipping_fee_amount == Decimal("0.00")
    assert made.refund_estimate_amount == Decimal("21.63")
    assert made.status == "approved"
    assert not Shipment.objects.filter(return_id=made.id).exists()
    tracking = client.get(reverse("portal:tracking", args=[made.tracking_token]))
    assert tracking.status_code == 200
    assert tracking.context["next"].step == "bring_to_store"
    assert "Gran Vía 32, 28013, Madrid" in tracking.content.decode()


def test_a_store_without_shops_does_not_offer_in_store(simulator, shop, order) -> None:  # noqa: F811
    shop.return_methods = ["pickup", "in_store"]
    shop.save(update_fields=["return_methods"])
    page = method_page(Client(), shop, order)
    assert [c.value for c in page.context["method_cards"]] == ["pickup"]
