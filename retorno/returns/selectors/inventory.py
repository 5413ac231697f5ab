"""What the warehouse should expect and what became of it: the advance notice of approved
returns' units (retorno.domain.warehouse.advance_notice) and the per-SKU reconciliation of a
period's returns (retorno.domain.warehouse.reconciliation). Reads only, within one store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Min

from retorno.domain.days import zone
from retorno.domain.money import quantize
from retorno.domain.returns.events import EventKind
from retorno.domain.returns.rma import normalise_rma
from retorno.domain.returns.states import ReturnStatus
from retorno.domain.warehouse.advance_notice import (
    ExpectedLine,
    ExpectedReturn,
    expected_quantity,
)
from retorno.domain.warehouse.reconciliation import SkuCounts, SkuReconciliation, reconcile
from retorno.logistics import selectors as logistics_selectors
from retorno.returns.models import Return, ReturnEvent, ReturnItem
from retorno.stores.models import Store
from retorno.warehouse import selectors as warehouse_selectors

# Returns that will not send anything (any more).
NOTHING_TO_EXPECT = (ReturnStatus.REJECTED, ReturnStatus.CANCELLED)
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    """Local days of the store, both included."""

    first: date
    last: date

    def bounds(self, store: Store) -> tuple[datetime, datetime]:
        where = zone(store.timezone)
        start = datetime.combine(self.first, time.min, tzinfo=where)
        return start, datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=where)


def _approvals(
    store: Store, period: Period | None, rmas: Sequence[str] | None
) -> dict[int, datetime]:
    """Return id → when it was (first) approved, for returns approved in the period (or the
    returns named)."""
    events = ReturnEvent.objects.filter(store=store, kind=EventKind.APPROVED)
    if rmas is not None:
        events = events.filter(return_request__rma__in=[normalise_rma(r) for r in rmas])
    if period is not None:
        start, end = period.bounds(store)
        events = events.filter(created_at__gte=start, created_at__lt=end)
    rows = events.values_list("return_request_id").annotate(at=Min("created_at")).order_by()
    return dict(rows)


def advance_notice_returns(
    *, store: Store, period: Period | None = None, rmas: Sequence[str] | None = None
) -> list[ExpectedReturn]:
    """The approved returns (approved in `period`, or named by `rmas`) with units still to
    arrive, oldest approval first; each line with the units approved and not yet received
    nor given up as missing. Five queries."""
    approved = _approvals(store, period, rmas)
    if not approved:
        return []
    returns = list(
        Return.objects.filter(store=store, id__in=list(approved))
        .exclude(status__in=NOTHING_TO_EXPECT)
        .select_related("order", "customer")
    )
    items: dict[int, list[ReturnItem]] = {}
    for item in (
        ReturnItem.objects.filter(return_request_id__in=[r.id for r in returns])
        .select_related("order_line")
        .order_by("id")
    ):
        items.setdefault(item.return_request_id, []).append(item)
    shipments = logistics_selectors.latest_label_shipments(
        store=store, return_ids=[r.id for r in returns]
    )
    found = []
    for r in sorted(returns, key=lambda r: (approved[r.id], r.id)):
        lines = []
        for item in items.get(r.id, []):
            quantity = expected_quantity(
                approved=item.quantity_approved,
                received=item.quantity_received,
                missing=item.quantity_missing,
            )
            if not quantity:
                continue
            unit = (
                quantize(item.amount / item.quantity_requested, r.currency)
                if item.quantity_requested
                else Decimal(0)
            )
            line = item.order_line
            lines.append(
                ExpectedLine(
                    line.external_id, line.sku, line.title, quantity, item.reason, unit, r.currency
                )
            )
        if not lines:
            continue
        shipment = shipments.get(r.id)
        account = shipment.carrier_account if shipment else None
        found.append(
            ExpectedReturn(
                rma=r.rma,
                order=r.order.number or r.order.external_id,
                approved_at=approved[r.id],
                customer=r.customer.name or r.customer.email,
                country=r.order.country,
                lines=tuple(lines),
                carrier=account.name if account else "",
                tracking_number=shipment.tracking_number if shipment else "",
            )
        )
    return found


def sku_reconciliation(*, store: Store, period: Period) -> list[SkuReconciliation]:
    """Per SKU, for the returns approved in `period` (rejected and cancelled ones left out):
    units expected, received, missing, unexpected, inspected, disposed of, restocked, stock
    moved and sent to the supplier, and the differences flagged. Six queries."""
    approved = list(
        Return.objects.filter(store=store, id__in=list(_approvals(store, period, None)))
        .exclude(status__in=NOTHING_TO_EXPECT)
        .values_list("id", flat=True)
    )
    counts = [
        SkuCounts(sku, expected=approved_units, received=received, missing=missing)
        for sku, approved_units, received, missing in ReturnItem.objects.filter(
            return_request_id__in=approved
        ).values_list(
            "order_line__sku", "quantity_approved", "quantity_received", "quantity_missing"
        )
    ]
    counts += warehouse_selectors.warehouse_counts_for_returns(store=store, return_ids=approved)
    return reconcile(counts)
