"""Order intake refuses times that cannot have happened and amounts finer than the currency, with a
422 naming the field, on the single and the bulk endpoint, and writes nothing. Such values used to
be a 500 (year 1 with an offset has no UTC time) or were stored and broke later reads (a delivery
in year 9999 has no return window end; EUR 10.003 was quoted 20.01 and refunded 20.00)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest

from retorno.api.tests.client import problem
from retorno.orders.models import Customer, Order, OrderLine
from retorno.orders.tests.factories import iso, line_payload, order_payload


def row_counts() -> tuple[int, int, int]:
    return Order.objects.count(), OrderLine.objects.count(), Customer.objects.count()


def _set(payload: dict, path: tuple[str | int, ...], value: object) -> dict:
    payload = copy.deepcopy(payload)
    target = payload
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return payload


def _now_plus(delta: timedelta) -> str:
    return iso(datetime.now(UTC) + delta)


OUT_OF_RANGE_TIMES = {
    "year 1 with an offset": "0001-01-01T00:00:00+14:00",
    "year 1 in UTC": "0001-01-01T00:00:00Z",
    "year 9999 with an offset": "9999-12-31T23:59:59-14:00",
    "year 9999": "9999-12-31T00:00:00Z",
    "just before 2000": "1999-12-31T23:59:59Z",
    "two days ahead": None,  # filled per test: relative to now
}
TIME_FIELDS = [("placed_at",), ("delivered_at",)]


def _time_cases() -> list[tuple[tuple[str, ...], str, str]]:
    return [
        (field, name, value) for field in TIME_FIELDS for name, value in OUT_OF_RANGE_TIMES.items()
    ]


@pytest.mark.parametrize(
    ("field", "name", "value"), _time_cases(), ids=[f"{f[0]}-{n}" for f, n, _ in _time_cases()]
)
def test_a_time_that_cannot_have_happened_is_a_422_naming_the_field(api, field, name, value):
    value = value or _now_plus(timedelta(days=2))
    before = row_counts()

    body = problem(
        api.post("/orders", _set(order_payload("t-1"), field, value)), 422, "validation_error"
    )

    assert [(e["field"], e["type"]) for e in body["errors"]] == [(field[0], "time_out_of_range")]
    assert row_counts() == before


def test_times_at_the_edges_of_the_range_are_accepted(api):
    payload = order_payload("edge", placed_at="2000-01-01T00:00:00Z")
    payload["delivered_at"] = _now_plus(timedelta(hours=23))

    assert api.post("/orders", payload).status_code == 201
    eligibility = api.get("/orders/edge/eligibility")
    assert eligibility.status_code == 200, eligibility.content
    assert eligibility.json()["lines"][0]["eligible"] is True


def test_a_bulk_order_with_a_bad_time_names_its_place_and_nothing_is_written(api):
    orders = [
        order_payload("b-1"),
        _set(order_payload("b-2"), ("delivered_at",), "9999-12-31T00:00:00Z"),
    ]
    before = row_counts()

    body = problem(api.post("/orders/bulk", {"orders": orders}), 422, "validation_error")

    assert [(e["field"], e["type"]) for e in body["errors"]] == [
        ("orders.1.delivered_at", "time_out_of_range")
    ]
    assert row_counts() == before


def test_a_filter_time_without_a_utc_equivalent_is_a_422(api):
    body = problem(
        api.get("/returns", {"updated_since": "0001-01-01T00:00:00+14:00"}), 422, "validation_error"
    )
    assert [e["field"] for e in body["errors"]] == ["query.updated_since"]


AMOUNT_FIELDS = [
    ("shipping_amount",),
    ("shipping_tax_amount",),
    ("discount_amount",),
    ("lines", 0, "unit_price"),
    ("lines", 0, "discount"),
    ("lines", 0, "tax"),
]
TOO_FINE = [("EUR", "10.003"), ("JPY", "10.5"), ("KWD", "1.2345"), ("USD", "0.001")]
EXACT = [("EUR", "10.000"), ("JPY", "10"), ("KWD", "1.234"), ("CLP", "1500.0")]


def _priced(currency: str, field: tuple[str | int, ...], amount: str) -> dict:
    """An order in `currency` whose amounts are all exact, but `field`, which is `amount` (its
    line is worth more than any discount tried)."""
    line = line_payload("p-1", unit_price="2000", discount="0", tax="0", quantity=2)
    payload = order_payload("p", currency=currency, lines=[line])
    return _set(payload, field, amount)


@pytest.mark.parametrize("field", AMOUNT_FIELDS, ids=lambda f: ".".join(map(str, f)))
@pytest.mark.parametrize(("currency", "amount"), TOO_FINE, ids=[c for c, _ in TOO_FINE])
def test_an_amount_finer_than_the_currency_is_a_422_naming_the_field(api, field, currency, amount):
    before = row_counts()

    body = problem(api.post("/orders", _priced(currency, field, amount)), 422, "validation_error")

    assert [(e["field"], e["type"]) for e in body["errors"]] == [
        (".".join(map(str, field)), "invalid_amount")
    ]
    assert currency in body["errors"][0]["message"]
    assert row_counts() == before


@pytest.mark.parametrize("field", AMOUNT_FIELDS, ids=lambda f: ".".join(map(str, f)))
@pytest.mark.parametrize(("currency", "amount"), EXACT, ids=[c for c, _ in EXACT])
def test_an_amount_exact_in_its_currency_is_accepted(api, field, currency, amount):
    response = api.post("/orders", _priced(currency, field, amount))
    assert response.status_code == 201, response.content


def test_a_bulk_order_with_a_too_fine_amount_names_its_place_and_nothing_is_written(api):
    orders = [
        order_payload("b-1"),
        _priced("JPY", ("lines", 0, "unit_price"), "10.5"),
        _priced("EUR", ("shipping_amount",), "1.005"),
    ]
    before = row_counts()

    body = problem(api.post("/orders/bulk", {"orders": orders}), 422, "validation_error")

    assert [e["field"] for e in body["errors"]] == [
        "orders.1.lines.0.unit_price",
        "orders.2.shipping_amount",
    ]
    assert row_counts() == before
