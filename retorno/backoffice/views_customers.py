"""A customer's page for staff: their returns and the abuse signals their history shows, each
with its evidence. Signals inform; whether they change a decision is the store's policy."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.orders.selectors import customer_get_for_store
from retorno.returns.selectors import returns_for_customer
from retorno.returns.workflows.signals import signals_for_customer


@require_GET
@staff_view()
def customer_detail(request: HttpRequest, staff: StaffContext, customer_id: int) -> HttpResponse:
    customer = customer_get_for_store(store=staff.store, customer_id=customer_id)
    signals = signals_for_customer(store=staff.store, customer_id=customer.id, now=timezone.now())
    return render_page(
        request,
        "backoffice/customer.html",
        {
            "customer": customer,
            "signals": signals,
            "fired": [signal for signal in signals if signal.fired],
            "returns": returns_for_customer(store=staff.store, customer_id=customer.id),
        },
        staff=staff,
        section="returns",
    )
