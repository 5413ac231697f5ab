"""The refunds, claims, shipments and customers lists: keyset pages newest first, a fixed number
of statements whatever the rows behind them or the cursor's depth, and no row skipped or shown
twice while rows are added between pages."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retorno.accounts.tests.factories import READ, issue_key
from retorno.api.tests.client import ApiClient, problem
from retorno.logistics.models import Shipment
from retorno.money.models import Claim, Refund
from retorno.orders.models import Customer, Order
from retorno.orders.tests.factories import make_order
from retorno.stores.models import Store
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _refunds(store: Store, order: Order, times: list[datetime]) -> None:
    Refund.objects.bulk_create(
        Refund(
            store=store,
            order=order,
            customer_id=order.customer_id,
            idempotency_key=f"list-{next(_serial)}",
            currency="EUR",
            kind="return",
            destination="original_payment",
            sequence=next(_serial),
            amount="1.00",
            created_at=at,
            updated_at=at,
        )
        for at in times
    )


def _claims(store: Store, order: Order, times: list[datetime]) -> None:
    Claim.objects.bulk_create(
        Claim(
            store=store,
            order=order,
            customer_id=order.customer_id,
            number=f"CL-{next(_serial)}",
            reason="damaged_in_transit",
            created_at=at,
            updated_at=at,
        )
        for at in times
    )


def _shipments(store: Store, order: Order, times: list[datetime]) -> None:
    Shipment.objects.bulk_create(
        Shipment(
            store=store,
            return_id=next(_serial),
            rma=f"R-{next(_serial)}",
            reference=f"SH-{next(_serial)}",
            method="pickup",
            created_at=at,
            updated_at=at,
        )
        for at in times
    )


def _customers(store: Store, order: Order, times: list[datetime]) -> None:
    made = Customer.objects.bulk_create(
        Customer(store=store, email=f"c{next(_serial)}@example.com") for _ in times
    )
    for customer, at in zip(made, times, strict=True):  # created_at is set on insert
        customer.created_at = at
    Customer.objects.bulk_update(made, ["created_at"])


# kind -> (path, the body's row key, the row's key field, how to add rows)
LISTS: dict[str, tuple[str, str, str, Callable[[Store, Order, list[datetime]], None]]] = {
    "refunds": ("/refunds", "id", "id", _refunds),
    "claims": ("/claims", "number", "number", _claims),
    "shipments": ("/shipments", "reference", "reference", _shipments),
    "customers": ("/customers", "id", "id", _customers),
}
MODELS = {"refunds": Refund, "claims": Claim, "shipments": Shipment, "customers": Customer}


def _store_with_order() -> tuple[Store, Order, ApiClient]:
    store = StoreFactory(slug=f"list-{next(_serial)}", name="Shop")
    order = make_order(store, external_id=f"O{next(_serial)}")
    return store, order, ApiClient(issue_key(store, READ))


def _walk(api: ApiClient, path: str, key: str, limit: int, between: Callable[[], None]) -> list:
    """Every page from the first to the last; `between` runs after each page."""
    seen: list[Any] = []
    cursor = None
    for _ in range(1000):
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        response = api.get(path, params)
        assert response.status_code == 200, response.content[:300]
        body = json.loads(response.content)
        seen += [row[key] for row in body["results"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
        between()
    raise AssertionError("the pages never ended")


def _newest_first(kind: str, store: Store) -> list[Any]:
    _, _, field, _ = LISTS[kind]
    rows = MODELS[kind].objects.filter(store=store).order_by("-created_at", "-id")
    return list(rows.values_list(field, flat=True))


@pytest.mark.parametrize("kind", LISTS)
def test_pages_run_newest_first_to_the_end(kind):
    store, order, api = _store_with_order()
    path, key, _, add = LISTS[kind]
    add(store, order, [T0, T0, T0 + timedelta(hours=1), T0 - timedelta(days=3), T0, T0])
    expected = _newest_first(kind, store)
    assert _walk(api, path, key, 2, lambda: None) == expected
    assert _walk(api, path, key, 200, lambda: None) == expected


@pytest.mark.parametrize("kind", LISTS)
def test_a_cursor_that_is_not_one_is_a_problem(kind):
    _, _, api = _store_with_order()
    path = LISTS[kind][0]
    for cursor in ("nonsense", "WyJ4IiwgMV0", "WzFd"):  # text, ["x", 1], [1]
        problem(api.get(path, {"cursor": cursor}), 422, "invalid_cursor")


@pytest.mark.parametrize("kind", LISTS)
def test_statements_do_not_grow_with_rows_or_depth(kind):
    """The first page and a deep one cost the same statements with 10 rows behind them as
    with 60: the key, the page and its prefetches; nothing per row, no count."""
    store, order, api = _store_with_order()
    path, _, _, add = LISTS[kind]

    def statements() -> list[int]:
        first = json.loads(api.get(path, {"limit": 3}).content)
        deep_cursor = first["next_cursor"]
        counts = []
        for params in ({"limit": 3}, {"limit": 3, "cursor": deep_cursor}, {"limit": 9}):
            with CaptureQueriesContext(connection) as captured:
                assert api.get(path, params).status_code == 200
            counts.append(len(captured.captured_queries))
        return counts

    add(store, order, [T0 - timedelta(minutes=i) for i in range(10)])
    small = statements()
    add(store, order, [T0 - timedelta(days=1, minutes=i) for i in range(50)])
    assert statements() == small
    assert max(small) <= 6, small


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kind=st.sampled_from(sorted(LISTS)),
    initial=st.lists(st.integers(0, 3), max_size=12),
    limit=st.integers(1, 5),
    inserts=st.lists(st.lists(st.integers(0, 2), max_size=3), max_size=6),
)
def test_rows_added_between_pages_are_never_skipped_or_repeated(db, kind, initial, limit, inserts):
    """Rows exist at minutes `initial` (ties included); after each page some are added, at or
    after the newest existing time (a new row is never older than the rows already there).
    The pages show every row that was there at the start, none twice, newest first."""
    store, order, api = _store_with_order()
    path, key, _, add = LISTS[kind]
    add(store, order, [T0 + timedelta(minutes=m) for m in initial])
    before = set(_newest_first(kind, store))
    newest = max(initial, default=0)
    pending = iter(inserts)

    def add_some() -> None:
        batch = next(pending, [])
        add(store, order, [T0 + timedelta(minutes=newest + m) for m in batch])

    seen = _walk(api, path, key, limit, add_some)
    assert len(seen) == len(set(seen))
    assert before <= set(seen)
    order_now = _newest_first(kind, store)
    assert seen == [row for row in order_now if row in set(seen)]
