"""The order e-mail's signed link (retorno.orders.selectors.links) opens the order in the portal without
the number and e-mail; a tampered, expired or another store's link opens nothing."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from retorno.orders.selectors.links import order_return_token, order_return_url
from retorno.orders.tests.factories import order_payload
from retorno.portal.tests.conftest import make_shop_order
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

REFUSED_TEXT = "This link no longer opens an order."


def _path(url: str) -> str:
    return urlsplit(url).path


def test_the_api_gives_the_link_and_it_opens_the_order(api, shop, settings):
    response = api.post("/orders", order_payload("L-1", number="#7001"))
    assert response.status_code == 201, response.content
    url = response.json()["return_url"]
    assert url.startswith(settings.RETORNO_PUBLIC_URL + f"/s/{shop.slug}/o/")
    assert api.get("/orders/L-1").json()["return_url"].startswith(url.rsplit("/o/", 1)[0])

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    opened = client.get(_path(url))

    assert opened.status_code == 302
    assert opened["Location"] == reverse("portal:order", args=[shop.slug])
    page = client.get(opened["Location"])
    assert page.status_code == 200
    assert "#7001" in page.content.decode()


def test_a_tampered_link_opens_nothing_and_says_so(shop, order):
    token = order_return_token(order)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    response = client.get(reverse("portal:order_link", args=[shop.slug, forged]))

    assert response.status_code == 404
    assert REFUSED_TEXT in response.content.decode()
    assert "portal" not in client.session
    assert client.get(reverse("portal:order", args=[shop.slug])).status_code == 302  # no order


def test_a_link_made_by_hand_for_another_order_is_refused(shop, order):
    """Signed with another salt (or none), the same data is not a link."""
    unsalted = signing.dumps({"s": shop.id, "o": order.external_id}, compress=True)
    response = Client().get(reverse("portal:order_link", args=[shop.slug, unsalted]))
    assert response.status_code == 404


def test_another_stores_slug_does_not_open_the_order(shop, order):
    elsewhere = StoreFactory(slug="elsewhere")
    token = order_return_token(order)
    client = Client()
    response = client.get(reverse("portal:order_link", args=[elsewhere.slug, token]))
    assert response.status_code == 404
    assert "portal" not in client.session


class _Later:
    """The signer's clock, `days` after now."""

    def __init__(self, days: int) -> None:
        self.offset = days * 86400

    def time(self) -> float:
        return time.time() + self.offset


def test_an_expired_link_is_refused_in_the_shoppers_language(shop, order, settings, monkeypatch):
    url = order_return_url(order, shop)
    settings.PORTAL_ORDER_LINK_DAYS = 30
    monkeypatch.setattr(signing, "time", _Later(29))
    assert Client().get(_path(url)).status_code == 302

    monkeypatch.setattr(signing, "time", _Later(31))
    response = Client(HTTP_ACCEPT_LANGUAGE="es").get(_path(url))

    assert response.status_code == 404
    assert "Este enlace ya no abre ningún pedido." in response.content.decode()


def test_a_link_survives_a_secret_key_rotation(shop, order, settings):
    url = order_return_url(order, shop)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert Client().get(_path(url)).status_code == 302


def test_the_order_of_a_deleted_link_target_is_not_found(shop):
    order = make_shop_order(shop, external_id="5009")
    token = order_return_token(order)
    order.delete()
    assert Client().get(reverse("portal:order_link", args=[shop.slug, token])).status_code == 404
