"""An optional read replica (DATABASE_REPLICA_URL) for the pages and lists that only read.

Reads go to the replica unless they must see the primary:
- inside a transaction on the primary (a service reading what it is about to change);
- after a write in the same request (the rest of the request reads the primary);
- for a while after a request that changed something (POST, PUT, PATCH, DELETE): the response
  sets a cookie for settings.REPLICA_PIN_SECONDS and that browser's requests read the primary
  until it expires, so a person sees their own change on the next page even when the replica
  lags behind. An API client sees its own writes in the same request; the next request of an
  API client may read the replica (its lag is the one the API documents).

Without DATABASE_REPLICA_URL the router says nothing and every query goes to `default`.
Migrations run on the primary only.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PIN_COOKIE = "retorno_primary"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_pinned: contextvars.ContextVar[bool] = contextvars.ContextVar("retorno_primary", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def pin(to_primary: bool = True) -> contextvars.Token[bool]:
    """From now on in this request (or context), reads go to the primary (or, with False, to
    the replica until the next write: how a new request starts)."""
    return _pinned.set(to_primary)


def unpin(token: contextvars.Token[bool]) -> None:
    _pinned.reset(token)


class ReplicaRouter:
    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if not replica_configured():
            return None
        if _pinned.get() or connections["default"].in_atomic_block:
            return "default"
        return REPLICA

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        if replica_configured():
            _pinned.set(True)  # what this request reads next must see this write
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # one database, two doors

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA


class ReplicaPinMiddleware:
    """Pins a request's reads to the primary when it changes something or comes within
    REPLICA_PIN_SECONDS of one that did (the cookie), and sets the cookie after a change."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        changes = request.method in UNSAFE_METHODS
        token = pin(changes or PIN_COOKIE in request.COOKIES)
        try:
            response = self.get_response(request)
            wrote = _pinned.get()
        finally:
            unpin(token)
        if changes or (wrote and PIN_COOKIE not in request.COOKIES):
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
