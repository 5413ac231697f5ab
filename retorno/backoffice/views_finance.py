"""Finance pages: the refund and charge ledgers with their states, retry and "mark as paid", an
exchange held for its unpaid difference released with a note, a return's refund preview and
execution, and claims. Thin, like every staff page: `staff_view` checks the role
(refund_view to read, refund_retry to move money), one service or selector is called with the
staff member as the actor, and errors come back as a helpful message with nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.core.actors import Actor
from retorno.core.errors import NotFound, RetornoError, http_status
from retorno.core.keyset import KeysetPage
from retorno.core.paging import COUNT_CAP, PER_PAGE
from retorno.domain.errors import DomainError
from retorno.money import selectors as money_selectors
from retorno.money.models import ClaimResolution
from retorno.money.services import charges as money_charges
from retorno.money.services import refunds as money_refunds
from retorno.returns.selectors import return_get_for_store
from retorno.returns.workflows import charges as charge_flow
from retorno.returns.workflows import claims as claim_services
from retorno.returns.workflows import exchanges as exchange_flow
from retorno.returns.workflows import refunds as refund_flow
from retorno.stores.models import Store

STATES = ("pending", "failed", "succeeded")

# Helpful words for the money services' stable codes; anything else shows its own text.
ERROR_MESSAGES = {
    "already_refunded": gettext_lazy("This refund was already paid. Nothing was changed."),
    "refund_in_flight": gettext_lazy(
        "This refund is being sent right now; look again in a minute. Nothing was changed."
    ),
    "not_refundable": gettext_lazy(
        "This return is rejected, cancelled or not decided yet, so it cannot be refunded. "
        "Nothing was changed."
    ),
    "nothing_to_refund": gettext_lazy(
        "Nothing is left to refund on this return yet. Nothing was changed."
    ),
    "invalid_amount": gettext_lazy(
        "Type a positive amount with at most the currency's decimals. Nothing was changed."
    ),
    "exceeds_refundable": gettext_lazy(
        "That is more than is left to refund on this order. Nothing was changed."
    ),
    "reference_required": gettext_lazy("Give the payment's reference. Nothing was changed."),
    "already_charged": gettext_lazy("This charge was already taken. Nothing was changed."),
    "charge_in_flight": gettext_lazy(
        "This charge is being sent right now; look again in a minute. Nothing was changed."
    ),
    "note_required": gettext_lazy(
        "Write why the exchange ships without payment: it is kept on the return's trail. "
        "Nothing was changed."
    ),
    "illegal_transition": gettext_lazy("That cannot be done in this state. Nothing was changed."),
}


def _error_text(exc: Exception) -> str:
    text = ERROR_MESSAGES.get(getattr(exc, "code", ""))
    return str(text) if text is not None else (getattr(exc, "detail", None) or str(exc))


# --- the two ledgers: refunds and charges ---------------------------------------------------------


@dataclass(frozen=True)
class Ledger:
    """One direction of money as the finance pages show it: its rows, its page and its two
    actions (retry, mark as paid), the same for refunds and charges."""

    name: str  # the URL name of its list; its rows' page is the singular
    direction: str  # refund | charge
    # One page, in a state or all: the rows older than the cursor `after` or newer than `before`.
    rows: Callable[[Store, str | None, str | None, str | None], KeysetPage[Any]]
    counts: Callable[[Store], dict[str, int]]
    get: Callable[[Store, int], Any]
    retry: Callable[[Store, int, Actor], Any]
    mark_paid: Callable[[Store, int, str, Actor], Any]
    retried: str | Promise
    marked_paid: str | Promise

    # Names the templates use as they are: a template never builds a name with |add:.
    @property
    def kind_labels(self) -> str:
        return "money_kind"

    @property
    def state_labels(self) -> str:
        return f"{self.direction}_state"

    @property
    def list_url(self) -> str:
        return f"backoffice:{self.name}"

    @property
    def row_url(self) -> str:
        return f"backoffice:{self.direction}"

    @property
    def retry_url(self) -> str:
        return f"backoffice:{self.direction}_retry"

    @property
    def mark_paid_url(self) -> str:
        return f"backoffice:{self.direction}_mark_paid"

    def can_retry(self, row: Any) -> bool:
        to_payment = getattr(row, "destination", "original_payment") == "original_payment"
        return to_payment and row.state in ("failed", "pending")


LEDGERS = {
    "refunds": Ledger(
        name="refunds",
        direction="refund",
        rows=lambda store, state, after, before: money_selectors.refund_page_for_store(
            store=store, state=state, after=after, before=before
        ),
        counts=lambda store: money_selectors.refund_counts_for_store(store=store),
        get=lambda store, row_id: money_selectors.refund_get_for_store(
            store=store, refund_id=row_id
        ),
        retry=lambda store, row_id, actor: money_refunds.refund_retry(
            store=store, refund_id=row_id, actor=actor
        ),
        mark_paid=lambda store, row_id, reference, actor: refund_flow.refund_mark_paid(
            store=store, refund_id=row_id, reference=reference, actor=actor
        ),
        retried=gettext_lazy("Refund sent again."),
        marked_paid=gettext_lazy("Refund marked as paid."),
    ),
    "charges": Ledger(
        name="charges",
        direction="charge",
        rows=lambda store, state, after, before: money_selectors.charge_page_for_store(
            store=store, state=state, after=after, before=before
        ),
        counts=lambda store: money_selectors.charge_counts_for_store(store=store),
        get=lambda store, row_id: money_selectors.charge_get_for_store(
            store=store, charge_id=row_id
        ),
        retry=lambda store, row_id, actor: money_charges.charge_retry(
            store=store, charge_id=row_id, actor=actor
        ),
        mark_paid=lambda store, row_id, reference, actor: charge_flow.charge_mark_paid(
            store=store, charge_id=row_id, reference=reference, actor=actor
        ),
        retried=gettext_lazy("Charge sent again."),
        marked_paid=gettext_lazy("Charge marked as paid."),
    ),
}


@require_GET
@staff_view(permissions.REFUND_VIEW)
def payments(request: HttpRequest, staff: StaffContext, ledger: str) -> HttpResponse:
    rma = request.GET.get("rma", "").strip()[:24]
    if rma and ledger == "refunds":  # "preview the refund of a return" box
        return redirect("backoffice:return_refund", rma=rma.upper())
    spec = LEDGERS[ledger]
    state = request.GET.get("state", "")
    state = state if state in STATES else ""
    counts = spec.counts(staff.store)
    return render_page(
        request,
        "backoffice/payments.html",
        {
            "ledger": spec,
            "page": spec.rows(
                staff.store, state or None, request.GET.get("after"), request.GET.get("before")
            ),
            "state": state,
            "states": [(s, counts.get(s, 0)) for s in STATES],
            "count_cap": COUNT_CAP,
        },
        staff=staff,
        section="finance",
    )


@require_GET
@staff_view(permissions.REFUND_VIEW)
def payment_detail(
    request: HttpRequest, staff: StaffContext, ledger: str, attempt_id: int
) -> HttpResponse:
    return _payment_page(request, staff, LEDGERS[ledger], attempt_id)


def _payment_page(
    request: HttpRequest,
    staff: StaffContext,
    ledger: Ledger,
    attempt_id: int,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    row = ledger.get(staff.store, attempt_id)
    return render_page(
        request,
        "backoffice/payment_detail.html",
        {"ledger": ledger, "row": row, "error": error, "can_retry": ledger.can_retry(row)},
        staff=staff,
        section="finance",
        status=status,
    )


@require_POST
@staff_view(permissions.REFUND_RETRY, audit="money.payment_retried")
def payment_retry(
    request: HttpRequest, staff: StaffContext, ledger: str, attempt_id: int
) -> HttpResponse:
    spec = LEDGERS[ledger]
    return _payment_action(
        request,
        staff,
        spec,
        attempt_id,
        lambda: spec.retry(staff.store, attempt_id, staff.actor),
        str(spec.retried),
    )


@require_POST
@staff_view(permissions.REFUND_RETRY, audit="money.payment_marked_paid")
def payment_mark_paid(
    request: HttpRequest, staff: StaffContext, ledger: str, attempt_id: int
) -> HttpResponse:
    spec = LEDGERS[ledger]
    reference = request.POST.get("reference", "")[:200]
    return _payment_action(
        request,
        staff,
        spec,
        attempt_id,
        lambda: spec.mark_paid(staff.store, attempt_id, reference, staff.actor),
        str(spec.marked_paid),
    )


def _payment_action(
    request: HttpRequest,
    staff: StaffContext,
    ledger: Ledger,
    attempt_id: int,
    run: Callable[[], Any],
    done: str,
) -> HttpResponse:
    return _perform(
        request,
        run,
        done=done,
        page=partial(_payment_page, request, staff, ledger, attempt_id),
        back=lambda: redirect(f"backoffice:{ledger.direction}", attempt_id=attempt_id),
    )


def _perform(
    request: HttpRequest,
    run: Callable[[], Any],
    *,
    done: str,
    page: Callable[..., HttpResponse],
    back: Callable[[], HttpResponse],
) -> HttpResponse:
    """Run one money service; on success `back` to its page (PRG), otherwise the `page` again
    with the error and its status (409, 422), nothing changed. Unknown objects stay a 404."""
    try:
        run()
    except NotFound:
        raise
    except (RetornoError, DomainError) as exc:
        return page(error=_error_text(exc), status=http_status(exc))
    messages.success(request, done)
    return back()


@require_POST
@staff_view(permissions.REFUND_RETRY, audit="money.exchange_released")
def charge_release_exchange(
    request: HttpRequest, staff: StaffContext, charge_id: int
) -> HttpResponse:
    """Send the exchange held for this charge without waiting for the payment."""
    charge = money_selectors.charge_get_for_store(store=staff.store, charge_id=charge_id)
    note = request.POST.get("note", "")[:2000]
    return _payment_action(
        request,
        staff,
        LEDGERS["charges"],
        charge_id,
        lambda: exchange_flow.exchange_release_unpaid(
            store=staff.store, exchange_id=charge.exchange_id, note=note, actor=staff.actor
        ),
        _("Exchange sent for fulfilment without payment."),
    )


# --- a return's refund: preview, then execute ----------------------------------------------------


@require_GET
@staff_view(permissions.REFUND_VIEW)
def return_refund(request: HttpRequest, staff: StaffContext, rma: str) -> HttpResponse:
    return _return_refund_page(
        request, staff, rma, refund_shipping=request.GET.get("shipping") == "1"
    )


def _return_refund_page(
    request: HttpRequest,
    staff: StaffContext,
    rma: str,
    *,
    refund_shipping: bool = False,
    error: str = "",
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    return_request = return_get_for_store(store=staff.store, rma=rma)
    preview = refund_flow.refund_preview(
        store=staff.store, rma=return_request.rma, refund_shipping=refund_shipping or None
    )
    return render_page(
        request,
        "backoffice/refund_preview.html",
        {
            "ret": return_request,
            "preview": preview,
            "refunds": money_selectors.refunds_for_return(
                store=staff.store, return_id=return_request.id
            ),
            "charges": money_selectors.charges_for_return(
                store=staff.store, return_id=return_request.id
            ),
            "exchange": money_selectors.exchange_for_return(
                store=staff.store, return_id=return_request.id
            ),
            "refund_shipping": refund_shipping,
            "error": error,
            "form": form or {},
        },
        staff=staff,
        section="finance",
        status=status,
    )


@require_POST
@staff_view(permissions.REFUND_RETRY, audit="money.refund_executed")
def return_refund_execute(request: HttpRequest, staff: StaffContext, rma: str) -> HttpResponse:
    amount = request.POST.get("amount", "").strip()[:24]
    note = request.POST.get("note", "")[:2000]
    refund_shipping = request.POST.get("refund_shipping") == "1"
    form = {"amount": amount, "note": note, "refund_shipping": refund_shipping}
    try:
        refund = refund_flow.refund_execute(
            store=staff.store,
            rma=rma,
            actor=staff.actor,
            amount=amount or None,
            refund_shipping=refund_shipping or None,
            note=note,
        )
    except NotFound:
        raise
    except (RetornoError, DomainError) as exc:
        return _return_refund_page(
            request,
            staff,
            rma,
            refund_shipping=refund_shipping,
            error=_error_text(exc),
            form=form,
            status=http_status(exc),
        )
    messages.success(request, _("Refund issued."))
    return redirect("backoffice:refund", attempt_id=refund.id)


# --- claims --------------------------------------------------------------------------------------


@require_GET
@staff_view(permissions.CLAIM_VIEW)
def claims(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    state = request.GET.get("state", "")
    state = state if state in ("open", "resolved", "rejected") else ""
    return render_page(
        request,
        "backoffice/claims.html",
        {
            "page": money_selectors.claim_list_for_store(
                store=staff.store,
                state=state or None,
                limit=PER_PAGE,
                after=request.GET.get("after"),
                before=request.GET.get("before"),
                strict=False,
            ),
            "state": state,
        },
        staff=staff,
        section="claims",
    )


def _claim_page(
    request: HttpRequest, staff: StaffContext, number: str, *, error: str = "", status: int = 200
) -> HttpResponse:
    claim = money_selectors.claim_get_for_store(store=staff.store, number=number)
    return render_page(
        request,
        "backoffice/claim_detail.html",
        {"claim": claim, "error": error, "resolutions": ClaimResolution.choices},
        staff=staff,
        section="claims",
        status=status,
    )


@require_GET
@staff_view(permissions.CLAIM_VIEW)
def claim_detail(request: HttpRequest, staff: StaffContext, number: str) -> HttpResponse:
    return _claim_page(request, staff, number)


@require_POST
@staff_view(permissions.CLAIM_HANDLE, audit="money.claim_resolved")
def claim_resolve(request: HttpRequest, staff: StaffContext, number: str) -> HttpResponse:
    return _claim_action(
        request,
        staff,
        number,
        lambda: claim_services.claim_resolve(
            store=staff.store,
            number=number,
            resolution=request.POST.get("resolution", "")[:20],
            amount=request.POST.get("amount", "").strip()[:24] or None,
            note=request.POST.get("note", "")[:2000],
            actor=staff.actor,
        ),
        _("Claim resolved."),
    )


@require_POST
@staff_view(permissions.CLAIM_HANDLE, audit="money.claim_rejected")
def claim_reject(request: HttpRequest, staff: StaffContext, number: str) -> HttpResponse:
    """Reject an open claim; the note (required) is what the shopper is told."""
    return _claim_action(
        request,
        staff,
        number,
        lambda: claim_services.claim_reject(
            store=staff.store,
            number=number,
            note=request.POST.get("note", "")[:2000],
            actor=staff.actor,
        ),
        _("Claim rejected; the shopper is told why."),
    )


def _claim_action(
    request: HttpRequest, staff: StaffContext, number: str, run: Any, done: str
) -> HttpResponse:
    return _perform(
        request,
        run,
        done=done,
        page=partial(_claim_page, request, staff, number),
        back=lambda: redirect("backoffice:claim", number=number),
    )
