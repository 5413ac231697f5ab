"""Bearer API keys. The key decides the store: every operation works inside `request.auth.store`."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from retorno.accounts.models import ApiKey
from retorno.accounts.selectors import api_key_authenticate
from retorno.accounts.services import api_key_mark_used
from retorno.core.actors import Actor
from retorno.core.errors import PermissionDenied


class ApiKeyAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        if not token or len(token) > 200:
            return None
        api_key = api_key_authenticate(token)
        if api_key is not None:
            api_key_mark_used(api_key)
        return api_key


def require_scope(request: HttpRequest, scope: str) -> ApiKey:
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]
    if scope not in (api_key.scopes or []):
        raise PermissionDenied(
            f"This API key lacks the {scope!r} scope.", code="insufficient_scope"
        )
    return api_key


def actor_of(api_key: ApiKey) -> Actor:
    return Actor(kind="api_key", id=str(api_key.id), label=f"API key {api_key.name}")
