"""The statements written out once instead of compiled by the ORM on every call
(retorno.core.db.inserts, retorno.core.db.rows) write and read exactly what the ORM would."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.db.models import F, Prefetch
from django.forms.models import model_to_dict

from retorno.core.actors import SYSTEM
from retorno.core.db.inserts import insert_new
from retorno.orders.models import Order
from retorno.orders.selectors import order_get_for_store
from retorno.orders.tests.factories import make_order
from retorno.returns.models import Return, ReturnEvent, ReturnItem
from retorno.returns.selectors import return_get_for_body
from retorno.returns.services import ItemRequest, return_create

AT = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)


def _columns(row: Any) -> dict[str, Any]:
    return {f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields}


@pytest.fixture
def created(store: Any) -> Return:
    order = make_order(store, external_id="7001")
    line = order.lines.get()
    return return_create(
        store=store,
        order_external_id="7001",
        items=[ItemRequest(line=line.external_id, quantity=1, reason="too_small", comment="é")],
        resolution="refund",
        method="pickup",
        actor=SYSTEM,
    )


@pytest.mark.django_db
def test_a_created_return_reads_back_as_it_was_written(created: Return) -> None:
    stored = Return.objects.get(pk=created.pk)
    assert _columns(stored) == _columns(created)
    item = created.items.all()[0]
    assert _columns(ReturnItem.objects.get(pk=item.pk)) == _columns(item)
    assert [e.kind for e in ReturnEvent.objects.filter(return_request=created)] == [
        "created",
        "approved",
    ]


@pytest.mark.django_db
def test_insert_new_writes_the_row_the_orm_writes(created: Return) -> None:
    def event(note: str) -> ReturnEvent:
        return ReturnEvent(
            store_id=created.store_id,
            return_request=created,
            kind="note_added",
            from_status="approved",
            to_status="approved",
            actor_kind="system",
            actor_id="",
            actor_label="Retorno",
            note=note,
            data={"amount": "1.50", "nested": {"list": [1, "dos"]}, "none": None},
            created_at=AT,
        )

    by_orm = event("same")
    by_orm.save(force_insert=True)
    written = insert_new([event("same"), event("same")])
    assert all(row.pk and not row._state.adding for row in written)
    assert written[0].pk < written[1].pk
    expected = model_to_dict(ReturnEvent.objects.get(pk=by_orm.pk))
    for row in written:
        assert model_to_dict(ReturnEvent.objects.get(pk=row.pk)) | {"id": by_orm.pk} == expected


@pytest.mark.django_db
def test_insert_new_leaves_expressions_to_the_orm(created: Return) -> None:
    item = created.items.all()[0]
    twin = ReturnItem.objects.get(pk=item.pk)
    twin.pk = None
    twin._state.adding = True
    twin.quantity_requested = F("quantity_requested")  # refused on insert, as by the ORM
    with pytest.raises(ValueError, match="F\\(\\) expressions"), transaction.atomic():
        insert_new([twin])
    twin.quantity_requested = 2
    twin.amount = Decimal("3.10")
    (saved,) = insert_new([twin])
    again = ReturnItem.objects.get(pk=saved.pk)
    assert (again.quantity_requested, again.amount) == (2, Decimal("3.10"))


@pytest.mark.django_db
def test_an_order_read_by_hand_equals_the_orm_read(store: Any) -> None:
    make_order(store, external_id="7002")
    order = order_get_for_store(store=store, external_id="7002")
    by_orm = Order.objects.select_related("customer").prefetch_related("lines").get(pk=order.pk)
    assert _columns(order) == _columns(by_orm)
    assert _columns(order.customer) == _columns(by_orm.customer)
    assert [_columns(line) for line in order.lines.all()] == [
        _columns(line) for line in by_orm.lines.all()
    ]


@pytest.mark.django_db
def test_a_return_read_by_hand_equals_the_orm_read(created: Return) -> None:
    by_hand = return_get_for_body(store=created.store, rma=created.rma.lower())
    by_orm = (
        Return.objects.select_related("order", "customer", "policy_version")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=ReturnItem.objects.with_settled_units().select_related(
                    "order_line", "exchange_variant"
                ),
            )
        )
        .get(pk=created.pk)
    )

    def same(mine: Any, theirs: Any) -> bool:
        """Every column read by hand is the ORM's value; the others are left unread."""
        unread = mine.get_deferred_fields()
        read = {
            f.attname: getattr(mine, f.attname)
            for f in type(mine)._meta.concrete_fields
            if f.attname not in unread
        }
        return read == {name: getattr(theirs, name) for name in read}

    assert by_hand.get_deferred_fields() == {"decision", "pickup_address", "shop_now"}
    assert by_hand.order.get_deferred_fields() == {"shipping_address", "tags"}
    assert same(by_hand, by_orm)
    for name in ("order", "customer", "policy_version"):
        assert same(getattr(by_hand, name), getattr(by_orm, name))
    for mine, theirs in zip(by_hand.items.all(), by_orm.items.all(), strict=True):
        assert same(mine, theirs)
        assert same(mine.order_line, theirs.order_line)
        assert (mine.settled_refund_units, mine.settled_exchange_units) == (0, 0)
        assert mine.exchange_variant is None
