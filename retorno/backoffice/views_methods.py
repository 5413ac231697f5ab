"""The return-methods settings page (owners, admins): which ways the portal offers to send a
return back, the store's price for each, and the shops a return may be brought to."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.core import labels
from retorno.core.errors import Unprocessable
from retorno.domain.returns.method_prices import DAY_KEYS, IN_STORE, PRICE_LIMIT
from retorno.stores import services as store_services
from retorno.stores.models import Store

DAY_NAMES = dict(
    zip(
        DAY_KEYS,
        (
            gettext_lazy("Monday"),
            gettext_lazy("Tuesday"),
            gettext_lazy("Wednesday"),
            gettext_lazy("Thursday"),
            gettext_lazy("Friday"),
            gettext_lazy("Saturday"),
            gettext_lazy("Sunday"),
        ),
        strict=True,
    )
)
BLANK_LOCATIONS = 2  # empty rows offered below the saved shops
PROBLEMS = {
    "in_store_without_location": gettext_lazy(
        "Returns in store need at least one shop: add its name and address below."
    ),
    "invalid_method_price": gettext_lazy(
        "A price has more decimals than the store's currency has."
    ),
    "invalid_store_location": gettext_lazy("A shop needs a name and an address."),
    "invalid_return_methods": gettext_lazy("Offer at least one way."),
}


class MethodsForm(forms.Form):
    methods = forms.MultipleChoiceField(
        label=gettext_lazy("Ways shoppers may send a return back"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Offer at least one way.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["methods"]).choices = [
            (m, labels.label("method", m)) for m in store_services.SHOPPER_METHODS
        ]
        for method in store_services.SHOPPER_METHODS:
            self.fields[f"price_{method}"] = forms.DecimalField(
                label=labels.label("method", method),
                required=False,
                min_value=0,
                max_value=PRICE_LIMIT,
                decimal_places=3,
                localize=True,  # "4,95" in Spanish
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "decimal",
                        "placeholder": _("Free") if method == IN_STORE else _("Policy's fee"),
                    }
                ),
            )

    def price_fields(self) -> list[forms.BoundField]:
        return [self[f"price_{m}"] for m in store_services.SHOPPER_METHODS]

    def prices(self) -> dict[str, Any]:
        return {
            m: self.cleaned_data[f"price_{m}"]
            for m in store_services.SHOPPER_METHODS
            if self.cleaned_data.get(f"price_{m}") is not None
        }


class LocationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Shop name"), max_length=120, required=False)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    postal_code = forms.CharField(label=gettext_lazy("Postal code"), max_length=20, required=False)
    city = forms.CharField(label=gettext_lazy("City"), max_length=80, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for day, name in DAY_NAMES.items():
            self.fields[day] = forms.CharField(
                label=name,
                max_length=80,
                required=False,
                widget=forms.TextInput(attrs={"placeholder": _("Closed")}),
            )

    def place_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("name", "address", "postal_code", "city")]

    def hour_fields(self) -> list[forms.BoundField]:
        return [self[day] for day in DAY_KEYS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        written = any(data.get(k) for k in ("name", "address", "postal_code", "city", *DAY_KEYS))
        if written and not data.get("name"):
            self.add_error("name", _("Give the shop a name."))
        if written and not data.get("address"):
            self.add_error("address", _("Give the shop's address."))
        return data

    def location(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("name"):
            return None  # an empty row
        return {
            "name": data["name"],
            "address": data["address"],
            "postal_code": data.get("postal_code", ""),
            "city": data.get("city", ""),
            "hours": {day: data[day] for day in DAY_KEYS if data.get(day)},
        }


LocationFormSet = forms.formset_factory(LocationForm, extra=0, max_num=50, absolute_max=60)


def _initial(store: Store) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    methods = {
        "methods": list(store.return_methods or []),
        **{f"price_{m}": Decimal(p) for m, p in (store.return_method_prices or {}).items()},
    }
    locations = [
        {**{k: v for k, v in loc.items() if k != "hours"}, **loc.get("hours", {})}
        for loc in store.store_locations or []
    ]
    return methods, locations + [{}] * BLANK_LOCATIONS


@require_http_methods(["GET", "POST"])
@staff_view(permissions.CONFIGURE, audit="settings.return_methods_saved")
def return_methods(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    error = ""
    if request.method == "POST":
        form = MethodsForm(request.POST)
        # A post without the shops' rows (an older form) leaves the saved shops as they are.
        shops_posted = "shop-TOTAL_FORMS" in request.POST
        shops = LocationFormSet(request.POST if shops_posted else None, prefix="shop")
        if form.is_valid() and (not shops_posted or shops.is_valid()):
            try:
                store_services.return_methods_save(
                    store=staff.store,
                    methods=form.cleaned_data["methods"],
                    prices=form.prices(),
                    locations=[loc for f in shops.forms if (loc := f.location()) is not None]
                    if shops_posted
                    else None,
                )
            except Unprocessable as exc:
                error = str(PROBLEMS.get(exc.code, exc.detail))
            else:
                messages.success(
                    request, _("The return methods are saved: the portal offers them now.")
                )
                return redirect("backoffice:return_methods")
    else:
        initial, locations = _initial(staff.store)
        form = MethodsForm(initial=initial)
        shops = LocationFormSet(initial=locations, prefix="shop")
    return render_page(
        request,
        "backoffice/return_methods.html",
        {"form": form, "shops": shops, "error": error, "currency": staff.store.currency},
        staff=staff,
        section="settings",
        status=422 if request.method == "POST" else 200,
    )
