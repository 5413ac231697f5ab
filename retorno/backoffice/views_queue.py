"""The dashboard and the returns queue of a daily team: filters and saved views, assignment,
timers per state, bulk actions confirmed by how many they touch, and exports of what is
filtered. Everything works without JavaScript; backoffice/queue.js only adds shortcuts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from retorno.accounts import selectors as account_selectors
from retorno.accounts import services as account_services
from retorno.backoffice import permissions, queue_export
from retorno.backoffice.access import StaffContext
from retorno.backoffice.forms import BulkForm, QueueFilterForm, SavedViewForm
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import forbidden, render_page
from retorno.core import labels
from retorno.core.errors import RetornoError
from retorno.domain.days import local_time, zone
from retorno.insight import selectors as insight_selectors
from retorno.returns.selectors import queue as returns_queue
from retorno.returns.selectors.onboarding import onboarding_checklist
from retorno.returns.workflows import bulk

QUEUE_PER_PAGE = 25
# Which role may do each bulk action (the same as on a return's page).
BULK_PERMISSION = {
    "approve": permissions.APPROVE,
    "reject": permissions.REJECT,
    "assign": permissions.APPROVE,
    "labels": permissions.VIEW,
    "export": permissions.VIEW,
}


@require_GET
@staff_view()
def dashboard(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    board = returns_queue.return_dashboard_for_store(store=staff.store)
    counts = [
        (code, text, board.counts_by_status.get(code, 0)) for code, text in labels.STATUS.items()
    ]
    # Owners and admins see how far the store's first-run checklist is until it is complete.
    checklist = (
        onboarding_checklist(store=staff.store) if staff.may(permissions.CONFIGURE) else None
    )
    return render_page(
        request,
        "backoffice/dashboard.html",
        {
            "board": board,
            "counts": counts,
            "onboarding": checklist if checklist is not None and not checklist.complete else None,
        },
        staff=staff,
        section="dashboard",
    )


def _assignees(staff: StaffContext) -> list[tuple[int, str]]:
    return [
        (m.user_id, m.user.get_full_name() or m.user.get_username())
        for m in account_selectors.assignable_staff_for_store(store=staff.store)
    ]


def _filter_form(
    request: HttpRequest, staff: StaffContext, people: list[tuple[int, str]]
) -> QueueFilterForm:
    return QueueFilterForm(
        request.GET or None,
        tiers=returns_queue.customer_tiers_for_store(store=staff.store),
        assignees=people,
        me=staff.user.pk if staff.may(permissions.APPROVE) else None,
    )


@require_GET
@staff_view()
def queue(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    pickers = account_selectors.queue_pickers_for_staff(store=staff.store, user=staff.user)
    form = _filter_form(request, staff, pickers.people)
    now = timezone.now()
    page = returns_queue.return_queue_for_store(
        store=staff.store,
        filters=form.filters(),
        now=now,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        per_page=QUEUE_PER_PAGE,
    )
    predictions = insight_selectors.predictions_for_returns(
        store=staff.store, return_ids=[row.id for row in page.results]
    )
    query = request.GET.copy()
    for cursor in ("after", "before"):
        query.pop(cursor, None)
    return render_page(
        request,
        "backoffice/queue.html",
        {
            "form": form,
            "page": page,
            "now": now,
            "filtered": form.is_bound and form.is_filtered,
            "drill_down": form.drill_down() if form.is_bound else [],
            "predictions": predictions,
            "query": query.urlencode(),
            "saved_views": pickers.views,
            "view_form": SavedViewForm(initial={"query": query.urlencode()}),
            "bulk_actions": [
                (a, labels.label("bulk_action", a))
                for a, needed in BULK_PERMISSION.items()
                if staff.may(needed)
            ],
        },
        staff=staff,
        section="returns",
    )


# --- exports -----------------------------------------------------------------------------------


def _download(
    staff: StaffContext, rows: Any, file_format: str, now: datetime, *, what: str
) -> HttpResponse:
    stamp = local_time(now, staff.store.timezone).strftime("%Y%m%d-%H%M")
    name = f"{staff.store.slug}-{what}-{stamp}"
    table = queue_export.table(rows, store_zone=zone(staff.store.timezone), now=now)
    if file_format == "xlsx":
        response = HttpResponse(
            queue_export.xlsx(table),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    streaming = StreamingHttpResponse(
        queue_export.csv(table), content_type="text/csv; charset=utf-8"
    )
    streaming["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return streaming  # type: ignore[return-value]


@require_GET
@staff_view()
def queue_export_view(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    """Every return the queue's filters keep (up to QUEUE_EXPORT_MAX), as CSV or XLSX."""
    form = _filter_form(request, staff, _assignees(staff))
    now = timezone.now()
    rows = returns_queue.return_queue_export_for_store(
        store=staff.store, filters=form.filters(), now=now
    )
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return _download(staff, rows, file_format, now, what="returns")


