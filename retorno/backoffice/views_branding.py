"""Settings as forms (owners, admins): the portal's brand with a live preview, and the channels
shoppers' messages go out on."""

from __future__ import annotations

import json
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
from retorno.notifications import selectors as notification_selectors
from retorno.notifications import services as notification_services
from retorno.stores import services as store_services
from retorno.stores.selectors import brand_preview, font_codes, font_stacks

PROBLEMS = {
    "invalid_colour": gettext_lazy("Give a colour as # and six hexadecimal digits."),
    "invalid_link": gettext_lazy("Give an https:// address of an image."),
    "invalid_font": gettext_lazy("Choose one of the fonts listed."),
}


class BrandingForm(forms.Form):
    logo_url = forms.CharField(label=gettext_lazy("Logo (https:// address)"), required=False)
    favicon_url = forms.CharField(
        label=gettext_lazy("Browser tab icon (https:// address)"), required=False
    )
    primary_colour = forms.CharField(
        label=gettext_lazy("Main colour"), widget=forms.TextInput(attrs={"type": "color"})
    )
    accent_colour = forms.CharField(
        label=gettext_lazy("Accent colour"), widget=forms.TextInput(attrs={"type": "color"})
    )
    font = forms.ChoiceField(label=gettext_lazy("Font"))
    support_email = forms.EmailField(label=gettext_lazy("Support e-mail address"), required=False)
    support_phone = forms.CharField(
        label=gettext_lazy("Support phone"), required=False, max_length=32
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["font"]).choices = [
            (code, labels.label("font", code)) for code in font_codes()
        ]
        for name in ("logo_url", "favicon_url"):
            self.fields[name].widget.attrs["inputmode"] = "url"


@require_http_methods(["GET", "POST"])
@staff_view(
    permissions.CONFIGURE,
    audit="settings.branding_saved",
    audit_fields=("logo_url", "favicon_url", "primary_colour", "accent_colour", "font"),
)
def branding(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    store = staff.store
    if request.method == "GET":
        form = BrandingForm(initial={n: getattr(store, n) for n in store_services.BRANDING_FIELDS})
        return _branding_page(request, staff, form, dict(form.initial))
    form = BrandingForm(request.POST)
    shown = {n: request.POST.get(n, "") for n in store_services.BRANDING_FIELDS}
    if form.is_valid() and request.POST.get("action") != "preview":
        try:
            store_services.branding_save(store=store, values=form.cleaned_data)
        except Unprocessable as error:
            for name, code in error.extra.get("fields", {}).items():
                form.add_error(name, str(PROBLEMS.get(code, code)))
        else:
            messages.success(request, _("The brand is saved: the portal shows it now."))
            return redirect("backoffice:branding")
    status = 200 if request.POST.get("action") == "preview" and form.is_valid() else 422
    return _branding_page(request, staff, form, shown, status=status)


def _branding_page(
    request: HttpRequest,
    staff: StaffContext,
    form: BrandingForm,
    values: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    return render_page(
        request,
        "backoffice/branding.html",
        {
            "form": form,
            "preview": brand_preview(values),
            "fonts_json": json.dumps(font_stacks()),
        },
        staff=staff,
        section="settings",
        status=status,
    )


class ChannelsForm(forms.Form):
    email = forms.BooleanField(label=gettext_lazy("E-mail"), required=False)
    sms = forms.BooleanField(label=gettext_lazy("Text message (SMS)"), required=False)
    whatsapp = forms.BooleanField(label="WhatsApp", required=False)


@require_http_methods(["GET", "POST"])
@staff_view(permissions.CONFIGURE, audit="settings.notifications_saved")
def notification_channels(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    if request.method == "POST":
        form = ChannelsForm(request.POST)
        if form.is_valid():
            notification_services.notification_channels_save(
                store=staff.store,
                email=form.cleaned_data["email"],
                sms=form.cleaned_data["sms"],
                whatsapp=form.cleaned_data["whatsapp"],
            )
            messages.success(request, _("The channels are saved."))
            return redirect("backoffice:notification_channels")
    else:
        found = notification_selectors.notification_settings_for(staff.store)
        form = ChannelsForm(
            initial={
                "email": found.email_enabled,
                "sms": found.sms_enabled,
                "whatsapp": found.whatsapp_enabled,
            }
        )
    return render_page(
        request,
        "backoffice/notification_channels.html",
        {"form": form},
        staff=staff,
        section="settings",
        status=422 if request.method == "POST" else 200,
    )
