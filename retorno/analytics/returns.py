"""Return rate and the breakdowns: what came back, against what was sold, per dimension.

Counted facts are frozen where they happened: a returned item's reason, units and paid value as
requested; its order line's product, SKU, category and vendor as the store sent the order; the
customer's tier as it was at the request. Rejected items and rejected or cancelled returns do
not count as returned. Sold means the lines of orders placed in the period (docs/analytics.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    CharField,
    DecimalField,
    Expression,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, NullIf

from retorno.analytics import cube
from retorno.analytics.scope import Scope
from retorno.analytics.tables import Table, table
from retorno.core.errors import Unprocessable
from retorno.domain.analytics.drill import filter_value
from retorno.domain.analytics.periods import Basis
from retorno.domain.analytics.rates import Rate, change, rate
from retorno.domain.analytics.rollups import Figures, unscaled
from retorno.domain.money import quantize
from retorno.domain.returns.ledger import ItemDecision
from retorno.domain.returns.states import RELEASING_STATES
from retorno.logistics.models import Shipment
from retorno.orders.models import OrderLine
from retorno.returns.models import ReturnItem

ZERO = Decimal("0")
MONEY: DecimalField = DecimalField(max_digits=18, decimal_places=4)
NOT_RETURNED = [s.value for s in RELEASING_STATES]


def returned_items(scope: Scope) -> QuerySet[ReturnItem]:
    """The return items the scope counts as returned."""
    start, end = scope.bounds
    items = (
        ReturnItem.objects.filter(return_request__store=scope.store)
        .exclude(return_request__status__in=NOT_RETURNED)
        .exclude(decision=ItemDecision.REJECTED)
    )
    if scope.basis is Basis.ORDER:
        return items.filter(
            return_request__order__placed_at__gte=start, return_request__order__placed_at__lt=end
        )
    return items.filter(return_request__created_at__gte=start, return_request__created_at__lt=end)


def sold_lines(scope: Scope) -> QuerySet[OrderLine]:
    """The order lines of the store's orders placed in the scope's period."""
    start, end = scope.bounds
    return OrderLine.objects.filter(
        order__store=scope.store, order__placed_at__gte=start, order__placed_at__lt=end
    )


def _paid(prefix: str = "") -> ExpressionWrapper:
    return ExpressionWrapper(
        F(f"{prefix}unit_price") * F(f"{prefix}quantity")
        - F(f"{prefix}discount_amount")
        - F(f"{prefix}order_discount_amount")
        + F(f"{prefix}tax_amount"),
        output_field=MONEY,
    )


def amount(total: Decimal | float | int, currency: str) -> Decimal:
    """A sum of amounts in the currency's minor unit (SQLite sums decimals as floats)."""
    return quantize(Decimal(str(total)), currency)


# --- dimensions ----------------------------------------------------------------------------------


def product_key(prefix: str) -> Expression:
    """A line's product: its product_id when the store sent one, else its title."""
    return Coalesce(NullIf(F(f"{prefix}product_id"), Value("")), F(f"{prefix}title"))


def _region(order: str) -> Expression:
    """The shipping address's region, else the order's country."""
    return Coalesce(
        NullIf(KeyTextTransform("region", f"{order}shipping_address"), Value("")),
        F(f"{order}country"),
        output_field=CharField(),
    )


def _carrier() -> Subquery:
    """The carrier of the return's latest shipment."""
    return Subquery(
        Shipment.objects.filter(
            return_id=OuterRef("return_request_id"), carrier_account__isnull=False
        )
        .order_by("-attempt_number", "-id")
        .values("carrier_account__name")[:1]
    )


@dataclass(frozen=True)
class Dimension:
    """How returned items (and, for a rate, sold lines) are grouped; `param` is the returns
    queue's filter that shows a row's returns."""

    name: str
    returned: Any  # callable () -> expression over ReturnItem
    sold: Any | None  # callable () -> expression over OrderLine, None: no sales to compare
    param: str
    label: Any | None = None  # callable () -> expression over ReturnItem for the row's label


DIMENSIONS: Mapping[str, Dimension] = {
    d.name: d
    for d in (
        Dimension(
            "product",
            lambda: product_key("order_line__"),
            lambda: product_key(""),
            "product",
            lambda: Max("order_line__title"),
        ),
        Dimension(
            "variant",
            lambda: F("order_line__sku"),
            lambda: F("sku"),
            "sku",
            lambda: Max("order_line__title"),
        ),
        Dimension("category", lambda: F("order_line__category"), lambda: F("category"), "category"),
        Dimension("supplier", lambda: F("order_line__vendor"), lambda: F("vendor"), "vendor"),
        Dimension(
            "tier",
            lambda: F("return_request__customer_tier"),
            lambda: F("order__customer__tier"),
            "tier",
        ),
        Dimension(
            "region",
            lambda: _region("return_request__order__"),
            lambda: _region("order__"),
            "region",
        ),
        Dimension("reason", lambda: F("reason"), None, "reason"),
        Dimension("carrier", _carrier, None, "carrier"),
        Dimension("resolution", lambda: F("return_request__resolution"), None, "resolution"),
        Dimension(
            "channel",
            lambda: F("return_request__order__channel"),
            lambda: F("order__channel"),
            "channel",
        ),
    )
}


