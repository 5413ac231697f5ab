"""Order-level discounts: spread over the lines at intake, shown as paid, and never refunded
beyond what a line was paid."""

from __future__ import annotations

from decimal import Decimal

import pytest

from retorno.api.tests.client import problem
from retorno.core.actors import SYSTEM
from retorno.core.errors import Unprocessable
from retorno.orders.models import Order, OrderLine
from retorno.orders.services import order_upsert, orders_upsert
from retorno.orders.tests.factories import line_payload, order_payload
from retorno.returns.services import ItemRequest, return_create

D = Decimal


def discounted(external_id: str = "D1", discount: str = "10.00") -> dict:
    return order_payload(
        external_id,
        discount_amount=discount,
        lines=[
            line_payload(
                f"{external_id}-1", quantity=2, unit_price="20.00", discount="0.00", tax="4.20"
            ),
            line_payload(
                f"{external_id}-2", quantity=1, unit_price="10.00", discount="0.00", tax="2.10"
            ),
        ],
    )


def as_data(payload: dict) -> dict:
    from retorno.api.v1.schemas import OrderIn

    return OrderIn.model_validate(payload).as_data()


def test_the_order_discount_is_spread_over_the_lines_by_value(store):
    order, _ = order_upsert(store=store, data=as_data(discounted()))
    shares = list(order.lines.order_by("position").values_list("order_discount_amount", flat=True))
    assert shares == [D("8.00"), D("2.00")]
    assert order.discount_amount == D("10.00")
    line = order.lines.order_by("position").first()
    assert line.paid_amount == D("40.00") - D("8.00") + D("4.20")


def test_a_remainder_goes_to_the_largest_remainder_and_shares_add_up(store):
    payload = discounted("D2", "1.00")
    payload["lines"][1]["unit_price"] = "20.00"
    payload["lines"][1]["quantity"] = 1
    order, _ = order_upsert(store=store, data=as_data(payload))
    shares = list(order.lines.order_by("position").values_list("order_discount_amount", flat=True))
    assert shares == [D("0.67"), D("0.33")]


def test_sending_the_order_again_changes_nothing_and_a_new_discount_respreads(store):
    order_upsert(store=store, data=as_data(discounted()))
    before = list(OrderLine.objects.values_list("id", "order_discount_amount"))
    order_upsert(store=store, data=as_data(discounted()))
    assert list(OrderLine.objects.values_list("id", "order_discount_amount")) == before
    order_upsert(store=store, data=as_data(discounted(discount="5.00")))
    assert sorted(OrderLine.objects.values_list("order_discount_amount", flat=True)) == [
        D("1.00"),
        D("4.00"),
    ]


def test_the_service_refuses_a_discount_above_the_lines_and_writes_nothing(store):
    data = as_data(discounted())
    data["discount_amount"] = D("50.01")
    with pytest.raises(Unprocessable) as caught:
        order_upsert(store=store, data=data)
    assert caught.value.extra["errors"][0]["field"] == "discount_amount"
    assert caught.value.extra["errors"][0]["type"] == "discount_exceeds_lines"
    assert Order.objects.count() == 0


def test_bulk_keeps_the_good_orders_when_one_discount_is_too_large(store):
    bad = as_data(discounted("B1"))
    bad["lines"][0]["discount"] = D("40.01")
    outcomes = orders_upsert(store=store, orders=[as_data(discounted("G1")), bad])
    assert outcomes[0].error is None
    assert outcomes[1].error.extra["errors"][0]["field"] == "lines.0.discount"
    assert list(Order.objects.values_list("external_id", flat=True)) == ["G1"]


def test_the_api_shows_what_was_paid(api):
    created = api.post("/orders", discounted())
    assert created.status_code == 201, created.content
    body = api.get("/orders/D1").json()
    assert body["discount_amount"] == "10.00"
    assert [(x["order_discount"], x["paid"]) for x in body["lines"]] == [
        ("8.00", "36.20"),
        ("2.00", "10.10"),
    ]
    assert body["paid_total"] == "46.30"


@pytest.mark.parametrize(
    ("change", "field", "kind"),
    [
        ({"discount_amount": "50.01"}, "discount_amount", "discount_exceeds_lines"),
        ({"discount_amount": "1.001"}, "discount_amount", "invalid_amount"),
        ({"discount_amount": "-1.00"}, "discount_amount", "greater_than_equal"),
    ],
)
def test_a_bad_order_discount_is_a_problem_naming_the_field(api, change, field, kind):
    payload = {**discounted(), **change}
    body = problem(api.post("/orders", payload), 422, "validation_error")
    assert [(e["field"], e["type"]) for e in body["errors"]] == [(field, kind)]
    assert Order.objects.count() == 0


def test_a_line_discount_above_its_price_is_a_problem(api):
    payload = discounted()
    payload["lines"][1]["discount"] = "10.01"
    body = problem(api.post("/orders", payload), 422, "validation_error")
    assert [(e["field"], e["type"]) for e in body["errors"]] == [
        ("lines.1.discount", "discount_exceeds_price")
    ]


def test_returned_units_are_worth_what_was_paid_after_the_order_discount(store):
    order_upsert(store=store, data=as_data(discounted()))
    first = return_create(
        store=store,
        order_external_id="D1",
        items=[ItemRequest(line="D1-1", quantity=1, reason="too_small")],
        resolution="refund",
        method="pickup",
        actor=SYSTEM,
    )
    second = return_create(
        store=store,
        order_external_id="D1",
        items=[ItemRequest(line="D1-1", quantity=1, reason="too_small")],
        resolution="refund",
        method="pickup",
        actor=SYSTEM,
    )
    amounts = [r.items.get().amount for r in (first, second)]
    assert amounts == [D("18.10"), D("18.10")]
    assert sum(amounts) == OrderLine.objects.get(external_id="D1-1").paid_amount
