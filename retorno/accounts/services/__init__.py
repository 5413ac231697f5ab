"""Writes for staff access and API keys."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from retorno.accounts import keycache
from retorno.accounts.keys import digest_key, display_prefix, generate_key
from retorno.accounts.models import ApiKey, Membership, Role, SavedView, Scope
from retorno.core.errors import Conflict, NotFound, Unprocessable
from retorno.stores.models import Store

ALL_SCOPES = (Scope.READ, Scope.WRITE, Scope.ADMIN)


def api_key_create(
    *,
    store: Store,
    name: str,
    scopes: Iterable[str] = ALL_SCOPES,
    key: str | None = None,
    created_by: Any = None,
) -> tuple[ApiKey, str]:
    """Create a key and return it with its plain text, which is never stored.

    `key` lets an operator choose the key (the demo and `createstore --api-key`); it must be long
    enough to be unguessable. `created_by`, the staff member making it: the key is revoked
    when they are deactivated.
    """
    scopes = list(dict.fromkeys(str(s) for s in scopes))
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise Unprocessable("An API key needs a name of 1 to 80 characters.", code="invalid_name")
    unknown = set(scopes) - set(Scope.values)
    if unknown:
        raise Unprocessable(f"Unknown scopes: {', '.join(sorted(unknown))}.", code="invalid_scope")
    plain = key or generate_key()
    if len(plain) < 16:
        raise Unprocessable("An API key must be at least 16 characters long.", code="weak_api_key")
    digest = digest_key(plain)
    existing = ApiKey.objects.filter(digest=digest).first()
    if existing is not None:
        if existing.store_id != store.id:
            raise Conflict("This API key is already used by another store.", code="api_key_taken")
        return existing, plain
    api_key = ApiKey.objects.create(
        store=store,
        name=name,
        prefix=display_prefix(plain),
        digest=digest,
        scopes=scopes,
        created_by=created_by if getattr(created_by, "pk", None) else None,
    )
    return api_key, plain


def api_key_revoke(*, store: Store, key_id: int) -> ApiKey:
    with transaction.atomic():
        api_key = ApiKey.objects.select_for_update().filter(store=store, id=key_id).first()
        if api_key is None:
            raise NotFound("No such API key.", code="api_key_not_found")
        if api_key.revoked_at is None:
            api_key.revoked_at = timezone.now()
            api_key.save(update_fields=["revoked_at", "updated_at"])
    digest = api_key.digest
    # Once committed (at once outside a transaction): a request reading the key before the
    # commit could otherwise put the unrevoked key back into the cache.
    transaction.on_commit(lambda: keycache.forget(digest))
    return api_key


def api_keys_reread_store() -> None:
    """Forget the keys this process authenticated lately with their copies of the store, so a
    change to the store's own settings counts from the next request here (other processes
    read it within settings.API_KEY_CACHE_SECONDS)."""
    keycache.clear()


def membership_grant(
    *, store: Store, username: str, email: str, role: str, password: str | None = None
) -> Membership:
    if role not in Role.values:
        raise Unprocessable(f"Unknown role {role!r}.", code="invalid_role")
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username, defaults={"email": email, "is_staff": True}
    )
    if password:
        user.set_password(password)
        user.save(update_fields=["password"])
    elif created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    membership, _ = Membership.objects.update_or_create(
        user=user, store=store, defaults={"role": role}
    )
    return membership


# How fresh "last used" is kept: writing it on every request would add a write to every read.
LAST_USED_PRECISION = timedelta(minutes=5)


def api_key_mark_used(api_key: ApiKey, *, now: datetime | None = None) -> None:
    """Record that `api_key` was used, at most once per LAST_USED_PRECISION (one conditional
    UPDATE, so concurrent requests of the same key write it once)."""
    now = now or timezone.now()
    stale = now - LAST_USED_PRECISION
    if api_key.last_used_at is not None and api_key.last_used_at > stale:
        return
    ApiKey.objects.filter(id=api_key.id).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale)
    ).update(last_used_at=now)
    api_key.last_used_at = now
    keycache.used(api_key.digest, now)


SAVED_VIEW_NAME_MAX = 60
SAVED_VIEW_QUERY_MAX = 1000


def saved_view_save(*, store: Store, user: Any, name: str, query: str, shared: bool) -> SavedView:
    """Keep the queue's filters under `name` for `user` (the same name again replaces them)."""
    name = " ".join((name or "").split())
    if not name or len(name) > SAVED_VIEW_NAME_MAX:
        raise Unprocessable(
            f"A view needs a name of 1 to {SAVED_VIEW_NAME_MAX} characters.", code="invalid_name"
        )
    query = (query or "").lstrip("?")
    if len(query) > SAVED_VIEW_QUERY_MAX:
        raise Unprocessable("These filters are too long to keep.", code="invalid_query")
    view, _ = SavedView.objects.update_or_create(
        store=store, owner=user, name=name, defaults={"query": query, "shared": shared}
    )
    return view


def saved_view_delete(*, store: Store, user: Any, view_id: int) -> None:
    """Remove one of `user`'s views (a view shared by someone else is theirs to remove)."""
    deleted, _ = SavedView.objects.filter(store=store, owner=user, id=view_id).delete()
    if not deleted:
        raise NotFound("No such view of yours.", code="saved_view_not_found")
