"""Shopper pages for claims: a damaged, missing or wrong item reported without sending it back.

Reached from the looked-up order (the order kept in the session by the lookup), so a shopper only
ever claims on their own order. The submit button carries a one-time token: pressed twice, or
from two tabs, it opens one claim.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from retorno.core import labels
from retorno.core.errors import NotFound, RetornoError
from retorno.core.idempotency import stored_body
from retorno.money import selectors as claim_selectors
from retorno.money.models import Claim, ClaimReason
from retorno.orders.models import Order
from retorno.portal import display, ratelimit
from retorno.portal.forms import ClaimForm, ClaimLineForm
from retorno.portal.pages import (
    not_found,
    page,
    restart,
    shopper,
    store_or_404,
)
from retorno.portal.photos import store_photos
from retorno.portal.wizard import draft_of, draft_save, order_for_draft
from retorno.returns.workflows import claims as claim_services
from retorno.stores.models import Store

CLAIM_OPERATION = "portal.claim_open"

# The service's stable codes in the shopper's words; the form catches these first, so they only
# show when the order changed between the page and the submit.
SERVICE_ERRORS = {
    "no_items": gettext_lazy("Choose at least one item that has a problem."),
    "unknown_line": gettext_lazy("One of these items is no longer part of the order."),
    "invalid_quantity": gettext_lazy("One of the items has more units than the order."),
    "invalid_reason": gettext_lazy("Choose what went wrong."),
    "order_not_found": gettext_lazy("We could not find this order any more."),
    "already_claimed": gettext_lazy(
        "Some of these items are already part of another claim on this order."
    ),
}


def _reasons() -> list[tuple[str, str]]:
    return display.claim_reason_choices(ClaimReason.values)


def _line_rows(order: Order, data: Any) -> list[dict[str, Any]]:
    """Every line of the order with its form: a claim may be about any item, returnable or not."""
    return [
        {
            "line": line,
            "options": display.options_text(line.options),
            "form": ClaimLineForm(data, prefix=f"c{line.id}", bought=line.quantity),
        }
        for line in order.lines.all()
    ]


def _picked_lines(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {
        row["line"].external_id: row["form"].cleaned_data["units"]
        for row in rows
        if row["form"].cleaned_data.get("selected")
    }


def _claim_form_page(
    request: HttpRequest,
    store: Store,
    order: Order,
    *,
    form: ClaimForm,
    rows: list[dict[str, Any]],
    submission: str,
    errors: list[str],
    status: int = 200,
) -> HttpResponse:
    return page(
        request,
        "portal/claim.html",
        {
            "order": order,
            "form": form,
            "rows": rows,
            "errors": errors,
            "submission": submission,
        },
        store=store,
        status=status,
    )


def _claim_opened_with(store: Store, draft: dict[str, Any], token: str) -> str | None:
    """The claim this submission token already opened (this session, or a twin request)."""
    if not token:
        return None
    opened = draft.get("claims_opened", {})
    if token in opened:
        return str(opened[token])
    body = stored_body(store_id=store.id, operation=CLAIM_OPERATION, key=token)
    return body.get("number") if body else None


def _open_claim(
    store: Store, order: Order, form: ClaimForm, lines: dict[str, int], token: str
) -> str:
    """Open the claim once per submission token; returns its number."""
    uploads = form.cleaned_data["photos"]
    return claim_services.claim_open_once(
        store=store,
        operation=CLAIM_OPERATION,
        token=token,
        order_external_id=order.external_id,
        reason=form.cleaned_data["reason"],
        lines=lines,
        description=form.cleaned_data["description"],
        photos=store_photos(store.id, uploads) if uploads else [],
        actor=shopper(order),
    )


def _remember_claim(
    request: HttpRequest, store: Store, draft: dict[str, Any], token: str, number: str
) -> None:
    draft["claims_opened"] = {**draft.get("claims_opened", {}), token: number}
    draft.pop("claim_submission", None)  # the next claim gets a fresh token
    draft_save(request, store, draft)


@require_http_methods(["GET", "POST"])
def claim_report(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        store = store_or_404(slug)
    except NotFound:
        return not_found(request)
    draft = draft_of(request, store)
    order = order_for_draft(store, draft)
    if order is None:
        return restart(store)
    post = request.method == "POST"
    token = request.POST.get("submission", "")[:64] if post else ""
    opened = _claim_opened_with(store, draft, token)
    if opened:  # the button was pressed twice: the same claim
        return redirect("portal:claim_done", slug=store.slug, number=opened)
    rows = _line_rows(order, request.POST if post else None)
    form = ClaimForm(
        request.POST if post else None, request.FILES if post else None, reasons=_reasons()
    )
    current = draft.setdefault("claim_submission", secrets.token_urlsafe(24))
    draft_save(request, store, draft)
    shown: dict[str, Any] = {"form": form, "rows": rows, "submission": current}
    if not post:
        return _claim_form_page(request, store, order, errors=[], **shown)
    if token != current:
        error = _("This page was out of date. Check the details and send the report again.")
        return _claim_form_page(request, store, order, errors=[error], status=409, **shown)
    errors = _form_errors(form, rows)
    if errors:
        return _claim_form_page(request, store, order, errors=errors, status=422, **shown)
    limit_subject = f"{store.id}:{order.external_id}"
    wait = ratelimit.blocked_minutes(ratelimit.claim_limit(), limit_subject)
    if wait:
        return page(request, "portal/too_many.html", {"minutes": wait}, store=store, status=429)
    try:
        number = _open_claim(store, order, form, _picked_lines(rows), token)
    except RetornoError as exc:
        error = str(SERVICE_ERRORS.get(exc.code, _("We could not record your report.")))
        return _claim_form_page(request, store, order, errors=[error], status=422, **shown)
    ratelimit.count(ratelimit.claim_limit(), limit_subject)
    _remember_claim(request, store, draft, token, number)
    return redirect("portal:claim_done", slug=store.slug, number=number)


def _form_errors(form: ClaimForm, rows: list[dict[str, Any]]) -> list[str]:
    """What to fix, at the top of the page (each field also shows its own message)."""
    errors = []
    lines_valid = all(row["form"].is_valid() for row in rows)
    if lines_valid and not _picked_lines(rows):
        errors.append(_("Choose at least one item that has a problem."))
    if not (form.is_valid() and lines_valid):
        errors.append(_("Please correct what is marked below."))
    return errors


def claim_done(request: HttpRequest, slug: str, number: str) -> HttpResponse:
    """The claim's confirmation, only for the session that looked up its order."""
    try:
        store = store_or_404(slug)
    except NotFound:
        return not_found(request)
    order = order_for_draft(store, draft_of(request, store))
    if order is None:
        return not_found(request, store)
    try:
        claim = claim_selectors.claim_get_for_store(store=store, number=number[:40])
    except NotFound:
        return not_found(request, store)
    if claim.order_id != order.id:
        return not_found(request, store)
    return page(request, "portal/claim_done.html", _done_context(claim, order), store=store)


def _done_context(claim: Claim, order: Order) -> dict[str, Any]:
    return {
        "claim": claim,
        "order": order,
        "reason": labels.shopper_label("claim_reason", claim.reason),
        "lines": [
            {
                "title": cl.order_line.title,
                "options": display.options_text(cl.order_line.options),
                "units": cl.units,
            }
            for cl in claim.lines.all()
        ],
        "photos": len(claim.photos.all()),
        "email": order.customer.email,
    }
