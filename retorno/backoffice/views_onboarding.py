"""The first-run checklist of a store (owners and admins): each step with what it is for, a
link to where it is done, and whether the store's data shows it done; a step can be skipped
and resumed. The dashboard shows how far the store is until every step is done or skipped."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.returns.selectors.onboarding import onboarding_checklist
from retorno.stores.services import onboarding_step_set

# Where each step is done.
STEP_PAGES = {
    "policy": ("backoffice:settings_policy_form", {}),
    "carriers": ("backoffice:carriers", {}),
    "branding": ("backoffice:branding", {}),
    "notifications": ("backoffice:notification_channels", {}),
    "shop": ("backoffice:shopify", {}),
    "team": ("backoffice:team", {}),
    "test_return": ("portal:store", {"slug": None}),
}


def _url(step: str, staff: StaffContext) -> str:
    name, kwargs = STEP_PAGES[step]
    return reverse(name, kwargs={k: staff.store.slug for k in kwargs})


@require_GET
@staff_view(permissions.CONFIGURE)
def onboarding_page(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    checklist = onboarding_checklist(store=staff.store)
    return render_page(
        request,
        "backoffice/onboarding.html",
        {
            "checklist": checklist,
            "steps": [(step, _url(step.code, staff)) for step in checklist.steps],
        },
        staff=staff,
        section="settings",
    )


@require_POST
@staff_view(permissions.CONFIGURE)
def onboarding_step(request: HttpRequest, staff: StaffContext, step: str) -> HttpResponse:
    onboarding_step_set(store=staff.store, step=step, skipped=request.POST.get("skip") == "1")
    return redirect("backoffice:onboarding")
