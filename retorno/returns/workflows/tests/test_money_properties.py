"""Property: whatever sequence of returns, receipts, typed refunds and claims hits an order through
the service layer, the sum of its refunds never exceeds what was paid, and no line gives back
more units than were bought."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retorno.core.errors import RetornoError
from retorno.domain.errors import DomainError
from retorno.money.models import Refund, RefundLine
from retorno.money.services import claims as money_claims
from retorno.money.tests.conftest import AGENT, open_return, order_with, receive
from retorno.returns.workflows import refunds as refund_flow

pytestmark = pytest.mark.django_db

cents = st.integers(min_value=1, max_value=9000).map(lambda c: Decimal(c) / 100)
action = st.one_of(
    st.tuples(st.just("return"), st.integers(1, 4), st.integers(0, 4)),
    st.tuples(st.just("claim"), st.integers(1, 4), st.none() | cents),
    st.tuples(st.just("execute"), st.none() | cents, st.booleans()),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    quantity=st.integers(1, 4),
    price=cents,
    tax=st.integers(0, 2000).map(lambda c: Decimal(c) / 100),
    shipping=st.integers(0, 900).map(lambda c: Decimal(c) / 100),
    actions=st.lists(action, min_size=1, max_size=6),
)
def test_refunds_of_an_order_never_exceed_what_was_paid(
    store, quantity, price, tax, shipping, actions
):
    order = order_with(
        store, quantity=quantity, unit_price=str(price), tax=str(tax), shipping=str(shipping)
    )
    line = order.lines.get()
    paid = line.paid_amount + order.shipping_amount + order.shipping_tax_amount
    last_return = None
    for kind, first, second in actions:
        try:
            if kind == "return":
                last_return = open_return(store, order, quantity=min(first, quantity))
                if second:
                    receive(
                        store, last_return, min(second, last_return.items.get().quantity_approved)
                    )
            elif kind == "claim":
                claim = money_claims.claim_open(
                    store=store,
                    order_external_id=order.external_id,
                    reason="missing_item",
                    lines={line.external_id: min(first, quantity)},
                    actor=AGENT,
                )
                money_claims.claim_resolve(
                    store=store,
                    number=claim.number,
                    resolution="refund",
                    amount=second,
                    actor=AGENT,
                )
            elif last_return is not None:
                refund_flow.refund_execute(
                    store=store,
                    rma=last_return.rma,
                    actor=AGENT,
                    amount=first,
                    refund_shipping=second,
                )
        except (RetornoError, DomainError):
            pass  # refused with a clear code: nothing written (checked below by the sums)
        refunded = Refund.objects.filter(order=order).aggregate(t=Sum("amount"))["t"] or 0
        assert refunded <= paid
        assert all(r.amount >= 0 for r in Refund.objects.filter(order=order))
        units = RefundLine.objects.filter(refund__order=order).aggregate(u=Sum("units"))["u"] or 0
        assert units <= quantity
