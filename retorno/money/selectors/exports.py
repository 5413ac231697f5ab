"""The money ledgers as CSV for finance's reconciliation: every refund or charge of a store
created in a period, one row each, amounts as plain decimals in the row's currency."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from retorno.core.spreadsheets import safe_cell
from retorno.domain.money import quantize
from retorno.money.models import Charge, Refund
from retorno.stores.models import Store

REFUND_COLUMNS = (
    "created_at",
    "succeeded_at",
    "failed_at",
    "state",
    "kind",
    "destination",
    "rma",
    "claim",
    "order",
    "customer_email",
    "currency",
    "amount",
    "items_amount",
    "deduction_amount",
    "restocking_fee_amount",
    "shipping_amount",
    "return_shipping_fee_amount",
    "tax_amount",
    "bonus_amount",
    "provider",
    "provider_reference",
    "idempotency_key",
    "created_by",
    "settled_by",
)
_REFUND_AMOUNTS = (
    "amount",
    "items_amount",
    "deduction_amount",
    "restocking_fee_amount",
    "shipping_amount",
    "return_shipping_fee_amount",
    "tax_amount",
    "bonus_amount",
)
CHARGE_COLUMNS = (
    "created_at",
    "succeeded_at",
    "failed_at",
    "state",
    "kind",
    "rma",
    "exchange",
    "order",
    "customer_email",
    "currency",
    "amount",
    "provider",
    "provider_reference",
    "idempotency_key",
    "created_by",
    "settled_by",
)


def _when(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _money(value: Decimal, currency: str) -> Decimal:
    return quantize(Decimal(value), currency)  # stored with 4 places; the currency's minor unit


def _period(queryset: Any, since: datetime | None, until: datetime | None) -> Any:
    if since is not None:
        queryset = queryset.filter(created_at__gte=since)
    if until is not None:
        queryset = queryset.filter(created_at__lt=until)
    return queryset.order_by("created_at", "id")


def refund_rows(
    *, store: Store, since: datetime | None, until: datetime | None, state: str | None = None
) -> Iterator[list[Any]]:
    refunds = Refund.objects.for_store(store).select_related("order", "customer", "claim")
    if state:
        refunds = refunds.filter(state=state)
    for r in _period(refunds, since, until).iterator(chunk_size=500):
        yield [
            _when(r.created_at),
            _when(r.succeeded_at),
            _when(r.failed_at),
            r.state,
            r.kind,
            r.destination,
            r.rma,
            r.claim.number if r.claim else "",
            safe_cell(r.order.number),
            safe_cell(r.customer.email),
            r.currency,
            *(_money(getattr(r, name), r.currency) for name in _REFUND_AMOUNTS),
            safe_cell(r.provider),
            safe_cell(r.provider_reference),
            r.idempotency_key,
            safe_cell(r.created_by),
            safe_cell(r.settled_by),
        ]


def charge_rows(
    *, store: Store, since: datetime | None, until: datetime | None, state: str | None = None
) -> Iterator[list[Any]]:
    charges = Charge.objects.for_store(store).select_related("order", "customer", "exchange")
    if state:
        charges = charges.filter(state=state)
    for c in _period(charges, since, until).iterator(chunk_size=500):
        yield [
            _when(c.created_at),
            _when(c.succeeded_at),
            _when(c.failed_at),
            c.state,
            c.kind,
            c.rma,
            c.exchange.number,
            safe_cell(c.order.number),
            safe_cell(c.customer.email),
            c.currency,
            _money(c.amount, c.currency),
            safe_cell(c.provider),
            safe_cell(c.provider_reference),
            c.idempotency_key,
            safe_cell(c.created_by),
            safe_cell(c.settled_by),
        ]


def csv_lines(columns: Iterable[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """The header and each row as one CSV line, for a streaming response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in itertools.chain([list(columns)], rows):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
