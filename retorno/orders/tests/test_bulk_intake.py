"""The bulk intake writes a call's orders with a fixed number of statements, and keeps the
meaning of orders sent one by one: an order sent twice is created then updated, a customer sent
twice ends with the last values, a failing order leaves the others written."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from retorno.api.v1.schemas import OrderIn
from retorno.orders.models import Customer, Order, OrderLine
from retorno.orders.services import orders_upsert
from retorno.orders.tests.factories import line_payload, order_payload


def _orders(count: int, prefix: str) -> list[dict]:
    return [
        OrderIn.model_validate(
            order_payload(
                f"{prefix}{n}",
                email=f"c{n}@example.com",
                lines=[line_payload(f"{prefix}{n}-{k}") for k in range(3)],
            )
        ).model_dump()
        for n in range(count)
    ]


def _statements(store, orders: list[dict]) -> int:
    with CaptureQueriesContext(connection) as queries:
        orders_upsert(store=store, orders=orders)
    return len(queries)


def test_the_statements_of_a_call_do_not_grow_with_its_orders(store):
    many = 200
    assert _statements(store, _orders(many, "b")) == _statements(store, _orders(2, "s"))
    # Updating (lines compared, none dropped) is as flat.
    assert _statements(store, _orders(many, "b")) == _statements(store, _orders(2, "s"))


def test_an_order_sent_twice_in_one_call_is_created_then_updated(store):
    first = OrderIn.model_validate(order_payload("1", lines=[line_payload("1-1")])).model_dump()
    second = OrderIn.model_validate(
        order_payload("1", number="#again", lines=[line_payload("1-2")])
    ).model_dump()

    outcomes = orders_upsert(store=store, orders=[first, second])

    assert [(o.external_id, o.created, o.error) for o in outcomes] == [
        ("1", True, None),
        ("1", False, None),
    ]
    order = Order.objects.get(store=store)
    assert order.number == "#again"
    assert list(OrderLine.objects.values_list("external_id", flat=True)) == ["1-2"]


def test_a_customer_sent_twice_in_one_call_keeps_the_last_values(store):
    orders = [
        OrderIn.model_validate(order_payload("1", tier="silver")).model_dump(),
        OrderIn.model_validate(order_payload("2", tier="gold")).model_dump(),
    ]

    orders_upsert(store=store, orders=orders)

    customer = Customer.objects.get(store=store)
    assert customer.tier == "gold"
    assert customer.orders.count() == 2


def test_an_unchanged_customer_keeps_its_updated_at(store):
    data = OrderIn.model_validate(order_payload("1")).model_dump()
    orders_upsert(store=store, orders=[data])
    before = Customer.objects.get(store=store).updated_at

    orders_upsert(store=store, orders=[data])
    assert Customer.objects.get(store=store).updated_at == before

    changed = OrderIn.model_validate(order_payload("1", tier="gold")).model_dump()
    orders_upsert(store=store, orders=[changed])
    assert Customer.objects.get(store=store).updated_at > before


def test_the_data_the_api_hands_the_service_is_the_bodys_dump():
    body = order_payload(
        "1",
        tags=["vip"],
        lines=[
            line_payload("1-1", options={"size": "M"}, tags=["sale"], product_id="p-1"),
            line_payload("1-2", final_sale=True),
        ],
    )
    order = OrderIn.model_validate(body)
    assert order.as_data() == order.model_dump()
