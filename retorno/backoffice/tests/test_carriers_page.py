"""Carriers and allocation rules page: admins list carriers, toggle them, publish and try rules."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from retorno.core.actors import SYSTEM
from retorno.logistics.models import AllocationRuleSet, CarrierAccount
from retorno.logistics.services.accounts import allocation_rules_publish
from retorno.logistics.tests.factories import make_carrier, make_carriers
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db
SignIn = Callable[[str], Client]

VALID = {
    "schema": 1,
    "rules": [
        {
            "id": "heavy",
            "when": {"weight_gte": 20000},
            "strategy": "cheapest",
            "carrier_not_in": ["rapido"],
        },
        {"id": "fast", "strategy": "fastest"},
    ],
}


@pytest.fixture
def carriers(store: Store) -> dict[str, CarrierAccount]:
    return make_carriers(store)


def state() -> tuple[Any, ...]:
    return (
        list(AllocationRuleSet.objects.values_list("store_id", "version", "document")),
        list(CarrierAccount.objects.order_by("id").values_list("code", "enabled")),
    )


def test_admin_sees_carriers_and_current_rules(
    store: Store, carriers: dict[str, CarrierAccount], signed_in: SignIn
) -> None:
    allocation_rules_publish(store=store, document=VALID, actor=SYSTEM, note="first")
    page = signed_in("admin").get("/staff/carriers")
    assert page.status_code == 200
    html = page.content.decode()
    for code in ("rapido", "norte", "eco"):
        assert f'data-carrier="{code}"' in html
    assert "€3.90 + €0.50/kg" in html
    assert ">ES<" in html
    assert "Version 1 in force" in html
    assert "&quot;heavy&quot;" in html
    assert 'href="/staff/carriers"' in html  # in the menu for admins


def test_publishing_a_valid_document_stores_a_new_version(
    store: Store, carriers: dict[str, CarrierAccount], signed_in: SignIn
) -> None:
    client = signed_in("admin")
    response = client.post(
        "/staff/carriers/rules", {"document": json.dumps(VALID), "note": "heavy parcels"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/staff/carriers")
    published = AllocationRuleSet.objects.get(store=store)
    assert published.version == 1
    assert published.document == VALID
    assert published.note == "heavy parcels"
    assert published.created_by == "admin.shop"
    client.post("/staff/carriers/rules", {"document": json.dumps({"schema": 1, "rules": []})})
    assert AllocationRuleSet.objects.filter(store=store).latest("version").version == 2
    assert "version 2 published" in client.get("/staff/carriers").content.decode()


def test_an_invalid_document_lists_every_error_with_its_field_and_stores_nothing(
    store: Store, carriers: dict[str, CarrierAccount], signed_in: SignIn
) -> None:
    client = signed_in("admin")
    before = state()
    bad = {
        "schema": 1,
        "rules": [
            {"id": "a", "strategy": "slowest"},
            {"id": "b", "strategy": "cheapest", "when": {"weight_gte": -1}},
            {"id": "c", "strategy": "cheapest", "carrier_in": ["ghost"]},
        ],
    }
    response = client.post("/staff/carriers/rules", {"document": json.dumps(bad)})
    assert response.status_code == 422
    html = response.content.decode()
    assert "rules[0].strategy" in html
    assert "rules[1].when.weight_gte" in html
    assert "&quot;slowest&quot;" in html  # the draft is kept in the textarea
    assert state() == before
    semantic = {"schema": 1, "rules": [{"id": "c", "strategy": "cheapest", "carrier_in": ["x"]}]}
    response = client.post("/staff/carriers/rules", {"document": json.dumps(semantic)})
    assert response.status_code == 422
    assert "rules[0].carrier_in" in response.content.decode()
    response = client.post("/staff/carriers/rules", {"document": "{not json"})
    assert response.status_code == 422
    assert "not valid JSON" in response.content.decode()
    assert state() == before


def test_admin_disables_and_enables_a_carrier(
    store: Store, carriers: dict[str, CarrierAccount], signed_in: SignIn
) -> None:
    client = signed_in("admin")
    response = client.post("/staff/carriers/norte/enabled", {"enabled": "0"})
    assert response.status_code == 302
    assert not CarrierAccount.objects.get(store=store, code="norte").enabled
    assert CarrierAccount.objects.get(store=store, code="eco").enabled
    client.post("/staff/carriers/norte/enabled", {"enabled": "1"})
    assert CarrierAccount.objects.get(store=store, code="norte").enabled
    assert client.get("/staff/carriers/norte/enabled").status_code == 405


def test_try_it_ranks_carriers_under_the_draft_and_says_why_others_are_dropped(
    store: Store, carriers: dict[str, CarrierAccount], signed_in: SignIn
) -> None:
    make_carrier(store, "lejos", service_areas=[{"country": "PT"}])
    client = signed_in("admin")
    client.post("/staff/carriers/eco/enabled", {"enabled": "0"})
    before = state()
    draft = {"schema": 1, "rules": [{"id": "fast", "strategy": "fastest"}]}
    facts = {
        "country": "ES",
        "postal_code": "28001",
        "weight_grams": "2000",
        "value": "40.00",
        "category": "",
        "tier": "",
        "method": "pickup",
    }
    response = client.post("/staff/carriers/rules/try", {"document": json.dumps(draft), **facts})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rule <code>fast</code> applies, strategy Fastest" in html
    assert 'data-carrier="norte" data-kept="1"' in html
    assert 'data-carrier="rapido" data-kept="1"' in html
    assert html.index('data-carrier="norte" data-kept="1"') < html.index(
        'data-carrier="rapido" data-kept="1"'
    )
    assert 'data-carrier="eco" data-kept="0"' in html
    assert '<span data-code="disabled">disabled for this store</span>' in html
    assert 'data-carrier="lejos" data-kept="0"' in html
    assert '<span data-code="not_serviceable">does not serve this address</span>' in html
    assert state() == before  # trying publishes nothing

    denied = {"schema": 1, "rules": [{"id": "x", "strategy": "cheapest", "carrier_in": ["y"]}]}
    response = client.post("/staff/carriers/rules/try", {"document": json.dumps(denied), **facts})
    assert response.status_code == 422
    assert "rules[0].carrier_in" in response.content.decode()
    response = client.post(
        "/staff/carriers/rules/try",
        {"document": json.dumps(draft), **facts, "weight_grams": "heavy"},
    )
    assert response.status_code == 422
    assert "Weight must be" in response.content.decode()


@pytest.mark.parametrize("role", ["agent", "warehouse", "finance", "analyst"])
def test_other_roles_get_403_and_change_nothing(
    role: str, carriers: dict[str, CarrierAccount], signed_in: SignIn
) -> None:
    client = signed_in(role)
    before = state()
    assert client.get("/staff/carriers").status_code == 403
    assert client.post("/staff/carriers/rapido/enabled", {"enabled": "0"}).status_code == 403
    response = client.post("/staff/carriers/rules", {"document": json.dumps(VALID)})
    assert response.status_code == 403
    assert client.post("/staff/carriers/rules/try", {"document": "{}"}).status_code == 403
    assert state() == before
    assert 'href="/staff/carriers"' not in client.get("/staff/").content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get("/staff/carriers")
    assert response.status_code == 302
    assert "/staff/login" in response["Location"]


def test_another_stores_carrier_is_not_found(
    store: Store, other_store: Store, signed_in: SignIn
) -> None:
    make_carrier(other_store, "ajeno")
    client = signed_in("admin")
    response = client.post("/staff/carriers/ajeno/enabled", {"enabled": "0"})
    assert response.status_code == 404
    assert CarrierAccount.objects.get(store=other_store, code="ajeno").enabled
    assert 'data-carrier="ajeno"' not in client.get("/staff/carriers").content.decode()
