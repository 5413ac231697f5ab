"""Shopper pages for a parcel that did not leave, after a failed pickup or a booking no carrier
took (choose a new date, correct the address or phone, switch to drop-off or to a label, or
cancel: the choice books again at once; only the methods a carrier can take the parcel with are
offered), and the label download."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from retorno.core import labels
from retorno.core.actors import Actor
from retorno.core.downloads import stored_or_redirect
from retorno.core.errors import NotFound, RetornoError
from retorno.domain.days import local_day
from retorno.domain.errors import DomainError
from retorno.logistics import selectors as logistics_selectors
from retorno.portal import display
from retorno.portal.forms import AddressForm
from retorno.portal.pages import (
    METHODS,
    NOT_COLLECTED,
    not_found,
    page,
    pickup_dates,
    return_or_404,
)
from retorno.returns.models import Return
from retorno.returns.workflows import parcels
from retorno.returns.workflows import recovery as recovering

BOOKING_PROBLEM_TEXTS = {
    "booking_failed": gettext_lazy(
        "The carriers were not available or turned the booking down. It was not your fault."
    ),
    "no_carrier": gettext_lazy(
        "None of our carriers serves your address for this way of sending it."
    ),
}
REASON_TEXTS = {
    "customer_not_available": gettext_lazy("Nobody was at home when the carrier came."),
    "wrong_address": gettext_lazy("The carrier could not find the address."),
    "item_not_ready": gettext_lazy("The parcel was not ready."),
    "refused": gettext_lazy("The parcel was not handed over."),
    "not_serviceable": gettext_lazy("The carrier cannot collect at this address."),
    "carrier_issue": gettext_lazy("The carrier could not come."),
}


class RecoveryForm(AddressForm):
    # Each choice with the return method it books (None: no booking).
    CHOICES = [
        ("reschedule", gettext_lazy("Choose a new pickup date"), "pickup"),
        ("update_address", gettext_lazy("Correct the address or phone, and pick a date"), None),
        ("drop_off", gettext_lazy("Take the parcel to a drop-off point instead"), "drop_off"),
        ("label", gettext_lazy("Get a return label and send it yourself"), "self_ship"),
        ("cancel", gettext_lazy("Cancel the return"), None),
    ]
    action = forms.ChoiceField(
        label=gettext_lazy("What would you like to do?"), widget=forms.RadioSelect
    )
    pickup_date = forms.ChoiceField(label=gettext_lazy("Pickup date"), required=False)
    field_order = ["action", "pickup_date"]

    def __init__(
        self,
        *args: Any,
        dates: list[tuple[str, str]],
        served: list[str],
        collects: bool,
        **kwargs: Any,
    ) -> None:
        """`served`: the methods a carrier can take the parcel with from where it is; `collects`:
        whether the store collects at all, so a corrected address may be served (it is checked
        when posted)."""
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [  # type: ignore[attr-defined]
            (action, text)
            for action, text, method in self.CHOICES
            if method in served or action == "cancel" or (action == "update_address" and collects)
        ]
        self.fields["pickup_date"].choices = [("", "—"), *dates]  # type: ignore[attr-defined]
        for name in ("name", "line1", "postal_code", "city", "country"):
            self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action in ("reschedule", "update_address") and not data.get("pickup_date"):
            self.add_error("pickup_date", _("Choose a pickup date."))
        if action == "update_address":
            for name in ("name", "line1", "postal_code", "city", "country"):
                if not data.get(name):
                    self.add_error(name, _("This field is required."))
        return data


def shopper(return_request: Return) -> Actor:
    return Actor(
        kind="shopper", id=str(return_request.customer_id), label=return_request.customer.email
    )


def recovery(request: HttpRequest, token: str) -> HttpResponse:
    found = return_or_404(request, token)
    if isinstance(found, HttpResponse):
        return found
    return_request = found
    store = return_request.store
    case = logistics_selectors.open_recovery_for_return(store=store, return_id=return_request.id)
    if case is None:
        return redirect("portal:tracking", token=return_request.tracking_token)
    initial = {k: v for k, v in (return_request.pickup_address or {}).items() if v}
    allowed = [m for m in METHODS if m in (store.return_methods or METHODS)] or list(METHODS)
    form = RecoveryForm(
        request.POST or None,
        initial=initial,
        dates=pickup_dates(store),
        served=parcels.methods_served_for_return(return_request, allowed),
        collects="pickup" in allowed,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            action = data["action"]
            address = None
            if action == "update_address":
                address = {
                    k: v
                    for k, v in data.items()
                    if k in ("name", "line1", "line2", "postal_code", "city", "country") and v
                }
                if not parcels.methods_served_for_return(
                    return_request, ["pickup"], address=address
                ):
                    form.add_error("postal_code", NOT_COLLECTED)
        if form.is_valid():
            try:
                recovering.pickup_recovery_apply(
                    store=store,
                    rma=return_request.rma,
                    choice=recovering.RecoveryChoice(
                        action=action,
                        pickup_date=_date(data.get("pickup_date")),
                        address=address,
                        phone=data.get("phone") or "",
                        note=_("Chosen by the shopper on the recovery page."),
                    ),
                    actor=shopper(return_request),
                )
            except (RetornoError, DomainError):
                status = 409
                form.add_error(None, _("This return can no longer be changed."))
            else:
                return redirect("portal:tracking", token=return_request.tracking_token)
        else:
            status = 422
    booking_problem = case.reason in BOOKING_PROBLEM_TEXTS
    return page(
        request,
        "portal/recovery.html",
        {
            "return": return_request,
            "case": case,
            "booking_problem": booking_problem,
            "reason_text": (BOOKING_PROBLEM_TEXTS if booking_problem else REASON_TEXTS).get(
                case.reason, _("The pickup did not happen.")
            ),
            "form": form,
            "carrier": case.carrier_account.name if case.carrier_account else "",
            "method_label": labels.shopper_label("method", case.shipment.method),
            "failed_on": display.long_date(local_day(case.created_at, store.timezone)),
        },
        store=store,
        status=status,
    )


def _date(value: str | None) -> Any:
    return date.fromisoformat(value) if value else None


def label(request: HttpRequest, token: str) -> HttpResponse:
    """The shopper's printable label, found by the tracking link's token."""
    found = return_or_404(request, token)
    if isinstance(found, HttpResponse):
        return found
    try:
        label = logistics_selectors.return_label(store=found.store, return_id=found.id)
    except NotFound:
        return not_found(request, found.store)
    return stored_or_redirect(
        path=label.path, url=label.url, filename=label.filename, content_type="application/pdf"
    )
