"""The store's WooCommerce connection in its settings (admins): connect (or change) it, check
it, see when it last polled, start a backfill and follow it, and read the webhooks received
and the calls made to the store. The same services as the API's /connectors/woocommerce; the
key, the secret and the webhook secret are never shown."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from retorno.backoffice import connector_views, permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.connectors.woocommerce import selectors, services
from retorno.returns.workflows import woocommerce

URLS = connector_views.urls("woocommerce", backfill=True, retry=True)
WEBHOOK_PATH = "/api/v1/connectors/woocommerce/webhooks"
TOPICS = ("order.created", "order.updated")
CALL_KINDS = {
    "restock": gettext_lazy("Restock"),
    "exchange_order": gettext_lazy("Exchange order"),
    "return_closed": gettext_lazy("Return resolved (order note)"),
}


class ConnectForm(forms.Form):
    store_url = forms.CharField(
        label=gettext_lazy("Store address (https://my-store.example)"), max_length=255
    )
    consumer_key = forms.CharField(
        label=gettext_lazy("REST API consumer key (ck_…)"),
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
    )
    consumer_secret = forms.CharField(
        label=gettext_lazy("REST API consumer secret (cs_…)"),
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
    )
    webhook_secret = forms.CharField(
        label=gettext_lazy("Secret of the store's webhooks"),
        max_length=500,
        widget=forms.PasswordInput(render_value=False),
    )
    api_base_url = forms.CharField(
        label=gettext_lazy("REST API address (only if not <store address>/wp-json/wc/v3)"),
        max_length=500,
        required=False,
    )
    refunds_in_woocommerce = forms.BooleanField(
        label=gettext_lazy("Refund the original payment through WooCommerce"),
        required=False,
        initial=True,
    )
    api_refund = forms.BooleanField(
        label=gettext_lazy("Through the order's payment gateway (else recorded as paid by hand)"),
        required=False,
        initial=True,
    )
    restock_with_refund = forms.BooleanField(
        label=gettext_lazy("Restock refunded lines with the refund (not at inspection)"),
        required=False,
    )


class BackfillForm(forms.Form):
    days = forms.IntegerField(
        label=gettext_lazy("Days of orders"),
        min_value=1,
        max_value=services.MAX_BACKFILL_DAYS,
        initial=30,
    )


def _page(
    request: HttpRequest, staff: StaffContext, form: ConnectForm | None = None, *, status: int = 200
) -> HttpResponse:
    store = staff.store
    connection = selectors.connection_for_store(store=store)
    if form is None:
        initial: dict[str, object] = {"refunds_in_woocommerce": True, "api_refund": True}
        if connection is not None:
            default_api = f"{connection.store_url}{services.API_PATH}"
            initial = {
                "store_url": connection.store_url,
                "api_base_url": ""
                if connection.api_base_url == default_api
                else connection.api_base_url,
                "refunds_in_woocommerce": connection.refunds_in_woocommerce,
                "api_refund": connection.api_refund,
                "restock_with_refund": connection.restock_with_refund,
            }
        form = ConnectForm(initial=initial)
    backfill = selectors.backfill_latest(store=store)
    return render_page(
        request,
        "backoffice/woocommerce.html",
        {
            "connection": connection,
            "webhook_url": request.build_absolute_uri(WEBHOOK_PATH),
            "topics": TOPICS,
            "form": form,
            "backfill_form": BackfillForm(),
            "backfill": backfill,
            "backfill_percent": selectors.backfill_percent(backfill),
            "receipts": selectors.receipts_recent(store=store) if connection else [],
            "calls": [
                (call, CALL_KINDS.get(call.kind, call.kind))
                for call in (selectors.calls_recent(store=store) if connection else [])
            ],
            "tab": "woocommerce",
            "platform": "WooCommerce",
            "prefix": "woo",
            "urls": URLS,
        },
        staff=staff,
        section="settings",
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_view(
    permissions.CONFIGURE,
    audit="settings.woocommerce_connected",
    audit_fields=("store_url", "api_base_url", "refunds_in_woocommerce"),
)
def woocommerce_page(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    if request.method == "GET":
        return _page(request, staff)
    return connector_views.connect_from_form(
        request,
        staff,
        ConnectForm(request.POST),
        connect=woocommerce.woocommerce_connect,
        page=_page,
        to=URLS["page"],
        done=_("Connected. Check the connection below."),
    )


def _checked(result: services.CheckResult) -> tuple[bool, str]:
    if result.ok:
        return True, _("Connected to %(store)s (WooCommerce %(version)s, %(currency)s).") % {
            "store": result.store_name,
            "version": result.version,
            "currency": result.currency,
        }
    return False, _("WooCommerce refused: %(message)s") % {"message": result.message}


@require_POST
@staff_view(permissions.CONFIGURE)
def woocommerce_check(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    return connector_views.act_and_return(
        request,
        URLS["page"],
        lambda: services.connection_check(store=staff.store),
        done=_checked,
    )


@require_POST
@staff_view(permissions.CONFIGURE)
def woocommerce_backfill(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    form = BackfillForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Days of orders: a number from 1 to 365."))
        return redirect(URLS["page"])
    days = form.cleaned_data["days"]
    return connector_views.act_and_return(
        request,
        URLS["page"],
        lambda: services.backfill_start(store=staff.store, days=days),
        anchor="backfill",
    )


@require_POST
@staff_view(permissions.CONFIGURE)
def woocommerce_receipt_retry(
    request: HttpRequest, staff: StaffContext, receipt_id: int
) -> HttpResponse:
    return connector_views.act_and_return(
        request,
        URLS["page"],
        lambda: services.receipt_retry(store=staff.store, receipt_id=receipt_id),
        anchor="webhooks",
    )


@require_POST
@staff_view(permissions.CONFIGURE, audit="settings.woocommerce_disconnected", audit_fields=())
def woocommerce_disconnect(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    return connector_views.act_and_return(
        request,
        URLS["page"],
        lambda: woocommerce.woocommerce_disconnect(store=staff.store),
        done=_("Disconnected from WooCommerce."),
    )
