"""API keys: stored hashed, shown once, scoped, revocable, never shared between stores."""

from __future__ import annotations

from datetime import timedelta

import pytest

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
        membership_grant(store=store, username="eva", email="eva@x.io", role="owner")


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
