"""Refunds made outside Retorno (in the store platform's admin), recorded in the ledger so the
money they gave back is never given again.

Such a refund is written SUCCEEDED at once (the platform says the money moved), once per
provider reference, with its lines: units and what each gave back. Every later refund of the
order then sees those units and that money as refunded (`refunded_units_by_line`,
`refunded_total`), as it would one of Retorno's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction

from retorno.domain.money import quantize
from retorno.domain.money.ledger import RefundState
from retorno.money.models import Destination, Refund, RefundKind, RefundLine
from retorno.money.services.refunds import order_lock
from retorno.orders.models import OrderLine
from retorno.stores.models import Store

ZERO = Decimal("0")


@dataclass(frozen=True)
class ExternalLine:
    order_line: OrderLine
    units: int
    amount: Decimal  # what the platform gave back for these units, tax included
    tax: Decimal = ZERO
    return_item_id: int | None = None


def external_key(provider: str, reference: str) -> str:
    return f"external:{provider}:{reference}"


def refund_record_external(
    *,
    store: Store,
    order_id: int,
    provider: str,
    reference: str,
    amount: Decimal,
    lines: Sequence[ExternalLine],
    note: str,
    settled_by: str,
    now: datetime,
    return_id: int | None = None,
    rma: str = "",
) -> tuple[Refund, bool]:
    """Record a refund the platform made itself (`reference` is its id there); (the refund,
    whether it was new). The same reference again changes nothing."""
    key = external_key(provider, reference)
    with transaction.atomic():
        order = order_lock(order_id)
        existing = Refund.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing, False
        scope = (
            Refund.objects.filter(return_id=return_id)
            if return_id
            else Refund.objects.filter(order=order, return_id__isnull=True, claim__isnull=True)
        )
        currency = order.currency
        refund = Refund.objects.create(
            store=store,
            order=order,
            customer=order.customer,
            return_id=return_id,
            rma=rma,
            kind=RefundKind.RETURN,
            destination=Destination.ORIGINAL_PAYMENT,
            sequence=scope.count() + 1,
            idempotency_key=key,
            state=RefundState.SUCCEEDED,
            currency=currency,
            amount=quantize(amount, currency),
            items_amount=quantize(sum((line.amount for line in lines), ZERO), currency),
            tax_amount=quantize(sum((line.tax for line in lines), ZERO), currency),
            provider=provider,
            provider_reference=reference[:200],
            note=note,
            created_by=settled_by[:200],
            settled_by=settled_by[:200],
            created_at=now,
            updated_at=now,
            succeeded_at=now,
        )
        RefundLine.objects.bulk_create(
            RefundLine(
                refund=refund,
                order_line=line.order_line,
                return_item_id=line.return_item_id,
                units=line.units,
                gross_amount=quantize(line.amount, currency),
                tax_amount=quantize(line.tax, currency),
                net_amount=quantize(line.amount, currency),
            )
            for line in lines
            if line.units > 0
        )
    return refund, True
