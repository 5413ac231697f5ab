"""Order intake service: upsert by external id, customers reused, lines synced safely."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from retorno.api.v1.schemas import OrderIn
from retorno.core.actors import SYSTEM
from retorno.core.errors import Conflict, Unprocessable
from retorno.orders.catalog import product_upsert
from retorno.orders.models import Customer, Order, OrderLine
from retorno.orders.services import order_upsert
from retorno.orders.tests.factories import line_payload, make_order, order_payload
from retorno.returns.services import ItemRequest, return_create


def test_customer_is_shared_by_orders_and_normalised(store):
    make_order(store, external_id="1", email="Ana@Example.com", tier="Gold")
    make_order(store, external_id="2", email="ana@example.com", tier="gold")
    customer = Customer.objects.get(store=store)
    assert (customer.email, customer.tier) == ("ana@example.com", "gold")
    assert customer.orders.count() == 2


def test_same_external_id_in_two_stores_are_two_orders(store, other_store):
    make_order(store, external_id="1")
    make_order(other_store, external_id="1")
    assert Order.objects.filter(external_id="1").count() == 2


def test_dropped_line_is_removed(store):
    make_order(store, external_id="1", lines=[line_payload("1-1"), line_payload("1-2")])
    make_order(store, external_id="1", lines=[line_payload("1-1")])
    assert list(OrderLine.objects.values_list("external_id", flat=True)) == ["1-1"]


def test_a_line_with_returns_cannot_be_dropped(store):
    make_order(store, external_id="1", lines=[line_payload("1-1"), line_payload("1-2")])
    return_create(
        store=store,
        order_external_id="1",
        items=[ItemRequest(line="1-2", quantity=1, reason="too_small")],
        resolution="refund",
        method="pickup",
        actor=SYSTEM,
    )
    with pytest.raises(Conflict) as error:
        make_order(store, external_id="1", number="#new", lines=[line_payload("1-1")])
    assert error.value.code == "line_has_returns"
    assert OrderLine.objects.count() == 2
    assert Order.objects.get().number == "#1"


def test_bulk_reports_a_failing_order_and_keeps_the_others(api, store):
    from retorno.orders.tests.factories import order_payload

    make_order(store, external_id="1", lines=[line_payload("1-1"), line_payload("1-2")])
    return_create(
        store=store,
        order_external_id="1",
        items=[ItemRequest(line="1-2", quantity=1, reason="too_small")],
        resolution="refund",
        method="pickup",
        actor=SYSTEM,
    )
    orders = [order_payload("1", lines=[line_payload("1-1")]), order_payload("2")]

    body = api.post("/orders/bulk", {"orders": orders}).json()

    assert (body["created"], body["updated"], body["failed"]) == (1, 0, 1)
    assert body["results"][0]["error"]["code"] == "line_has_returns"
    assert Order.objects.filter(store=store).count() == 2


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"placed_at": datetime(1, 1, 1, tzinfo=UTC)}, ["placed_at"]),
        ({"delivered_at": datetime(9999, 12, 31, tzinfo=UTC)}, ["delivered_at"]),
        ({"shipping_amount": Decimal("4.999")}, ["shipping_amount"]),
        ({"currency": "JPY"}, ["lines.0.unit_price", "lines.0.tax"]),
    ],
    ids=["year-1", "year-9999", "tenth-of-a-cent", "cents-in-yen"],
)
def test_the_service_refuses_what_no_entrance_may_store(store, changes, fields):
    """Imports and future entrances call the service directly: it is the last guard."""
    data = OrderIn.model_validate(order_payload("1")).model_dump() | changes

    with pytest.raises(Unprocessable) as error:
        order_upsert(store=store, data=data)

    assert error.value.code == "validation_error"
    assert [e["field"] for e in error.value.extra["errors"]] == fields
    assert not Order.objects.exists()
    assert not Customer.objects.exists()


def test_a_line_keeps_the_product_id_it_came_with_or_the_catalogs(store):
    product_upsert(
        store=store,
        external_id="prod-jeans",
        title="Jeans",
        variants=[{"sku": "JEANS-M", "price": "50.00", "options": {"size": "M"}}],
    )
    make_order(
        store,
        external_id="1",
        lines=[
            line_payload("1-1", sku="JEANS-M"),
            line_payload("1-2", sku="TEE", product_id="shopify-9"),
            line_payload("1-3", sku="MUG"),
        ],
    )
    assert dict(OrderLine.objects.values_list("sku", "product_id")) == {
        "JEANS-M": "prod-jeans",
        "TEE": "shopify-9",
        "MUG": "",
    }
