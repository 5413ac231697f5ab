"""Cost per return and recovered value: the rollups' figures equal sums over the source
tables (refunds, shipments, inspections), per return and by disposition, category and grade."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F, Sum
from django.utils import timezone

from retorno.analytics import costs
from retorno.analytics.tests.factories import WAREHOUSE, give_back, receive_and_grade, sale
from retorno.analytics.tests.test_figures import scope_of
from retorno.money.models import Refund
from retorno.returns.workflows import inspection
from retorno.returns.workflows import refunds as refund_flow
from retorno.warehouse.models import Inspection

pytestmark = pytest.mark.django_db


def later(minutes: int = 6):
    """After the claim on a refund's first attempt has run out."""
    return timezone.now() + timedelta(minutes=minutes)


def _history(store, n=3):
    made = []
    for index in range(n):
        order = sale(store, quantity=4, sku=f"TEE-{index}", unit_price="25.00")
        ret = give_back(store, order, quantity=2, reason="defective" if index % 2 else "too_small")
        receive_and_grade(store, ret, "damaged" if index % 2 else "new")
        line = ret.items.get().order_line.external_id
        inspection.return_item_disposition_set(store=store, rma=ret.rma, line=line, actor=WAREHOUSE)
        made.append(ret)
    return made


def test_recovered_value_is_what_the_dispositions_set(store, other_store):
    _history(store)
    _history(other_store, 1)
    figures = costs.recovery(scope_of(store))
    rows = Inspection.objects.filter(store=store).exclude(disposition="")
    assert rows.count() == 3
    assert figures.units == sum(r.quantity for r in rows)
    value = sum((r.unit_value_amount * r.quantity for r in rows), Decimal("0"))
    recovered = sum((r.recovery_amount or Decimal("0") for r in rows), Decimal("0"))
    assert (figures.value, figures.recovered) == (value, recovered)
    assert recovered > 0
    by_grade = {r.key: r for r in figures.by["grade"]}
    assert set(by_grade) == {r.grade for r in rows}
    assert sum(r.recovered for r in figures.by["grade"]) == recovered
    assert sum(r.units for r in figures.by["category"]) == figures.units
    assert figures.rate.value is None  # 6 units: not enough data for a rate


def test_cost_per_return_adds_up_to_the_refunds_paid(store, provider):
    made = _history(store, 2)
    pending = Refund.objects.filter(return_id__in=[r.id for r in made])
    assert pending.count() == 2
    for refund in pending:  # paid as the outbox would, after the commit
        assert refund_flow.refund_drive(refund.id, now=later()) == "succeeded"
    figures = costs.costs(scope_of(store))
    paid = Refund.objects.filter(return_id__in=[r.id for r in made], state="succeeded")
    totals = paid.aggregate(
        amount=Sum("amount"),
        fees=Sum(F("restocking_fee_amount") + F("return_shipping_fee_amount")),
        shipping=Sum("shipping_amount"),
    )
    amount = totals["amount"] or Decimal("0")
    fees = totals["fees"] or Decimal("0")
    assert figures.returns == 2
    assert amount > 0  # refunded on inspection
    assert figures.line("refunds_gross").amount == amount + fees
    assert figures.line("fees").amount == fees
    assert figures.line("shipping").amount == (totals["shipping"] or Decimal("0"))
    assert figures.net == figures.line("labels").amount + amount
    assert figures.line("net").per_return is None  # two returns: not enough data
    assert [row[0] for row in figures.table().rows] == list(costs.COST_LINES)
