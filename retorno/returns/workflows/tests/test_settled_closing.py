"""A return refunded by its policy's timing is resolved once nothing is left to do (committed
transactions: refunds are sent after commit, as in production)."""

from __future__ import annotations

import pytest

from retorno.money.models import Refund
from retorno.money.tests.conftest import (
    AGENT,
    inspect,
    open_return,
    order_with,
    receive,
    set_policy_base,
)
from retorno.returns.models import Return
from retorno.returns.workflows import refunds as refund_flow

pytestmark = pytest.mark.django_db(transaction=True)


def kinds(return_request: Return) -> list[str]:
    return list(return_request.events.order_by("id").values_list("kind", flat=True))


def test_refund_on_inspection_resolves_the_return_once(store, provider):
    set_policy_base(store, refund_timing="on_inspection")
    ret = open_return(store, order_with(store, quantity=2, unit_price="30.00"), quantity=2)
    receive(store, ret, 2)
    inspect(store, ret, "new")
    ret.refresh_from_db()
    assert ret.status == "resolved"
    trail = kinds(ret)
    assert trail[-3:] == ["refund_issued", "refunded", "resolved"]
    assert trail.count("resolved") == 1
    resolved = ret.events.get(kind="resolved")
    assert (resolved.actor_kind, resolved.data) == (
        "system",
        {"resolution": "refund", "automatic": True},
    )
    assert Refund.objects.get().state == "succeeded"
    assert len(provider.calls) == 1


def test_a_refund_still_pending_keeps_the_return_inspected_until_it_is_paid(store, provider):
    set_policy_base(store, refund_timing="on_inspection")
    provider.unavailable = True
    ret = open_return(store, order_with(store, quantity=1, unit_price="30.00"), quantity=1)
    receive(store, ret, 1)
    inspect(store, ret, "new")
    ret.refresh_from_db()
    assert ret.status == "inspected"
    refund = Refund.objects.get()
    refund_flow.refund_mark_paid(store=store, refund_id=refund.id, reference="bank-1", actor=AGENT)
    ret.refresh_from_db()
    assert ret.status == "resolved"
    assert kinds(ret).count("resolved") == 1


def test_a_unit_still_on_its_way_keeps_the_return_open(store, provider):
    set_policy_base(store, refund_timing="on_inspection")
    ret = open_return(store, order_with(store, quantity=2, unit_price="30.00"), quantity=2)
    receive(store, ret, 1)
    inspect(store, ret, "new")
    ret.refresh_from_db()
    assert ret.status == "received"
    assert "resolved" not in kinds(ret)


def test_a_refund_paid_before_the_inspection_leaves_the_return_to_a_person(store, provider):
    ret = open_return(store, order_with(store, quantity=2, unit_price="20.00"), quantity=2)
    receive(store, ret, 2)  # the default timing refunds at receipt
    inspect(store, ret, "new")
    ret.refresh_from_db()
    assert ret.status == "inspected"
    assert Refund.objects.get().state == "succeeded"
    assert "resolved" not in kinds(ret)
