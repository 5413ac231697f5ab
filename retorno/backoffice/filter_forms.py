"""The filter bars of the staff lists (customers, shipments, messages): GET forms drawn by one
partial (backoffice/_filters.html). A filter never refuses a page: a value the list does not
offer reads as "any"."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from retorno.core import labels

ANY: list[tuple[str, Any]] = [("", _("Any"))]


def search_field(label: Any, max_length: int) -> forms.CharField:
    """The wide search box the bar starts with (always named `q`)."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class FilterForm(forms.Form):
    def __init__(self, data: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(data or None, **kwargs)

    def offer(self, name: str, choices: list[tuple[str, Any]]) -> None:
        """The values a select offers (after "Any"), set under the request's language."""
        cast(forms.ChoiceField, self.fields[name]).choices = [*ANY, *choices]

    def value(self, name: str) -> str:
        """The field's value if valid, else "" (any)."""
        self.is_valid()
        return str(getattr(self, "cleaned_data", {}).get(name) or "").strip()

    @property
    def filtered(self) -> bool:
        return any(self.value(name) for name in self.fields)


class CustomerFilterForm(FilterForm):
    q = search_field(_("E-mail, name or customer id"), 254)
    tier = forms.ChoiceField(label=_("Tier"), required=False)

    def __init__(self, data: Any, *, tiers: list[str]) -> None:
        super().__init__(data, auto_id="customer-%s")
        self.offer("tier", [(code, labels.tier_label(code)) for code in tiers])


class ShipmentFilterForm(FilterForm):
    q = search_field(_("RMA or tracking number"), 120)
    booking_state = forms.ChoiceField(label=_("Booking"), required=False)
    status = forms.ChoiceField(label=_("Tracking"), required=False)
    carrier = forms.ChoiceField(label=_("Carrier"), required=False)

    def __init__(self, data: Any, *, carriers: list[tuple[str, str]]) -> None:
        super().__init__(data, auto_id="shipment-%s")
        self.offer("booking_state", labels.choices("booking_state"))
        self.offer("status", labels.choices("tracking_status"))
        self.offer("carrier", carriers)
