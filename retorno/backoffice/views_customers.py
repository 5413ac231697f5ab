"""Customers for staff: the list (newest first, keyset pages, by tier, searched by e-mail, name
or id) and a customer's page with their returns and the abuse signals their history shows, each
with its evidence. Signals inform; whether they change a decision is the store's policy."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from retorno.backoffice.access import StaffContext
from retorno.backoffice.filter_forms import CustomerFilterForm
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.core.paging import PER_PAGE
from retorno.orders.selectors import customer_get_for_store, customer_list_for_store
from retorno.returns.selectors import returns_for_customer
from retorno.returns.selectors.queue import customer_tiers_for_store
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


@require_GET
@staff_view()
def customer_list(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    form = CustomerFilterForm(request.GET, tiers=customer_tiers_for_store(store=staff.store))
    page = customer_list_for_store(
        store=staff.store,
        tier=form.value("tier") or None,
        q=form.value("q"),
        limit=PER_PAGE,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        strict=False,
    )
    return render_page(
        request,
        "backoffice/customers.html",
        {"page": page, "form": form},
        staff=staff,
        section="customers",
    )
