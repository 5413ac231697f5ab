"""The bulk intake writes a call's orders with a fixed number of statements, and keeps the
meaning of orders sent one by one: an order sent twice is created then updated, a customer sent
twice ends with the last values, a failing order leaves the others written."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from retorno.analytics import rollups
from retorno.api.v1.schemas import OrderIn
from retorno.connectors.intake import order_delivered
from retorno.orders.models import Customer, Order, OrderLine, Product, Variant
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


def test_the_statements_of_a_call_do_not_grow_with_its_orders(store, monkeypatch):
    # SQLite takes the rollups' rows a bounded chunk per statement (its limit on parameters):
    # all of this call's in one, so what is counted is everything else.
    monkeypatch.setattr(rollups, "SQLITE_ROWS", 3000)
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


def _writes(store, orders: list[dict]) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        orders_upsert(store=store, orders=orders)
    verbs = ("INSERT", "UPDATE", "DELETE", "COPY")
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(verbs)]


def test_orders_sent_again_as_they_were_are_skipped_whole(store):
    """A CSV file imported twice or a webhook repeated: the order, its lines, its customer and
    the analytics of its sales are not written again, and the outcome says it exists."""
    orders = _orders(3, "r")
    first = orders_upsert(store=store, orders=orders)
    before = list(Order.objects.order_by("id").values())

    with CaptureQueriesContext(connection) as queries:
        again = orders_upsert(store=store, orders=orders)

    assert [(o.order_id, o.created, o.error) for o in again] == [
        (o.order_id, False, None) for o in first
    ]
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert len(queries) == 2  # the catalog's variants and the orders' digests
    assert list(Order.objects.order_by("id").values()) == before

    # One value changed: that order (only) is written, its new value kept.
    orders[1]["lines"][0]["quantity"] = 5
    assert _writes(store, orders)
    line = OrderLine.objects.get(order__external_id="r1", external_id="r1-0")
    assert line.quantity == 5
    assert _writes(store, orders) == []


def test_an_order_changed_outside_the_intake_is_written_again(store):
    """A delivery date set by a fulfilment event, or an edit in the admin, clears the digest: the
    same order sent again is written (as it was before orders were skipped)."""
    data = _orders(1, "d")[0]
    orders_upsert(store=store, orders=[data])
    later = data["delivered_at"] + timedelta(days=1)
    assert order_delivered(store, "d0", later)
    assert Order.objects.get(external_id="d0").delivered_at == later

    assert _writes(store, [data])
    assert Order.objects.get(external_id="d0").delivered_at == data["delivered_at"]


def test_a_variant_added_to_the_catalog_is_linked_when_the_order_comes_again(store):
    data = _orders(1, "v")[0]
    orders_upsert(store=store, orders=[data])
    assert OrderLine.objects.get(external_id="v0-0").variant_id is None
    product = Product.objects.create(store=store, external_id="p-v", title="T-shirt")
    variant = Variant.objects.create(
        store=store, product=product, sku=data["lines"][0]["sku"], price="19.90"
    )

    orders_upsert(store=store, orders=[data])

    assert OrderLine.objects.get(external_id="v0-0").variant_id == variant.id
