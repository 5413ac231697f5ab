"""A store's API keys (admin scope): list, create with scopes (the key is shown once) and revoke.
Only a digest of a key is stored; a revoked key authenticates nothing from then on."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from retorno.accounts import selectors, services
from retorno.accounts.models import ApiKey
from retorno.api.v1.auth import require_scope
from retorno.api.v1.routers.common import ERRORS, WRITE_ERRORS

router = Router(tags=["api keys"])


class ApiKeyIn(Schema):
    name: str = Field(..., min_length=1, max_length=80)
    scopes: list[Literal["read", "write", "admin", "team"]] = Field(..., min_length=1, max_length=4)


class ApiKeyOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The key's first characters, to recognise it.")
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyWithSecretOut(ApiKeyOut):
    key: str = Field(description="The key itself: shown this once, never again.")


class ApiKeyListOut(Schema):
    results: list[ApiKeyOut]


def api_key_body(api_key: ApiKey) -> dict[str, Any]:
    return {
        "id": api_key.id,
        "name": api_key.name,
        "prefix": api_key.prefix,
        "scopes": list(api_key.scopes or []),
        "created_at": api_key.created_at,
        "last_used_at": api_key.last_used_at,
        "revoked_at": api_key.revoked_at,
    }


@router.get("/api-keys", response={200: ApiKeyListOut, **ERRORS}, summary="API keys")
def api_key_list(request: HttpRequest):
    """The store's keys, revoked ones included, newest first."""
    api_key = require_scope(request, "admin")
    return {
        "results": [api_key_body(k) for k in selectors.api_key_list_for_store(store=api_key.store)]
    }


@router.post(
    "/api-keys", response={201: ApiKeyWithSecretOut, **WRITE_ERRORS}, summary="Create an API key"
)
def api_key_create(request: HttpRequest, payload: ApiKeyIn):
    """A new key with the scopes given; the answer carries the key, the only time it is shown.
    It counts as made by whoever made the key creating it: on the team (scope `team`) it acts
    with their role, and deactivating them revokes it too."""
    api_key = require_scope(request, "admin")
    created, plain = services.api_key_create(
        store=api_key.store,
        name=payload.name,
        scopes=payload.scopes,
        created_by=api_key.created_by,
    )
    return Status(201, {**api_key_body(created), "key": plain})


@router.post(
    "/api-keys/{key_id}/revoke",
    response={200: ApiKeyOut, **WRITE_ERRORS},
    summary="Revoke an API key",
)
def api_key_revoke(request: HttpRequest, key_id: int):
    """From now on the key authenticates nothing (revoking it again changes nothing). A key may
    revoke itself."""
    api_key = require_scope(request, "admin")
    return api_key_body(services.api_key_revoke(store=api_key.store, key_id=key_id))
