"""Reason mix (groups and leaves, the share of "other") and the reason × product heat map;
retained revenue and the outcome mix."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Sum

from retorno.analytics.returns import MONEY, ZERO, amount, product_key, returned_items
from retorno.analytics.scope import Scope
from retorno.analytics.tables import Table, table
from retorno.domain.analytics.rates import Rate, rate
from retorno.domain.returns.reasons import TAXONOMY

HEAT_MAP_PRODUCTS = 12


@dataclass(frozen=True)
class ReasonLeaf:
    code: str
    group: str
    units: int
    share: Rate
    filter: dict[str, str]


@dataclass(frozen=True)
class HeatCell:
    reason: str
    units: int
    share: Rate  # of the product's units returned
    level: int  # 0..4, how dark the cell is drawn
    filter: dict[str, str]


@dataclass(frozen=True)
class HeatRow:
    product: str
    title: str
    units: int
    cells: list[HeatCell]


@dataclass(frozen=True)
class ReasonMix:
    scope: Scope
    units: int
    leaves: list[ReasonLeaf]
    groups: list[tuple[str, int, Rate]]
    other_share: Rate
    heat_reasons: list[str] = field(default_factory=list)
    heat_rows: list[HeatRow] = field(default_factory=list)

    def table(self) -> Table:
        return table(
            ("group", "reason", "units", "share"),
            [(leaf.group, leaf.code, leaf.units, leaf.share) for leaf in self.leaves],
        )

    def heat_table(self) -> Table:
        return table(
            ("product", "title", *self.heat_reasons),
            [(r.product, r.title, *(c.units for c in r.cells)) for r in self.heat_rows],
        )


def _level(share: Rate) -> int:
    value = share.value
    if value is None or value == 0:
        return 0
    return min(4, 1 + int(value * 4))


def reason_mix(scope: Scope) -> ReasonMix:
    """Units returned per reason leaf and group, and the heat map of the products with most
    units returned: two queries."""
    by_reason = {
        row["reason"]: row["units"]
        for row in returned_items(scope)
        .values("reason")
        .annotate(units=Sum("quantity_requested"))
        .order_by()
    }
    total = sum(by_reason.values())
    leaves, groups = [], []
    for group in TAXONOMY:
        group_units = 0
        for reason in group.reasons:
            units = by_reason.get(reason.code, 0)
            group_units += units
            leaves.append(
                ReasonLeaf(
                    reason.code,
                    group.code,
                    units,
                    rate(units, total),
                    {**scope.as_params(), "reason": reason.code, "counted": "1"},
                )
            )
        groups.append((group.code, group_units, rate(group_units, total)))
    used = [leaf.code for leaf in leaves if leaf.units]
    cells: dict[str, dict[str, int]] = defaultdict(dict)
    titles: dict[str, str] = {}
    product_units: dict[str, int] = defaultdict(int)
    for row in (
        returned_items(scope)
        .annotate(product=product_key("order_line__"))
        .values("product", "reason")
        .annotate(units=Sum("quantity_requested"), title=Max("order_line__title"))
        .order_by()
    ):
        cells[row["product"]][row["reason"]] = row["units"]
        titles[row["product"]] = row["title"]
        product_units[row["product"]] += row["units"]
    top = sorted(product_units, key=lambda p: (-product_units[p], titles[p]))[:HEAT_MAP_PRODUCTS]
    heat_rows = []
    for product in top:
        row_cells = []
        for code in used:
            units = cells[product].get(code, 0)
            share = rate(units, product_units[product])
            row_cells.append(
                HeatCell(
                    code,
                    units,
                    share,
                    _level(share),
                    {**scope.as_params(), "product": product, "reason": code, "counted": "1"},
                )
            )
        heat_rows.append(HeatRow(product, titles[product], product_units[product], row_cells))
    return ReasonMix(
        scope,
        total,
        leaves,
        groups,
        rate(by_reason.get("other", 0), total),
        used,
        heat_rows,
    )


@dataclass(frozen=True)
class Outcome:
    resolution: str
    returns: int
    value: Decimal
    share: Rate
    filter: dict[str, str]


@dataclass(frozen=True)
class Outcomes:
    scope: Scope
    returns: int
    value_returned: Decimal
    value_retained: Decimal
    retained: Rate  # retained ÷ returned value
    outcomes: list[Outcome]

    def table(self) -> Table:
        return table(
            ("resolution", "returns", "value", "share_of_returns"),
            [(o.resolution, o.returns, o.value, o.share) for o in self.outcomes],
        )


# Outcomes in the order the page stacks them; keep-the-item is a method, not a resolution.
RESOLUTIONS = ("refund", "store_credit", "exchange")
RETAINED = frozenset({"store_credit", "exchange"})


def outcomes(scope: Scope) -> Outcomes:
    """Refund, store credit, exchange and keep-the-item shares of the returns, and the revenue
    kept: the value of returns settled by exchange or store credit ÷ the value returned. One
    query."""
    rows = (
        returned_items(scope)
        .values("return_request__resolution", "return_request__method")
        .annotate(
            returns=Count("return_request", distinct=True),
            value=Sum("amount", output_field=MONEY),
        )
        .order_by()
    )
    counts: dict[str, int] = defaultdict(int)
    values: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        key = (
            "keep" if row["return_request__method"] == "keep" else row["return_request__resolution"]
        )
        counts[key] += row["returns"]
        values[key] += Decimal(str(row["value"] or 0))
    currency = scope.store.currency
    total = sum(counts.values())
    returned = amount(sum(values.values(), ZERO), currency)
    retained = amount(sum((values[k] for k in RETAINED), ZERO), currency)
    listed = []
    for key in (*RESOLUTIONS, "keep"):
        params = {"method": "keep"} if key == "keep" else {"resolution": key}
        listed.append(
            Outcome(
                key,
                counts[key],
                amount(values[key], currency),
                rate(counts[key], total),
                {**scope.as_params(), **params, "counted": "1"},
            )
        )
    return Outcomes(
        scope,
        total,
        returned,
        retained,
        rate(retained, returned, count=total),
        listed,
    )
