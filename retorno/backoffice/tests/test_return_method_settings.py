"""The return-methods page: the store's price per method and the shops a return may be brought
to, saved through the same service as the API, refused with the reason in the owner's words."""

from __future__ import annotations

from typing import Any

import pytest

from retorno.stores.models import Store

pytestmark = pytest.mark.django_db

URL = "/staff/settings/return-methods"


def form(methods: list[str], *shops: dict[str, str], **prices: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "methods": methods,
        "shop-TOTAL_FORMS": str(len(shops)),
        "shop-INITIAL_FORMS": "0",
        **{f"price_{m}": p for m, p in prices.items()},
    }
    for i, shop in enumerate(shops):
        data.update({f"shop-{i}-{k}": v for k, v in shop.items()})
    return data


SOL = {"name": "Sol", "address": "Puerta del Sol 2", "city": "Madrid", "mon": "10–20"}


def test_prices_and_shops_are_saved_and_shown_again(signed_in: Any, store: Store) -> None:
    client = signed_in("admin")
    page = client.get(URL).content.decode()
    assert 'name="price_self_ship"' in page
    assert 'name="shop-0-name"' in page  # empty rows to add a shop
    saved = client.post(
        URL,
        form(["drop_off", "in_store"], SOL, {"name": ""}, drop_off="0", self_ship="4.95"),
    )
    assert saved.status_code == 302
    store.refresh_from_db()
    assert store.return_methods == ["drop_off", "in_store"]
    assert store.return_method_prices == {"drop_off": "0.00", "self_ship": "4.95"}
    assert store.store_locations == [
        {
            "name": "Sol",
            "address": "Puerta del Sol 2",
            "postal_code": "",
            "city": "Madrid",
            "hours": {"mon": "10–20"},
        }
    ]
    again = client.get(URL).content.decode()
    assert 'value="Puerta del Sol 2"' in again
    assert 'value="4.95"' in again


def test_in_store_without_a_shop_is_refused_in_the_owners_language(
    signed_in: Any, store: Store
) -> None:
    client = signed_in("admin")
    refused = client.post(URL, form(["in_store"]), HTTP_ACCEPT_LANGUAGE="es")
    assert refused.status_code == 422
    assert "necesitan al menos una tienda" in refused.content.decode()
    half = client.post(URL, form(["pickup"], {"name": "", "address": "Calle 1"}))
    assert half.status_code == 422
    too_fine = client.post(URL, form(["pickup"], self_ship="4.955"))
    assert too_fine.status_code == 422
    store.refresh_from_db()
    assert store.return_methods == ["pickup", "drop_off", "self_ship"]
    assert store.return_method_prices == {}


def test_only_those_who_configure_may_change_them(signed_in: Any, store: Store) -> None:
    manager = signed_in("manager")
    assert manager.post(URL, form(["pickup"], drop_off="1")).status_code == 403
    store.refresh_from_db()
    assert store.return_method_prices == {}
