"""/api/v1/api-keys: an admin key creates keys with scopes (shown once) and revokes them; a
revoked key opens nothing; lesser keys and other stores change nothing."""

from __future__ import annotations

import json

import pytest

from retorno.accounts.models import ApiKey
from retorno.api.tests.client import ApiClient, problem

pytestmark = pytest.mark.django_db


def test_a_key_is_created_with_its_scopes_used_and_revoked(api: ApiClient):
    created = api.post("/api-keys", {"name": "ERP", "scopes": ["read"]})
    assert created.status_code == 201, created.content
    body = json.loads(created.content)
    assert body["key"].startswith("rtn_")
    assert body["scopes"] == ["read"]
    assert body["prefix"] == body["key"][: len(body["prefix"])]
    erp = ApiClient(authorization=f"Bearer {body['key']}")
    assert erp.get("/returns").status_code == 200
    problem(erp.post("/api-keys", {"name": "x", "scopes": ["admin"]}), 403, "insufficient_scope")
    listed = json.loads(api.get("/api-keys").content)["results"]
    assert body["id"] in [k["id"] for k in listed]
    assert all("key" not in k for k in listed)

    revoked = api.post(f"/api-keys/{body['id']}/revoke")
    assert revoked.status_code == 200
    assert json.loads(revoked.content)["revoked_at"] is not None
    assert erp.get("/returns").status_code == 401
    assert api.post(f"/api-keys/{body['id']}/revoke").status_code == 200  # again: no change


def test_bad_input_and_other_stores(api: ApiClient, other_key, write_key):
    problem(api.post("/api-keys", {"name": "x", "scopes": []}), 422, "validation_error")
    problem(api.post("/api-keys", {"name": "x", "scopes": ["root"]}), 422, "validation_error")
    problem(api.post("/api-keys", {"name": "", "scopes": ["read"]}), 422, "validation_error")
    problem(api.post("/api-keys/999999/revoke"), 404, "api_key_not_found")
    theirs = ApiKey.objects.get(store=other_key.record.store)
    problem(api.post(f"/api-keys/{theirs.id}/revoke"), 404, "api_key_not_found")
    problem(
        ApiClient(write_key).post("/api-keys", {"name": "x", "scopes": ["read"]}),
        403,
        "insufficient_scope",
    )
    assert ApiKey.objects.filter(revoked_at__isnull=False).count() == 0
    assert ApiClient(None).get("/api-keys").status_code == 401
