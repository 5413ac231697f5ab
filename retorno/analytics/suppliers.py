"""Supplier quality: confirmed defects per supplier and product, the evidence behind them, and
the days left to send goods back to each supplier.

A defect counts only when inspection confirmed it (retorno.domain.analytics.quality): a unit
returned as defective, damaged or with parts missing and graded `damaged`, or one the inspector
marked as confirming the shopper's reason. The defect rate is confirmed defective units ÷ units
sold in the period, the return rate units returned ÷ units sold; a supplier is over threshold
past the thresholds its store set for it (the defect rate defaults to DEFAULT_DEFECT_THRESHOLD),
with enough units sold to say so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Min, Q
from django.urls import reverse

from retorno.analytics import cube
from retorno.analytics.returns import returned_items, sold_lines
from retorno.analytics.scope import Scope
from retorno.analytics.tables import Table, table
from retorno.core.errors import NotFound
from retorno.core.images import stored_photo_of
from retorno.domain.analytics.quality import (
    CONFIRMING_GRADE,
    DEFECT_REASONS,
    SignalKind,
    Thresholds,
    crossed,
)
from retorno.domain.analytics.rates import Rate, rate
from retorno.domain.analytics.rollups import SEPARATOR
from retorno.domain.days import local_day
from retorno.warehouse.models import Inspection, RtvBatch, RtvStatus, Supplier


def _code(vendor: str) -> str:
    """How the warehouse writes a supplier's code (trimmed, casefolded)."""
    return vendor.strip().casefold()


@dataclass(frozen=True)
class ProductDefects:
    product: str
    title: str
    units_returned: int
    defects: int


@dataclass(frozen=True)
class SupplierQuality:
    supplier: str
    name: str
    units_sold: int
    units_returned: int
    defects: int
    defect_rate: Rate
    threshold: Decimal
    rtv_deadline_at: datetime | None
    rtv_days_left: int | None
    products: list[ProductDefects] = field(default_factory=list)
    filter: dict[str, str] = field(default_factory=dict)
    return_threshold: Decimal | None = None

    @property
    def return_rate(self) -> Rate:
        return rate(self.units_returned, self.units_sold)

    @property
    def over_threshold(self) -> bool:
        """The confirmed defect rate is over the supplier's defect threshold."""
        return crossed(self.defect_rate.value, self.threshold)

    @property
    def over_return_threshold(self) -> bool:
        return crossed(self.return_rate.value, self.return_threshold)

    @property
    def over(self) -> list[SignalKind]:
        """The rates over their thresholds."""
        return [
            kind
            for kind, over in (
                (SignalKind.RETURN_RATE, self.over_return_threshold),
                (SignalKind.DEFECT_RATE, self.over_threshold),
            )
            if over
        ]

    def rate_of(self, kind: SignalKind) -> Rate:
        return self.return_rate if kind is SignalKind.RETURN_RATE else self.defect_rate

    def threshold_of(self, kind: SignalKind) -> Decimal | None:
        return self.return_threshold if kind is SignalKind.RETURN_RATE else self.threshold


@dataclass(frozen=True)
class SupplierReport:
    scope: Scope
    suppliers: list[SupplierQuality]

    @property
    def over_threshold(self) -> list[SupplierQuality]:
        return [s for s in self.suppliers if s.over_threshold]

    def table(self) -> Table:
        return table(
            (
                "supplier",
                "name",
                "units_sold",
                "units_returned",
                "confirmed_defects",
                "defect_rate",
                "threshold",
                "over_threshold",
                "return_rate",
                "return_rate_threshold",
                "over_return_rate_threshold",
                "rtv_days_left",
            ),
            [
                (
                    s.supplier,
                    s.name,
                    s.units_sold,
                    s.units_returned,
                    s.defects,
                    s.defect_rate,
                    s.threshold,
                    s.over_threshold,
                    s.return_rate,
                    s.return_threshold,
                    s.over_return_threshold,
                    s.rtv_days_left,
                )
                for s in self.suppliers
            ],
        )


def confirming() -> Q:
    """The inspections that confirm a defect reason: graded damaged, or marked by the inspector
    as confirming the shopper's reason (retorno.domain.analytics.quality.confirmed_defect)."""
    return Q(grade=CONFIRMING_GRADE) | Q(reason_confirmed=True)


