"""API keys: stored hashed, shown once, scoped, revocable, never shared between stores."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client

from retorno.accounts import keycache
from retorno.accounts.models import ApiKey
from retorno.accounts.selectors import api_key_authenticate
from retorno.accounts.services import (
    LAST_USED_PRECISION,
    api_key_create,
    api_key_mark_used,
    api_key_revoke,
    membership_grant,
)
from retorno.core.errors import Conflict, NotFound, Unprocessable


def test_only_a_digest_is_stored(store):
    record, plain = api_key_create(store=store, name="shop")
    assert plain.startswith("rtn_")
    stored = ApiKey.objects.get(id=record.id)
    assert plain not in (stored.digest, stored.prefix)
    assert plain.startswith(stored.prefix)
    assert api_key_authenticate(plain) == record


def test_revoked_key_no_longer_authenticates(store):
    record, plain = api_key_create(store=store, name="shop")
    api_key_revoke(store=store, key_id=record.id)
    api_key_revoke(store=store, key_id=record.id)  # twice is harmless
    assert api_key_authenticate(plain) is None


def test_a_store_cannot_revoke_another_stores_key(store, other_store):
    record, plain = api_key_create(store=store, name="shop")
    with pytest.raises(NotFound):
        api_key_revoke(store=other_store, key_id=record.id)
    assert api_key_authenticate(plain) is not None


def test_unknown_scope_is_refused(store):
    with pytest.raises(Unprocessable) as error:
        api_key_create(store=store, name="x", scopes=["read", "superuser"])
    assert error.value.code == "invalid_scope"
    assert not ApiKey.objects.exists()


def test_chosen_key_must_be_long_and_unique_across_stores(store, other_store):
    with pytest.raises(Unprocessable) as weak:
        api_key_create(store=store, name="x", key="short")
    assert weak.value.code == "weak_api_key"

    record, _ = api_key_create(store=store, name="demo", key="demo-key-0123456789")
    again, _ = api_key_create(store=store, name="demo", key="demo-key-0123456789")
    assert again == record
    with pytest.raises(Conflict) as taken:
        api_key_create(store=other_store, name="demo", key="demo-key-0123456789")
    assert taken.value.code == "api_key_taken"


def test_membership_role_is_checked_and_updated(store):
    membership = membership_grant(store=store, username="eva", email="eva@x.io", role="agent")
    assert membership.role == "agent"
    assert membership_grant(store=store, username="eva", email="eva@x.io", role="admin").id == (
        membership.id
    )
    with pytest.raises(Unprocessable):
        membership_grant(store=store, username="eva", email="eva@x.io", role="president")


def test_last_used_is_recorded_at_most_every_few_minutes(store, api):
    key = ApiKey.objects.get(store=store)
    assert key.last_used_at is None
    assert api.get("/returns").status_code == 200
    first = ApiKey.objects.get(id=key.id).last_used_at
    assert first is not None
    api.get("/returns")
    assert ApiKey.objects.get(id=key.id).last_used_at == first  # not rewritten at once
    later = first + LAST_USED_PRECISION + timedelta(seconds=1)
    api_key_mark_used(ApiKey.objects.get(id=key.id), now=later)
    assert ApiKey.objects.get(id=key.id).last_used_at == later


def test_a_key_authenticated_lately_is_not_looked_up_again(store, django_assert_num_queries):
    record, plain = api_key_create(store=store, name="shop")
    first = api_key_authenticate(plain)
    with django_assert_num_queries(0):
        again = api_key_authenticate(plain)
        assert again == record
        assert again.store.slug == store.slug
    assert again is not first  # each request has its own copy
    assert again.store is not first.store


def test_revocation_takes_effect_at_once_in_the_revoking_process(store):
    record, plain = api_key_create(store=store, name="shop")
    assert api_key_authenticate(plain) == record  # cached now
    api_key_revoke(store=store, key_id=record.id)
    assert api_key_authenticate(plain) is None


def test_a_revocation_made_elsewhere_shows_once_the_cache_entry_expires(store, monkeypatch):
    record, plain = api_key_create(store=store, name="shop")
    assert api_key_authenticate(plain) == record
    # Another process revokes it: this process hears nothing (no signal, no cache call).
    ApiKey.objects.filter(id=record.id).update(revoked_at=record.created_at)
    assert api_key_authenticate(plain) == record  # still trusted within the window
    clock = time.monotonic() + settings.API_KEY_CACHE_SECONDS + 0.01
    monkeypatch.setattr(keycache.time, "monotonic", lambda: clock)
    assert api_key_authenticate(plain) is None


def test_revoking_through_the_api_refuses_the_key_on_the_next_request(store):
    _, admin_plain = api_key_create(store=store, name="admin", scopes=["read", "write", "admin"])
    victim, victim_plain = api_key_create(store=store, name="victim", scopes=["read"])
    client = Client()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {victim_plain}"}
    assert client.get("/api/v1/returns?limit=1", **bearer).status_code == 200
    revoked = client.post(
        f"/api/v1/api-keys/{victim.id}/revoke", HTTP_AUTHORIZATION=f"Bearer {admin_plain}"
    )
    assert revoked.status_code == 200, revoked.content
    assert client.get("/api/v1/returns?limit=1", **bearer).status_code == 401


def test_with_the_cache_off_every_request_looks_the_key_up(store, settings):
    settings.API_KEY_CACHE_SECONDS = 0
    record, plain = api_key_create(store=store, name="shop")
    assert api_key_authenticate(plain) == record
    ApiKey.objects.filter(id=record.id).update(revoked_at=record.created_at)
    assert api_key_authenticate(plain) is None
