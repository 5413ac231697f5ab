"""The return-method step: each method the carriers serve with its price and when the money
comes, the drop-off points nearest the shopper from the carrier (the simulator over HTTP), and
the pickup address asked, checked and kept only for a pickup."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from django.test import Client
from django.urls import reverse

from retorno.integrations.carriers.simulator.config import DEFAULT_CARRIERS
from retorno.integrations.carriers.simulator.server import SimulatorServer
from retorno.logistics.demo import demo_carriers_ensure
from retorno.logistics.selectors import drop_off_points_forget
from retorno.logistics.tests.factories import RETURN_ADDRESS
from retorno.orders.models import Order
from retorno.portal.tests.test_portal import choose, lookup
from retorno.returns.models import Return
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db


@pytest.fixture
def simulator(shop: Store) -> Iterator[SimulatorServer]:
    shop.return_address = RETURN_ADDRESS
    shop.save(update_fields=["return_address"])
    quiet = tuple(replace(c, error_rate=0.0, timeout_rate=0.0) for c in DEFAULT_CARRIERS)
    server = SimulatorServer(quiet, port=0, tick_seconds=None).start()
    demo_carriers_ensure(shop, base_url=server.url, carriers=quiet)
    drop_off_points_forget()
    yield server
    server.stop()


def method_page(client: Client, shop: Store, order: Order, language: str = "en"):
    lookup(client, shop, number=order.number)
    choose(client, shop, order)
    return client.get(reverse("portal:resolution", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE=language)


def test_every_method_shows_its_price_and_when_the_money_comes(simulator, shop, order) -> None:
    page = method_page(Client(), shop, order)
    assert page.status_code == 200
    cards = {card.value: card for card in page.context["method_cards"]}
    assert list(cards) == ["pickup", "drop_off", "self_ship"]
    for card in cards.values():
        # The default policy: a 5.00 return shipping fee, refunds on receipt.
        assert card.price == "€5.00, taken from what you get back"
        assert [w.split(" by ")[0] for w in card.when] == [
            "New item ships",
            "Store credit of €18.29",
            "Refund of €16.63",
        ]
    html = page.content.decode()
    assert 'id="method-drop_off"' in html
    assert "Print the label at home" in html


def test_the_drop_off_card_lists_the_carriers_points_nearest_the_shopper(
    simulator, shop, order
) -> None:
    page = method_page(Client(), shop, order, language="es")
    drop_off = next(c for c in page.context["method_cards"] if c.value == "drop_off")
    assert len(drop_off.points) == 5
    assert all("28013" in point.address for point in drop_off.points)
    assert drop_off.points[0].week[0][0] == "lunes"
    html = page.content.decode()
    assert "puntos de entrega cerca de ti" in html
    assert drop_off.price == "5,00\xa0€, descontado de lo que recibes"
    # Asked once an hour: with the carrier gone, the same points still show.
    simulator.stop()
    again = method_page(Client(), shop, order)
    assert [
        p.name
        for p in next(c for c in again.context["method_cards"] if c.value == "drop_off").points
    ] == [p.name for p in drop_off.points]


def test_a_carrier_that_does_not_answer_leaves_the_step_working(shop, order) -> None:
    demo_carriers_ensure(shop, base_url="http://127.0.0.1:9")
    drop_off_points_forget()
    page = method_page(Client(), shop, order)
    assert page.status_code == 200
    assert all(not card.points for card in page.context["method_cards"])


def _post(client: Client, shop: Store, method: str, **address: str):
    data = {"resolution": "refund", "method": method, "pickup_date": ""}
    if method == "pickup":
        page = client.get(reverse("portal:resolution", args=[shop.slug]))
        data["pickup_date"] = page.context["form"].fields["pickup_date"].choices[1][0]
    data.update({f"a-{k}": v for k, v in address.items()})
    return client.post(reverse("portal:resolution", args=[shop.slug]), data)


def test_a_drop_off_ignores_a_typed_address_and_sends_from_the_delivery_one(
    simulator, shop, order
) -> None:
    client = Client()
    method_page(client, shop, order)
    response = _post(client, shop, "drop_off", line1="Somewhere else 9", country="Spain")
    assert response.status_code == 302, response.context["form"].errors
    review = client.get(response["Location"])
    done = client.post(review.request["PATH_INFO"], {"submission": review.context["submission"]})
    assert done.status_code == 302
    made = Return.objects.get(order=order)
    # The label's sender is where the order went, not what was typed in the pickup fields.
    assert made.method == "drop_off"
    assert made.pickup_address["line1"] == order.shipping_address["line1"] != "Somewhere else 9"


def test_a_pickup_address_is_checked_and_kept_for_the_label(simulator, shop, order) -> None:
    client = Client()
    method_page(client, shop, order)
    bad = _post(
        client,
        shop,
        "pickup",
        name="Ana",
        line1="",
        postal_code="28013",
        city="Madrid",
        country="Spain",
    )
    assert bad.status_code == 422
    assert set(bad.context["address_form"].errors) == {"line1", "country"}
    good = _post(
        client,
        shop,
        "pickup",
        name="Ana",
        line1="Calle Luna 3",
        postal_code="28004",
        city="Madrid",
        country="es",
    )
    assert good.status_code == 302
    review = client.get(good["Location"])
    client.post(review.request["PATH_INFO"], {"submission": review.context["submission"]})
    made = Return.objects.get(order=order)
    assert made.method == "pickup"
    assert made.pickup_address["line1"] == "Calle Luna 3"
    assert made.pickup_address["country"] == "ES"