# --- figures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    returns: int
    orders_returned: int
    units_returned: int
    value_returned: Decimal
    orders_sold: int
    units_sold: int
    value_sold: Decimal

    @property
    def rate_orders(self) -> Rate:
        return rate(self.orders_returned, self.orders_sold)

    @property
    def rate_units(self) -> Rate:
        return rate(self.units_returned, self.units_sold)

    @property
    def rate_value(self) -> Rate:
        return rate(self.value_returned, self.value_sold, count=self.units_sold)


def totals(scope: Scope) -> Totals:
    """Returned and sold in the scope, from the rollups: two range reads."""
    returned = cube.total(scope)
    sold = cube.total(scope, sold=True)
    return Totals(
        returns=returned.returns,
        orders_returned=returned.orders,
        units_returned=returned.units,
        value_returned=cube.money(scope, returned.value),
        orders_sold=sold.orders,
        units_sold=sold.units,
        value_sold=cube.money(scope, sold.value),
    )


@dataclass(frozen=True)
class Overview:
    scope: Scope
    current: Totals
    previous: Totals

    @property
    def changes(self) -> dict[str, Decimal | None]:
        """Rates' change from the previous period, in points (0.0150 = 1.5 points)."""
        return {
            name: change(getattr(self.current, name).value, getattr(self.previous, name).value)
            for name in ("rate_orders", "rate_units", "rate_value")
        }

    def table(self) -> Table:
        names = (
            "returns",
            "orders_returned",
            "units_returned",
            "value_returned",
            "orders_sold",
            "units_sold",
            "value_sold",
            "rate_orders",
            "rate_units",
            "rate_value",
        )
        return table(
            ("period", "from", "to", *names),
            [
                (label, s.period.start, s.period.end, *(getattr(t, n) for n in names))
                for label, s, t in (
                    ("current", self.scope, self.current),
                    ("previous", self.scope.previous(), self.previous),
                )
            ],
        )


def overview(scope: Scope) -> Overview:
    """The return rate by orders, units and value, with the previous period: four queries."""
    return Overview(scope, totals(scope), totals(scope.previous()))


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str
    returns: int
    orders_returned: int
    units_returned: int
    value_returned: Decimal
    share_units: Rate
    orders_sold: int | None = None
    units_sold: int | None = None
    value_sold: Decimal | None = None
    rate_orders: Rate | None = None
    rate_units: Rate | None = None
    rate_value: Rate | None = None
    filter: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Breakdown:
    scope: Scope
    dimension: str
    rows: list[BreakdownRow]
    total_rows: int
    units_returned: int

    def table(self) -> Table:
        return table(
            (
                "dimension",
                "key",
                "label",
                "returns",
                "orders_returned",
                "units_returned",
                "value_returned",
                "share_units",
                "orders_sold",
                "units_sold",
                "value_sold",
                "rate_orders",
                "rate_units",
                "rate_value",
            ),
            [
                (
                    self.dimension,
                    r.key,
                    r.label,
                    r.returns,
                    r.orders_returned,
                    r.units_returned,
                    r.value_returned,
                    r.share_units,
                    r.orders_sold,
                    r.units_sold,
                    r.value_sold,
                    r.rate_orders,
                    r.rate_units,
                    r.rate_value,
                )
                for r in self.rows
            ],
        )


def breakdown(scope: Scope, dimension: str, *, limit: int | None = 50) -> Breakdown:
    """Rows of the dimension, most units returned first, each with the rates against what was
    sold where the dimension has sales (product, variant, category, supplier, tier, region,
    channel), and its share of the units returned: two or three range reads of the rollups."""
    spec = DIMENSIONS.get(dimension)
    if spec is None:
        raise Unprocessable(
            f"Unknown dimension {dimension!r}; one of {', '.join(DIMENSIONS)}.",
            code="unknown_dimension",
        )
    returned = sorted(cube.sums(scope, dimension).items(), key=lambda kv: (-kv[1].units, kv[0]))
    total_units = sum(f.units for _, f in returned)
    listed = returned[:limit]
    keys = [key for key, _ in listed]
    sold = cube.sums(scope, dimension, sold=True, keys=keys) if spec.sold is not None else {}
    titles = cube.labels(scope, dimension, keys) if spec.label is not None else {}
    currency = scope.store.currency
    rows = []
    for key, r in listed:
        row: dict[str, Any] = {
            "key": key,
            "label": titles.get(key) or key,
            "returns": r.returns,
            "orders_returned": r.orders,
            "units_returned": r.units,
            "value_returned": cube.money(scope, r.value),
            "share_units": rate(r.units, total_units),
            "filter": {**scope.as_params(), spec.param: filter_value(key)},
        }
        if spec.sold is not None:
            s = sold.get(key, Figures())
            row.update(
                orders_sold=s.orders,
                units_sold=s.units,
                value_sold=cube.money(scope, s.value),
                rate_orders=rate(r.orders, s.orders),
                rate_units=rate(r.units, s.units),
                rate_value=rate(
                    amount(unscaled(r.value), currency),
                    amount(unscaled(s.value), currency),
                    count=s.units,
                ),
            )
        rows.append(BreakdownRow(**row))
    return Breakdown(scope, dimension, rows, len(returned), total_units)
