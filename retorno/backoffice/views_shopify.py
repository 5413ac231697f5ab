"""The store's Shopify connection in its settings (admins): connect (or change) it, check it,
start a backfill and follow its progress, and read the webhooks received and the returns linked.
The same services as the API's /connectors/shopify; the token and the secret are never shown."""

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
from retorno.connectors.shopify import selectors, services
from retorno.returns.workflows import storefront

URLS = connector_views.urls("shopify", backfill=True, retry=True)


class ConnectForm(forms.Form):
    shop_domain = forms.CharField(
        label=gettext_lazy("Shop domain (…myshopify.com)"), max_length=255
    )
    access_token = forms.CharField(
        label=gettext_lazy("Admin API access token"),
        max_length=500,
        widget=forms.PasswordInput(render_value=False),
    )
    webhook_secret = forms.CharField(
        label=gettext_lazy("API secret key (signs the webhooks)"),
        max_length=500,
        widget=forms.PasswordInput(render_value=False),
    )
    api_base_url = forms.CharField(
        label=gettext_lazy("Admin API address (only if not https://<shop domain>)"),
        max_length=500,
        required=False,
    )
    restock_location_id = forms.CharField(
        label=gettext_lazy("Location for restocked units (empty: where the item shipped from)"),
        max_length=80,
        required=False,
    )
    refunds_in_shopify = forms.BooleanField(
        label=gettext_lazy("Refund the original payment through Shopify"),
        required=False,
        initial=True,
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
        initial: dict[str, object] = {"refunds_in_shopify": True}
        if connection is not None:
            initial = {
                "shop_domain": connection.shop_domain,
                "api_base_url": connection.api_base_url
                if connection.api_base_url != f"https://{connection.shop_domain}"
                else "",
                "restock_location_id": connection.restock_location_id,
                "refunds_in_shopify": connection.refunds_in_shopify,
            }
        form = ConnectForm(initial=initial)
    backfill = selectors.backfill_latest(store=store)
    return render_page(
        request,
        "backoffice/shopify.html",
        {
            "connection": connection,
            "webhook_url": request.build_absolute_uri("/api/v1/connectors/shopify/webhooks"),
            "topics": sorted(services.KNOWN_TOPICS),
            "form": form,
            "backfill_form": BackfillForm(),
            "backfill": backfill,
            "backfill_percent": selectors.backfill_percent(backfill),
            "backfill_waited": f"{backfill.waited_seconds:.1f}" if backfill else "",
            "receipts": selectors.receipts_recent(store=store) if connection else [],
            "links": selectors.return_links_recent(store=store) if connection else [],
            "tab": "shopify",
            "platform": "Shopify",
            "prefix": "shopify",
            "urls": URLS,
        },
        staff=staff,
        section="settings",
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_view(
    permissions.CONFIGURE,
    audit="settings.shopify_connected",
    audit_fields=("shop_domain", "admin_url", "api_version"),
)
def shopify(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    if request.method == "GET":
        return _page(request, staff)
    return connector_views.connect_from_form(
        request,
        staff,
        ConnectForm(request.POST),
        connect=storefront.shopify_connect,
        page=_page,
        to=URLS["page"],
        done=_("Connected. Check the connection below."),
    )


def _checked(result: services.CheckResult) -> tuple[bool, str]:
    if result.ok:
        return True, _("Connected to %(shop)s (%(count)s locations).") % {
            "shop": result.shop_name,
            "count": len(result.locations),
        }
    return False, _("Shopify refused: %(message)s") % {"message": result.message}


@require_POST
@staff_view(permissions.CONFIGURE)
def shopify_check(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    return connector_views.act_and_return(
        request,
        URLS["page"],
        lambda: services.connection_check(store=staff.store),
        done=_checked,
    )


@require_POST
@staff_view(permissions.CONFIGURE)
def shopify_backfill(request: HttpRequest, staff: StaffContext) -> HttpResponse:
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
def shopify_receipt_retry(
    request: HttpRequest, staff: StaffContext, receipt_id: int
) -> HttpResponse:
    return connector_views.act_and_return(
        request,
        URLS["page"],
        lambda: services.receipt_retry(store=staff.store, receipt_id=receipt_id),
        anchor="webhooks",
    )


@require_POST
@staff_view(permissions.CONFIGURE, audit="settings.shopify_disconnected", audit_fields=())
def shopify_disconnect(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    return connector_views.act_and_return(
        request,
        URLS["page"],
        lambda: storefront.shopify_disconnect(store=staff.store),
        done=_("Disconnected from Shopify."),
    )
