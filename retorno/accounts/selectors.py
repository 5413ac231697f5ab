from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import BooleanField, CharField, Q, Value
from django.db.models.functions import Concat, Trim

from retorno.accounts import keycache
from retorno.accounts.keys import KEY_PREFIX, digest_key
from retorno.accounts.models import ApiKey, AuditEntry, Membership, SavedView, StaffInvite
from retorno.core import keyset
from retorno.core.paging import capped_count

# Roles that work on returns' decisions, to whom a return can be assigned.
ASSIGNABLE_ROLES = ("owner", "admin", "manager", "agent")


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


def api_key_role(api_key: ApiKey) -> str | None:
    """The role an API key acts with on the store's team: its maker's role in the store today
    (a key follows its maker's demotion; deactivation revokes it), or admin for a key made on
    the command line or by such a key (never owner: only a person makes or removes owners)."""
    if api_key.created_by_id is None:
        return "admin"
    return (
        Membership.objects.filter(
            store_id=api_key.store_id, user_id=api_key.created_by_id, deactivated_at__isnull=True
        )
        .values_list("role", flat=True)
        .first()
    )


def memberships_for_user(*, user: Any) -> list[Membership]:
    """The stores a staff user works in, with the role in each, by store name."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Membership.objects.filter(user=user, deactivated_at__isnull=True)
        .select_related("store")
        .order_by("store__name", "id")
    )


def admin_emails_for_store(*, store: Any) -> list[str]:
    """The e-mail addresses of the store's owners and admins (those who have one), in a stable
    order."""
    return list(
        Membership.objects.filter(
            store=store,
            role__in=("owner", "admin"),
            user__is_active=True,
            deactivated_at__isnull=True,
        )
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
        Membership.objects.filter(
            store=store,
            role__in=ASSIGNABLE_ROLES,
            user__is_active=True,
            deactivated_at__isnull=True,
        )
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username", "id")
    )


def assignable_member(*, store: Any, user_id: int) -> Membership | None:
    """The store's assignable member with this user id, or None."""
    return (
        Membership.objects.filter(
            store=store,
            role__in=ASSIGNABLE_ROLES,
            user__is_active=True,
            deactivated_at__isnull=True,
            user_id=user_id,
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
        Membership.objects.filter(
            store=store,
            role__in=ASSIGNABLE_ROLES,
            user__is_active=True,
            deactivated_at__isnull=True,
        )
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
ANALYTICS_ROLES = ("owner", "admin", "manager", "analyst")


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str
    name: str


def analytics_recipients_for_store(*, store: Any) -> list[Recipient]:
    """The store's active owners, admins, managers and analysts who have an e-mail address, by
    address."""
    rows = (
        Membership.objects.filter(
            store=store,
            role__in=ANALYTICS_ROLES,
            user__is_active=True,
            deactivated_at__isnull=True,
        )
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


# --- the team and its audit log ----------------------------------------------------------------


@dataclass(frozen=True)
class Team:
    members: list[Membership]  # active first, then deactivated; by name
    invites: list[Any]  # StaffInvite rows not accepted nor revoked, newest first


def team_for_store(*, store: Any) -> Team:
    """Who works in the store (and who did), and the invitations still open or expired."""
    members = sorted(
        Membership.objects.filter(store=store).select_related("user"),
        key=lambda m: (
            m.deactivated_at is not None,
            (m.user.get_full_name() or m.user.get_username()).lower(),
            m.pk,
        ),
    )
    invites = list(
        StaffInvite.objects.filter(store=store, accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at", "-id")[:200]
    )
    return Team(members=members, invites=invites)


def member_of_store(*, store: Any, user_id: int) -> Membership | None:
    return Membership.objects.filter(store=store, user_id=user_id).select_related("user").first()


@dataclass(frozen=True)
class AuditFilters:
    actor: int | None = None  # a user id
    action: str = ""  # an action code, or its family before the dot ("staff", "settings")
    since: datetime | None = None
    until: datetime | None = None  # exclusive


@dataclass(frozen=True)
class AuditPage:
    results: list[AuditEntry]
    next_cursor: str | None
    previous_cursor: str | None
    total: int  # counted up to retorno.core.paging.COUNT_CAP + 1


def audit_entries(
    *,
    store: Any,
    filters: AuditFilters,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 50,
) -> AuditPage:
    """One keyset page of the store's audit log, newest first, narrowed by `filters` (a cursor
    that is not one shows the first page), with the count of what matches (capped)."""
    rows = AuditEntry.objects.filter(store=store)
    if filters.actor is not None:
        rows = rows.filter(actor_id=filters.actor)
    if filters.action:
        if "." in filters.action:
            rows = rows.filter(action=filters.action)
        else:
            rows = rows.filter(action__startswith=f"{filters.action}.")
    if filters.since is not None:
        rows = rows.filter(created_at__gte=filters.since)
    if filters.until is not None:
        rows = rows.filter(created_at__lt=filters.until)
    page = keyset.newest_first(rows, limit=per_page, after=after, before=before, strict=False)
    return AuditPage(
        results=page.results,
        next_cursor=page.next_cursor,
        previous_cursor=page.previous_cursor,
        total=capped_count(rows),
    )


def audit_actors(*, store: Any) -> list[tuple[int, str]]:
    """The people who appear on the store's audit log, as (user id, name), by name."""
    seen = (
        AuditEntry.objects.filter(store=store, actor__isnull=False)
        .values_list("actor_id", "actor_label")
        .distinct()
    )
    named = {actor_id: name for actor_id, name in seen}
    return sorted(named.items(), key=lambda p: (p[1].lower(), p[0]))


def audit_actions(*, store: Any) -> list[str]:
    """The action codes on the store's audit log, sorted."""
    return sorted(
        set(AuditEntry.objects.filter(store=store).values_list("action", flat=True).distinct())
    )
