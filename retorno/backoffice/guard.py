"""`staff_view(action)`, the door of every back-office view. In this order it:
1. sends anonymous visitors to the sign-in page;
2. finds the staff member's current store (a store they are not a member of does not exist
   for them: 404);
3. refuses the action to roles not allowed by `permissions.PERMISSIONS` (403, nothing done);
4. calls the view with a `StaffContext`, and turns "not found" in this store into a 404 page;
5. with `audit="family.action"`, puts the change the view made on the store's audit log
   (retorno.backoffice.audit: only a POST that changed something, `audit_fields` limiting the
   form's fields kept).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from retorno.backoffice import permissions, rendering
from retorno.backoffice.access import current_staff
from retorno.backoffice.audit import record_change
from retorno.core.errors import NotFound

View = Callable[..., HttpResponse]


def staff_view(
    action: str = permissions.VIEW,
    *,
    audit: str = "",
    audit_fields: tuple[str, ...] | None = None,
) -> Callable[[View], View]:
    """Wrap a back-office view: sign-in, current store, permission for `action`, 404s, and the
    audit log when `audit` names the change.

    The view is called as `view(request, staff, *args, **kwargs)`.
    """
    if action not in permissions.PERMISSIONS:
        raise ValueError(f"Unknown back-office action {action!r}: add it to permissions.py")

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("backoffice:login"))
            staff = current_staff(request)
            if staff is None:
                return rendering.no_store(request)
            if not staff.may(action):
                return rendering.forbidden(request, staff, action)
            try:
                response = view(request, staff, *args, **kwargs)
            except (NotFound, Http404):
                return rendering.not_found(request, staff)
            if audit:
                record_change(
                    request,
                    response,
                    staff=staff,
                    code=audit,
                    url_kwargs=kwargs,
                    fields=audit_fields,
                )
            return response

        wrapper.staff_action = action  # type: ignore[attr-defined]
        return wrapper

    return decorator
