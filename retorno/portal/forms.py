"""Shopper forms. Every field has a label; limits are in the fields."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from retorno.core.forms import PhotosField
from retorno.domain.returns.reasons import REASONS
from retorno.portal import display, photos


class LookupForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Order number"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    # The e-mail only: a postal code is shared by a whole street and printed on the parcel, and
    # with sequential order numbers it would open anyone's order.
    email = forms.EmailField(
        label=gettext_lazy("Your email"),
        max_length=254,
        help_text=gettext_lazy("The email address you used when you placed the order."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class MultiplePhotoField(PhotosField):
    """The shopper's photos of one item, with the portal's limits."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("limits", photos.limits)
        kwargs.setdefault("too_many", gettext_lazy("At most %(count)s photos per item."))
        super().__init__(*args, **kwargs)


class ItemForm(forms.Form):
    """One order line: whether to return it, how many, why, and the proof."""

    selected = forms.BooleanField(required=False, label=gettext_lazy("Return this item"))
    quantity = forms.IntegerField(
        required=False, min_value=1, max_value=999, initial=1, label=gettext_lazy("Quantity")
    )
    reason = forms.ChoiceField(required=False, label=gettext_lazy("Reason"))
    comment = forms.CharField(
        required=False,
        max_length=2000,
        label=gettext_lazy("Comment (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = MultiplePhotoField(
        required=False,
        label=gettext_lazy("Photos"),
        help_text=gettext_lazy("JPEG, PNG or WebP, up to 5 MB each, at most 3."),
    )

    def __init__(
        self,
        *args: Any,
        returnable: int,
        has_photos: bool = False,
        photo_reasons: frozenset[str] = frozenset(),
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.returnable = returnable
        self.has_photos = has_photos
        self.photo_reasons = photo_reasons  # the policy's reasons that need a photo, this line
        cast(forms.ChoiceField, self.fields["reason"]).choices = display.reason_choices()
        self.fields["quantity"].widget.attrs["max"] = returnable

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("selected"):
            return data
        quantity = data.get("quantity")
        if quantity is None and "quantity" not in self.errors:
            self.add_error("quantity", _("Say how many you want to return."))
        elif quantity is not None and quantity > self.returnable:
            self.add_error(
                "quantity",
                _("You can return at most %(count)s of this item.") % {"count": self.returnable},
            )
        reason = data.get("reason")
        if not reason or reason not in REASONS:
            self.add_error("reason", _("Choose why you are returning this item."))
        elif reason in self.photo_reasons and not data.get("photos") and not self.has_photos:
            self.add_error(
                "photos", _("Add at least one photo showing the problem for this reason.")
            )
        return data


class AddressForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    line1 = forms.CharField(label=gettext_lazy("Address"), max_length=200)
    line2 = forms.CharField(
        label=gettext_lazy("Address line 2 (optional)"), max_length=200, required=False
    )
    postal_code = forms.CharField(label=gettext_lazy("Postal code"), max_length=20)
    city = forms.CharField(label=gettext_lazy("City"), max_length=100)
    country = forms.RegexField(
        label=gettext_lazy("Country code"),
        regex=r"^[A-Za-z]{2}$",
        max_length=2,
        help_text=gettext_lazy("Two letters, for example ES."),
    )
    phone = forms.CharField(label=gettext_lazy("Phone (optional)"), max_length=40, required=False)

    def clean_country(self) -> str:
        return self.cleaned_data["country"].upper()

    def address(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if v}


class ResolutionForm(forms.Form):
    resolution = forms.ChoiceField(
        label=gettext_lazy("What would you like?"), widget=forms.RadioSelect
    )
    method = forms.ChoiceField(
        label=gettext_lazy("How will you send it back?"), widget=forms.RadioSelect
    )
    pickup_date = forms.ChoiceField(label=gettext_lazy("Pickup date"), required=False)

    def __init__(
        self,
        *args: Any,
        resolutions: list[tuple[str, str]],
        methods: list[tuple[str, str]],
        dates: list[tuple[str, str]],
        exchange_fields: list[tuple[str, str, list[tuple[str, str]], str | None]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["resolution"]).choices = resolutions
        cast(forms.ChoiceField, self.fields["method"]).choices = methods
        cast(forms.ChoiceField, self.fields["pickup_date"]).choices = dates
        self.exchange_names = []
        for name, title, choices, proposed in exchange_fields:
            # Only variants in stock are choices: a sold-out one posted anyway is refused here.
            self.fields[name] = forms.ChoiceField(
                label=_("New variant for “%(title)s”") % {"title": title},
                choices=choices,
                required=False,
                initial=proposed,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": gettext_lazy(
                        "That variant is out of stock or no longer offered. Choose another."
                    )
                },
            )
            self.exchange_names.append(name)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("resolution") == "exchange":
            for name in self.exchange_names:
                if not data.get(name):
                    self.add_error(name, _("Choose the variant you want instead."))
        if data.get("method") == "pickup" and not data.get("pickup_date"):
            self.add_error("pickup_date", _("Choose a pickup date."))
        return data


class PickupForm(AddressForm):
    pickup_date = forms.ChoiceField(label=gettext_lazy("Pickup date"))

    def __init__(self, *args: Any, dates: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["pickup_date"]).choices = dates

    def address(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if v and k != "pickup_date"}


# --- claims: a problem with items the shopper keeps -----------------------------------------------

# Reasons a photo can show; a missing item or a parcel that never came has nothing to photograph.
CLAIM_REASONS_NEEDING_PHOTOS = frozenset(
    {"damaged_in_transit", "wrong_item", "defective_on_arrival"}
)


class ClaimPhotoField(PhotosField):
    """The shopper's photos of a claim (for every item together), with the portal's limits."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("limits", photos.limits)
        super().__init__(*args, **kwargs)


class ClaimLineForm(forms.Form):
    """One order line of a claim: whether it has the problem, and how many units."""

    selected = forms.BooleanField(required=False, label=gettext_lazy("This item has a problem"))
    units = forms.IntegerField(
        required=False, min_value=1, max_value=999, initial=1, label=gettext_lazy("Units affected")
    )

    def __init__(self, *args: Any, bought: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bought = bought
        self.fields["units"].widget.attrs["max"] = bought

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("selected"):
            return data
        units = data.get("units")
        if units is None and "units" not in self.errors:
            self.add_error("units", _("Say how many units have the problem."))
        elif units is not None and units > self.bought:
            self.add_error(
                "units",
                _("You bought %(count)s of this item, so you can report at most %(count)s.")
                % {"count": self.bought},
            )
        return data


class ClaimForm(forms.Form):
    """What went wrong, in the shopper's words, with photos as evidence."""

    reason = forms.ChoiceField(
        label=gettext_lazy("What went wrong?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose what went wrong."),
            "invalid_choice": gettext_lazy("Choose what went wrong."),
        },
    )
    description = forms.CharField(
        required=False,
        max_length=2000,
        label=gettext_lazy("Tell us what happened (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photos = ClaimPhotoField(
        required=False,
        label=gettext_lazy("Photos"),
        help_text=gettext_lazy("JPEG, PNG or WebP, up to 5 MB each, at most 3."),
    )

    def __init__(self, *args: Any, reasons: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["reason"]).choices = reasons

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needs_photo = data.get("reason") in CLAIM_REASONS_NEEDING_PHOTOS
        if needs_photo and not data.get("photos") and "photos" not in self.errors:
            self.add_error(
                "photos", _("Add at least one photo showing the problem for this reason.")
            )
        return data
