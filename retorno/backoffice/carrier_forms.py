"""The carrier account form of the back office: what an admin types, read into the fields of
`retorno.logistics.services.accounts.carrier_account_save` (which checks them and saves).

Secrets are write-only: their fields are never filled in, an empty field keeps what is
stored, and giving any secret replaces the stored ones as a whole (so a secret meant for an
old address is never kept by accident). "Remove the stored secrets" clears them.
"""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from retorno.core import labels
from retorno.domain.logistics import Capability
from retorno.domain.money import minor_units
from retorno.logistics import selectors as logistics_selectors
from retorno.logistics.models import CarrierAccount

SETTING_LABELS = {
    "base_url": _("Address (base URL)"),
    "carrier": _("Carrier at the provider"),
    "service": _("Service level"),
    "servicelevel": _("Service level"),
}
SETTING_HELP = {
    "base_url": _(
        "Where Retorno calls the carrier, like https://api.example.com/. Changing it removes "
        "the stored secrets unless you give them again."
    ),
}
SECRET_LABELS = {
    "api_key": _("API key"),
    "api_token": _("API token"),
    "webhook_secret": _("Webhook signing secret"),
    "webhook_token": _("Webhook token"),
}
DIMENSIONS = re.compile(r"^\s*(\d{1,6})\s*[x×*,]\s*(\d{1,6})\s*[x×*,]\s*(\d{1,6})\s*$", re.I)
RANGE = re.compile(r"^(\S+?)\s*(?:\.\.|–)\s*(\S+)$")
COUNTRY = re.compile(r"^[A-Za-z]{2}$")


def areas_text(areas: list[Any]) -> str:
    """Service areas as the form shows them: one country per line, then its postal-code
    prefixes and ranges ("ES: 28, 08, 09000..09999")."""
    lines = []
    for area in areas:
        if not isinstance(area, dict):
            continue
        parts = [str(p) for p in area.get("postal_prefixes") or ()]
        parts += [f"{low}..{high}" for low, high in area.get("postal_ranges") or ()]
        country = str(area.get("country", ""))
        lines.append(f"{country}: {', '.join(parts)}" if parts else country)
    return "\n".join(lines)


def parse_areas(text: str) -> list[dict[str, Any]]:
    """The service areas written as `areas_text` writes them. Raises ValidationError naming the
    line that cannot be read."""
    areas = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        country, _colon, rest = line.partition(":")
        country = country.strip()
        if not COUNTRY.match(country):
            raise forms.ValidationError(
                _("Line %(line)s: start with a two-letter country code, like ES."),
                params={"line": number},
            )
        prefixes: list[str] = []
        ranges: list[list[str]] = []
        for part in (p.strip() for p in rest.split(",")):
            if not part:
                continue
            found = RANGE.match(part)
            if found:
                ranges.append([found.group(1), found.group(2)])
            elif " " in part:
                raise forms.ValidationError(
                    _("Line %(line)s: separate postal codes with commas."),
                    params={"line": number},
                )
            else:
                prefixes.append(part)
        areas.append(
            {"country": country.upper(), "postal_prefixes": prefixes, "postal_ranges": ranges}
        )
    return areas


