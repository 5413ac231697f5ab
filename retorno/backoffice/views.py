"""Staff pages. Thin: `staff_view` checks who may do what, then one selector or service is
called with the staff member as the actor, and the page is rendered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext, switch_store
from retorno.backoffice.forms import (
    ApproveForm,
    CancelForm,
    OverrideForm,
    RejectForm,
)
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import not_found, render_page
from retorno.backoffice.signin_forms import ThrottledSignIn
from retorno.core import labels
from retorno.core.errors import NotFound, RetornoError, http_status
from retorno.core.pictures import variant_picture
from retorno.domain.errors import DomainError
from retorno.insight import selectors as insight_selectors
from retorno.money.selectors import money_rows_for_return
from retorno.notifications.selectors import messages_for_return
from retorno.returns import selectors, services
from retorno.returns.models import Return
from retorno.returns.selectors.shop_now import shop_now_lines, shop_now_total
from retorno.returns.workflows.signals import signals_for_customer

# --- sign-in -----------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "backoffice/login.html"
    redirect_authenticated_user = True
    next_page = "backoffice:dashboard"
    authentication_form = ThrottledSignIn

    def form_invalid(self, form: Any) -> HttpResponse:
        return _throttled_status(super().form_invalid(form), form)


def admin_login(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """The admin's sign-in page (its form is throttled too, see config/urls.py), answered 429
    while throttled like the staff sign-in."""
    response = admin.site.login(request, **kwargs)
    return _throttled_status(response, (getattr(response, "context_data", None) or {}).get("form"))


def _throttled_status(response: HttpResponse, form: Any) -> HttpResponse:
    if isinstance(form, ThrottledSignIn) and form.is_throttled():
        response.status_code = 429
    return response


class LogoutView(auth_views.LogoutView):
    next_page = "backoffice:login"


@require_POST
@staff_view()
def store_switch(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    """Make another of the user's stores current; one they do not belong to is a 404."""
    try:
        access = switch_store(request, request.POST.get("store", "")[:60])
    except NotFound:
        return not_found(request, staff)
    messages.success(request, _("You are now working in %(store)s.") % {"store": access.store.name})
    return redirect("backoffice:dashboard")


# --- a return ----------------------------------------------------------------------------------


def _messages_for_return(staff: StaffContext, return_request: Return) -> list[Any]:
    """The messages sent to the shopper about this return (the notifications' log)."""
    return list(messages_for_return(staff.store, return_request.pk))


def _money(staff: StaffContext, return_request: Return) -> list[dict[str, Any]]:
    """The return's refunds and charges, oldest first. Every role sees what happened (kind,
    state and amount, as the Amounts card shows the refund to come); the payment's errors and
    the finance links only roles that may see refunds."""
    refunds, charges = money_rows_for_return(store=staff.store, return_id=return_request.pk)
    rows = [
        {
            "direction": "refund",
            "row": r,
            "url_name": "backoffice:refund",
            "state_labels": "refund_state",
        }
        for r in refunds
    ]
    rows += [
        {
            "direction": "charge",
            "row": c,
            "url_name": "backoffice:charge",
            "state_labels": "charge_state",
        }
        for c in charges
    ]
    return sorted(rows, key=lambda m: (m["row"].created_at, m["row"].id))


def _explanation(return_request: Return) -> dict[str, Any]:
    """The policy decision as recorded on the return: outcome, reasons, rules that fired."""
    decision = return_request.decision or {}
    lines = {line.get("line_id"): line for line in decision.get("lines", [])}
    return {
        "outcome": decision.get("outcome", ""),
        "review_reasons": decision.get("review_reasons", []),
        "trace": decision.get("trace", []),
        "lines": lines,
        "keep_item": decision.get("keep_item") or {},
        "instant_exchange": bool(decision.get("instant_exchange")),
        "instant_exchange_return_days": decision.get("instant_exchange_return_days"),
        "policy_version": decision.get("policy_version")
        or getattr(return_request.policy_version, "version", None),
    }


def _shop_now(return_request: Return) -> dict[str, Any] | None:
    """What the return's store credit buys (shop now), with pictures and amounts."""
    lines = shop_now_lines(return_request)
    if not lines:
        return None
    rows = [
        {
            "line": line,
            "picture": variant_picture(line.variant),
            "options": " · ".join(str(v) for v in (line.variant.options or {}).values()),
        }
        for line in lines
    ]
    return {"rows": rows, "total": shop_now_total(lines, return_request.currency)}


def _override_lines(return_request: Return) -> list[tuple[str, str]]:
    return [
        (item.order_line.external_id, f"{item.order_line.sku} · {item.order_line.title}")
        for item in return_request.items.all()
    ]


