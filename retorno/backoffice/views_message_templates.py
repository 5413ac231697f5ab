"""A store's own words for its messages to shoppers (owners, admins): per kind of message and
language, a subject, a headline and an opening paragraph with {variables}, and a preview of the
whole message as a shopper reads it."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.core import labels
from retorno.core.errors import Unprocessable
from retorno.domain.message_templates import variables_for
from retorno.notifications import selectors as notification_selectors
from retorno.notifications import services as notification_services
from retorno.notifications.models import MessageKind

# Every message a shopper reads (a return created reads as approved or held for review, which
# are written here).
KINDS = [k for k in MessageKind.values if k != "created"]
PROBLEMS = {
    "unknown_variable": gettext_lazy("Use only the variables listed, written like {rma}."),
    "too_long": gettext_lazy("This is too long."),
}
VARIABLE_HELP = {
    "rma": gettext_lazy("the return's number"),
    "order": gettext_lazy("the order's number"),
    "customer_name": gettext_lazy("the shopper's first name"),
    "store": gettext_lazy("the store's name"),
    "method": gettext_lazy("how the parcel comes back"),
    "resolution": gettext_lazy("refund, store credit or exchange"),
    "tracking_url": gettext_lazy("the link to follow the return"),
    "claim": gettext_lazy("the claim's number"),
}


class PickForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Message"))
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            (k, labels.label("message_kind", k)) for k in KINDS
        ]


class TemplateForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), required=False, max_length=200)
    headline = forms.CharField(label=gettext_lazy("Headline"), required=False, max_length=200)
    intro = forms.CharField(
        label=gettext_lazy("Opening paragraph"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _picked(request: HttpRequest) -> tuple[str, str]:
    pick = PickForm(request.GET or None)
    if pick.is_bound and pick.is_valid():
        return pick.cleaned_data["kind"], pick.cleaned_data["language"]
    return "approved", request.LANGUAGE_CODE if request.LANGUAGE_CODE in dict(
        settings.LANGUAGES
    ) else "en"


@require_http_methods(["GET", "POST"])
@staff_view(permissions.CONFIGURE, audit="settings.template_saved")
def message_templates(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    kind, language = _picked(request)
    status = 200
    if request.method == "POST":
        form = TemplateForm(request.POST)
        if form.is_valid():
            try:
                notification_services.message_template_save(
                    store=staff.store, kind=kind, language=language, **form.cleaned_data
                )
            except Unprocessable as error:
                for name, code in error.extra.get("fields", {}).items():
                    form.add_error(name, str(PROBLEMS.get(code, code)))
            else:
                messages.success(request, _("The message's words are saved."))
                return redirect(
                    reverse("backoffice:message_templates") + f"?kind={kind}&language={language}"
                )
        status = 422
    else:
        own = notification_selectors.message_template_for(staff.store, kind, language)
        form = TemplateForm(
            initial={"subject": own.subject, "headline": own.headline, "intro": own.intro}
            if own is not None
            else None
        )
    preview = notification_services.message_preview(store=staff.store, kind=kind, language=language)
    written = notification_selectors.message_templates_of(staff.store)
    return render_page(
        request,
        "backoffice/message_templates.html",
        {
            "pick": PickForm(initial={"kind": kind, "language": language}),
            "form": form,
            "kind": kind,
            "claim": kind.startswith("claim_"),
            "language": language,
            "preview": preview,
            "variables": [(name, VARIABLE_HELP[name]) for name in variables_for(kind)],
            "written": sorted((labels.label("message_kind", k), lang, k) for k, lang in written),
        },
        staff=staff,
        section="settings",
        status=status,
    )


@require_POST
@staff_view(permissions.CONFIGURE, audit="settings.template_test_sent", audit_fields=())
def message_template_test(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    """Send the message shown (as saved) to the signed-in person's own address."""
    pick = PickForm(request.POST)
    kind, language = (
        (pick.cleaned_data["kind"], pick.cleaned_data["language"])
        if pick.is_valid()
        else _picked(request)
    )
    back = reverse("backoffice:message_templates") + f"?kind={kind}&language={language}"
    address = (staff.user.email or "").strip()
    if not address:
        messages.error(request, _("Your account has no e-mail address to send the test to."))
        return redirect(back)
    if notification_services.message_test_send(
        store=staff.store, kind=kind, language=language, to=address
    ):
        messages.success(request, _("A test was sent to %(email)s.") % {"email": address})
    else:
        messages.error(request, _("The mail server did not take the test: try again later."))
    return redirect(back)
