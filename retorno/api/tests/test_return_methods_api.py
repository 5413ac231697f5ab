"""GET/PUT /api/v1/return-methods: the methods offered, the store's price for each and its
shops, refused whole with a stable code, and a return made by the API priced by its method."""

from __future__ import annotations

from decimal import Decimal

from retorno.api.tests.client import problem
from retorno.orders.tests.factories import line_payload, make_order, return_payload
from retorno.returns.models import Return

SOL = {"name": "Sol", "address": "Puerta del Sol 2", "hours": {"mon": "10:00–20:00"}}


def test_a_new_store_offers_the_carriers_methods_at_the_policys_fee(api, store):
    assert api.get("/return-methods").json() == {
        "methods": ["pickup", "drop_off", "self_ship"],
        "prices": {},
        "locations": [],
    }


def test_put_replaces_methods_prices_and_shops(api, store):
    body = {
        "methods": ["in_store", "drop_off"],
        "prices": {"drop_off": "0", "self_ship": 4.95, "pickup": None},
        "locations": [SOL],
    }
    saved = api.put("/return-methods", body)
    assert saved.status_code == 200, saved.content
    assert saved.json() == {
        "methods": ["drop_off", "in_store"],
        "prices": {"drop_off": "0.00", "self_ship": "4.95"},
        "locations": [{**SOL, "postal_code": "", "city": ""}],
    }
    assert api.get("/return-methods").json() == saved.json()


def test_what_cannot_be_used_is_refused_whole(api, store):
    problem(api.put("/return-methods", {"methods": ["in_store"]}), 422, "in_store_without_location")
    problem(
        api.put("/return-methods", {"methods": ["pickup"], "prices": {"pickup": "1.234"}}),
        422,
        "invalid_method_price",
    )
    problem(
        api.put("/return-methods", {"methods": ["pickup"], "prices": {"pickup": "-1"}}),
        422,
        "validation_error",
    )
    problem(api.put("/return-methods", {"methods": ["boat"]}), 422, "validation_error")
    store.refresh_from_db()
    assert store.return_method_prices == {}
    assert store.return_methods == ["pickup", "drop_off", "self_ship"]


def test_a_return_is_priced_by_its_method_and_in_store_must_be_offered(api, store):
    make_order(store, external_id="1001", lines=[line_payload("1001-1", unit_price="40.00")])
    offered = {"methods": ["self_ship", "in_store"], "prices": {"self_ship": "2.50"}}
    problem(
        api.post("/returns", return_payload("1001", "1001-1", method="in_store")),
        422,
        "method_not_offered",
    )
    assert api.put("/return-methods", {**offered, "locations": [SOL]}).status_code == 200
    label = api.post("/returns", return_payload("1001", "1001-1", method="self_ship"))
    assert label.status_code == 201, label.content
    assert label.json()["amounts"]["return_shipping_fee"] == "2.50"
    made = Return.objects.get(rma=label.json()["rma"])
    assert made.return_shipping_fee_amount == Decimal("2.50")
