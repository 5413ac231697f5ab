"""Units refunded and exchanged are read from the money ledger, never copied onto the items:
whatever writes a refund line or cancels an exchange, the item says so at once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from retorno.money.models import ExchangeOrder, RefundLine
from retorno.money.tests.conftest import open_return, order_with, receive, variant_pair
from retorno.returns.models import ReturnItem
from retorno.returns.selectors import return_detail_for_store, return_get_for_store

pytestmark = pytest.mark.django_db


def test_a_refund_line_is_the_units_refunded(store, provider):
    order = order_with(store, quantity=3, unit_price="20.00")
    ret = open_return(store, order, quantity=3)
    item = ret.items.get()
    assert (item.quantity_refunded, item.quantity_exchanged) == (0, 0)
    assert item.status == "approved"

    receive(store, ret, 3)  # on receipt: the three units are refunded
    assert RefundLine.objects.get().units == 3
    annotated = ReturnItem.objects.with_settled_units().get(pk=item.pk)
    plain = ReturnItem.objects.get(pk=item.pk)
    assert (annotated.quantity_refunded, plain.quantity_refunded) == (3, 3)
    assert annotated.status == plain.status == "resolved"

    # Whatever changes the ledger changes the item: nothing is kept in step by hand.
    RefundLine.objects.update(units=1)
    assert ReturnItem.objects.with_settled_units().get(pk=item.pk).quantity_refunded == 1
    assert ReturnItem.objects.get(pk=item.pk).status == "received"


def test_units_in_a_cancelled_exchange_are_not_exchanged(store, provider):
    old, new = variant_pair(store, stock=5, new_price="20.00")
    order = order_with(store, quantity=2, unit_price="20.00", variant=old)
    ret = open_return(store, order, quantity=2, resolution="exchange", exchange_variant_id=new.id)
    item = ReturnItem.objects.with_settled_units().get(return_request=ret)
    assert (item.quantity_refunded, item.quantity_exchanged) == (0, 2)  # reserved at approval
    ExchangeOrder.objects.update(state="cancelled")
    assert ReturnItem.objects.with_settled_units().get(pk=item.pk).quantity_exchanged == 0


def test_more_in_the_ledger_than_approved_is_bounded_like_the_ledger(store, provider):
    order = order_with(store, quantity=3, unit_price="20.00")
    ret = open_return(store, order, quantity=2)
    receive(store, ret, 2)
    RefundLine.objects.update(units=9)
    item = ReturnItem.objects.with_settled_units().get(return_request=ret)
    assert (item.quantity_refunded, item.quantity_exchanged) == (2, 0)
    assert item.ledger.refunded == 2


def test_read_paths_bring_the_settled_units_with_the_items(
    store, provider, django_assert_num_queries
):
    order = order_with(store, quantity=3, unit_price="20.00")
    ret = open_return(store, order, quantity=3)
    receive(store, ret, 3)
    for read in (return_get_for_store, return_detail_for_store):
        found = read(store=store, rma=ret.rma)
        with django_assert_num_queries(0):
            statuses = [(i.status, i.quantity_refunded) for i in found.items.all()]
        assert statuses == [("resolved", 3)]
    assert Decimal(RefundLine.objects.get().net_amount) > 0