# --- saved views ---------------------------------------------------------------------------------


@require_POST
@staff_view()
def saved_view_save(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    form = SavedViewForm(request.POST)
    query = str(request.POST.get("query", ""))[:1000]
    if not form.is_valid():
        messages.error(request, _("Give the view a name of up to 60 characters."))
        return redirect(f"{reverse('backoffice:queue')}?{query}")
    try:
        view = account_services.saved_view_save(
            store=staff.store,
            user=staff.user,
            name=form.cleaned_data["name"],
            query=form.cleaned_data["query"],
            shared=form.cleaned_data["shared"],
        )
    except RetornoError as exc:
        messages.error(request, exc.detail)
        return redirect(f"{reverse('backoffice:queue')}?{query}")
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(f"{reverse('backoffice:queue')}?{view.query}")


@require_POST
@staff_view()
def saved_view_delete(request: HttpRequest, staff: StaffContext, view_id: int) -> HttpResponse:
    account_services.saved_view_delete(store=staff.store, user=staff.user, view_id=view_id)
    messages.success(request, _("View removed."))
    return redirect("backoffice:queue")


# --- bulk actions --------------------------------------------------------------------------------


def _queue_url(form: BulkForm) -> str:
    return reverse("backoffice:queue") + form.back_url()


def _report(request: HttpRequest, action: str, outcome: bulk.BulkOutcome) -> None:
    done = len(outcome.done)
    if done:
        texts = {
            "approve": ngettext("%(n)d return approved.", "%(n)d returns approved.", done),
            "reject": ngettext("%(n)d return rejected.", "%(n)d returns rejected.", done),
            "assign": ngettext("%(n)d return assigned.", "%(n)d returns assigned.", done),
        }
        messages.success(request, texts[action] % {"n": done})
    for rma, code in outcome.refused:
        messages.warning(
            request,
            _("%(rma)s was left as it was: %(why)s.")
            % {"rma": rma, "why": labels.label("bulk_refusal", code)},
        )


@require_POST
@staff_view()
def queue_bulk(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    """A bulk action on the ticked returns: first a page that names how many it will touch
    (and lets the note, the agent or the file be chosen), then, confirmed, the action."""
    assignees = _assignees(staff)
    form = BulkForm(request.POST, assignees=assignees)
    if not form.is_valid() or not form.cleaned_data["rma"]:
        messages.error(request, _("Tick the returns first, then choose what to do with them."))
        return redirect(_queue_url(form))
    data = form.cleaned_data
    action, rmas = data["action"], data["rma"]
    if not staff.may(BULK_PERMISSION[action]):
        return forbidden(request, staff, BULK_PERMISSION[action])
    if len(rmas) > bulk.BULK_MAX:
        messages.error(request, _("Choose at most %(n)d returns at once.") % {"n": bulk.BULK_MAX})
        return redirect(_queue_url(form))
    if not data["confirmed"]:
        found = returns_queue.returns_by_rma_for_store(store=staff.store, rmas=rmas)
        bundle = (
            bulk.labels_for_returns(store=staff.store, rmas=rmas, build=False)
            if action == "labels"
            else None
        )
        return render_page(
            request,
            "backoffice/queue_bulk_confirm.html",
            {
                "form": form,
                "action": action,
                "action_label": labels.label("bulk_action", action),
                "returns": found,
                "asked": len(rmas),
                "count": len(bundle.included) if bundle else len(found),
                "labels": bundle,
                "back": _queue_url(form),
            },
            staff=staff,
            section="returns",
        )
    now = timezone.now()
    if action == "export":
        found = returns_queue.returns_by_rma_for_store(store=staff.store, rmas=rmas)
        return _download(staff, found, data["format"] or "csv", now, what="selected-returns")
    if action == "labels":
        bundle = bulk.labels_for_returns(store=staff.store, rmas=rmas)
        if bundle.pdf is None:
            messages.error(request, _("None of the selected returns has a label to print."))
            return redirect(_queue_url(form))
        response = HttpResponse(bundle.pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="{staff.store.slug}-labels-{len(bundle.included)}.pdf"'
        )
        response["Cache-Control"] = "private, no-store"
        return response
    try:
        if action == "assign":
            who = data["assignee"]
            outcome = bulk.returns_assign(
                store=staff.store,
                rmas=rmas,
                assignee_id=int(who) if who and who.isdigit() else None,
                actor=staff.actor,
            )
        else:
            outcome = bulk.returns_bulk_decide(
                store=staff.store, rmas=rmas, decision=action, actor=staff.actor, note=data["note"]
            )
    except RetornoError as exc:
        messages.error(request, exc.detail)
        return redirect(_queue_url(form))
    _report(request, action, outcome)
    return redirect(_queue_url(form))
