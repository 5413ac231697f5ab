"""The carrier allocation rules as a form (admins): the same versioned document as the JSON
editor on the carriers page, which stays as "Advanced (JSON)", and "Try it" under the draft the
form makes. The engine's objections come back on the rule and field they concern."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.carrier_rules_form import kept_forms, rules_formset
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.backoffice.views_carriers import (
    METHODS,
    TRY_FIELDS,
    BadFacts,
    allocate_sample,
    default_facts,
    problem_text,
    verdict_rows,
)
from retorno.core.errors import Unprocessable
from retorno.domain.logistics import (
    Allocation,
    AllocationRulesDocumentError,
    default_allocation_rules_document,
    parse_allocation_rules,
)
from retorno.domain.logistics.rules_form import document_from_rows, row_problem, rows_from_document
from retorno.logistics import selectors
from retorno.logistics.services import accounts as carrier_accounts


@require_http_methods(["GET", "POST"])
@staff_view(permissions.CONFIGURE, audit="settings.carrier_rules_published", audit_fields=("note",))
def rules_form(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    accounts = list(selectors.carrier_accounts_for_store(staff.store))
    carriers = [(a.code, f"{a.name} ({a.code})") for a in accounts]
    current = selectors.allocation_rules_current(staff.store)
    if request.method == "GET":
        document = current.document if current else default_allocation_rules_document()
        formset = rules_formset(rows=rows_from_document(document), carriers=carriers)
        return _page(request, staff, formset, current=current)

    formset = rules_formset(request.POST, carriers=carriers)
    note = request.POST.get("note", "").strip()[:500]
    trying = request.POST.get("action") == "try"
    facts = {name: request.POST.get(name, "").strip()[:200] for name in TRY_FIELDS}
    if not formset.is_valid():
        return _page(request, staff, formset, current=current, note=note, facts=facts, status=422)
    kept = kept_forms(formset)
    document = document_from_rows([form.row() for form in kept])
    try:
        rules = parse_allocation_rules(document, known_carrier_codes=[a.code for a in accounts])
    except AllocationRulesDocumentError as error:
        problems = _place(error, kept)
        return _page(
            request,
            staff,
            formset,
            current=current,
            note=note,
            facts=facts,
            problems=problems,
            status=422,
        )
    if trying:
        try:
            allocation, unusable = allocate_sample(staff, rules, facts)
        except BadFacts as bad:
            return _page(
                request,
                staff,
                formset,
                current=current,
                note=note,
                facts=facts,
                try_problems=bad.messages,
                status=422,
            )
        return _page(
            request,
            staff,
            formset,
            current=current,
            note=note,
            facts=facts,
            allocation=allocation,
            verdicts=verdict_rows(allocation, accounts),
            unusable=unusable,
        )
    try:
        published = carrier_accounts.allocation_rules_publish(
            store=staff.store,
            document=document,
            actor=staff.actor,
            note=note or _("Changed with the rules form."),
        )
    except Unprocessable as error:
        return _page(
            request, staff, formset, current=current, note=note, problems=[error.detail], status=422
        )
    messages.success(
        request,
        _("Allocation rules version %(version)s published.") % {"version": published.version},
    )
    return redirect("backoffice:carriers_rules_form")


def _place(error: AllocationRulesDocumentError, kept: list[Any]) -> list[str]:
    """Put each problem on its rule's field, in the page's language; what has no field is
    returned for the top."""
    left = []
    for problem in error.errors:
        where = row_problem(problem.field)
        message = problem_text(problem)
        if where is not None and where[0] < len(kept):
            index, field = where
            kept[index].add_error(field, message)
        else:
            left.append(f"{problem.field}: {message}" if problem.field else message)
    return left


def _page(
    request: HttpRequest,
    staff: StaffContext,
    formset: Any,
    *,
    current: Any,
    note: str = "",
    facts: dict[str, str] | None = None,
    problems: list[str] | None = None,
    try_problems: list[str] | None = None,
    allocation: Allocation | None = None,
    verdicts: list[dict[str, Any]] | None = None,
    unusable: list[Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render_page(
        request,
        "backoffice/carriers_rules_form.html",
        {
            "formset": formset,
            "current": current,
            "note": note,
            "problems": problems or [],
            "facts": facts or default_facts(staff),
            "methods": METHODS,
            "currency": staff.store.currency,
            "try_url": reverse("backoffice:carriers_rules_form"),
            "try_problems": try_problems or [],
            "allocation": allocation,
            "verdicts": verdicts or [],
            "unusable": unusable or [],
        },
        staff=staff,
        section="carriers",
        status=status,
    )
