"""The store's Stripe account in its settings (admins): connect (or change) it, check the key,
and read the events Stripe sent and what each did. The same services as the API's
/connectors/stripe; the key and the webhook secret are never shown."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from retorno.backoffice import connector_views, permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.connectors.stripe import selectors, services
from retorno.returns.workflows import stripe_payments

URLS = connector_views.urls("stripe")
WEBHOOK_PATH = "/api/v1/connectors/stripe/webhooks/"


class ConnectForm(forms.Form):
    secret_key = forms.CharField(
        label=gettext_lazy("Secret key (sk_…) or restricted key (rk_…) that may write refunds"),
        max_length=255,
        widget=forms.PasswordInput(render_value=False),
    )
    webhook_secret = forms.CharField(
        label=gettext_lazy("Signing secret of the webhook endpoint (whsec_…)"),
        max_length=255,
        widget=forms.PasswordInput(render_value=False),
    )
    api_base_url = forms.CharField(
        label=gettext_lazy("API address (only if not https://api.stripe.com)"),
        max_length=500,
        required=False,
    )


def _page(
    request: HttpRequest, staff: StaffContext, form: ConnectForm | None = None, *, status: int = 200
) -> HttpResponse:
    store = staff.store
    account = selectors.account_for_store(store=store)
    if form is None:
        initial = {}
        if account is not None and account.api_base_url != services.DEFAULT_API_URL:
            initial = {"api_base_url": account.api_base_url}
        form = ConnectForm(initial=initial)
    events = selectors.events_recent(store=store) if account else []
    return render_page(
        request,
        "backoffice/stripe.html",
        {
            "account": account,
            "webhook_url": request.build_absolute_uri(WEBHOOK_PATH + account.webhook_token)
            if account
            else "",
            "events": events,
            "last_event": events[0] if events else None,
            "form": form,
            "tab": "stripe",
            "platform": "Stripe",
            "prefix": "stripe",
            "urls": URLS,
            "connection": account,
            "topics": sorted(services.REFUND_EVENTS),
        },
        staff=staff,
        section="settings",
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_view(
    permissions.CONFIGURE, audit="settings.stripe_connected", audit_fields=("api_base_url",)
)
def stripe_page(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    if request.method == "GET":
        return _page(request, staff)
    return connector_views.connect_from_form(
        request,
        staff,
        ConnectForm(request.POST),
        connect=stripe_payments.stripe_connect,
        page=_page,
        to=URLS["page"],
        done=_("Connected. Register the webhook URL below in Stripe, then check the key."),
    )


def _checked(result: services.CheckResult) -> tuple[bool, str]:
    if result.ok:
        return True, _("Stripe answered: the key may read the account's refunds.")
    return False, _("Stripe refused: %(message)s") % {"message": result.message}


@require_POST
@staff_view(permissions.CONFIGURE)
def stripe_check(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    return connector_views.act_and_return(
        request, URLS["page"], lambda: services.account_check(store=staff.store), done=_checked
    )


@require_POST
@staff_view(permissions.CONFIGURE, audit="settings.stripe_disconnected", audit_fields=())
def stripe_disconnect(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    return connector_views.act_and_return(
        request,
        URLS["page"],
        lambda: stripe_payments.stripe_disconnect(store=staff.store),
        done=_("Disconnected from Stripe."),
    )
