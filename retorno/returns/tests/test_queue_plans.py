"""The plans of the queue's, the dashboard's and the API list's statements on PostgreSQL: an
index can serve each (no Seq Scan on the returns table) and a page comes in index order (no
Sort of the returns for 25 of them). A regression (a CASE in ORDER BY, an OR across joins, a
count over the whole history) fails here, before a benchmark at a million returns would.

The seeded store is small, so PostgreSQL would rightly read it whole: sequential scans are
switched off for the EXPLAIN, which leaves one only where no index can serve the statement.
How fast the same statements are at a million returns is bench/staff_lists.py's to measure.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.db.models import Case, IntegerField, Model, Value, When
from django.test.utils import CaptureQueriesContext

from retorno.demo.generator import demo_history_create
from retorno.logistics.models import Shipment
from retorno.logistics.selectors import shipment_list_for_store
from retorno.money.models import Claim, Refund
from retorno.money.selectors import (
    claim_list_for_store,
    refund_list_for_store,
    refund_page_for_store,
)
from retorno.orders.models import Customer
from retorno.orders.selectors import customer_list_for_store
from retorno.returns import selectors
from retorno.returns.models import Return
from retorno.returns.selectors import queue

NOW = datetime(2026, 3, 15, 11, 30, tzinfo=UTC)
RETURNS_TABLE = Return._meta.db_table

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL's plans (SQLite keeps small stores)"
    ),
]


def plan_of(sql: str, params: Any = None) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            found = cursor.fetchone()[0]
        finally:
            cursor.execute("RESET enable_seqscan")
    found = json.loads(found) if isinstance(found, str) else found
    return found[0]["Plan"]


def nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(n for child in plan.get("Plans", []) for n in nodes(child))]


def faults(plan: dict[str, Any], returns: int, table: str = RETURNS_TABLE) -> list[str]:
    """What is wrong with a plan: a sequential scan of `table` (the returns), or a sort of more
    than a fifth of its `returns` rows (a page sorted out of the store's history rather than
    read in index order)."""
    found = []
    for node in nodes(plan):
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") == table:
            found.append(f"reads every row of {table}")
        if node["Node Type"] in ("Sort", "Incremental Sort") and node["Plan Rows"] > returns / 5:
            found.append(f"sorts {node['Plan Rows']} rows")
    return found


def statements(read: Callable[[], Any], table: str = RETURNS_TABLE) -> list[str]:
    """The statements `read` sends that read `table` (a prefetch of another table's rows,
    whose name starts the same, is not one of them)."""
    with CaptureQueriesContext(connection) as captured:
        read()
    return [q["sql"] for q in captured.captured_queries if f'FROM "{table}"' in q["sql"]]


def test_the_queue_dashboard_and_api_list_are_served_by_indexes():
    store = demo_history_create(slug="plans", returns=3000, seed=4, now=NOW).store
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    sample = Return.objects.filter(store=store, status="closed").order_by("id")[1500]
    deep = selectors.return_list_for_store(store=store, limit=200)
    cases: dict[str, Callable[[], Any]] = {}
    for name, filters in {
        "plain": queue.ReturnQueueFilters(),
        "open": queue.ReturnQueueFilters(status="open"),
        "one status": queue.ReturnQueueFilters(status="approved"),
        "needs review": queue.ReturnQueueFilters(needs_review=True),
        "method": queue.ReturnQueueFilters(method="pickup"),
        "tier": queue.ReturnQueueFilters(tier="gold"),
        "reason": queue.ReturnQueueFilters(reason="defective"),
        "age": queue.ReturnQueueFilters(age="31+"),
        "search rma": queue.ReturnQueueFilters(q=sample.rma),
        "search text": queue.ReturnQueueFilters(q="garcia"),
        "search tracking": queue.ReturnQueueFilters(q="ES"),
    }.items():
        cases[name] = lambda f=filters: queue.return_queue_for_store(
            store=store, filters=f, now=NOW
        )
    first = queue.return_queue_for_store(store=store, filters=queue.ReturnQueueFilters(), now=NOW)
    cases["next page"] = lambda: queue.return_queue_for_store(
        store=store, filters=queue.ReturnQueueFilters(), now=NOW, after=first.next_cursor
    )
    cases["dashboard"] = lambda: queue.return_dashboard_for_store(store=store)
    cases["api deep page"] = lambda: selectors.return_list_for_store(
        store=store, cursor=deep.next_cursor, limit=50
    )
    problems = []
    checked = 0
    for name, read in cases.items():
        for sql in statements(read):
            plan = plan_of(sql)
            checked += 1
            problems += [f"{name}: {fault}\n{sql}\n{plan}" for fault in faults(plan, 3000)]
    assert checked >= len(cases)
    assert problems == [], "\n\n".join(problems)


def test_the_newest_first_lists_are_served_by_indexes():
    """Refunds, claims, customers and shipments, as the API and the staff pages read them:
    first pages, filters, searches and a page behind a deep cursor."""
    store = demo_history_create(slug="lists", returns=3000, seed=4, now=NOW).store
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    deep = {
        Refund: refund_list_for_store(store=store, limit=300).next_cursor,
        Customer: customer_list_for_store(store=store, limit=300).next_cursor,
        Shipment: shipment_list_for_store(store=store, limit=300).next_cursor,
    }
    cases: list[tuple[str, type[Model], Callable[[], Any]]] = [
        ("refunds", Refund, lambda: refund_list_for_store(store=store, limit=50)),
        ("refunds deep", Refund, lambda: refund_list_for_store(store=store, cursor=deep[Refund])),
        ("refunds page", Refund, lambda: refund_page_for_store(store=store, state="succeeded")),
        ("claims", Claim, lambda: claim_list_for_store(store=store, limit=50)),
        ("customers", Customer, lambda: customer_list_for_store(store=store)),
        ("customers tier", Customer, lambda: customer_list_for_store(store=store, tier="gold")),
        ("customers text", Customer, lambda: customer_list_for_store(store=store, q="garcia")),
        (
            "customers deep",
            Customer,
            lambda: customer_list_for_store(store=store, after=deep[Customer]),
        ),
        ("shipments", Shipment, lambda: shipment_list_for_store(store=store)),
        (
            "shipments status",
            Shipment,
            lambda: shipment_list_for_store(store=store, status="in_transit"),
        ),
        ("shipments text", Shipment, lambda: shipment_list_for_store(store=store, q="ES0")),
        (
            "shipments deep",
            Shipment,
            lambda: shipment_list_for_store(store=store, after=deep[Shipment]),
        ),
    ]
    problems = []
    for name, model, read in cases:
        table = model._meta.db_table
        rows = model._default_manager.count()
        found = statements(read, table)
        assert found, name
        for sql in found:
            plan = plan_of(sql)
            problems += [f"{name}: {fault}\n{sql}\n{plan}" for fault in faults(plan, rows, table)]
    assert problems == [], "\n\n".join(problems)


def test_a_search_found_everywhere_stops_at_the_cap_in_every_table(monkeypatch):
    """Text inside every e-mail matches the whole history: each table's part of the search
    stops at the cap (a LIMIT in each part of the UNION), so its cost is the cap's, not the
    history's."""
    store = demo_history_create(slug="common", returns=200, seed=4, now=NOW).store
    monkeypatch.setattr(queue, "SEARCH_MAX_MATCHES", 40)
    with CaptureQueriesContext(connection) as captured:
        page = queue.return_queue_for_store(
            store=store, filters=queue.ReturnQueueFilters(q="example.com"), now=NOW
        )
    assert page.total == 40
    assert all("example.com" in ret.customer.email for ret in page.results)
    (sql,) = [q["sql"] for q in captured.captured_queries if "UNION" in q["sql"]]
    limits = [node for node in nodes(plan_of(sql)) if node["Node Type"] == "Limit"]
    assert len(limits) == 5  # one per table and one for the whole


def test_a_case_in_order_by_is_caught():
    """The check itself: the queue's old order (a CASE over status) sorts every return."""
    store = demo_history_create(slug="caught", returns=300, seed=4, now=NOW).store
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    old = (
        Return.objects.filter(store=store)
        .annotate(
            rank=Case(
                When(status="pending_review", then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "created_at", "id")[:25]
    )
    assert faults(plan_of(*old.query.sql_with_params()), 300) == ["sorts 300 rows"]
