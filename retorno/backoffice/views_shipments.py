"""Shipments for staff: every booking of every return, newest first, by keyset pages (the same
cost on the first page and a million rows deep), filtered by booking state, tracking status and
carrier, searched by RMA or tracking number."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from retorno.backoffice.access import StaffContext
from retorno.backoffice.filter_forms import ShipmentFilterForm
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.core.paging import PER_PAGE
from retorno.logistics.selectors import carrier_accounts_for_store, shipment_list_for_store


@require_GET
@staff_view()
def shipment_list(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    carriers = list(carrier_accounts_for_store(staff.store).values_list("code", "name"))
    form = ShipmentFilterForm(request.GET, carriers=carriers)
    page = shipment_list_for_store(
        store=staff.store,
        booking_state=form.value("booking_state") or None,
        status=form.value("status") or None,
        carrier=form.value("carrier") or None,
        q=form.value("q"),
        limit=PER_PAGE,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        strict=False,
    )
    return render_page(
        request,
        "backoffice/shipments.html",
        {"page": page, "form": form},
        staff=staff,
        section="shipments",
    )
