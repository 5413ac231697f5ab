"""/api/v1/webhook-endpoints: the admin scope manages a store's endpoints; other keys and
other stores see nothing and change nothing; URLs pass the outbound-URL check."""

from __future__ import annotations

import json

import pytest
from standardwebhooks.webhooks import Webhook

from retorno.api.tests.client import ApiClient, problem
from retorno.core import outbound
from retorno.core.models import OutboxMessage
from retorno.notifications.tests.test_delivery import create_return, order_for
from retorno.webhooks.models import WebhookDelivery, WebhookEndpoint
from retorno.webhooks.services import DELIVER_KIND

pytestmark = pytest.mark.django_db

URL = "http://127.0.0.1:8999/hooks"


def _create(api: ApiClient, **body) -> dict:
    response = api.post("/webhook-endpoints", {"url": URL, **body})
    assert response.status_code == 201, response.content
    return json.loads(response.content)


def _send(client: ApiClient, method: str, path: str, body=None):
    if method == "get":
        return client.get(path)
    if method == "delete":
        return client.client.delete("/api/v1" + path, headers=client._headers(None))
    return client.send(method, path, body or {})


def test_an_endpoint_is_created_with_its_secret_shown_once(api: ApiClient):
    body = _create(api, description="ERP", event_types=["return.approved", "refund.succeeded"])
    assert body["secret"].startswith("whsec_")
    Webhook(body["secret"])  # a secret the independent implementation accepts
    assert body["secret_hint"] == body["secret"][:10]
    assert body["event_types"] == ["return.approved", "refund.succeeded"]
    listed = json.loads(api.get("/webhook-endpoints").content)["results"]
    assert [e["id"] for e in listed] == [body["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in json.loads(api.get(f"/webhook-endpoints/{body['id']}").content)
    stored = WebhookEndpoint.objects.get()
    assert body["secret"] not in stored.secret_token  # encrypted at rest


def test_bad_input_is_refused_with_a_code(api: ApiClient, settings):
    problem(
        api.post("/webhook-endpoints", {"url": URL, "event_types": ["nope"]}),
        422,
        "validation_error",
    )

    def refused(url: str) -> str:
        body = problem(api.post("/webhook-endpoints", {"url": url}), 422, "invalid_outbound_url")
        (error,) = body["errors"]
        assert error["field"] == "url"
        return error["code"]

    assert refused("ftp://example.com") == "url_scheme_not_allowed"
    settings.RETORNO_ALLOW_PRIVATE_URLS = False
    assert refused(URL) == "url_scheme_not_allowed"
    previous = outbound.set_resolver(lambda host, port: ["10.0.0.7"])
    try:
        assert refused("https://hooks.example.com/x") == "url_address_not_allowed"
        assert refused("https://user:pw@hooks.example.com/x") == "url_has_credentials"
    finally:
        outbound.set_resolver(previous)
    assert WebhookEndpoint.objects.count() == 0


def test_change_rotate_and_delete(api: ApiClient):
    created = _create(api)
    path = f"/webhook-endpoints/{created['id']}"
    changed = json.loads(
        api.send("patch", path, {"enabled": False, "event_types": ["claim.opened"]}).content
    )
    assert changed["enabled"] is False
    assert changed["event_types"] == ["claim.opened"]
    rotated = api.post(path + "/rotate-secret", {"overlap_seconds": 3600})
    assert rotated.status_code == 200
    rotated_body = json.loads(rotated.content)
    assert rotated_body["secret"] != created["secret"]
    assert rotated_body["previous_secret_expires_at"] is not None
    problem(api.post(path + "/rotate-secret", {"overlap_seconds": -1}), 422, "validation_error")
    assert _send(api, "delete", path).status_code == 204
    problem(api.get(path), 404, "webhook_endpoint_not_found")


def test_deliveries_are_listed_and_one_is_replayed(api: ApiClient, store):
    created = _create(api, event_types=["return.requested"])
    create_return(store, order_for(store))
    path = f"/webhook-endpoints/{created['id']}/deliveries"
    (delivery,) = json.loads(api.get(path).content)["results"]
    assert delivery["event_type"] == "return.requested"
    assert delivery["status"] == "pending"
    assert delivery["event_id"].startswith("evt_")
    replayed = api.post(f"{path}/{delivery['id']}/replay")
    assert replayed.status_code == 202, replayed.content
    assert OutboxMessage.objects.filter(kind=DELIVER_KIND).count() == 2
    problem(api.post(f"{path}/999999/replay"), 404, "webhook_delivery_not_found")


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "", None),
        ("patch", "", {"enabled": False}),
        ("delete", "", None),
        ("post", "/rotate-secret", {}),
        ("get", "/deliveries", None),
    ],
)
def test_other_stores_and_lesser_keys_change_nothing(
    api: ApiClient, other_key, write_key, method, suffix, body
):
    created = _create(api)
    path = f"/webhook-endpoints/{created['id']}{suffix}"
    before = list(WebhookEndpoint.objects.values())
    problem(_send(ApiClient(other_key), method, path, body), 404, "webhook_endpoint_not_found")
    problem(_send(ApiClient(write_key), method, path, body), 403, "insufficient_scope")
    assert _send(ApiClient(None), method, path, body).status_code == 401
    assert list(WebhookEndpoint.objects.values()) == before
    assert WebhookDelivery.objects.count() == 0


def test_the_openapi_document_describes_the_webhooks_and_their_payload(api: ApiClient):
    document = json.loads(api.get("/openapi.json").content)
    assert "/api/v1/webhook-endpoints" in document["paths"]
    assert "return.approved" in document["webhooks"]
    payload = document["components"]["schemas"]["WebhookPayload"]
    assert "inventory.restocked" in payload["properties"]["type"]["enum"]
    for ref in payload["properties"]["data"]["oneOf"]:
        assert ref["$ref"].rsplit("/", 1)[1] in document["components"]["schemas"], ref


def test_reencrypt_secrets_moves_endpoint_secrets_to_the_new_key(api: ApiClient, store):
    import io

    from django.core.management import call_command
    from django.test import override_settings

    from retorno.webhooks.crypto import decrypt_secret

    old, new = "old-key-" + "o" * 32, "new-key-" + "n" * 32
    with override_settings(RETORNO_ENCRYPTION_KEYS=[old]):
        secret = _create(api)["secret"]
    with override_settings(RETORNO_ENCRYPTION_KEYS=[new, old]):
        out = io.StringIO()
        call_command("reencrypt_secrets", stdout=out)
    assert "Re-encrypted 1 webhook endpoint secrets." in out.getvalue()
    with override_settings(RETORNO_ENCRYPTION_KEYS=[new]):
        assert decrypt_secret(WebhookEndpoint.objects.get().secret_token) == secret
