"""The return policy as a form (retorno.domain.policies.form): fields for the settings a store
owner changes most, rows for windows per tier and per category, and the tiers that return for
free. The form writes the same versioned document as the JSON editor."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from retorno.core import labels
from retorno.domain.policies.form import PolicyForm

EXTRA_ROWS = 2
MAX_ROWS = 30
REFUND_TIMINGS = ("on_approval", "on_first_scan", "on_receipt", "on_inspection")


def _names(text: str) -> list[str]:
    """A list typed as "gift-cards, final-clearance" (commas or new lines)."""
    return list(dict.fromkeys(n.strip() for n in text.replace("\n", ",").split(",") if n.strip()))


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


class PolicyFormForm(forms.Form):
    """The fields of the policy form. Row fields (tier and category windows) are added per
    document: `tier_N`/`tier_days_N` and `category_N`/`category_days_N`."""

    window_days = forms.IntegerField(label=_("Days to return"), min_value=0, max_value=3650)
    window_starts = forms.ChoiceField(
        label=_("Counted from"),
        choices=[("delivery", _("Delivery")), ("order", _("The order date"))],
    )
    excluded_categories = forms.CharField(
        label=_("Categories never returnable"),
        required=False,
        max_length=2000,
        help_text=_("Separated by commas, as the catalogue names them."),
    )
    excluded_tags = forms.CharField(
        label=_("Product tags never returnable"), required=False, max_length=2000
    )
    final_sale_returnable = forms.BooleanField(
        label=_("Final-sale items can be returned"), required=False
    )
    max_discount_percent = forms.DecimalField(
        label=_("Not returnable when discounted by more than (%)"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
    )
    resolutions = forms.MultipleChoiceField(
        label=_("What shoppers may choose"), widget=forms.CheckboxSelectMultiple
    )
    store_credit_bonus_percent = forms.DecimalField(
        label=_("Store credit bonus (%)"), min_value=0, max_value=100, decimal_places=2
    )
    return_shipping_fee = forms.DecimalField(
        label=_("Return shipping fee"), min_value=0, max_digits=12, decimal_places=2
    )
    restocking_fee_percent = forms.DecimalField(
        label=_("Restocking fee (%)"), min_value=0, max_value=100, decimal_places=2
    )
    fee_waived_reasons = forms.MultipleChoiceField(
        label=_("No fees when the reason is"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    free_return_tiers = forms.CharField(
        label=_("Loyalty tiers that return for free"),
        required=False,
        max_length=500,
        help_text=_("Separated by commas, e.g. silver, gold."),
    )
    review_above_amount = forms.DecimalField(
        label=_("A person checks returns worth more than"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("Empty: no limit."),
    )
    review_reasons = forms.MultipleChoiceField(
        label=_("A person checks returns for these reasons"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    always_review = forms.BooleanField(label=_("A person checks every return"), required=False)
    photo_required_reasons = forms.MultipleChoiceField(
        label=_("A photo is required for these reasons"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    refund_timing = forms.ChoiceField(label=_("Refunds are issued"))
    note = forms.CharField(label=_("Note for the version history"), required=False, max_length=500)

    def __init__(
        self,
        *args: Any,
        tier_rows: int = 0,
        category_rows: int = 0,
        resolution_order: list[str] | None = None,
        **kwargs: Any,
    ):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        reasons = labels.choices("reason")
        # The policy's order of resolutions is the order shoppers are offered them: the boxes
        # show it, and what is ticked keeps it (new ones after).
        order = list(resolution_order or [])
        self.resolution_rank = {code: i for i, code in enumerate(order)}
        resolutions = sorted(
            labels.choices("resolution"), key=lambda c: self.resolution_rank.get(c[0], len(order))
        )
        self._choices("resolutions", resolutions)
        for name in ("fee_waived_reasons", "review_reasons", "photo_required_reasons"):
            self._choices(name, reasons)
        self._choices(
            "refund_timing", [(t, labels.label("refund_timing", t)) for t in REFUND_TIMINGS]
        )
        self.tier_rows = min(tier_rows, MAX_ROWS)
        self.category_rows = min(category_rows, MAX_ROWS)
        for i in range(self.tier_rows):
            self.fields[f"tier_{i}"] = forms.CharField(
                label=_("Tier"), required=False, max_length=40
            )
            self.fields[f"tier_days_{i}"] = forms.IntegerField(
                label=_("Days"), required=False, min_value=0, max_value=3650
            )
        for i in range(self.category_rows):
            self.fields[f"category_{i}"] = forms.CharField(
                label=_("Category"), required=False, max_length=80
            )
            self.fields[f"category_days_{i}"] = forms.IntegerField(
                label=_("Days"), required=False, min_value=0, max_value=3650
            )

    def _choices(self, name: str, choices: list[tuple[str, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    @classmethod
    def rows_posted(cls, data: Any, prefix: str) -> int:
        """How many rows of `prefix` a posted form has (the page sends a few empty ones)."""
        count = 0
        while f"{prefix}_{count}" in data and count < MAX_ROWS:
            count += 1
        return count

    @property
    def tier_fields(self) -> list[tuple[Any, Any]]:
        return [(self[f"tier_{i}"], self[f"tier_days_{i}"]) for i in range(self.tier_rows)]

    @property
    def category_fields(self) -> list[tuple[Any, Any]]:
        return [
            (self[f"category_{i}"], self[f"category_days_{i}"]) for i in range(self.category_rows)
        ]

    def _rows(self, prefix: str, count: int) -> tuple[tuple[str, int], ...]:
        rows: dict[str, int] = {}
        for i in range(count):
            name = (self.cleaned_data.get(f"{prefix}_{i}") or "").strip()
            days = self.cleaned_data.get(f"{prefix}_days_{i}")
            if not name and days is None:
                continue
            if not name or days is None:
                self.add_error(f"{prefix}_{i}", _("Give both the name and the days, or neither."))
                continue
            if name in rows:
                self.add_error(f"{prefix}_{i}", _("This one is already in the list."))
                continue
            rows[name] = days
        return tuple(rows.items())

    def policy_form(self) -> PolicyForm:
        """The form's values as the domain's PolicyForm (call after is_valid())."""
        data = self.cleaned_data
        base = {
            "window_days": data["window_days"],
            "window_starts": data["window_starts"],
            "excluded_categories": _names(data["excluded_categories"]),
            "excluded_tags": _names(data["excluded_tags"]),
            "final_sale_returnable": data["final_sale_returnable"],
            "max_discount_percent": _amount(data["max_discount_percent"]),
            "resolutions": sorted(
                data["resolutions"],
                key=lambda code: self.resolution_rank.get(code, len(self.resolution_rank)),
            ),
            "store_credit_bonus_percent": str(data["store_credit_bonus_percent"]),
            "return_shipping_fee": str(data["return_shipping_fee"]),
            "restocking_fee_percent": str(data["restocking_fee_percent"]),
            "fee_waived_reasons": list(data["fee_waived_reasons"]),
            "review_above_amount": _amount(data["review_above_amount"]),
            "review_reasons": list(data["review_reasons"]),
            "always_review": data["always_review"],
            "photo_required_reasons": list(data["photo_required_reasons"]),
            "refund_timing": data["refund_timing"],
        }
        return PolicyForm(
            base=base,
            tier_windows=self._rows("tier", self.tier_rows),
            category_windows=self._rows("category", self.category_rows),
            free_return_tiers=tuple(_names(data["free_return_tiers"])),
        )


def initial_of(form: PolicyForm) -> dict[str, Any]:
    """The form's initial values for a document read into a PolicyForm."""
    base = form.base
    initial: dict[str, Any] = {
        **{key: value for key, value in base.items() if not isinstance(value, list)},
        "excluded_categories": ", ".join(base.get("excluded_categories", [])),
        "excluded_tags": ", ".join(base.get("excluded_tags", [])),
        "resolutions": base.get("resolutions", []),
        "fee_waived_reasons": base.get("fee_waived_reasons", []),
        "review_reasons": base.get("review_reasons", []),
        "photo_required_reasons": base.get("photo_required_reasons", []),
        "free_return_tiers": ", ".join(form.free_return_tiers),
    }
    for i, (tier, days) in enumerate(form.tier_windows):
        initial[f"tier_{i}"], initial[f"tier_days_{i}"] = tier, days
    for i, (category, days) in enumerate(form.category_windows):
        initial[f"category_{i}"], initial[f"category_days_{i}"] = category, days
    return initial
