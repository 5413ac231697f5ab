"""The return policy as a form (admins): the same versioned document as the JSON editor, which
stays as the "advanced" way, with "Try it on this order" under the draft the form makes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.policy_form import EXTRA_ROWS, PolicyFormForm, initial_of
from retorno.backoffice.rendering import render_page
from retorno.backoffice.views_settings import (
    TryOrderForm,
    order_external_id,
    policy_decision_view,
)
from retorno.core.errors import NotFound, Unprocessable
from retorno.domain.errors import DomainError
from retorno.domain.policies import PolicyDocumentError, default_policy_document, parse_policy
from retorno.domain.policies.form import (
    PolicyForm,
    policy_document_from_form,
    policy_form_from_document,
)
from retorno.policies import selectors as policy_selectors
from retorno.policies import services as policy_services
from retorno.returns.selectors import Eligibility, order_eligibility_for_store


def _in_force(staff: StaffContext) -> tuple[dict[str, Any], int | None]:
    current = policy_selectors.policy_version_current(store=staff.store)
    if current is None:
        return default_policy_document(), None
    return current.document, current.version


def _problems(document: dict[str, Any], form: PolicyFormForm) -> list[str]:
    """The engine's objections to the draft, each on its field when the form has it."""
    try:
        parse_policy(document)
    except PolicyDocumentError as error:
        found = []
        for problem in policy_services.policy_errors(error):
            path, message = problem["field"], problem["message"]
            name = path.removeprefix("base.")
            if name in form.fields and "." not in name and "[" not in name:
                form.add_error(name, message)
            else:
                found.append(f"{path}: {message}" if path else message)
        return found
    return []


@require_http_methods(["GET", "POST"])
@staff_view(permissions.CONFIGURE, audit="settings.policy_published", audit_fields=("note",))
def policy_form(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    document, version = _in_force(staff)
    shown = policy_form_from_document(document)
    if request.method == "GET":
        form = PolicyFormForm(
            initial=initial_of(shown),
            tier_rows=len(shown.tier_windows) + EXTRA_ROWS,
            category_rows=len(shown.category_windows) + EXTRA_ROWS,
            resolution_order=shown.base.get("resolutions"),
        )
        return _page(request, staff, form, shown, version)
    form = PolicyFormForm(
        request.POST,
        tier_rows=PolicyFormForm.rows_posted(request.POST, "tier"),
        category_rows=PolicyFormForm.rows_posted(request.POST, "category"),
        resolution_order=shown.base.get("resolutions"),
    )
    trying = request.POST.get("action") == "try"
    try_form = TryOrderForm(request.POST) if trying else None
    draft = _draft(form, shown, document)
    problems = _problems(draft, form) if draft is not None else []
    if draft is None or problems or form.errors:
        return _page(
            request, staff, form, shown, version, problems=problems, try_form=try_form, status=422
        )
    if try_form is not None:
        return _try(request, staff, form, shown, version, draft, try_form)
    try:
        published = policy_services.policy_publish(
            store=staff.store,
            document=draft,
            actor=staff.actor,
            note=form.cleaned_data["note"].strip() or _("Changed with the policy form."),
        )
    except Unprocessable as error:
        return _page(request, staff, form, shown, version, problems=[error.detail], status=422)
    messages.success(
        request,
        _("Return policy version %(version)s published.") % {"version": published.version},
    )
    return redirect("backoffice:settings_policy_form")


def _draft(
    form: PolicyFormForm, shown: PolicyForm, document: dict[str, Any]
) -> dict[str, Any] | None:
    if not form.is_valid():
        return None
    values = form.policy_form()
    if form.errors:  # rows half filled in
        return None
    kept = PolicyForm(
        base=values.base,
        tier_windows=values.tier_windows,
        category_windows=values.category_windows,
        free_return_tiers=values.free_return_tiers,
        other_rules=shown.other_rules,
        origins=shown.origins,
    )
    return policy_document_from_form(document, kept)


def _try(
    request: HttpRequest,
    staff: StaffContext,
    form: PolicyFormForm,
    shown: PolicyForm,
    version: int | None,
    draft: dict[str, Any],
    try_form: TryOrderForm,
) -> HttpResponse:
    """Decide an order of this store under the draft the form makes. Writes nothing."""
    try_problems = [str(m) for errors in try_form.errors.values() for m in errors]
    result: Eligibility | None = None
    status = 422 if try_problems else 200
    if not try_problems:
        try:
            result = order_eligibility_for_store(
                store=staff.store,
                external_id=order_external_id(staff.store, try_form.cleaned_data["order"]),
                now=timezone.now(),
                policy_document=draft,
                items=try_form.cleaned_data["items"] or None,
                resolution=try_form.cleaned_data["resolution"] or None,
            )
        except NotFound:
            try_problems, status = [_("No order with this number in this store.")], 404
        except (Unprocessable, DomainError) as error:
            try_problems, status = [str(error)], 422
    return _page(
        request,
        staff,
        form,
        shown,
        version,
        try_form=try_form,
        try_problems=try_problems,
        result=result,
        status=status,
    )


def _page(
    request: HttpRequest,
    staff: StaffContext,
    form: PolicyFormForm,
    shown: PolicyForm,
    version: int | None,
    *,
    problems: list[str] | None = None,
    try_form: TryOrderForm | None = None,
    try_problems: list[str] | None = None,
    result: Eligibility | None = None,
    status: int = 200,
) -> HttpResponse:
    return render_page(
        request,
        "backoffice/settings_policy_form.html",
        {
            "form": form,
            "version": version,
            "other_rules": shown.other_rules,
            "problems": problems or [],
            "try_form": try_form or TryOrderForm(),
            "try_problems": try_problems or [],
            "result": result,
            "decision": policy_decision_view(result) if result is not None else None,
        },
        staff=staff,
        section="settings",
        status=status,
    )
