"""Staff sessions: the current store (kept in the session), the role in it, and `staff_view`.

Every back-office view is wrapped in `staff_view(action)`, which in this order:
1. sends anonymous visitors to the sign-in page;
2. finds the staff member's current store (a store they are not a member of does not exist
   for them: 404);
3. refuses the action to roles not allowed by `permissions.PERMISSIONS` (403, nothing done);
4. calls the view with a `StaffContext`, and turns "not found" in this store into a 404 page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from retorno.accounts.models import Role
from retorno.accounts.selectors import memberships_for_user
from retorno.backoffice import permissions
from retorno.core.actors import Actor
from retorno.core.errors import NotFound
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
        from retorno.core.labels import label

        return label("role", self.role)


def store_accesses(user: Any) -> list[StoreAccess]:
    """The stores `user` may work in. Superusers are admins of every store."""
    if getattr(user, "is_superuser", False):
        return [StoreAccess(store, Role.ADMIN.value) for store in stores_by_name()]
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


View = Callable[..., HttpResponse]


def staff_view(action: str = permissions.VIEW) -> Callable[[View], View]:
    """Wrap a back-office view: sign-in, current store, permission for `action`, 404s.

    The view is called as `view(request, staff, *args, **kwargs)`.
    """
    if action not in permissions.PERMISSIONS:
        raise ValueError(f"Unknown back-office action {action!r}: add it to permissions.py")

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            from retorno.backoffice import rendering

            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("backoffice:login"))
            staff = current_staff(request)
            if staff is None:
                return rendering.no_store(request)
            if not staff.may(action):
                return rendering.forbidden(request, staff, action)
            try:
                return view(request, staff, *args, **kwargs)
            except (NotFound, Http404):
                return rendering.not_found(request, staff)

        wrapper.staff_action = action  # type: ignore[attr-defined]
        return wrapper

    return decorator
