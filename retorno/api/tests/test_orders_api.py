"""POST /api/v1/orders and /orders/bulk: upsert, limits, and every kind of bad input."""

from __future__ import annotations

import copy
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from retorno.api.tests.client import problem
from retorno.orders.models import Customer, Order, OrderLine
from retorno.orders.tests.factories import line_payload, order_payload


def row_counts() -> tuple[int, int, int]:
    return Order.objects.count(), OrderLine.objects.count(), Customer.objects.count()


def test_upsert_creates_then_updates(api, store):
    payload = order_payload("1001", tier="gold")

    created = api.post("/orders", payload)
    assert created.status_code == 201, created.content
    assert created.json()["external_id"] == "1001"
    assert created.json()["customer_tier"] == "gold"

    payload["number"] = "#1001-B"
    payload["lines"][0]["quantity"] = 3
    payload["lines"].append(line_payload("1001-2", sku="MUG", category="home"))
    updated = api.post("/orders", payload)

    assert updated.status_code == 200, updated.content
    body = updated.json()
    assert body["number"] == "#1001-B"
    assert [(line["external_id"], line["quantity"]) for line in body["lines"]] == [
        ("1001-1", 3),
        ("1001-2", 2),
    ]
    assert Order.objects.filter(store=store).count() == 1
    assert OrderLine.objects.filter(order__store=store).count() == 2


def test_reading_an_order_runs_two_statements(api, store):
    """The order with its customer, then its lines: the return link is built from the store
    the key already holds, not read again."""
    assert api.post("/orders", order_payload("1001")).status_code == 201
    api.get("/orders/1001")  # the key is cached from here on
    with CaptureQueriesContext(connection) as captured:
        response = api.get("/orders/1001")
    assert response.status_code == 200
    assert f"/s/{store.slug}/" in response.json()["return_url"]
    statements = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    assert len(statements) == 2, statements


def test_issue_example_body_is_accepted_as_is(api):
    body = {
        "external_id": "1001",
        "number": "#1001",
        "placed_at": "2026-11-01T10:00:00Z",
        "delivered_at": "2026-11-04T15:00:00Z",
        "currency": "EUR",
        "customer": {
            "external_id": "c-9",
            "email": "ana@example.com",
            "name": "Ana",
            "tier": "gold",
        },
        "shipping_address": {
            "line1": "Calle Mayor 1",
            "city": "Madrid",
            "postal_code": "28013",
            "country": "ES",
        },
        "lines": [
            {
                "external_id": "1001-1",
                "sku": "TSHIRT-M-BLUE",
                "title": "T-shirt",
                "category": "apparel",
                "quantity": 2,
                "unit_price": "19.90",
                "discount": "0.00",
                "tax": "3.45",
                "final_sale": False,
                "tags": [],
            }
        ],
    }
    response = api.post("/orders", body)
    assert response.status_code == 201, response.content
    assert response.json()["lines"][0]["unit_price"] in ("19.90", "19.9000", 19.9)


def test_bulk_accepts_a_thousand_orders(api, store):
    orders = [order_payload(f"B{n}", email=f"c{n}@example.com") for n in range(1000)]

    response = api.post("/orders/bulk", {"orders": orders})

    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert (body["created"], body["updated"], body["failed"]) == (1000, 0, 0)
    assert Order.objects.filter(store=store).count() == 1000

    again = api.post("/orders/bulk", {"orders": orders[:3]})
    assert (again.json()["created"], again.json()["updated"]) == (0, 3)


def test_bulk_refuses_1001_orders_and_writes_nothing(api):
    orders = [order_payload(f"B{n}") for n in range(1001)]
    before = row_counts()

    body = problem(api.post("/orders/bulk", {"orders": orders}), 422, "validation_error")

    assert any(error["field"].startswith("orders") for error in body["errors"])
    assert row_counts() == before


def _without(payload: dict, *path: str | int) -> dict:
    payload = copy.deepcopy(payload)
    target = payload
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return payload


def _with(payload: dict, value: object, *path: str | int) -> dict:
    payload = copy.deepcopy(payload)
    target = payload
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return payload


VALID = order_payload("2001")

