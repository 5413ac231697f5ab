"""Rendering staff pages: the shared layout context, navigation, and the error pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.domain.days import zone


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    action: str
    section: str


# The header's menu. A new page adds one line here; it shows only to roles allowed `action`.
NAVIGATION: list[NavItem] = [
    NavItem("backoffice:dashboard", _("Dashboard"), permissions.VIEW, "dashboard"),
    NavItem("backoffice:queue", _("Returns"), permissions.VIEW, "returns"),
    NavItem("backoffice:customers", _("Customers"), permissions.VIEW, "customers"),
    NavItem("backoffice:shipments", _("Shipments"), permissions.VIEW, "shipments"),
    NavItem("backoffice:receiving", _("Receiving"), permissions.RECEIVE, "receiving"),
    NavItem("backoffice:rtv", _("Return to vendor"), permissions.SET_DISPOSITION, "rtv"),
    NavItem("backoffice:refunds", _("Refunds"), permissions.REFUND_VIEW, "finance"),
    NavItem("backoffice:claims", _("Claims"), permissions.CLAIM_VIEW, "claims"),
    NavItem("backoffice:analytics", _("Analytics"), permissions.ANALYTICS_VIEW, "analytics"),
    NavItem("backoffice:insight", _("Comment insight"), permissions.INSIGHT_VIEW, "insight"),
    # Agents and admins act on it: failed pickups and bookings no carrier took.
    NavItem("backoffice:pickups_desk", _("Failed pickups"), permissions.APPROVE, "pickups"),
    NavItem("backoffice:messages", _("Messages"), permissions.MESSAGES_VIEW, "messages"),
    NavItem("backoffice:carriers", _("Carriers"), permissions.CONFIGURE, "carriers"),
    NavItem("backoffice:settings_policy", _("Settings"), permissions.CONFIGURE, "settings"),
    NavItem("backoffice:team", _("Team"), permissions.TEAM_MANAGE, "team"),
    NavItem("backoffice:audit", _("Audit log"), permissions.AUDIT_VIEW, "audit"),
]


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    staff: StaffContext | None,
    section: str = "",
    status: int = 200,
) -> HttpResponse:
    """Render a staff page in the store's time zone, never cached."""
    context = {
        **context,
        "staff": staff,
        "section": section,
        "navigation": [n for n in NAVIGATION if staff is not None and staff.may(n.action)],
    }
    with timezone.override(zone(staff.store.timezone if staff is not None else None)):
        response = TemplateResponse(request, template, context, status=status)
        response.render()
    response.headers["Cache-Control"] = "no-store"
    return response


def forbidden(request: HttpRequest, staff: StaffContext, action: str) -> HttpResponse:
    return render_page(
        request,
        "backoffice/forbidden.html",
        {"action_label": permissions.ACTION_LABELS.get(action, action)},
        staff=staff,
        status=403,
    )


def no_store(request: HttpRequest) -> HttpResponse:
    return render_page(request, "backoffice/no_store.html", {}, staff=None, status=403)


def not_found(request: HttpRequest, staff: StaffContext | None) -> HttpResponse:
    return render_page(request, "backoffice/not_found.html", {}, staff=staff, status=404)
