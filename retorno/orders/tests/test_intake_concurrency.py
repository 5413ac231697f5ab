"""Bulk intake calls that arrive together and share customers and orders all succeed: customers,
orders and lines are upserted with `INSERT … ON CONFLICT`, so the second call updates what the
first inserted instead of failing on the unique constraint, on every engine.

Real threads, each on its own connection, committed transactions (`transaction=True`)."""

from __future__ import annotations

import pytest

from retorno.accounts.tests.factories import READ_WRITE, issue_key
from retorno.api.tests.client import ApiClient
from retorno.core.tests.threads import run_together
from retorno.orders.models import Customer, Order, OrderLine
from retorno.orders.tests.factories import line_payload, order_payload
from retorno.stores.tests.factories import StoreFactory

THREADS = 6
ROUNDS = 3  # the window between one call's check and its insert is short: several bursts


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_concurrent_bulk_calls_sharing_customers_and_orders_all_apply(round_):
    store = StoreFactory(slug=f"shop-{round_}")
    key = issue_key(store, READ_WRITE, name="integration")

    def call(index: int) -> tuple[int, dict]:
        # Every call: one order of its own, one order every call sends, and customers that
        # every call shares (by external id) or that only some share.
        orders = [
            order_payload(f"own-{index}", email="ana@example.com"),
            order_payload(
                "shared",
                email="bea@example.com",
                lines=[line_payload("shared-1"), line_payload(f"shared-{index % 2 + 2}")],
            ),
            order_payload(f"pair-{index // 2}", email=f"c{index // 2}@example.com"),
        ]
        response = ApiClient(key).post("/orders/bulk", {"orders": orders})
        return response.status_code, response.json()

    results = run_together(call, THREADS)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert [status for status, _ in results] == [200] * THREADS, results
    assert all(body["failed"] == 0 for _, body in results), results
    created = [r["status"] for _, body in results for r in body["results"]].count("created")
    # own-0..5, shared, pair-0..2: each created by exactly one call, updated by the others.
    assert created == THREADS + 1 + THREADS // 2
    assert Order.objects.filter(store=store).count() == THREADS + 1 + THREADS // 2
    assert Customer.objects.filter(store=store).count() == 2 + THREADS // 2
    shared = Order.objects.get(store=store, external_id="shared")
    lines = set(OrderLine.objects.filter(order=shared).values_list("external_id", flat=True))
    assert lines in ({"shared-1", "shared-2"}, {"shared-1", "shared-3"})


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_concurrent_first_orders_of_one_guest_make_one_customer(round_):
    """A guest (no external id) is known by e-mail alone: two calls bringing the same new
    guest at once take turns, so the second finds the customer the first created."""
    store = StoreFactory(slug=f"guest-{round_}")
    key = issue_key(store, READ_WRITE, name="integration")

    def call(index: int) -> int:
        guest = {"email": "Guest@Example.com", "name": f"Guest {index}"}
        order = order_payload(f"guest-order-{index}", customer=guest)
        with_other = order_payload(f"other-{index}", customer={"email": f"g{index % 2}@ex.com"})
        return ApiClient(key).post("/orders/bulk", {"orders": [order, with_other]}).status_code

    results = run_together(call, THREADS)

    assert results == [200] * THREADS, results
    guests = Customer.objects.filter(store=store, external_id="")
    assert sorted(guests.values_list("email", flat=True)) == [
        "g0@ex.com",
        "g1@ex.com",
        "guest@example.com",
    ]
    guest = guests.get(email="guest@example.com")
    assert Order.objects.filter(store=store, customer=guest).count() == THREADS
