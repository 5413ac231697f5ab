"""Shipments for staff: every booking of every return, newest first, by keyset pages (the same
cost on the first page and a million rows deep), filtered by booking state, tracking status and
carrier, searched by RMA or tracking number."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.core.label_tables import BOOKING_STATE, TRACKING_STATUS
from retorno.core.paging import PER_PAGE
from retorno.logistics.selectors import carrier_accounts_for_store, shipment_list_for_store


def _choice(request: HttpRequest, name: str, allowed: object) -> str:
    value = request.GET.get(name, "")
    return value if value in allowed else ""  # type: ignore[operator]


@require_GET
@staff_view()
def shipment_list(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    carriers = list(carrier_accounts_for_store(staff.store).values_list("code", "name"))
    booking_state = _choice(request, "booking_state", BOOKING_STATE)
    status = _choice(request, "status", TRACKING_STATUS)
    carrier = _choice(request, "carrier", {code for code, _ in carriers})
    q = request.GET.get("q", "").strip()[:120]
    page = shipment_list_for_store(
        store=staff.store,
        booking_state=booking_state or None,
        status=status or None,
        carrier=carrier or None,
        q=q,
        limit=PER_PAGE,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        strict=False,
    )
    return render_page(
        request,
        "backoffice/shipments.html",
        {
            "page": page,
            "q": q,
            "booking_state": booking_state,
            "status": status,
            "carrier": carrier,
            "booking_states": list(BOOKING_STATE),
            "statuses": list(TRACKING_STATUS),
            "carriers": carriers,
        },
        staff=staff,
        section="shipments",
    )
