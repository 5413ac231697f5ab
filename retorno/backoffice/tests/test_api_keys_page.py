"""The API keys settings page: admins create a key (shown once) and revoke it; other roles and
other stores change nothing."""

from __future__ import annotations

import pytest

from retorno.accounts.models import ApiKey
from retorno.accounts.services import api_key_create

pytestmark = pytest.mark.django_db


def test_an_admin_creates_a_key_sees_it_once_and_revokes_it(signed_in, store):
    admin = signed_in("admin")
    response = admin.post("/staff/settings/api-keys", {"name": "ERP", "scopes": ["read", "write"]})
    assert response.status_code == 201
    key = ApiKey.objects.get(name="ERP")
    assert key.scopes == ["read", "write"]
    html = response.content.decode()
    assert 'id="api-key-plain"' in html
    assert "rtn_" in html
    assert 'id="api-key-plain"' not in admin.get("/staff/settings/api-keys").content.decode()
    assert admin.post(f"/staff/settings/api-keys/{key.id}/revoke").status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_a_key_without_scopes_is_refused_on_the_form(signed_in):
    response = signed_in("admin").post("/staff/settings/api-keys", {"name": "x"})
    assert response.status_code == 422
    assert ApiKey.objects.filter(name="x").count() == 0


@pytest.mark.parametrize("role", ["agent", "warehouse", "finance", "analyst"])
def test_other_roles_are_refused(signed_in, store, role):
    key, _plain = api_key_create(store=store, name="k", scopes=["read"])
    client = signed_in(role)
    assert client.get("/staff/settings/api-keys").status_code == 403
    assert client.post(f"/staff/settings/api-keys/{key.id}/revoke").status_code == 403
    key.refresh_from_db()
    assert key.revoked_at is None


def test_another_stores_key_is_not_found(signed_in, other_store):
    key, _plain = api_key_create(store=other_store, name="theirs", scopes=["read"])
    assert signed_in("admin").post(f"/staff/settings/api-keys/{key.id}/revoke").status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None
