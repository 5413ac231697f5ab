"""Times with any offset ISO 8601 allows are taken and kept in UTC. Python accepts offsets up to
±23:59 and PostgreSQL only up to ±15:59: such a time used to be a 500 there."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from retorno.api.tests.client import problem
from retorno.integrations.http import timestamp
from retorno.orders.models import Order
from retorno.orders.tests.factories import order_payload

FAR_OFFSET = "2026-11-01T10:00:00-21:03"
FAR_OFFSET_IN_UTC = datetime(2026, 11, 2, 7, 3, tzinfo=UTC)


def test_an_order_time_with_a_far_offset_is_stored_in_utc(api):
    payload = order_payload("far", delivered_days_ago=None)
    payload["placed_at"] = FAR_OFFSET
    payload["delivered_at"] = "2026-11-05T01:00:00+20:00"
    assert api.post("/orders", payload).status_code == 201
    order = Order.objects.get(external_id="far")
    assert order.placed_at == FAR_OFFSET_IN_UTC
    assert order.delivered_at == datetime(2026, 11, 4, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("since", "listed"), [("1434-06-06T12:23:06-21:03", True), ("2999-01-01T00:00:00+23:59", False)]
)
def test_updated_since_with_a_far_offset_filters_in_utc(api, order_factory, since, listed):
    order_factory(external_id="1001")
    request = {
        "order": "1001",
        "items": [{"line": "1001-1", "quantity": 1, "reason": "too_small"}],
        "resolution": "refund",
        "method": "pickup",
    }
    rma = api.post("/returns", request).json()["rma"]
    response = api.get("/returns", {"updated_since": since})
    assert response.status_code == 200, response.content
    assert ([r["rma"] for r in response.json()["results"]] == [rma]) is listed


def test_a_cursor_with_a_far_offset_or_none_is_refused_or_read_in_utc(api):
    def cursor(at: str) -> str:
        return base64.urlsafe_b64encode(json.dumps([at, 1]).encode()).decode().rstrip("=")

    assert api.get("/returns", {"cursor": cursor("2026-11-01T10:00:00-21:03")}).status_code == 200
    problem(api.get("/returns", {"cursor": cursor("2026-11-01T10:00:00")}), 422, "invalid_cursor")


def test_carrier_times_are_read_in_utc():
    assert timestamp(FAR_OFFSET) == FAR_OFFSET_IN_UTC
    assert timestamp(FAR_OFFSET).utcoffset().total_seconds() == 0
    assert timestamp("2026-11-01T10:00:00") == datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="Invalid isoformat"):
        timestamp("yesterday")
    for nowhere in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
        # An OverflowError escaped every caller.
        with pytest.raises(ValueError, match="has no UTC equivalent"):
            timestamp(nowhere)
