"""The webhooks settings pages: admins add an endpoint (its secret shown once), change, rotate,
replay and delete; other roles and other stores get nothing and change nothing."""

from __future__ import annotations

import pytest
from django.utils import translation

from retorno.core.models import OutboxMessage
from retorno.notifications.tests.test_delivery import create_return, order_for
from retorno.webhooks import services
from retorno.webhooks.models import WebhookEndpoint
from retorno.webhooks.services import DELIVER_KIND

pytestmark = pytest.mark.django_db

URL = "http://127.0.0.1:8999/hooks"


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(signed_in):
    admin = signed_in("admin")
    response = admin.post(
        "/staff/settings/webhooks",
        {"url": URL, "description": "ERP", "event_types": ["return.approved"], "enabled": "on"},
    )
    assert response.status_code == 201
    html = response.content.decode()
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.event_types == ["return.approved"]
    assert 'id="webhook-secret"' in html
    assert "whsec_" in html
    again = admin.get(f"/staff/settings/webhooks/{endpoint.id}").content.decode()
    assert 'id="webhook-secret"' not in again
    assert endpoint.secret_hint in again
    assert URL in admin.get("/staff/settings/webhooks").content.decode()


def test_a_refused_url_is_explained_on_the_form(signed_in, settings):
    settings.RETORNO_ALLOW_PRIVATE_URLS = False
    response = signed_in("admin").post("/staff/settings/webhooks", {"url": URL})
    assert response.status_code == 422
    assert "https" in response.content.decode()
    assert WebhookEndpoint.objects.count() == 0


def test_change_rotate_replay_and_delete(signed_in, store):
    issued = services.endpoint_create(store=store, url=URL)
    admin = signed_in("admin")
    base = f"/staff/settings/webhooks/{issued.endpoint.id}"
    assert admin.post(base, {"url": URL, "description": "new"}).status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.description, endpoint.enabled) == ("new", False)  # unticked: disabled
    rotated = admin.post(base + "/rotate", {"overlap_hours": "2"})
    assert rotated.status_code == 200
    assert "whsec_" in rotated.content.decode()
    assert WebhookEndpoint.objects.get().secret_hint != issued.endpoint.secret_hint
    admin.post(base, {"url": URL, "enabled": "on"})
    create_return(store, order_for(store))
    page = admin.get(base).content.decode()
    assert "return.requested" in page
    delivery = WebhookEndpoint.objects.get().deliveries.first()
    before = OutboxMessage.objects.filter(kind=DELIVER_KIND).count()
    assert admin.post(f"{base}/deliveries/{delivery.id}/replay").status_code == 302
    assert OutboxMessage.objects.filter(kind=DELIVER_KIND).count() == before + 1
    assert admin.post(base + "/delete").status_code == 302
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.parametrize("role", ["agent", "warehouse", "finance", "analyst"])
def test_other_roles_are_refused(signed_in, store, role):
    issued = services.endpoint_create(store=store, url=URL)
    client = signed_in(role)
    base = f"/staff/settings/webhooks/{issued.endpoint.id}"
    assert client.get("/staff/settings/webhooks").status_code == 403
    assert client.post(base + "/delete").status_code == 403
    assert client.post(base + "/rotate", {"overlap_hours": "0"}).status_code == 403
    assert WebhookEndpoint.objects.get().secret_hint == issued.endpoint.secret_hint


def test_another_stores_staff_find_nothing(client, store, other_store):
    from retorno.accounts.services import membership_grant

    issued = services.endpoint_create(store=store, url=URL)
    other_admin = membership_grant(
        store=other_store, username="admin.other", email="a@o.test", role="admin"
    ).user
    client.force_login(other_admin)
    base = f"/staff/settings/webhooks/{issued.endpoint.id}"
    assert client.get(base).status_code == 404
    assert client.post(base + "/delete").status_code == 404
    assert WebhookEndpoint.objects.count() == 1


def test_the_page_speaks_spanish(signed_in, store):
    services.endpoint_create(store=store, url=URL)
    admin = signed_in("admin")
    with translation.override("es"):
        html = admin.get("/staff/settings/webhooks", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Añadir el endpoint" in html