def _detail(
    request: HttpRequest,
    staff: StaffContext,
    rma: str,
    *,
    forms: dict[str, Any] | None = None,
    error: str = "",
    open_form: str = "",
    status: int = 200,
) -> HttpResponse:
    return_request = selectors.return_detail_for_store(store=staff.store, rma=rma)
    explanation = _explanation(return_request)
    predictions = insight_selectors.predictions_for_return(
        store=staff.store, return_id=return_request.id
    )
    signals = signals_for_customer(
        store=staff.store, customer_id=return_request.customer_id, now=timezone.now()
    )
    items = [
        {
            "item": item,
            "line": explanation["lines"].get(item.order_line.external_id, {}),
            "prediction": predictions.get(item.id),
        }
        for item in return_request.items.all()
    ]
    forms = forms or {}
    context = {
        "ret": return_request,
        "items": items,
        "explanation": explanation,
        "signals": [signal for signal in signals if signal.fired],
        "here": {return_request.rma, return_request.order.number},
        "events": [
            {"event": event, "label": labels.event_label(event.kind, event.data)}
            for event in return_request.events.all()
        ],
        "money": _money(staff, return_request),
        "shop_now": _shop_now(return_request),
        "sent_messages": _messages_for_return(staff, return_request),
        "approve_form": forms.get("approve") or ApproveForm(),
        "reject_form": forms.get("reject") or RejectForm(),
        "cancel_form": forms.get("cancel") or CancelForm(),
        "override_form": forms.get("override")
        or OverrideForm(lines=_override_lines(return_request)),
        "error": error,
        "open_form": open_form,
        "can_decide": return_request.status in ("requested", "pending_review"),
        "can_cancel": return_request.status in ("requested", "pending_review", "approved"),
    }
    return render_page(
        request,
        "backoffice/return_detail.html",
        context,
        staff=staff,
        section="returns",
        status=status,
    )


@require_GET
@staff_view()
def return_detail(request: HttpRequest, staff: StaffContext, rma: str) -> HttpResponse:
    return _detail(request, staff, rma)


# Helpful words for the stable error codes of the services; anything else shows its own text.
ERROR_MESSAGES = {
    "illegal_transition": gettext_lazy(
        "This return is %(status)s, so that cannot be done any more. Nothing was changed."
    ),
    "note_required": gettext_lazy(
        "Write a note saying why: it is kept on the return's trail. Nothing was changed."
    ),
    "invalid_decision": gettext_lazy("Choose a decision from the list. Nothing was changed."),
    "item_not_found": gettext_lazy("That item is not part of this return. Nothing was changed."),
}


def _error_text(exc: Exception, status: str) -> str:
    code = getattr(exc, "code", "")
    template = ERROR_MESSAGES.get(code)
    if template is None:
        return getattr(exc, "detail", None) or str(exc)
    return str(template) % {"status": labels.label("status", status).lower()}


def _act(
    request: HttpRequest,
    staff: StaffContext,
    rma: str,
    *,
    name: str,
    form: Any,
    run: Callable[[dict[str, Any]], Return],
    done: str,
) -> HttpResponse:
    """Validate `form`, run the service; on success go back to the return (PRG), otherwise show
    the page again with the error and the status of the error (409, 422), nothing changed."""
    if not form.is_valid():
        selectors.return_detail_for_store(store=staff.store, rma=rma)  # 404 before 422
        return _detail(
            request,
            staff,
            rma,
            forms={name: form},
            error=_("Please correct the form below. Nothing was changed."),
            open_form=name,
            status=422,
        )
    try:
        return_request = run(form.cleaned_data)
    except NotFound:
        raise
    except (RetornoError, DomainError) as exc:
        current = selectors.return_detail_for_store(store=staff.store, rma=rma)
        return _detail(
            request,
            staff,
            rma,
            forms={name: form},
            error=_error_text(exc, current.status),
            open_form=name,
            status=http_status(exc),
        )
    messages.success(request, done)
    return redirect("backoffice:return", rma=return_request.rma)


@require_POST
@staff_view(permissions.APPROVE)
def return_approve(request: HttpRequest, staff: StaffContext, rma: str) -> HttpResponse:
    return _act(
        request,
        staff,
        rma,
        name="approve",
        form=ApproveForm(request.POST),
        run=lambda data: services.return_approve(
            store=staff.store, rma=rma, actor=staff.actor, note=data["note"]
        ),
        done=_("Return approved."),
    )


@require_POST
@staff_view(permissions.REJECT)
def return_reject(request: HttpRequest, staff: StaffContext, rma: str) -> HttpResponse:
    return _act(
        request,
        staff,
        rma,
        name="reject",
        form=RejectForm(request.POST),
        run=lambda data: services.return_reject(
            store=staff.store, rma=rma, actor=staff.actor, note=data["note"]
        ),
        done=_("Return rejected."),
    )


@require_POST
@staff_view(permissions.CANCEL)
def return_cancel(request: HttpRequest, staff: StaffContext, rma: str) -> HttpResponse:
    return _act(
        request,
        staff,
        rma,
        name="cancel",
        form=CancelForm(request.POST),
        run=lambda data: services.return_cancel(
            store=staff.store, rma=rma, actor=staff.actor, note=data["note"]
        ),
        done=_("Return cancelled."),
    )


@require_POST
@staff_view(permissions.OVERRIDE)
def return_override(request: HttpRequest, staff: StaffContext, rma: str) -> HttpResponse:
    return_request = selectors.return_detail_for_store(store=staff.store, rma=rma)
    return _act(
        request,
        staff,
        rma,
        name="override",
        form=OverrideForm(request.POST, lines=_override_lines(return_request)),
        run=lambda data: services.return_item_override(
            store=staff.store,
            rma=rma,
            line=data["line"],
            decision=data["decision"],
            rule=data["rule"].strip(),
            note=data["note"],
            actor=staff.actor,
        ),
        done=_("Item decision overridden."),
    )
