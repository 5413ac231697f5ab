"""The API keys a web process has authenticated lately, so a request does not look its key up
again (the lookup with its store was a sixth of a create request's CPU).

Revocation: a key revoked or changed in this process is forgotten at once (the model's save
and delete signals); another process notices within settings.API_KEY_CACHE_SECONDS, when its
entry expires and the key is looked up again. 0 turns the cache off. Each request gets its own
copies of the key and its store, so nothing one request changes leaks into another."""

from __future__ import annotations

import copy
import threading
import time
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction

from retorno.accounts.models import ApiKey

MAX_ENTRIES = 10_000  # beyond this the cache starts over (keys in use are few)

_entries: dict[str, tuple[float, ApiKey]] = {}
_lock = threading.Lock()


def cached(digest: str) -> ApiKey | None:
    """A copy of the key of `digest` when it was authenticated lately, else None."""
    entry = _entries.get(digest)
    if entry is None:
        return None
    if entry[0] <= time.monotonic():
        forget(digest)
        return None
    return _copy(entry[1])


def remember(api_key: ApiKey) -> None:
    seconds = settings.API_KEY_CACHE_SECONDS
    if seconds <= 0:
        return
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[api_key.digest] = (time.monotonic() + seconds, _copy(api_key))


def forget(digest: str) -> None:
    with _lock:
        _entries.pop(digest, None)


def used(digest: str, at: datetime) -> None:
    """Note the time a key was last marked used (so its cached copy does not ask again)."""
    entry = _entries.get(digest)
    if entry is not None:
        entry[1].last_used_at = at


def clear() -> None:
    with _lock:
        _entries.clear()


def forget_saved(sender: Any, instance: ApiKey, **kwargs: Any) -> None:
    """Signal receiver: a key saved or deleted here is looked up again on its next use (and
    again once the change commits, in case a request cached the old row meanwhile)."""
    digest = instance.digest
    forget(digest)
    transaction.on_commit(lambda: forget(digest))


def _copy(api_key: ApiKey) -> ApiKey:
    key = copy.copy(api_key)
    key._state = copy.copy(api_key._state)
    key._state.fields_cache = {}
    store = api_key._state.fields_cache.get("store")
    if store is not None:
        own = copy.copy(store)
        own._state = copy.copy(store._state)
        own._state.fields_cache = {}
        key._state.fields_cache["store"] = own
    return key
