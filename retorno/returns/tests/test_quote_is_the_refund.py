"""Property: what the shopper is quoted for a return (the portal's quote before confirming, the
API's `refund_estimate` after) is what the return refunds once its items are back as sent, and
never more than was paid. Any currency, lines, discounts, tax, fees, bonus and refund timing; one
return of an order, or several refunded in any order."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from retorno.domain.money import minor_units
from retorno.money.models import Refund, RefundKind
from retorno.money.tests.conftest import AGENT, WAREHOUSE, set_policy_base
from retorno.orders.models import Order
from retorno.orders.tests.factories import line_payload, make_order
from retorno.returns import selectors, services
from retorno.returns.models import Return
from retorno.returns.workflows import inspection, receiving

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


_shoppers = itertools.count(1)


def _amount(minor: int, currency: str) -> str:
    return str(Decimal(minor).scaleb(-minor_units(currency)))


@st.composite
def orders(draw: Any) -> dict[str, Any]:
    currency = draw(st.sampled_from(["EUR", "JPY", "KWD"]))
    lines = []
    for index in range(draw(st.integers(1, 3))):
        quantity = draw(st.integers(1, 4))
        price = draw(st.integers(1, 40_000))
        discount = draw(st.integers(0, price * quantity))
        tax = draw(st.integers(0, 9_000))
        lines.append(
            line_payload(
                f"L{index}",
                quantity=quantity,
                unit_price=_amount(price, currency),
                discount=_amount(discount, currency),
                tax=_amount(tax, currency),
            )
        )
    shipping = draw(st.integers(0, 2_000))
    return {
        "email": f"shopper{next(_shoppers)}@example.com",  # a wallet has one currency
        "currency": currency,
        "lines": lines,
        "shipping_amount": _amount(shipping, currency),
        "shipping_tax_amount": _amount(shipping // 5, currency),
    }


policies = st.fixed_dictionaries(
    {
        "restocking_fee_percent": st.sampled_from(["0", "10", "12.5"]),
        "return_shipping_fee": st.sampled_from(["0", "5.00", "3.99"]),
        "refund_shipping": st.booleans(),
        "store_credit_bonus_percent": st.sampled_from(["0", "10", "7.5"]),
        "refund_timing": st.sampled_from(["on_approval", "on_receipt", "on_inspection"]),
        "review_above_amount": st.just(None),
    }
)


def _paid(order: Order) -> Decimal:
    lines = sum((line.paid_amount for line in order.lines.all()), Decimal("0"))
    return lines + order.shipping_amount + order.shipping_tax_amount


def _request(order: Order, draw: Any) -> list[dict[str, Any]]:
    items = []
    for line in order.lines.all():
        units = draw(st.integers(0, line.quantity))
        if units:
            reason = draw(st.sampled_from(["too_small", "changed_mind", "defective"]))
            items.append({"line": line.external_id, "quantity": units, "reason": reason})
    assume(items)
    return items


def _quote_and_open(store, order: Order, items: list[dict[str, Any]], resolution: str):
    quote = selectors.return_quote_for_store(
        store=store,
        external_id=order.external_id,
        items=items,
        resolution=resolution,
        now=timezone.now(),
    )
    assume(not any(d.reasons for d in quote.decision.lines))
    return_request = services.return_create(
        store=store,
        order_external_id=order.external_id,
        items=[services.ItemRequest(**item) for item in items],
        resolution=resolution,
        method="drop_off",
        actor=AGENT,
    )
    return quote, return_request


def _bring_back(store, return_request: Return) -> None:
    """Every approved unit arrives, graded as new: nothing to deduct."""
    items = list(return_request.items.select_related("order_line"))
    receiving.return_receive(
        store=store,
        rma=return_request.rma,
        quantities={i.order_line.external_id: i.quantity_approved for i in items},
        actor=WAREHOUSE,
    )
    inspection.return_inspect(
        store=store,
        rma=return_request.rma,
        grades={i.order_line.external_id: "new" for i in items},
        actor=WAREHOUSE,
    )


def _refunded(return_request: Return) -> tuple[Decimal, Decimal]:
    totals = Refund.objects.filter(return_id=return_request.id, kind=RefundKind.RETURN).aggregate(
        amount=Sum("amount"), bonus=Sum("bonus_amount")
    )
    return totals["amount"] or Decimal("0"), totals["bonus"] or Decimal("0")


def _assert_quoted_is_refunded(quote, return_request: Return) -> None:
    return_request.refresh_from_db()
    # The bonus is only shown, and only given, with store credit.
    bonus_quoted = (
        quote.store_credit_bonus_amount if return_request.resolution == "store_credit" else 0
    )
    assert return_request.refund_estimate_amount == quote.refund_amount
    assert return_request.store_credit_bonus_amount == bonus_quoted
    amount, bonus = _refunded(return_request)
    assert amount == quote.refund_amount, (amount, quote)
    assert bonus == bonus_quoted


@PROPERTY
@given(
    order_data=orders(),
    policy=policies,
    resolution=st.sampled_from(["refund", "store_credit"]),
    data=st.data(),
)
def test_a_return_refunds_what_it_was_quoted(store, order_data, policy, resolution, data):
    note(f"{order_data} {policy}")
    set_policy_base(store, **policy)
    order = make_order(store, **order_data)
    quote, return_request = _quote_and_open(store, order, _request(order, data.draw), resolution)

    _bring_back(store, return_request)

    _assert_quoted_is_refunded(quote, return_request)
    assert _refunded(return_request)[0] <= _paid(order)


@PROPERTY
@given(
    order_data=orders(),
    policy=policies,
    returns=st.integers(2, 3),
    data=st.data(),
)
def test_returns_of_one_order_refund_what_they_were_quoted_whatever_comes_back_first(
    store, order_data, policy, returns, data
):
    note(f"{order_data} {policy}")
    set_policy_base(store, **policy)
    order = make_order(store, **order_data)
    opened = []
    for _ in range(returns):
        held = {}
        for item in selectors.order_eligibility_for_store(
            store=store, external_id=order.external_id, now=timezone.now()
        ).decision.lines:
            held[item.line_id] = item.returnable_quantity
        left = [line for line in order.lines.all() if held.get(line.external_id)]
        if not left:
            break
        items = []
        for line in left:
            units = data.draw(st.integers(0, held[line.external_id]))
            if units:
                items.append({"line": line.external_id, "quantity": units, "reason": "too_small"})
        if items:
            opened.append(_quote_and_open(store, order, items, "refund"))
    assume(len(opened) >= 2)

    for quote, return_request in data.draw(st.permutations(opened)):
        _bring_back(store, return_request)
        _assert_quoted_is_refunded(quote, return_request)

    total = Refund.objects.filter(order=order).aggregate(t=Sum("amount"))["t"]
    assert total <= _paid(order)
