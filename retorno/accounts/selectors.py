from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, CharField, Q, Value
from django.db.models.functions import Concat, Trim

from retorno.accounts import keycache
from retorno.accounts.keys import KEY_PREFIX, digest_key
from retorno.accounts.models import ApiKey, Membership, SavedView

# Roles that work on returns' decisions, to whom a return can be assigned.
ASSIGNABLE_ROLES = ("admin", "agent")


def api_key_authenticate(plain: str) -> ApiKey | None:
    """The active key matching `plain`, with its store loaded in the same query; a key this
    process authenticated lately comes from its cache (retorno.accounts.keycache, which says
    how soon a revocation is seen)."""
    if not plain.startswith(KEY_PREFIX) and len(plain) < 16:
        return None
    digest = digest_key(plain)
    found = keycache.cached(digest)
    if found is not None:
        return found
    found = (
        ApiKey.objects.select_related("store")
        .filter(digest=digest, revoked_at__isnull=True)
        .first()
    )
    if found is not None:
        keycache.remember(found)
    return found


def memberships_for_user(*, user: Any) -> list[Membership]:
    """The stores a staff user works in, with the role in each, by store name."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Membership.objects.filter(user=user).select_related("store").order_by("store__name", "id")
    )


def admin_emails_for_store(*, store: Any) -> list[str]:
    """The e-mail addresses of the store's admins (those who have one), in a stable order."""
    return list(
        Membership.objects.filter(store=store, role="admin", user__is_active=True)
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("user__email", flat=True)
        .distinct()
    )


def api_key_list_for_store(*, store: Any) -> list[ApiKey]:
    """The store's API keys, active and revoked, newest first (never their secret: only a
    digest is stored)."""
    return list(ApiKey.objects.filter(store=store).order_by("-created_at", "-id"))


def saved_views_for_staff(*, store: Any, user: Any) -> list[SavedView]:
    """The queue views a staff member can pick: their own and those shared in the store, by
    name."""
    return list(
        SavedView.objects.filter(store=store)
        .filter(Q(owner=user) | Q(shared=True))
        .order_by("name", "id")
    )


def assignable_staff_for_store(*, store: Any) -> list[Membership]:
    """Staff a return can be given to: active members of the store who decide returns (admins
    and agents), by name."""
    return list(
        Membership.objects.filter(store=store, role__in=ASSIGNABLE_ROLES, user__is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username", "id")
    )


def assignable_member(*, store: Any, user_id: int) -> Membership | None:
    """The store's assignable member with this user id, or None."""
    return (
        Membership.objects.filter(
            store=store, role__in=ASSIGNABLE_ROLES, user__is_active=True, user_id=user_id
        )
        .select_related("user")
        .first()
    )


@dataclass(frozen=True)
class SavedViewChoice:
    id: int
    name: str
    query: str
    shared: bool
    owner_id: int


@dataclass(frozen=True)
class QueuePickers:
    views: list[SavedViewChoice]
    people: list[tuple[int, str]]  # (user id, name) of assignable staff


def queue_pickers_for_staff(*, store: Any, user: Any) -> QueuePickers:
    """What the queue's pickers list, in one statement: the saved views a staff member can pick
    (`saved_views_for_staff`) and the staff returns can be assigned to
    (`assignable_staff_for_store`)."""
    text: CharField[str, str] = CharField()
    views = (
        SavedView.objects.filter(store=store)
        .filter(Q(owner=user) | Q(shared=True))
        .annotate(kind=Value("view", output_field=text))
        .values_list("kind", "id", "name", "query", "shared", "owner_id")
    )
    people = (
        Membership.objects.filter(store=store, role__in=ASSIGNABLE_ROLES, user__is_active=True)
        .annotate(
            kind=Value("person", output_field=text),
            full=Trim(Concat("user__first_name", Value(" "), "user__last_name")),
            blank=Value("", output_field=text),
            no=Value(False, output_field=BooleanField()),
        )
        .values_list("kind", "user_id", "full", "user__username", "no", "user_id")
    )
    found: list[SavedViewChoice] = []
    named: list[tuple[int, str]] = []
    for kind, row_id, name, extra, shared, owner_id in views.union(people, all=True):
        if kind == "view":
            found.append(SavedViewChoice(row_id, name, extra, bool(shared), owner_id))
        else:
            named.append((row_id, name or extra))
    found.sort(key=lambda v: (v.name.lower(), v.id))
    named.sort(key=lambda p: (p[1].lower(), p[0]))
    return QueuePickers(views=found, people=named)


# The roles that read the analytics, and so receive its e-mails (weekly digest, supplier alerts).
ANALYTICS_ROLES = ("admin", "analyst")


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str
    name: str


def analytics_recipients_for_store(*, store: Any) -> list[Recipient]:
    """The store's active admins and analysts who have an e-mail address, by address."""
    rows = (
        Membership.objects.filter(store=store, role__in=ANALYTICS_ROLES, user__is_active=True)
        .exclude(user__email="")
        .order_by("user__email", "user_id")
        .values_list("user_id", "user__email", "user__first_name")
    )
    seen: set[int] = set()
    found = []
    for user_id, email, name in rows:
        if user_id not in seen:
            seen.add(user_id)
            found.append(Recipient(user_id, email, name or ""))
    return found