INVALID_BODIES = {
    "quantity is a string": _with(VALID, "two", "lines", 0, "quantity"),
    "lines is an object": _with(VALID, {"a": 1}, "lines"),
    "final_sale is a list": _with(VALID, [1], "lines", 0, "final_sale"),
    "unit price is not a number": _with(VALID, "cheap", "lines", 0, "unit_price"),
    "customer is a string": _with(VALID, "ana@example.com", "customer"),
    "body is a list": [VALID],
    "external_id missing": _without(VALID, "external_id"),
    "customer email missing": _without(VALID, "customer", "email"),
    "lines missing": _without(VALID, "lines"),
    "no lines": _with(VALID, [], "lines"),
    "line sku missing": _without(VALID, "lines", 0, "sku"),
    "naive placed_at": _with(VALID, "2026-11-01T10:00:00", "placed_at"),
    "naive delivered_at": _with(VALID, "2026-11-04T15:00:00", "delivered_at"),
    "unknown currency": _with(VALID, "XYZ", "currency"),
    "currency is a number": _with(VALID, 978, "currency"),
    "negative unit price": _with(VALID, "-1.00", "lines", 0, "unit_price"),
    "negative discount": _with(VALID, "-0.01", "lines", 0, "discount"),
    "negative tax": _with(VALID, "-3", "lines", 0, "tax"),
    "negative shipping": _with(VALID, "-5.00", "shipping_amount"),
    "zero quantity": _with(VALID, 0, "lines", 0, "quantity"),
    "NaN price": _with(VALID, "NaN", "lines", 0, "unit_price"),
    "too many decimals": _with(VALID, "1.123456", "lines", 0, "unit_price"),
    "external id with a slash": _with(VALID, "a/b", "external_id"),
}


@pytest.mark.parametrize("body", INVALID_BODIES.values(), ids=INVALID_BODIES.keys())
def test_invalid_order_is_refused_and_nothing_written(api, body):
    before = row_counts()

    result = problem(api.post("/orders", body), 422, "validation_error")

    assert result["errors"], result
    assert all({"field", "message"} <= set(error) for error in result["errors"])
    assert row_counts() == before


def test_invalid_order_inside_bulk_refuses_the_whole_call(api):
    before = row_counts()
    orders = [order_payload("ok-1"), _with(VALID, "XYZ", "currency")]

    body = problem(api.post("/orders/bulk", {"orders": orders}), 422, "validation_error")

    assert body["errors"][0]["field"].startswith("orders.1")
    assert row_counts() == before


@pytest.mark.parametrize(
    "raw",
    ['{"external_id": "1"', "not json", "\x00\x01", '{"a": 1}}', "{'a': 1}"],
    ids=["truncated", "text", "binary", "trailing", "single-quotes"],
)
def test_malformed_json_is_400(api, raw):
    before = row_counts()

    problem(api.post("/orders", raw), 400, "malformed_body")

    assert row_counts() == before


def test_empty_body_is_a_clear_4xx(api):
    before = row_counts()
    response = api.post("/orders", "")
    # An empty body is "no body" rather than broken JSON: ninja reports the body as missing.
    problem(response, 422, "validation_error")
    assert row_counts() == before


def test_oversize_body_is_413(api, settings):
    settings.RETORNO_MAX_BODY_BYTES = 4096
    payload = order_payload("big", lines=[line_payload(f"big-{n}") for n in range(40)])
    raw = json.dumps(payload)
    assert len(raw) > 4096
    before = row_counts()

    problem(api.post("/orders", raw), 413, "body_too_large")

    assert row_counts() == before


def test_oversize_body_is_refused_even_without_a_key(client_for, settings):
    settings.RETORNO_MAX_BODY_BYTES = 100
    problem(client_for().post("/orders", "x" * 101), 413, "body_too_large")


def test_default_body_limit_is_configured():
    from django.conf import settings

    assert settings.RETORNO_MAX_BODY_BYTES >= 1_000_000


def _anonymous_customer(payload: dict) -> dict:
    """A customer the store knows only by e-mail (no `external_id`): guest checkouts."""
    payload = copy.deepcopy(payload)
    del payload["customer"]["external_id"]
    return payload


def test_a_customer_without_external_id_is_created_then_reused(api, store):
    first = api.post(
        "/orders", _anonymous_customer(order_payload("g-1", email="Guest@Example.com"))
    )
    second = api.post(
        "/orders", _anonymous_customer(order_payload("g-2", email="guest@example.com"))
    )

    assert (first.status_code, second.status_code) == (201, 201), first.content
    customer = Customer.objects.get(store=store)
    assert (customer.external_id, customer.email) == ("", "guest@example.com")
    assert customer.orders.count() == 2


def test_bulk_creates_customers_without_external_id(api, store):
    orders = [
        _anonymous_customer(order_payload(f"g-{n}", email=f"guest{n % 2}@example.com"))
        for n in range(4)
    ]

    body = api.post("/orders/bulk", {"orders": orders}).json()

    assert (body["created"], body["failed"]) == (4, 0), body
    assert sorted(Customer.objects.filter(store=store).values_list("email", flat=True)) == [
        "guest0@example.com",
        "guest1@example.com",
    ]
