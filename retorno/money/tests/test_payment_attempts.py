"""Refunds and charges are one kind of thing, a payment attempt: the same fields, the same
lifecycle, the same shape in the API (what only one of them has comes on top)."""

from __future__ import annotations

import json

import pytest

from retorno.api.v1.routers.money import ChargeOut, PaymentAttemptOut, RefundOut
from retorno.money.models import Charge, PaymentAttempt, Refund
from retorno.money.tests.conftest import (
    inspect,
    open_return,
    order_with,
    receive,
    resolve,
    variant_pair,
)

pytestmark = pytest.mark.django_db


def shared_fields() -> set[str]:
    return {f.name for f in PaymentAttempt._meta.get_fields()}


def test_refund_and_charge_share_the_attempt_s_fields():
    assert issubclass(Refund, PaymentAttempt)
    assert issubclass(Charge, PaymentAttempt)
    for model in (Refund, Charge):
        assert shared_fields() <= {f.name for f in model._meta.get_fields()}
    assert {"state", "attempt", "idempotency_key", "calls", "in_flight_until"} <= shared_fields()
    assert (Refund.direction, Charge.direction) == ("refund", "charge")


def test_the_api_shapes_of_both_extend_one_attempt_shape():
    common = set(PaymentAttemptOut.model_fields)
    assert common <= set(RefundOut.model_fields)
    assert common <= set(ChargeOut.model_fields)
    assert {"id", "state", "attempt", "idempotency_key", "amount", "provider"} <= common


def test_a_refund_and_a_charge_answer_the_same_fields_the_same_way(store, api, provider):
    old, new = variant_pair(store, stock=5, new_price="25.00")
    order = order_with(store, quantity=2, unit_price="20.00", variant=old)
    ret = open_return(store, order, quantity=2, resolution="exchange", exchange_variant_id=new.id)
    receive(store, ret, 2)
    inspect(store, ret, "new")
    resolve(store, ret)
    refund_order = order_with(store, quantity=1, unit_price="10.00")
    receive(store, open_return(store, refund_order, quantity=1), 1)
    charge = json.loads(api.get(f"/charges/{Charge.objects.get().id}").content)
    refund = json.loads(api.get(f"/refunds/{Refund.objects.get().id}").content)
    common = set(PaymentAttemptOut.model_fields)
    assert common <= set(charge)
    assert common <= set(refund)
    assert (charge["kind"], charge["amount"], charge["state"]) == (
        "exchange_difference",
        "10.00",
        "pending",
    )
    assert (refund["kind"], refund["currency"]) == ("return", charge["currency"])
