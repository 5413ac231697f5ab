"""Webhook endpoints in the store's settings (admins): add one, change it, rotate its secret,
delete it, and read its deliveries with every attempt, replaying any. The same services as the
API's /webhook-endpoints; a new secret is shown on the page that answers the request, once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.core.errors import RetornoError
from retorno.domain.webhooks import EVENT_TYPES
from retorno.webhooks import selectors, services
from retorno.webhooks.models import WebhookEndpoint
from retorno.webhooks.services import IssuedEndpoint


class EndpointForm(forms.Form):
    url = forms.CharField(label=gettext_lazy("URL"), max_length=2000)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=gettext_lazy("Events (none ticked: every event)"),
        choices=[(t, t) for t in EVENT_TYPES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    enabled = forms.BooleanField(label=gettext_lazy("Enabled"), required=False, initial=True)


class RotateForm(forms.Form):
    overlap_hours = forms.IntegerField(
        label=gettext_lazy("Hours the old secret keeps signing"),
        min_value=0,
        max_value=168,
        initial=24,
    )


def _page(
    request: HttpRequest,
    staff: StaffContext,
    form: EndpointForm,
    *,
    status: int = 200,
    issued: IssuedEndpoint | None = None,
) -> HttpResponse:
    return render_page(
        request,
        "backoffice/webhooks.html",
        {
            "endpoints": selectors.endpoint_list_for_store(store=staff.store),
            "form": form,
            "issued": issued,
            "tab": "webhooks",
        },
        staff=staff,
        section="settings",
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_view(
    permissions.CONFIGURE,
    audit="settings.webhook_added",
    audit_fields=("url", "description", "event_types"),
)
def webhooks(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    form = EndpointForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.endpoint_create(
                store=staff.store,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                event_types=form.cleaned_data["event_types"],
            )
        except RetornoError as error:
            form.add_error("url" if error.extra.get("field") == "url" else None, error.detail)
        else:
            return _detail(request, staff, issued.endpoint, issued=issued, status=201)
    return _page(request, staff, form, status=422 if request.method == "POST" else 200)


def _detail(
    request: HttpRequest,
    staff: StaffContext,
    endpoint: WebhookEndpoint,
    *,
    form: EndpointForm | None = None,
    issued: IssuedEndpoint | None = None,
    status: int = 200,
) -> HttpResponse:
    form = form or EndpointForm(
        initial={
            "url": endpoint.url,
            "description": endpoint.description,
            "event_types": endpoint.event_types,
            "enabled": endpoint.enabled,
        }
    )
    context: dict[str, Any] = {
        "endpoint": endpoint,
        "form": form,
        "rotate_form": RotateForm(),
        "issued": issued,
        "deliveries": selectors.delivery_list_for_endpoint(
            store=staff.store, endpoint_id=endpoint.id
        ),
        "tab": "webhooks",
    }
    return render_page(
        request,
        "backoffice/webhook_endpoint.html",
        context,
        staff=staff,
        section="settings",
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_view(
    permissions.CONFIGURE,
    audit="settings.webhook_changed",
    audit_fields=("url", "description", "event_types", "enabled"),
)
def webhook_endpoint(request: HttpRequest, staff: StaffContext, endpoint_id: int) -> HttpResponse:
    endpoint = selectors.endpoint_get_for_store(store=staff.store, endpoint_id=endpoint_id)
    if request.method == "GET":
        return _detail(request, staff, endpoint)
    form = EndpointForm(request.POST)
    if form.is_valid():
        try:
            services.endpoint_update(
                store=staff.store,
                endpoint_id=endpoint.id,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                event_types=form.cleaned_data["event_types"],
                enabled=form.cleaned_data["enabled"],
            )
        except RetornoError as error:
            form.add_error("url" if error.extra.get("field") == "url" else None, error.detail)
        else:
            messages.success(request, _("The endpoint is saved."))
            return redirect("backoffice:webhook_endpoint", endpoint.id)
    return _detail(request, staff, endpoint, form=form, status=422)


@require_POST
@staff_view(permissions.CONFIGURE, audit="settings.webhook_rotated", audit_fields=())
def webhook_rotate(request: HttpRequest, staff: StaffContext, endpoint_id: int) -> HttpResponse:
    endpoint = selectors.endpoint_get_for_store(store=staff.store, endpoint_id=endpoint_id)
    form = RotateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The overlap is between 0 and 168 hours."))
        return redirect("backoffice:webhook_endpoint", endpoint.id)
    issued = services.endpoint_rotate_secret(
        store=staff.store,
        endpoint_id=endpoint.id,
        overlap=timedelta(hours=form.cleaned_data["overlap_hours"]),
    )
    return _detail(request, staff, issued.endpoint, issued=issued)


@require_POST
@staff_view(permissions.CONFIGURE, audit="settings.webhook_deleted", audit_fields=())
def webhook_delete(request: HttpRequest, staff: StaffContext, endpoint_id: int) -> HttpResponse:
    endpoint = selectors.endpoint_get_for_store(store=staff.store, endpoint_id=endpoint_id)
    services.endpoint_delete(store=staff.store, endpoint_id=endpoint.id)
    messages.success(request, _("The endpoint %(url)s is deleted.") % {"url": endpoint.url})
    return redirect("backoffice:webhooks")


@require_POST
@staff_view(permissions.CONFIGURE)
def webhook_replay(
    request: HttpRequest, staff: StaffContext, endpoint_id: int, delivery_id: int
) -> HttpResponse:
    delivery = selectors.delivery_get_for_store(store=staff.store, delivery_id=delivery_id)
    if delivery.endpoint_id != endpoint_id:
        return redirect("backoffice:webhook_endpoint", endpoint_id)
    services.delivery_replay(store=staff.store, delivery_id=delivery.id)
    messages.success(
        request,
        _("Event %(event)s is being sent again; its attempt shows below once made.")
        % {"event": delivery.event.public_id},
    )
    return redirect("backoffice:webhook_endpoint", endpoint_id)
