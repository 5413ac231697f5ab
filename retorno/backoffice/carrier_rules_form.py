"""The carrier allocation rules as a form: one block per rule (when it applies, how carriers
are ranked, which may take the parcel), in the order they are tried, read into the rows of
retorno.domain.logistics.rules_form and written as the same versioned document as the JSON
editor. A formset without JavaScript: an empty block at the end adds a rule, "Remove" drops one,
the order numbers reorder them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from retorno.core import labels
from retorno.domain.logistics import ReturnMethod
from retorno.domain.logistics.rules_form import RuleRow

MAX_RULES = 200  # the document's own limit


def _names(text: str) -> tuple[str, ...]:
    """A list typed as "ES, PT" (commas or new lines), each once, in the order typed."""
    return tuple(
        dict.fromkeys(n.strip() for n in (text or "").replace("\n", ",").split(",") if n.strip())
    )


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


class RuleForm(forms.Form):
    """One rule. Left wholly empty, it is no rule (the blank block at the end)."""

    id = forms.SlugField(
        label=_("Name (short code)"),
        required=False,
        max_length=64,
        help_text=_("Lower-case letters, digits and -_. like heavy-parcels."),
    )
    description = forms.CharField(label=_("What it is for"), required=False, max_length=500)
    strategy = forms.ChoiceField(label=_("Rank the carriers by"), required=False)
    countries = forms.CharField(
        label=_("Countries"),
        required=False,
        max_length=500,
        help_text=_("Two-letter codes separated by commas, like ES, PT. Empty: any."),
    )
    postal_prefixes = forms.CharField(
        label=_("Postal codes starting with"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=60_000,
        help_text=_("Separated by commas, like 28, 08. Empty: any."),
    )
    weight_min_grams = forms.IntegerField(
        label=_("From weight (grams)"), required=False, min_value=0, max_value=10_000_000
    )
    weight_max_grams = forms.IntegerField(
        label=_("Up to weight (grams)"), required=False, min_value=0, max_value=10_000_000
    )
    value_min = forms.DecimalField(
        label=_("From value"), required=False, min_value=0, max_digits=18, decimal_places=6
    )
    value_max = forms.DecimalField(
        label=_("Up to value"), required=False, min_value=0, max_digits=18, decimal_places=6
    )
    categories = forms.CharField(
        label=_("Product categories"),
        required=False,
        max_length=5000,
        help_text=_("As the catalogue names them, separated by commas. Empty: any."),
    )
    tiers = forms.CharField(
        label=_("Loyalty tiers"),
        required=False,
        max_length=2000,
        help_text=_("Separated by commas. Empty: any."),
    )
    methods = forms.MultipleChoiceField(
        label=_("Return methods (none ticked: any)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    carriers_in = forms.MultipleChoiceField(
        label=_("Only these carriers (none ticked: all)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    carriers_not_in = forms.MultipleChoiceField(
        label=_("Never these carriers"), required=False, widget=forms.CheckboxSelectMultiple
    )
    preference = forms.CharField(
        label=_("Carriers in order of preference"),
        required=False,
        max_length=2000,
        help_text=_("Codes separated by commas, first preferred (for “In the order given”)."),
    )

    def __init__(self, *args: Any, carriers: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self._set("strategy", [("", "—"), *labels.choices("strategy")])
        self._set("methods", [(str(m), labels.label("capability", str(m))) for m in ReturnMethod])
        self._set("carriers_in", list(carriers))
        self._set("carriers_not_in", list(carriers))

    def _set(self, name: str, choices: list[tuple[str, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("DELETE"):
            return data
        if not data.get("id"):
            self.add_error("id", _("Give the rule a name."))
        if not data.get("strategy"):
            self.add_error("strategy", _("Choose how the carriers are ranked."))
        return data

    def row(self) -> RuleRow:
        """The rule as the domain's row (call once the form is valid)."""
        data = self.cleaned_data
        return RuleRow(
            id=data["id"],
            strategy=data["strategy"],
            description=data["description"].strip(),
            countries=tuple(c.upper() for c in _names(data["countries"])),
            postal_prefixes=_names(data["postal_prefixes"]),
            weight_min_grams=data["weight_min_grams"],
            weight_max_grams=data["weight_max_grams"],
            value_min=_amount(data["value_min"]),
            value_max=_amount(data["value_max"]),
            categories=_names(data["categories"]),
            tiers=_names(data["tiers"]),
            methods=tuple(data["methods"]),
            carriers_in=tuple(data["carriers_in"]),
            carriers_not_in=tuple(data["carriers_not_in"]),
            preference=_names(data["preference"]),
        )


def initial_of(row: RuleRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "description": row.description,
        "strategy": row.strategy,
        "countries": ", ".join(row.countries),
        "postal_prefixes": ", ".join(row.postal_prefixes),
        "weight_min_grams": row.weight_min_grams,
        "weight_max_grams": row.weight_max_grams,
        "value_min": row.value_min,
        "value_max": row.value_max,
        "categories": ", ".join(row.categories),
        "tiers": ", ".join(row.tiers),
        "methods": list(row.methods),
        "carriers_in": list(row.carriers_in),
        "carriers_not_in": list(row.carriers_not_in),
        "preference": ", ".join(row.preference),
    }


class _RuleFormSet(BaseFormSet):
    def add_fields(self, form: Any, index: int | None) -> None:
        super().add_fields(form, index)
        # Django's label is "Order", which reads as a shop's order (Spanish "Pedido").
        form.fields["ORDER"].label = _("Position")
        form.fields["ORDER"].help_text = _("Lower numbers are tried first.")
        form.fields["ORDER"].widget.attrs.update({"min": 0, "max": MAX_RULES})


RuleFormSet = formset_factory(
    RuleForm,
    formset=_RuleFormSet,
    extra=1,
    can_delete=True,
    can_order=True,
    max_num=MAX_RULES,
    absolute_max=MAX_RULES,
    validate_max=True,
)


def rules_formset(data: Any = None, *, rows: tuple[RuleRow, ...] = (), carriers: Any = ()) -> Any:
    return RuleFormSet(
        data,
        initial=[initial_of(r) for r in rows] if data is None else None,
        prefix="rule",
        form_kwargs={"carriers": list(carriers)},
    )


def kept_forms(formset: Any) -> list[RuleForm]:
    """The rules the valid formset keeps, in the order they will be tried (the order numbers
    first, then their place on the page): not removed, and not the blank block left blank."""
    return list(formset.ordered_forms)
