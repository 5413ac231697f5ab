"""Staff sessions: the stores a staff member may work in, the current one (kept in the
session) and the role in it, as a `StaffContext`. `guard.staff_view` wraps every view with it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from retorno.accounts.models import Role
from retorno.accounts.selectors import memberships_for_user
from retorno.backoffice import permissions
from retorno.core.actors import Actor
from retorno.core.errors import NotFound
from retorno.core.labels import label
from retorno.stores.models import Store
from retorno.stores.selectors import stores_by_name

SESSION_KEY = "backoffice_store_id"


@dataclass(frozen=True)
class StoreAccess:
    store: Store
    role: str


class _Can:
    """`staff.can.approve` in templates: whether the current role may do the action."""

    def __init__(self, role: str) -> None:
        self._role = role

    def __getattr__(self, action: str) -> bool:
        return permissions.is_allowed(self._role, action)


@dataclass(frozen=True)
class StaffContext:
    user: Any
    store: Store
    role: str
    stores: list[StoreAccess] = field(default_factory=list)

    @property
    def can(self) -> _Can:
        return _Can(self.role)

    def may(self, action: str) -> bool:
        return permissions.is_allowed(self.role, action)

    @property
    def actor(self) -> Actor:
        """The staff member on a return's trail: kind staff, user id, the name people know."""
        label = self.user.get_full_name() or self.user.get_username()
        return Actor(kind="staff", id=str(self.user.pk), label=label)

    @property
    def role_label(self) -> str:
        return label("role", self.role)


def store_accesses(user: Any) -> list[StoreAccess]:
    """The stores `user` may work in. A platform admin (a superuser) works in every store as
    its owner: a store made without one (the admin site, a command line without
    --owner-email, or whose owners all left) gets its first owner from its Team page, each
    change on the store's audit log under the platform admin's name."""
    if getattr(user, "is_superuser", False):
        return [StoreAccess(store, Role.OWNER.value) for store in stores_by_name()]
    return [StoreAccess(m.store, m.role) for m in memberships_for_user(user=user)]


def current_staff(request: HttpRequest) -> StaffContext | None:
    """The signed-in user's current store and role, or None when they have no store at all."""
    accesses = store_accesses(request.user)
    if not accesses:
        return None
    wanted = request.session.get(SESSION_KEY)
    chosen = next((a for a in accesses if a.store.pk == wanted), accesses[0])
    if wanted != chosen.store.pk:
        request.session[SESSION_KEY] = chosen.store.pk
    return StaffContext(user=request.user, store=chosen.store, role=chosen.role, stores=accesses)


def switch_store(request: HttpRequest, slug: str) -> StoreAccess:
    """Make the store with `slug` current. Raises NotFound if the user is not a member of it."""
    access = next((a for a in store_accesses(request.user) if a.store.slug == slug), None)
    if access is None:
        raise NotFound("No such store.", code="store_not_found")
    request.session[SESSION_KEY] = access.store.pk
    return access
