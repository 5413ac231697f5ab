"""A store's settings as a web process read them lately, so a write request does not ask the
database again for what rarely changes: whether the store books carriers, its webhook endpoints,
whether it is connected to a Shopify shop, its notification settings. Together these were about
a fifth of a create request's CPU (four statements compiled and run on every create).

Invalidation: a row saved or deleted in this process drops its store's entry at once (and again
once the change commits, in case a request cached the old state meanwhile), through the model's
save and delete signals (`forget_on_change`); another process notices within
settings.STORE_SETTINGS_CACHE_SECONDS, when its entry expires. 0 turns the cache off. Callers get
values nothing can change in place (booleans, tuples) or their own copy.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

MAX_ENTRIES = 10_000  # beyond this the cache starts over (stores in use are few per process)

_entries: dict[tuple[str, int], tuple[float, Any]] = {}
_lock = threading.Lock()


def remembered(name: str, store_id: int, read: Callable[[], T]) -> T:
    """`read()`'s answer for the store, kept for STORE_SETTINGS_CACHE_SECONDS under `name`."""
    seconds = settings.STORE_SETTINGS_CACHE_SECONDS
    if seconds <= 0:
        return read()
    key = (name, store_id)
    entry = _entries.get(key)
    now = time.monotonic()
    if entry is not None and entry[0] > now:
        return entry[1]
    value = read()
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[key] = (now + seconds, value)
    return value


def forget(name: str, store_id: int) -> None:
    with _lock:
        _entries.pop((name, store_id), None)


def forget_changed(name: str, store_id: int) -> None:
    """For a change written without the model's signals (a queryset update): drop the entry now
    and again once the change commits."""
    forget(name, store_id)
    transaction.on_commit(lambda: forget(name, store_id))


def clear() -> None:
    with _lock:
        _entries.clear()


def forget_on_change(
    model: type[models.Model], name: str, store_of: Callable[[Any], int] | None = None
) -> None:
    """Drop the entry `name` of a row's store whenever a `model` row is saved or deleted here
    (`store_of` tells a row's store id; by default its `store_id`)."""

    def receiver(sender: Any, instance: Any, **kwargs: Any) -> None:
        forget_changed(name, store_of(instance) if store_of else instance.store_id)

    for signal in (post_save, post_delete):
        signal.connect(receiver, sender=model, weak=False, dispatch_uid=f"storecache:{name}")
