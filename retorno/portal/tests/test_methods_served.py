"""The shopper is offered only the return methods a carrier can take the parcel with from their
address, decided by the same allocation that books it; with none, they are told what to do."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from retorno.core.actors import SYSTEM
from retorno.logistics.models import BookingState, CarrierAccount, Shipment
from retorno.logistics.tests.factories import RETURN_ADDRESS, make_carrier, run_allocations
from retorno.orders.models import Order
from retorno.portal.tests.conftest import make_shop_order
from retorno.portal.tests.test_portal import choose, lookup
from retorno.returns.services import ItemRequest, return_create
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db

IRELAND = {"line1": "1 Grafton St", "city": "Dublin", "postal_code": "D02 X285", "country": "IE"}
PORTUGAL = {"line1": "Rua Augusta 1", "city": "Lisboa", "postal_code": "1100-048", "country": "PT"}
ALL_METHODS = ["pickup", "drop_off", "self_ship"]


@pytest.fixture
def carriers(shop: Store) -> dict[str, CarrierAccount]:
    """Iberia collects and sells labels in Spain; Lusa takes drop-offs in Spain and Portugal."""
    shop.return_address = RETURN_ADDRESS
    shop.support_email = "help@shop.example"
    shop.save(update_fields=["return_address", "support_email"])
    return {
        "iberia": make_carrier(
            shop, "iberia", capabilities=["pickup", "label"], service_areas=[{"country": "ES"}]
        ),
        "lusa": make_carrier(
            shop,
            "lusa",
            capabilities=["drop_off"],
            service_areas=[{"country": "ES"}, {"country": "PT"}],
        ),
    }


def resolution_page(client: Client, shop: Store, order: Order, language: str = "en"):
    lookup(client, shop, number=order.number)
    choose(client, shop, order)
    return client.get(reverse("portal:resolution", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE=language)


def offered(page) -> list[str]:
    return [value for value, _label in page.context["form"].fields["method"].choices]


def booked_with(shop: Store, extra: dict[str, Any], method: str) -> str:
    """What booking finds for the same return, from the same address, by `method`: the state of
    the shipment the approval plans."""
    order = make_shop_order(shop, external_id=f"booked-{method}", **extra)
    line = order.lines.get(external_id=f"{order.external_id}-1")
    returned = return_create(
        store=shop,
        order_external_id=order.external_id,
        items=[ItemRequest(line=line.external_id, quantity=1, reason="too_small")],
        resolution="refund",
        method=method,
        actor=SYSTEM,
    )
    run_allocations()
    return str(Shipment.objects.get(return_id=returned.id).booking_state)


@pytest.mark.parametrize(
    ("address", "methods"),
    [
        (None, ALL_METHODS),  # Madrid: everything
        (PORTUGAL, ["drop_off"]),
        (IRELAND, []),
    ],
    ids=["spain", "portugal", "ireland"],
)
def test_offered_methods_are_exactly_the_ones_booking_finds_a_carrier_for(
    client: Client, shop: Store, carriers, address: dict[str, Any] | None, methods: list[str]
) -> None:
    extra = {"shipping_address": address} if address else {}
    order = make_shop_order(shop, external_id="7001", **extra)
    page = resolution_page(client, shop, order)
    assert offered(page) == methods
    for method in ALL_METHODS:
        expected = BookingState.PENDING if method in methods else BookingState.NO_CARRIER
        assert booked_with(shop, extra, method) == expected, method


def test_nothing_served_says_what_to_do_and_cannot_go_on(
    client: Client, shop: Store, carriers
) -> None:
    order = make_shop_order(shop, external_id="7002", shipping_address=IRELAND)
    for language, words in (("en", "Please contact us"), ("es", "Escríbenos")):
        page = resolution_page(client, shop, order, language)
        assert page.status_code == 200
        text = page.content.decode()
        assert words in text
        assert "help@shop.example" in text
        assert "D02 X285" in text
        assert 'type="submit"' not in text.split("</header>", 1)[-1].split("<footer", 1)[0]
    posted = client.post(
        reverse("portal:resolution", args=[shop.slug]), {"resolution": "refund", "method": "pickup"}
    )
    assert posted.status_code == 422
    review = client.get(reverse("portal:review", args=[shop.slug]))
    assert review.status_code == 302  # no method was saved: nothing to confirm


def test_a_pickup_address_no_carrier_collects_at_is_refused_on_the_form(
    client: Client, shop: Store, carriers
) -> None:
    order = make_shop_order(shop, external_id="7003")
    page = resolution_page(client, shop, order)
    assert "pickup" in offered(page)
    data = {
        "resolution": "refund",
        "method": "pickup",
        "pickup_date": page.context["form"].fields["pickup_date"].choices[1][0],
        **{f"a-{k}": v for k, v in IRELAND.items()},
        "a-name": "Ana",
    }
    posted = client.post(reverse("portal:resolution", args=[shop.slug]), data)
    assert posted.status_code == 422
    errors = posted.context["address_form"].errors
    assert "postal_code" in errors
    assert "collect" in str(errors["postal_code"])
    # Back to a Spanish address: accepted.
    data.update({f"a-{k}": v for k, v in {"postal_code": "28013", "country": "ES"}.items()})
    assert client.post(reverse("portal:resolution", args=[shop.slug]), data).status_code == 302


def test_a_method_not_offered_cannot_be_posted(client: Client, shop: Store, carriers) -> None:
    order = make_shop_order(shop, external_id="7004", shipping_address=PORTUGAL)
    resolution_page(client, shop, order)
    posted = client.post(
        reverse("portal:resolution", args=[shop.slug]),
        {"resolution": "refund", "method": "self_ship"},
    )
    assert posted.status_code == 422
    assert "method" in posted.context["form"].errors


def test_a_store_without_carriers_offers_every_method_it_allows(
    client: Client, shop: Store, order: Order
) -> None:
    assert not CarrierAccount.objects.filter(store=shop).exists()
    page = resolution_page(client, shop, order)
    assert offered(page) == ALL_METHODS


def test_a_parcel_over_every_carriers_weight_is_not_offered(
    client: Client, shop: Store, carriers
) -> None:
    CarrierAccount.objects.filter(code="lusa").update(max_weight_grams=500)
    order = make_shop_order(shop, external_id="7005")
    page = resolution_page(client, shop, order)
    assert offered(page) == ["pickup", "self_ship"]  # the default parcel weighs 1 kg
