"""Opening a claim for a shopper: a damaged, missing or wrong item they keep, reported by phone or
email to an agent. Reached from a return's page or by typing the order number.

Thin, like every staff page: `staff_view(CLAIM_HANDLE)` checks the role, the order is looked up in
the current store only (another store's order is a 404), the forms check the input, and one
service opens the claim with the agent as the actor. The submit carries a one-time token, so a
double click opens one claim.
"""

from __future__ import annotations

import re
import secrets
from typing import Any, cast

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.core import images, labels
from retorno.core.errors import NotFound, RetornoError, http_status
from retorno.core.forms import PhotosField
from retorno.core.idempotency import stored_body
from retorno.money import selectors as claim_selectors
from retorno.money.models import Claim, ClaimReason
from retorno.orders.models import Order
from retorno.orders.selectors import order_find_by_typed, order_get_for_store
from retorno.returns.workflows import claims as claim_services
from retorno.stores.models import Store

OPERATION = "backoffice.claim_open"
NOTE_MAX = 4000  # what a claim's description keeps
MAX_PHOTOS = 6
RMA_PATTERN = re.compile(r"^[A-Za-z0-9-]{1,40}$")

# The service's stable codes in the agent's words; anything else shows its own text.
ERROR_MESSAGES = {
    "no_items": gettext_lazy("Tick at least one item. Nothing was opened."),
    "unknown_line": gettext_lazy("One of the items is not on this order. Nothing was opened."),
    "invalid_quantity": gettext_lazy(
        "One of the items has more units than were bought. Nothing was opened."
    ),
    "invalid_reason": gettext_lazy("Choose a reason from the list. Nothing was opened."),
    "already_claimed": gettext_lazy(
        "Some of these units are already covered by another open or resolved claim on this "
        "order. Nothing was opened."
    ),
    "idempotency_key_reused": gettext_lazy(
        "This form was already sent with other details. Reload the page and try again."
    ),
}


def photo_limits() -> images.PhotoLimits:
    return images.PhotoLimits(
        max_bytes=settings.BACKOFFICE_CLAIM_PHOTO_MAX_BYTES,
        max_side=2000,
        max_count=MAX_PHOTOS,
        folder="claims",
    )


# --- forms ---------------------------------------------------------------------------------------


class ClaimPhotosField(PhotosField):
    """Up to MAX_PHOTOS images the shopper sent, checked (not stored) with the claims' limits."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("limits", photo_limits)
        kwargs.setdefault("accept", "image/*")
        super().__init__(*args, **kwargs)


class ClaimLineForm(forms.Form):
    """One order line: whether the claim covers it, and how many units."""

    selected = forms.BooleanField(required=False, label=gettext_lazy("Include"))
    units = forms.IntegerField(
        required=False, min_value=1, max_value=9999, initial=1, label=gettext_lazy("Units")
    )

    def __init__(self, *args: Any, bought: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bought = bought
        self.fields["units"].widget.attrs.update({"max": bought, "class": "qty"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("selected"):
            return data
        units = data.get("units")
        if units is None and "units" not in self.errors:
            self.add_error("units", _("Give the number of units."))
        elif units is not None and units > self.bought:
            self.add_error(
                "units", _("At most %(count)s: the units bought.") % {"count": self.bought}
            )
        return data


class OpenClaimForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"),
        error_messages={"invalid_choice": gettext_lazy("Choose a reason from the list.")},
    )
    note = forms.CharField(
        label=gettext_lazy("What the shopper reports"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": NOTE_MAX}),
    )
    photos = ClaimPhotosField(
        label=gettext_lazy("Photos (optional)"),
        required=False,
        help_text=gettext_lazy("Images the shopper sent, up to 6."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("Choose"))] + [
            (code, labels.label("claim_reason", code)) for code in ClaimReason.values
        ]
        cast(forms.ChoiceField, self.fields["reason"]).choices = choices


# --- reading the request ---------------------------------------------------------------------------


def _order_for_store(store: Store, typed: str) -> Order:
    """The store's order by its number (with or without "#") or its external id."""
    typed = typed.strip()[:120]
    if not typed.lstrip("#").strip():
        raise NotFound("No order number given.", code="order_not_found")
    order = order_find_by_typed(store=store, typed=typed)
    if order is None:
        raise NotFound(f"No order {typed!r} in this store.", code="order_not_found")
    return order


def _from_return(request: HttpRequest) -> str:
    rma = (request.GET.get("return") or request.POST.get("return") or "").strip()
    return rma.upper() if RMA_PATTERN.match(rma) else ""


def _line_rows(order: Order, data: Any) -> list[dict[str, Any]]:
    return [
        {"line": line, "form": ClaimLineForm(data, prefix=f"l{line.id}", bought=line.quantity)}
        for line in order.lines.all()
    ]


