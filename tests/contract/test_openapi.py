"""The API against its own OpenAPI document, in-process (schemathesis over the WSGI app).

Every operation is called with generated input and a real key of a test store holding an order
and returns; no answer may be a server error, and every answer must match the document (status
code, content type, body schema).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from retorno.accounts.tests.factories import issue_key
from retorno.core.actors import SYSTEM
from retorno.domain.money import quantize
from retorno.domain.policies import default_policy_document
from retorno.domain.times import EARLIEST_FACT_AT, FUTURE_MARGIN
from retorno.orders.tests.factories import line_payload, make_order, order_payload
from retorno.returns.services import ItemRequest, return_create

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def bearer(store) -> str:
    """A key with every scope, on a store with an order and a return to find."""
    make_order(
        store,
        external_id="1001",
        lines=[line_payload("1001-1", quantity=5), line_payload("1001-2", unit_price="900.00")],
    )
    for line in ("1001-1", "1001-2"):
        return_create(
            store=store,
            order_external_id="1001",
            items=[ItemRequest(line=line, quantity=1, reason="too_small")],
            resolution="refund",
            method="pickup",
            actor=SYSTEM,
        )
    return issue_key(store).header


@pytest.fixture
def in_test_transaction() -> Iterator[None]:
    """Keep the test's connection open across WSGI requests, as Django's own test client does:
    closing it at the end of a request would throw away the test transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_the_document_lists_the_foundation_operations():
    labels = {result.ok().label for result in schema.get_all_operations()}
    assert {
        "POST /api/v1/orders",
        "POST /api/v1/orders/bulk",
        "GET /api/v1/orders/{external_id}/eligibility",
        "POST /api/v1/returns",
        "GET /api/v1/returns",
        "POST /api/v1/returns/{rma}/override",
        "PUT /api/v1/policy",
        "POST /api/v1/policy/preview",
        "POST /api/v1/policy/simulate",
    } <= labels


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_document(case, bearer, in_test_transaction):
    case.call_and_validate(headers={"Authorization": bearer}, checks=CHECKS)


def _walk(bearer: str) -> None:
    """The happy path through every operation, each answer checked against the document."""
    auth = {"Authorization": bearer}

    def call(path: str, method: str, expected: int, **parts: object) -> object:
        case = schema[f"/api/v1{path}"][method].Case(headers=auth, **parts)
        response = case.call_and_validate(checks=CHECKS)
        assert response.status_code == expected, (path, method, response.content[:300])
        return response.json()

    order = order_payload("2001", lines=[line_payload("2001-1", quantity=3)])
    call("/orders", "POST", 201, body=order)
    call("/orders", "POST", 200, body=order)
    call("/orders/bulk", "POST", 200, body={"orders": [order, order_payload("2002")]})
    call("/orders/{external_id}", "GET", 200, path_parameters={"external_id": "2001"})
    call("/orders/{external_id}/eligibility", "GET", 200, path_parameters={"external_id": "2001"})
    item = {"line": "2001-1", "quantity": 1, "reason": "too_small", "comment": ""}
    request = {"order": "2001", "items": [item], "resolution": "refund", "method": "pickup"}
    rmas = [call("/returns", "POST", 201, body=request)["rma"] for _ in range(3)]
    call("/returns", "GET", 200, query={"limit": 2})
    call("/returns/{rma}", "GET", 200, path_parameters={"rma": rmas[0]})
    call("/returns/{rma}/events", "GET", 200, path_parameters={"rma": rmas[0]})
    override = {"line": "2001-1", "decision": "accepted", "rule": "r", "note": "ok"}
    call("/returns/{rma}/override", "POST", 200, path_parameters={"rma": rmas[0]}, body=override)
    call("/returns/{rma}/cancel", "POST", 200, path_parameters={"rma": rmas[0]}, body={})
    call("/returns/{rma}/approve", "POST", 409, path_parameters={"rma": rmas[0]}, body={})
    pending = call("/returns", "GET", 200, query={"status": "pending_review"})["results"]
    (held,) = [r["rma"] for r in pending]
    call("/returns/{rma}/reject", "POST", 422, path_parameters={"rma": held}, body={})
    call("/returns/{rma}/approve", "POST", 200, path_parameters={"rma": held}, body={"note": "ok"})
    call("/returns/{rma}/reject", "POST", 409, path_parameters={"rma": rmas[1]}, body={"note": "x"})
    call("/analytics/overview", "GET", 200, query={"days": 30})
    call("/analytics/breakdown", "GET", 200, query={"dimension": "product", "basis": "order"})
    call("/analytics/breakdown", "GET", 422, query={"dimension": "colour"})
    call("/analytics/fit", "GET", 200)
    call("/analytics/suppliers", "GET", 200, query={"from": "2026-01-01", "to": "2026-03-31"})
    call("/policy", "GET", 200)
    call("/policy", "PUT", 201, body={"document": default_policy_document()})
    call("/policy", "PUT", 422, body={"document": {"base": 1}})
    call(
        "/policy/preview",
        "POST",
        200,
        body={"document": default_policy_document(), "order": "2001"},
    )
    call("/policy/simulate", "POST", 200, body={"document": default_policy_document(), "days": 30})
    call("/policy/simulate", "POST", 422, body={"document": {"base": 1}, "days": 30})
    call(
        "/policy/simulate",
        "POST",
        422,
        body={"document": default_policy_document(), "from": "2026-02-01", "to": "2026-01-01"},
    )


def test_happy_path_answers_conform(bearer, in_test_transaction):
    _walk(bearer)


_offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
_CURRENCIES = ["EUR", "JPY", "KWD", "CLP", "USD"]


@given(
    placed_at=st.datetimes(timezones=_offsets),
    currency=st.sampled_from(_CURRENCIES),
    price=st.decimals(min_value=0, max_value=99_999, places=4, allow_nan=False),
)
@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_order_times_and_amounts_at_any_edge_are_201_or_a_422_naming_them(
    bearer, in_test_transaction, placed_at, currency, price
):
    """Any year, any offset Python allows, any decimals: never a 500, always the document's shape,
    and a 422 exactly when the time cannot have happened or the price is finer than the
    currency, naming the field."""
    body = order_payload("edge", delivered_days_ago=None, currency=currency)
    body["placed_at"] = placed_at.isoformat()
    body["lines"][0].update(unit_price=str(price), discount="0", tax="0")
    case = schema["/api/v1/orders"]["POST"].Case(headers={"Authorization": bearer}, body=body)

    response = case.call_and_validate(checks=CHECKS)

    expected = set()
    if not EARLIEST_FACT_AT <= placed_at <= datetime.now(UTC) + FUTURE_MARGIN:
        expected.add(("placed_at", "time_out_of_range"))
    if price != quantize(price, currency):
        expected.add(("lines.0.unit_price", "invalid_amount"))
    if expected:
        assert response.status_code == 422, response.content[:300]
        found = {(e["field"], e["type"]) for e in response.json()["errors"]}
        # Amounts are checked against the currency once every field has its type: a bad time
        # is reported first.
        assert found == expected or found == {("placed_at", "time_out_of_range")}
    else:
        assert response.status_code in (200, 201), response.content[:300]
