"""The audit log of staff actions: who changed what in a store, and when.

Entries are written by the services that change a team (invites, roles, deactivations) and, for
the store's settings and money, by the back office's `audited` views (retorno.backoffice.audit)
once the change has been made. Details never hold a secret: fields named like one are dropped."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from retorno.accounts.models import AuditEntry
from retorno.stores.models import Store

# Field names whose values never reach the log (a password, a carrier's key, a webhook secret).
SECRET_NAME = re.compile(r"password|secret|token|csrf|credential|(^|_)(api_)?key$", re.IGNORECASE)
MAX_VALUE = 200  # characters kept of one value
MAX_FIELDS = 40


@dataclass(frozen=True)
class KeyActor:
    """An API key acting on a store's team: the log keeps the person who made the key (None
    for a key made on the command line) and names the key, so a change made through the API
    reads apart from one made on the pages."""

    user: Any
    key_name: str

    @property
    def pk(self) -> int | None:
        return getattr(self.user, "pk", None)


def actor_user(actor: Any) -> Any:
    """The staff user behind `actor` (a user, a KeyActor or None), for foreign keys."""
    user = actor.user if isinstance(actor, KeyActor) else actor
    return user if getattr(user, "pk", None) else None


def person_label(user: Any) -> str:
    if isinstance(user, KeyActor):
        made_by = f" ({person_label(user.user)})" if user.pk else ""
        return f"API key {user.key_name}{made_by}"[:150]
    if user is None:
        return "Retorno"
    return (user.get_full_name() or user.get_username() or f"#{user.pk}")[:150]


def clean_details(details: Mapping[str, Any]) -> dict[str, Any]:
    """What may be kept of a change's details: no secret fields, short values, few fields."""
    kept: dict[str, Any] = {}
    for name, value in list(details.items())[:MAX_FIELDS]:
        if SECRET_NAME.search(str(name)):
            kept[str(name)] = "•••"
            continue
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        if isinstance(value, str) and len(value) > MAX_VALUE:
            value = value[: MAX_VALUE - 1] + "…"
        kept[str(name)] = value
    return kept


def audit_record(
    *,
    store: Store,
    actor: Any,
    action: str,
    target: str = "",
    details: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Add one entry: `actor` is the staff user, a KeyActor, or None for Retorno itself."""
    return AuditEntry.objects.create(
        store=store,
        actor=actor_user(actor),
        actor_label=person_label(actor),
        action=action[:40],
        target=str(target)[:200],
        details=clean_details(details or {}),
        created_at=at or timezone.now(),
    )
