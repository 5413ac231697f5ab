"""Warehouse pages: receiving built for a barcode scanner used as a keyboard, inspection with
checklists, grades and photos, dispositions, and return-to-vendor batches.

Every form works without JavaScript: the scan input is autofocused and Enter submits it. After
a successful action the page redirects back to itself (PRG) with the input focused again, so a
scanner can fire code after code. A refused action shows why and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.core import labels
from retorno.core.errors import NotFound, RetornoError, Unprocessable, http_status
from retorno.domain.analytics.quality import DEFECT_REASONS
from retorno.domain.errors import DomainError
from retorno.domain.returns.rma import normalise_rma
from retorno.domain.warehouse import Disposition, checklist_for
from retorno.returns.models import Return
from retorno.returns.selectors import return_find_for_store
from retorno.returns.workflows import inspection, parcel_checks, receiving
from retorno.warehouse import selectors as warehouse_selectors
from retorno.warehouse import services as warehouse
from retorno.warehouse.services import photos

MAX_QUANTITY = 1000


# Helpful words for the warehouse's stable error codes; anything else shows its own text.
ERROR_MESSAGES = {
    "unknown_code": gettext_lazy(
        "Nothing matches “%(code)s”: it is not an RMA, a tracking number or the SKU of an open "
        "return. Nothing was changed."
    ),
    "empty_code": gettext_lazy("Scan or type a code first."),
    "over_received": gettext_lazy("%(detail)s This unit was already counted in: check the parcel."),
    "illegal_transition": gettext_lazy(
        "This return is not expecting goods (or inspections) in its current state. "
        "Nothing was changed."
    ),
    "receipt_complete": gettext_lazy("Every expected unit is already accounted for."),
    "item_not_received": gettext_lazy(
        "This item has not been received, so it cannot be inspected. Count it in first. "
        "Nothing was changed."
    ),
    "checklist_incomplete": gettext_lazy(
        "Answer every required check before saving the inspection. Nothing was changed."
    ),
    "note_required": gettext_lazy(
        "Write a note saying why you change the proposed disposition. Nothing was changed."
    ),
    "nothing_checked": gettext_lazy(
        "Give the parcel's weight or say whether the serial numbers match. Nothing was changed."
    ),
    "invalid_weight": gettext_lazy(
        "The weight is in whole grams, between 1 and 1,000,000. Nothing was changed."
    ),
}


def _error_text(exc: Exception, **values: Any) -> str:
    code = getattr(exc, "code", "")
    detail = getattr(exc, "detail", None) or str(exc)
    template = ERROR_MESSAGES.get(code)
    if template is None:
        return detail
    return str(template) % {"detail": detail, **values}


def _quantity(raw: str | None, default: int | None = 1) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Unprocessable(_("Quantities are whole numbers."), code="invalid_quantity") from None
    if not 1 <= value <= MAX_QUANTITY:
        raise Unprocessable(
            _("Quantities are between 1 and %(max)s.") % {"max": MAX_QUANTITY},
            code="invalid_quantity",
        )
    return value


# --- receiving ---------------------------------------------------------------------------------


@require_GET
@staff_view(permissions.RECEIVE)
def receiving_scan(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    """The scan desk: an RMA or tracking number opens its return; a SKU lists open returns."""
    code = request.GET.get("code", "").strip()[:200]
    context: dict[str, Any] = {"code": code, "matches": None, "error": ""}
    status = 200
    if code:
        try:
            match = receiving.scan_lookup(store=staff.store, code=code)
        except (RetornoError, DomainError) as exc:
            context["error"] = _error_text(exc, code=code)
            status = 404 if isinstance(exc, NotFound) else 422
        else:
            if len(match.returns) == 1:
                return redirect("backoffice:receiving_return", rma=match.returns[0].rma)
            context["matches"] = match
    return render_page(
        request,
        "backoffice/receiving.html",
        context,
        staff=staff,
        section="receiving",
        status=status,
    )


def _receiving_page(
    request: HttpRequest, staff: StaffContext, rma: str, *, error: str = "", status: int = 200
) -> HttpResponse:
    state = inspection.return_warehouse_state(store=staff.store, rma=rma)
    ret = state.return_request
    context = {
        "ret": ret,
        "state": state,
        "error": error,
        "outstanding": sum(s.item.outstanding for s in state.items),
        "receivable": ret.status in receiving.RECEIVABLE_STATES,
        "expected_weight": parcel_checks.expected_weight_grams(ret),
    }
    return render_page(
        request,
        "backoffice/receiving_return.html",
        context,
        staff=staff,
        section="receiving",
        status=status,
    )


@require_GET
@staff_view(permissions.RECEIVE)
def receiving_return(request: HttpRequest, staff: StaffContext, rma: str) -> HttpResponse:
    return _receiving_page(request, staff, rma)


@require_POST
@staff_view(permissions.RECEIVE)
def receiving_count(request: HttpRequest, staff: StaffContext, rma: str) -> HttpResponse:
    """One scan: a SKU (counted in, or recorded as unexpected), or another RMA (opens it)."""
    code = request.POST.get("code", "").strip()[:200]
    ret = _return_or_404(staff, rma)
    if code and normalise_rma(code) != ret.rma:
        other = return_find_for_store(store=staff.store, rma=code)
        if other is not None:
            return redirect("backoffice:receiving_return", rma=other.rma)
    try:
        quantity = _quantity(request.POST.get("quantity"))
        outcome = receiving.return_receive_scan(
            store=staff.store, rma=ret.rma, code=code, quantity=quantity or 1, actor=staff.actor
        )
    except NotFound as exc:
        if exc.code == "return_not_found":
            raise
        return _receiving_page(
            request, staff, ret.rma, error=_error_text(exc, code=code), status=404
        )
    except (RetornoError, DomainError) as exc:
        return _receiving_page(
            request, staff, ret.rma, error=_error_text(exc, code=code), status=http_status(exc)
        )
    if outcome.kind == "unexpected":
        text = _("%(sku)s × %(quantity)s is not on this return: recorded as an unexpected item.")
        messages.warning(request, text % {"sku": outcome.sku, "quantity": outcome.quantity})
    else:
        messages.success(
            request,
            _("%(sku)s × %(quantity)s counted in; %(left)s still expected.")
            % {"sku": outcome.sku, "quantity": outcome.quantity, "left": outcome.outstanding},
        )
    return redirect("backoffice:receiving_return", rma=ret.rma)


@require_POST
@staff_view(permissions.RECEIVE)
def receiving_close(request: HttpRequest, staff: StaffContext, rma: str) -> HttpResponse:
    ret = _return_or_404(staff, rma)
    try:
        outcome = receiving.return_receipt_close(
            store=staff.store,
            rma=ret.rma,
            note=request.POST.get("note", "")[:2000],
            actor=staff.actor,
        )
    except NotFound:
        raise
    except (RetornoError, DomainError) as exc:
        return _receiving_page(
            request, staff, ret.rma, error=_error_text(exc), status=http_status(exc)
        )
    messages.success(
        request,
        _("Receipt closed: %(count)s unit(s) recorded as missing.")
        % {"count": sum(outcome.missing.values())},
    )
    return redirect("backoffice:inspection", rma=ret.rma)


SERIAL_ANSWERS = {"yes": True, "no": False}


@require_POST
@staff_view(permissions.RECEIVE)
def receiving_parcel_check(request: HttpRequest, staff: StaffContext, rma: str) -> HttpResponse:
    """The parcel's weight and whether the serial numbers match, on the return's trail."""
    ret = _return_or_404(staff, rma)
    raw = request.POST.get("weight_grams", "").strip()[:20]
    # Anything but whole grams is passed on as 0, which the service refuses with its message.
    weight = None if not raw else (int(raw) if raw.isdigit() else 0)
    try:
        parcel_checks.return_parcel_check(
            store=staff.store,
            rma=ret.rma,
            weight_grams=weight,
            serial_matches=SERIAL_ANSWERS.get(request.POST.get("serial", "")),
            note=request.POST.get("note", "")[:2000],
            actor=staff.actor,
        )
    except NotFound:
        raise
    except (RetornoError, DomainError) as exc:
        return _receiving_page(
            request, staff, ret.rma, error=_error_text(exc), status=http_status(exc)
        )
    messages.success(request, _("Parcel check recorded."))
    return redirect("backoffice:receiving_return", rma=ret.rma)


def _return_or_404(staff: StaffContext, rma: str) -> Return:
    ret = return_find_for_store(store=staff.store, rma=rma[:40])
    if ret is None:
        raise NotFound("No such return.", code="return_not_found")
    return ret


# --- inspection --------------------------------------------------------------------------------


def _inspection_page(
    request: HttpRequest,
    staff: StaffContext,
    rma: str,
    *,
    error: str = "",
    error_line: str = "",
    posted: Any = None,
    status: int = 200,
) -> HttpResponse:
    state = inspection.return_warehouse_state(store=staff.store, rma=rma)
    checklists = warehouse_selectors.checklists_current(store=staff.store).checklists
    rows = []
    for item_state in state.items:
        line = item_state.item.order_line
        checklist = checklist_for(checklists, line.category or None)
        rows.append(
            {
                "state": item_state,
                "line": line,
                "checks": checklist.checks,
                "lenient": item_state.qc_level == warehouse.LENIENT,
                "defect_reason": item_state.item.reason in DEFECT_REASONS,
                "posted": posted if error_line == line.external_id else None,
            }
        )
    for row in state.inspections:
        texts = {
            "grade_label": labels.label("grade", row.grade),
            "proposed_label": labels.label("disposition", row.proposed_disposition)
            if row.proposed_disposition
            else "",
            "disposition_label": labels.label("disposition", row.disposition)
            if row.disposition
            else "",
        }
        for name, text in texts.items():
            setattr(row, name, text)
    context = {
        "ret": state.return_request,
        "state": state,
        "rows": rows,
        "grades": labels.choices("grade"),
        "dispositions": labels.choices("disposition"),
        "error": error,
        "error_line": error_line,
        "max_photos": photos.MAX_PHOTOS_PER_INSPECTION,
    }
    return render_page(
        request,
        "backoffice/inspection.html",
        context,
        staff=staff,
        section="receiving",
        status=status,
    )


@require_GET
@staff_view(permissions.INSPECT)
def inspection_page(request: HttpRequest, staff: StaffContext, rma: str) -> HttpResponse:
    return _inspection_page(request, staff, rma)


@require_POST
@staff_view(permissions.INSPECT)
def inspection_save(request: HttpRequest, staff: StaffContext, rma: str, line: str) -> HttpResponse:
    ret = _return_or_404(staff, rma)
    answers: dict[str, bool] = {}
    for key, value in request.POST.items():
        if key.startswith("check:") and value in ("yes", "no"):
            answers[key.removeprefix("check:")[:64]] = value == "yes"
    try:
        quantity = _quantity(request.POST.get("quantity"), default=None)
        uploads = request.FILES.getlist("photos")
        try:
            names = photos.store_photos(staff.store.pk, uploads) if uploads else []
        except photos.PhotoError as exc:
            raise Unprocessable(str(exc), code="invalid_photo") from None
        inspection.return_inspect_items(
            store=staff.store,
            rma=ret.rma,
            inspections=[
                warehouse.InspectionInput(
                    line=line[:120],
                    grade=request.POST.get("grade", "")[:16],
                    quantity=quantity,
                    answers=answers,
                    notes=request.POST.get("notes", "")[:4000],
                    photos=tuple(names),
                    reason_confirmed=request.POST.get("reason_confirmed") == "yes",
                )
            ],
            actor=staff.actor,
        )
    except NotFound as exc:
        if exc.code == "return_not_found":
            raise
        return _inspection_page(request, staff, ret.rma, error=_error_text(exc), status=404)
    except (RetornoError, DomainError) as exc:
        return _inspection_page(
            request,
            staff,
            ret.rma,
            error=_error_text(exc),
            error_line=line,
            posted=request.POST,
            status=http_status(exc),
        )
    messages.success(request, _("Inspection saved."))
    return redirect(reverse("backoffice:inspection", kwargs={"rma": ret.rma}) + "#dispositions")


@require_POST
@staff_view(permissions.SET_DISPOSITION)
def disposition_save(
    request: HttpRequest, staff: StaffContext, rma: str, inspection_id: int
) -> HttpResponse:
    ret = _return_or_404(staff, rma)
    row = warehouse_selectors.inspection_get_for_store(
        store=staff.store, inspection_id=inspection_id
    )
    if row.return_id != ret.id:
        raise NotFound("No such inspection on this return.", code="inspection_not_found")
    try:
        outcome = inspection.return_item_disposition_set(
            store=staff.store,
            rma=ret.rma,
            line=row.line,
            inspection_id=row.id,
            disposition=request.POST.get("disposition", "")[:20] or None,
            note=request.POST.get("note", "")[:2000],
            restock=request.POST.get("restock") == "on",
            actor=staff.actor,
        )
    except NotFound:
        raise
    except (RetornoError, DomainError) as exc:
        return _inspection_page(
            request, staff, ret.rma, error=_error_text(exc), status=http_status(exc)
        )
    text = _("Disposition set: %(sku)s → %(disposition)s.") % {
        "sku": row.sku,
        "disposition": labels.label("disposition", Disposition(outcome.inspection.disposition)),
    }
    if outcome.stock_added:
        text += " " + _("%(count)s unit(s) added to stock.") % {"count": outcome.stock_added}
    messages.success(request, text)
    return redirect(reverse("backoffice:inspection", kwargs={"rma": ret.rma}) + "#dispositions")


# --- return to vendor --------------------------------------------------------------------------


@require_GET
@staff_view(permissions.SET_DISPOSITION)
def rtv_batches(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    now = timezone.now()
    batches = list(warehouse_selectors.rtv_batches_for_store(store=staff.store)[:200])
    rows = [
        {
            "batch": b,
            "units": list(b.inspections.all()),
            "overdue": b.status == "open" and b.deadline_at is not None and now > b.deadline_at,
        }
        for b in batches
    ]
    return render_page(request, "backoffice/rtv.html", {"rows": rows}, staff=staff, section="rtv")


@require_GET
@staff_view(permissions.SET_DISPOSITION)
def rtv_batch_csv(request: HttpRequest, staff: StaffContext, batch_id: int) -> HttpResponse:
    batch = warehouse_selectors.rtv_batch_get_for_store(store=staff.store, batch_id=batch_id)
    response = HttpResponse(warehouse.rtv_batch_csv(batch), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rtv-batch-{batch.id}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@staff_view(permissions.SET_DISPOSITION)
def rtv_batch_ship(request: HttpRequest, staff: StaffContext, batch_id: int) -> HttpResponse:
    warehouse_selectors.rtv_batch_get_for_store(store=staff.store, batch_id=batch_id)
    try:
        inspection.rtv_batch_ship(store=staff.store, batch_id=batch_id, actor=staff.actor)
    except (RetornoError, DomainError) as exc:
        messages.error(request, _error_text(exc))
        return redirect("backoffice:rtv")
    messages.success(request, _("Batch %(id)s marked as shipped.") % {"id": batch_id})
    return redirect("backoffice:rtv")