class CarrierAccountForm(forms.Form):
    """A carrier account of `kind` for a store paying in `currency`. With `account`, the form
    edits it (its code cannot change); without, it creates one."""

    code = forms.SlugField(
        label=_("Code"),
        max_length=64,
        help_text=_("Letters, digits, - and _. Allocation rules name the carrier by it."),
    )
    name = forms.CharField(label=_("Name"), max_length=120)
    enabled = forms.BooleanField(label=_("Enabled: allocation may choose it"), required=False)
    remove_secrets = forms.BooleanField(label=_("Remove the stored secrets"), required=False)
    capabilities = forms.MultipleChoiceField(
        label=_("What it offers"), required=False, widget=forms.CheckboxSelectMultiple
    )
    service_areas = forms.CharField(
        label=_("Service areas"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=_(
            "One country per line, then its postal-code prefixes and ranges if it does not "
            "serve the whole country: ES, or ES: 28, 08, 09000..09999"
        ),
    )
    max_weight_grams = forms.IntegerField(
        label=_("Heaviest parcel (grams)"), min_value=1, max_value=10_000_000
    )
    max_dimensions_cm = forms.CharField(
        label=_("Largest parcel (cm)"), max_length=40, help_text=_("Three sides: 120 x 80 x 80")
    )
    max_length_plus_girth_cm = forms.IntegerField(
        label=_("Length plus girth limit (cm)"), min_value=1, max_value=100_000, required=False
    )
    transit_days = forms.IntegerField(label=_("Transit days"), min_value=0, max_value=60)
    daily_pickup_capacity = forms.IntegerField(
        label=_("Daily pickup capacity"), min_value=0, max_value=10_000_000, required=False
    )

    def __init__(
        self,
        data: Any = None,
        *,
        kind: str,
        currency: str,
        account: CarrierAccount | None = None,
    ) -> None:
        self.kind = kind
        keys = logistics_selectors.carrier_kind_keys(kind)
        if keys is None:
            raise ValueError(f"No carrier adapter for {kind!r}.")
        self.keys = keys
        self.currency = currency
        self.account = account
        super().__init__(data, initial=_initial(account, currency), label_suffix="")
        if account is not None:
            del self.fields["code"]
        cast(forms.MultipleChoiceField, self.fields["capabilities"]).choices = [
            (c.value, labels.label("capability", c.value)) for c in Capability
        ]
        # Prices in the store's currency, no finer than it counts (its validators are made
        # with the field, hence here).
        prices = {"base_amount": _("Price per parcel"), "per_kg_amount": _("Price per kg")}
        for name, label in prices.items():
            self.fields[name] = forms.DecimalField(
                label=label, min_value=0, max_digits=12, decimal_places=minor_units(currency)
            )
        for key in self.keys.settings:
            self.fields[f"setting_{key}"] = forms.CharField(
                label=SETTING_LABELS.get(key, key),
                help_text=SETTING_HELP.get(key, ""),
                max_length=500,
                required=key in self.keys.required_settings,
                initial=str(((account.config if account else None) or {}).get(key, "")),
            )
        for key in self.keys.secrets:
            # Never rendered back: the browser gets an empty field whatever is stored.
            self.fields[f"secret_{key}"] = forms.CharField(
                label=SECRET_LABELS.get(key, key),
                max_length=500,
                required=False,
                strip=True,
                widget=forms.PasswordInput(
                    render_value=False, attrs={"autocomplete": "new-password"}
                ),
            )

    @property
    def setting_fields(self) -> list[forms.BoundField]:
        return [self[f"setting_{key}"] for key in self.keys.settings]

    @property
    def secret_fields(self) -> list[forms.BoundField]:
        return [self[f"secret_{key}"] for key in self.keys.secrets]

    @property
    def has_stored_secrets(self) -> bool:
        return bool(self.account is not None and self.account.credentials_encrypted)

    def clean_service_areas(self) -> list[dict[str, Any]]:
        return parse_areas(self.cleaned_data["service_areas"])

    def clean_max_dimensions_cm(self) -> list[int]:
        found = DIMENSIONS.match(self.cleaned_data["max_dimensions_cm"])
        if found is None:
            raise forms.ValidationError(_("Give three whole numbers, like 120 x 80 x 80."))
        return [int(side) for side in found.groups()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        given = self._secrets_given()
        if cleaned.get("remove_secrets") and given:
            raise forms.ValidationError(
                _("Either remove the stored secrets or give new ones, not both.")
            )
        if self.account is None or given:
            missing = [k for k in self.keys.required_secrets if not given.get(k)]
            for key in missing:
                self.add_error(f"secret_{key}", _("This secret is needed."))
        return cleaned

    def _secrets_given(self) -> dict[str, str]:
        data = getattr(self, "cleaned_data", {})
        return {k: data[f"secret_{k}"] for k in self.keys.secrets if data.get(f"secret_{k}")}

    def account_data(self) -> dict[str, Any]:
        """The account's fields for carrier_account_save: config keys this form does not show
        and rates in other currencies are kept as they are."""
        data = self.cleaned_data
        config = {k: v for k, v in ((self.account.config if self.account else None) or {}).items()}
        for key in self.keys.settings:
            value = data[f"setting_{key}"]
            if value:
                config[key] = value
            else:
                config.pop(key, None)
        rates = dict((self.account.rates if self.account else None) or {})
        rates[self.currency] = {
            "base_amount": str(data["base_amount"]),
            "per_kg_amount": str(data["per_kg_amount"]),
        }
        fields = {
            "name": data["name"],
            "enabled": data["enabled"],
            "config": config,
            "capabilities": list(data["capabilities"]),
            "service_areas": data["service_areas"],
            "max_weight_grams": data["max_weight_grams"],
            "max_dimensions_cm": data["max_dimensions_cm"],
            "max_length_plus_girth_cm": data["max_length_plus_girth_cm"],
            "rates": rates,
            "transit_days": data["transit_days"],
            "daily_pickup_capacity": data["daily_pickup_capacity"],
        }
        if self.account is None:
            fields["kind"] = self.kind
        return fields

    def credentials(self) -> dict[str, str] | None:
        """What replaces the stored secrets: None keeps them, {} removes them."""
        if self.cleaned_data.get("remove_secrets"):
            return {}
        return self._secrets_given() or None


def _initial(account: CarrierAccount | None, currency: str) -> dict[str, Any]:
    if account is None:
        return {
            "enabled": True,
            "capabilities": [Capability.LABEL.value, Capability.TRACKING_WEBHOOK.value],
            "max_weight_grams": 30_000,
            "max_dimensions_cm": "120 x 80 x 80",
            "transit_days": 2,
        }
    rate = (account.rates or {}).get(currency) or {}
    sides = account.max_dimensions_cm or []
    return {
        "name": account.name,
        "enabled": account.enabled,
        "capabilities": list(account.capabilities or []),
        "service_areas": areas_text(account.service_areas or []),
        "max_weight_grams": account.max_weight_grams,
        "max_dimensions_cm": " x ".join(str(side) for side in sides),
        "max_length_plus_girth_cm": account.max_length_plus_girth_cm,
        "base_amount": rate.get("base_amount", ""),
        "per_kg_amount": rate.get("per_kg_amount", ""),
        "transit_days": account.transit_days,
        "daily_pickup_capacity": account.daily_pickup_capacity,
    }
