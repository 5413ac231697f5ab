"""Logistics API: the authorization matrix, carriers and rules editing, shipments and label."""

from __future__ import annotations

import pytest

from retorno.accounts.tests.factories import READ, issue_key
from retorno.api.tests.client import ApiClient, problem
from retorno.logistics.models import AllocationRuleSet, CarrierAccount
from retorno.logistics.tests.test_tracking import T0, booked, post_events

pytestmark = pytest.mark.django_db

CARRIER_BODY = {
    "name": "Nuevo",
    "kind": "simulator",
    "capabilities": ["pickup"],
    "service_areas": [{"country": "ES"}],
    "max_dimensions_cm": [100, 60, 60],
    "rates": {"EUR": {"base_amount": "5.00", "per_kg_amount": "0.20"}},
    "credentials": {"webhook_secret": "top-secret"},
}
RULES = {"document": {"schema": 1, "rules": [{"id": "fast", "strategy": "fastest"}]}}

# (method, path, body, scope needed, ok status)
OPERATIONS = [
    ("get", "/carriers", None, "read", 200),
    ("get", "/carriers/rapido", None, "read", 200),
    ("put", "/carriers/nuevo", CARRIER_BODY, "admin", 201),
    ("get", "/allocation-rules", None, "read", 200),
    ("put", "/allocation-rules", RULES, "admin", 201),
    ("get", "/returns/{rma}/shipments", None, "read", 200),
    ("get", "/returns/{rma}/label", None, "read", 200),
]


def snapshot() -> tuple:
    return (
        list(CarrierAccount.objects.values_list("code", "name", "credentials_encrypted")),
        AllocationRuleSet.objects.count(),
    )


@pytest.mark.parametrize(("method", "path", "body", "scope", "ok"), OPERATIONS)
def test_authorization_matrix(
    store, other_key, carriers, fake_carriers, method, path, body, scope, ok
):
    returned, _ = booked(store)
    path = path.format(rma=returned.rma)
    before = snapshot()
    anonymous = ApiClient(None)
    call = (lambda c: c.get(path)) if method == "get" else (lambda c: c.send(method, path, body))
    problem(call(anonymous), 401, "unauthorized")
    other = call(ApiClient(other_key))
    if path.startswith("/returns") or path == "/carriers/rapido":
        assert other.status_code == 404, other.content
    if scope == "admin":
        problem(call(ApiClient(issue_key(store, READ, name="reader"))), 403, "insufficient_scope")
    if method != "get":
        # The other store's write lands in the other store only.
        assert not CarrierAccount.objects.filter(store=store, code="nuevo").exists()
    assert snapshot()[0][:3] == before[0][:3]
    response = call(ApiClient(issue_key(store, ("read", "write", "admin"), name="all")))
    assert response.status_code == ok, response.content[:500]


def test_carrier_credentials_are_encrypted_and_never_returned(store, api):
    response = api.put("/carriers/nuevo", CARRIER_BODY)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["has_credentials"] is True
    assert "credentials" not in body
    assert body["webhook_url"].endswith("/api/v1/carriers/shop-nuevo/webhooks")
    stored = CarrierAccount.objects.get(code="nuevo").credentials_encrypted
    assert "top-secret" not in stored
    from retorno.logistics.crypto import decrypt_credentials

    assert decrypt_credentials(stored) == {"webhook_secret": "top-secret"}


def test_invalid_profile_and_rules_are_422(store, api, carriers):
    problem(
        api.put("/carriers/bad", {**CARRIER_BODY, "capabilities": ["teleport"]}),
        422,
        "invalid_carrier",
    )
    body = problem(
        api.put(
            "/allocation-rules",
            {
                "document": {
                    "schema": 1,
                    "rules": [{"id": "x", "strategy": "fixed_preference", "preference": ["ghost"]}],
                }
            },
        ),
        422,
        "invalid_allocation_rules",
    )
    assert body["errors"][0]["field"] == "rules[0].preference[0]"
    assert api.put("/allocation-rules", RULES).json()["version"] == 1
    assert api.get("/allocation-rules").json()["document"] == RULES["document"]


def test_shipments_timeline_and_label(store, api, carriers, fake_carriers):
    returned, shipment = booked(store)
    post_events(
        shipment, [("IN_TRANSIT", T0.replace(hour=12), "b"), ("PICKED_UP", T0.replace(hour=9), "a")]
    )
    body = api.get(f"/returns/{returned.rma}/shipments").json()
    assert body["status"] == "in_transit"
    assert [e["status"] for e in body["timeline"]] == ["picked_up", "in_transit"]
    only = body["shipments"][0]
    assert only["carrier"] == "rapido"
    assert only["allocation"]["ranking"][0]["carrier"] == "rapido"
    label = api.get(f"/returns/{returned.rma}/label")
    assert label.status_code == 200
    assert label["Content-Type"] == "application/pdf"
    assert b"".join(label.streaming_content).startswith(b"%PDF")
    # The shopper's tracking page links the same label.
    from django.test import Client

    page = Client().get(f"/r/{returned.tracking_token}/label.pdf")
    assert page.status_code == 200


def test_label_before_booking_is_404(store, api, carriers, fake_carriers):
    from retorno.logistics.tests.factories import approved_return

    returned = approved_return(store)
    problem(api.get(f"/returns/{returned.rma}/label"), 404, "label_not_found")