def supplier_report(scope: Scope, *, now: datetime) -> SupplierReport:
    """Every supplier with units sold or returned in the scope, over threshold first, then by
    defect rate: three range reads of the rollups (units sold and returned per supplier,
    defect-reason and confirmed units per supplier and product), the titles, the thresholds and
    the open return-to-vendor batches."""
    sold = {k: f.units for k, f in cube.sums(scope, "supplier", sold=True).items() if f.units}
    returned = {k: f.units for k, f in cube.sums(scope, "supplier").items() if f.units}
    per_product: dict[str, dict[str, list]] = defaultdict(dict)
    defect_rows = {k: f for k, f in cube.sums(scope, "defect").items() if f.units or f.extra}
    titles = cube.labels(scope, "product", {k.split(SEPARATOR, 1)[1] for k in defect_rows})
    for key, f in defect_rows.items():
        vendor, product = key.split(SEPARATOR, 1)
        per_product[vendor][product] = [titles.get(product, product), f.units, f.extra]
    names: dict[str, str] = {}
    thresholds: dict[str, Thresholds] = {}
    for s in Supplier.objects.filter(store=scope.store):
        names[_code(s.code)] = s.name or s.code
        thresholds[_code(s.code)] = Thresholds(s.return_rate_threshold, s.defect_rate_threshold)
    deadlines = {
        row["supplier_code"]: row["deadline"]
        for row in RtvBatch.objects.filter(store=scope.store, status=RtvStatus.OPEN)
        .values("supplier_code")
        .annotate(deadline=Min("deadline_at"))
        .order_by()
    }
    today = local_day(now, scope.store.timezone)
    suppliers = []
    for vendor in sorted(set(sold) | set(returned)):
        if not vendor:
            continue
        products = sorted(
            (
                ProductDefects(product, title, units, defects)
                for product, (title, units, defects) in per_product[vendor].items()
            ),
            key=lambda p: (-p.defects, -p.units_returned, p.title),
        )
        defects = sum(p.defects for p in products)
        deadline = deadlines.get(_code(vendor))
        limits = thresholds.get(_code(vendor), Thresholds())
        suppliers.append(
            SupplierQuality(
                supplier=vendor,
                name=names.get(_code(vendor), vendor),
                units_sold=sold.get(vendor, 0),
                units_returned=returned.get(vendor, 0),
                defects=defects,
                defect_rate=rate(defects, sold.get(vendor, 0)),
                threshold=limits.for_kind(SignalKind.DEFECT_RATE) or Decimal(0),
                return_threshold=limits.return_rate,
                rtv_deadline_at=deadline,
                rtv_days_left=(
                    None
                    if deadline is None
                    else (local_day(deadline, scope.store.timezone) - today).days
                ),
                products=products,
                filter={**scope.as_params(), "vendor": vendor},
            )
        )
    suppliers.sort(key=lambda s: (not s.over, -(s.defect_rate.value or Decimal(-1)), s.supplier))
    return SupplierReport(scope, suppliers)


def supplier_evidence(scope: Scope, supplier: str) -> Table:
    """The evidence pack of a supplier: every confirmed defect in the scope with its return,
    the shopper's reason and comment, the grade, the inspector's notes, the photos and where
    staff open them (`photo_links`). NotFound
    (`supplier_not_found`) when the supplier sold and returned nothing in the scope."""
    items = returned_items(scope).filter(order_line__vendor=supplier)
    if not items.exists() and not sold_lines(scope).filter(vendor=supplier).exists():
        raise NotFound(f"No supplier {supplier!r} in this period.", code="supplier_not_found")
    by_item = {
        item.id: item
        for item in items.filter(reason__in=DEFECT_REASONS).select_related(
            "return_request", "order_line"
        )
    }
    inspections = Inspection.objects.filter(
        confirming(), store=scope.store, return_item_id__in=list(by_item)
    ).order_by("inspected_at", "id")
    rows = []
    for inspection in inspections:
        item = by_item[inspection.return_item_id]
        rows.append(
            (
                item.return_request.rma,
                item.return_request.created_at.isoformat(),
                item.order_line.sku,
                item.order_line.title,
                item.reason,
                item.comment,
                inspection.quantity,
                inspection.grade,
                inspection.reason_confirmed,
                inspection.inspected_at.isoformat(),
                inspection.notes,
                " ".join(photos := [*item.photos, *inspection.photos]),
                " ".join(photo_link(scope.store.id, name) for name in photos),
            )
        )
    return table(
        (
            "rma",
            "requested_at",
            "sku",
            "title",
            "reason",
            "comment",
            "units",
            "grade",
            "reason_confirmed",
            "inspected_at",
            "inspection_notes",
            "photos",
            "photo_links",
        ),
        rows,
    )


def photo_link(store_id: int, name: str) -> str:
    """Where staff of the store open a photo of the evidence (the back office's photo page,
    behind its sign-in); a name that is not one of the store's stored photos (an address a
    client sent) stands as it is."""
    if not stored_photo_of(name, store_id):
        return name
    return f"{settings.RETORNO_PUBLIC_URL}{reverse('backoffice:photo', args=[name])}"