def _picked_lines(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {
        row["line"].external_id: row["form"].cleaned_data["units"]
        for row in rows
        if row["form"].cleaned_data.get("selected")
    }


def _input_errors(form: OpenClaimForm, rows: list[dict[str, Any]]) -> str:
    problems = []
    lines_valid = all(row["form"].is_valid() for row in rows)
    if lines_valid and not _picked_lines(rows):
        problems.append(str(ERROR_MESSAGES["no_items"]))
    if not (form.is_valid() and lines_valid):
        problems.append(_("Correct the fields marked below. Nothing was opened."))
    return " ".join(problems)


# --- pages ---------------------------------------------------------------------------------------


def _page(
    request: HttpRequest,
    staff: StaffContext,
    *,
    typed: str = "",
    order: Order | None = None,
    form: OpenClaimForm | None = None,
    rows: list[dict[str, Any]] | None = None,
    submission: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "typed": typed,
        "order": order,
        "form": form,
        "rows": rows or [],
        "submission": submission,
        "error": error,
        "from_return": _from_return(request),
        "open_claims": _open_claims(staff.store, order) if order is not None else [],
    }
    return render_page(
        request, "backoffice/claim_open.html", context, staff=staff, section="claims", status=status
    )


def _open_claims(store: Store, order: Order) -> list[Claim]:
    """Claims already open on the order, so the agent does not open the same one twice."""
    return claim_selectors.claims_open_for_order(store=store, order=order, limit=20)


@require_http_methods(["GET", "POST"])
@staff_view(permissions.CLAIM_HANDLE)
def claim_open(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    if request.method == "POST":
        return _claim_submit(request, staff)
    typed = request.GET.get("order", "").strip()[:120]
    if not typed:
        return _page(request, staff)
    try:
        order = _order_for_store(staff.store, typed)
    except NotFound:
        error = _("No order with this number in this store.")
        return _page(request, staff, typed=typed, error=error, status=404)
    return _page(
        request,
        staff,
        typed=typed,
        order=order,
        form=OpenClaimForm(),
        rows=_line_rows(order, None),
        submission=secrets.token_urlsafe(24),
    )


def _claim_submit(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    token = request.POST.get("submission", "")[:64] or secrets.token_urlsafe(24)
    opened = _claim_opened_with(staff.store, token)
    if opened:  # sent twice: the same claim
        return redirect("backoffice:claim_opened", number=opened)
    typed = request.POST.get("typed", "").strip()[:120]
    # The order's external id, from the page; another store's order is a 404.
    order = order_get_for_store(store=staff.store, external_id=request.POST.get("order", "")[:120])
    form = OpenClaimForm(request.POST, request.FILES)
    rows = _line_rows(order, request.POST)
    page: dict[str, Any] = {
        "typed": typed,
        "order": order,
        "form": form,
        "rows": rows,
        "submission": token,
    }
    error = _input_errors(form, rows)
    if error:
        return _page(request, staff, error=error, status=422, **page)
    try:
        number = _open(staff, order, form, _picked_lines(rows), token)
    except images.PhotoError as exc:
        return _page(request, staff, error=str(exc), status=422, **page)
    except RetornoError as exc:
        text = ERROR_MESSAGES.get(exc.code)
        error = str(text) if text is not None else exc.detail
        return _page(request, staff, error=error, status=http_status(exc), **page)
    return redirect("backoffice:claim_opened", number=number)


def _claim_opened_with(store: Store, token: str) -> str | None:
    body = stored_body(store_id=store.id, operation=OPERATION, key=token)
    return body.get("number") if body else None


def _open(
    staff: StaffContext, order: Order, form: OpenClaimForm, lines: dict[str, int], token: str
) -> str:
    """Store the photos and open the claim, once per submission token; returns its number."""
    uploads = form.cleaned_data["photos"]
    return claim_services.claim_open_once(
        store=staff.store,
        operation=OPERATION,
        token=token,
        order_external_id=order.external_id,
        reason=form.cleaned_data["reason"],
        lines=lines,
        description=form.cleaned_data["note"],
        photos=images.store_photos(staff.store.id, uploads, photo_limits()) if uploads else [],
        actor=staff.actor,
    )


@require_GET
@staff_view(permissions.CLAIM_HANDLE)
def claim_opened(request: HttpRequest, staff: StaffContext, number: str) -> HttpResponse:
    claim = claim_selectors.claim_get_for_store(store=staff.store, number=number)
    return render_page(
        request,
        "backoffice/claim_open_done.html",
        {"claim": claim, "reason": labels.label("claim_reason", claim.reason)},
        staff=staff,
        section="claims",
    )
