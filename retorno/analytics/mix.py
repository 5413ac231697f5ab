"""Reason mix (groups and leaves, the share of "other") and the reason × product heat map;
retained revenue and the outcome mix."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from retorno.analytics import cube
from retorno.analytics.returns import ZERO, amount
from retorno.analytics.scope import Scope
from retorno.analytics.tables import Table, table
from retorno.domain.analytics.rates import Rate, rate
from retorno.domain.analytics.rollups import SEPARATOR, unscaled
from retorno.domain.returns.reasons import TAXONOMY

HEAT_MAP_PRODUCTS = 12


@dataclass(frozen=True)
class ReasonLeaf:
    code: str
    group: str
    units: int
    share: Rate
    filter: dict[str, str]
    returns: int = 0  # the returns behind the units: what the filter lists


@dataclass(frozen=True)
class HeatCell:
    reason: str
    units: int
    share: Rate  # of the product's units returned
    level: int  # 0..4, how dark the cell is drawn
    filter: dict[str, str]
    returns: int = 0  # the returns behind the units: what the filter lists


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
    units returned: three range reads of the rollups."""
    reason_sums = cube.sums(scope, "reason")
    by_reason = {key: f.units for key, f in reason_sums.items()}
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
                    reason_sums[reason.code].returns if reason.code in reason_sums else 0,
                )
            )
        groups.append((group.code, group_units, rate(group_units, total)))
    used = [leaf.code for leaf in leaves if leaf.units]
    cells: dict[str, dict[str, int]] = defaultdict(dict)
    cell_returns: dict[tuple[str, str], int] = {}
    product_units: dict[str, int] = defaultdict(int)
    for key, figures in cube.sums(scope, "product_reason").items():
        product, _, code = key.rpartition(SEPARATOR)
        cells[product][code] = figures.units
        cell_returns[(product, code)] = figures.returns
        product_units[product] += figures.units
    top = sorted(product_units, key=lambda p: (-product_units[p], p))[:HEAT_MAP_PRODUCTS]
    titles = cube.labels(scope, "product", top)
    titles = {p: titles.get(p) or p for p in top}
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
                    cell_returns.get((product, code), 0),
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
    range read of the rollups."""
    counts: dict[str, int] = defaultdict(int)
    values: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for key, figures in cube.sums(scope, "outcome").items():
        counts[key] += figures.returns
        values[key] += unscaled(figures.value)
    currency = scope.store.currency
    total = sum(counts.values())
    returned = amount(sum(values.values(), ZERO), currency)
    retained = amount(sum((values[k] for k in RETAINED), ZERO), currency)
    listed = []
    for key in (*RESOLUTIONS, "keep"):
        listed.append(
            Outcome(
                key,
                counts[key],
                amount(values[key], currency),
                rate(counts[key], total),
                {**scope.as_params(), "outcome": key, "counted": "1"},
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
