"""What returns cost and what the goods that came back recover (docs/analytics.md, "Cost per
return" and "Recovered value"), read from the rollups.

Costs belong to the return they were spent on, counted on its request day (or its order's day):
the labels and pickups the store paid the carriers for, the refunds paid back (succeeded), the
original shipping refunded within them, and the restocking and return-shipping fees the shopper
was charged (kept from the refunds). Recovered value is what the disposition of each inspected
unit brings back (resale at its grade, refurbishing, return to vendor...), set when staff
decide where the units go.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from retorno.analytics import cube
from retorno.analytics.scope import Scope
from retorno.analytics.tables import Table, table
from retorno.domain.analytics.rates import MIN_DENOMINATOR, Rate, rate
from retorno.domain.money import quantize

ZERO = Decimal("0")
COST_LINES = ("labels", "refunds_gross", "shipping", "fees", "net")
RECOVERY_DIMENSIONS = {
    "disposition": "disposition",
    "category": "recovery_category",
    "grade": "grade",
}


def _per(amount: Decimal, returns: int, currency: str) -> Decimal | None:
    """An amount per return; None under MIN_DENOMINATOR returns (not enough data)."""
    if returns < MIN_DENOMINATOR:
        return None
    return quantize(amount / returns, currency)


@dataclass(frozen=True)
class CostLine:
    key: str  # labels, refunds_gross, shipping, fees, net
    amount: Decimal
    returns: int  # returns with this cost (all counted returns for net)
    per_return: Decimal | None  # amount ÷ the returns counted in the period


@dataclass(frozen=True)
class Costs:
    scope: Scope
    returns: int
    lines: list[CostLine]
    filter: dict[str, str] = field(default_factory=dict)

    def line(self, key: str) -> CostLine:
        return next(line for line in self.lines if line.key == key)

    @property
    def net(self) -> Decimal:
        return self.line("net").amount

    def table(self) -> Table:
        return table(
            ("cost", "amount", "returns", "per_return"),
            [(c.key, c.amount, c.returns, c.per_return) for c in self.lines],
        )


def costs(scope: Scope) -> Costs:
    """Labels, refunds (before fees, with the shipping refunded within them), fees charged,
    and the net cost (labels + refunds − fees), in total and per return counted: two range
    reads of the rollups."""
    currency = scope.store.currency
    returns = cube.total(scope).returns
    found = cube.sums(scope, "cost")

    def amount(key: str) -> Decimal:
        return cube.money(scope, found[key].value) if key in found else ZERO

    def count(key: str) -> int:
        return found[key].returns if key in found else 0

    labels, refunds, shipping, fees = (amount(k) for k in ("labels", "refunds", "shipping", "fees"))
    gross = refunds + fees  # what was owed before the fees were kept
    lines = [
        CostLine("labels", labels, count("labels"), _per(labels, returns, currency)),
        CostLine("refunds_gross", gross, count("refunds"), _per(gross, returns, currency)),
        CostLine("shipping", shipping, count("shipping"), _per(shipping, returns, currency)),
        CostLine("fees", fees, count("fees"), _per(fees, returns, currency)),
    ]
    net = labels + gross - fees
    lines.append(CostLine("net", net, returns, _per(net, returns, currency)))
    return Costs(scope, returns, lines, {**scope.as_params(), "counted": "1"})


@dataclass(frozen=True)
class RecoveryRow:
    key: str
    returns: int
    units: int
    value: Decimal  # value of the units inspected and disposed of
    recovered: Decimal
    rate: Rate  # recovered ÷ value (needs MIN_DENOMINATOR units)


@dataclass(frozen=True)
class Recovery:
    scope: Scope
    units: int
    value: Decimal
    recovered: Decimal
    rate: Rate
    by: dict[str, list[RecoveryRow]]  # disposition, category, grade

    def table(self) -> Table:
        return table(
            ("dimension", "key", "returns", "units", "value", "recovered", "recovery_rate"),
            [
                (dimension, r.key, r.returns, r.units, r.value, r.recovered, r.rate)
                for dimension, rows in self.by.items()
                for r in rows
            ],
        )


def recovery(scope: Scope) -> Recovery:
    """Value recovered from the units disposed of, by disposition, category and grade, and the
    recovery rate (recovered ÷ the value of those units): three range reads of the rollups."""
    by: dict[str, list[RecoveryRow]] = {}
    for name, dimension in RECOVERY_DIMENSIONS.items():
        rows = []
        for key, f in sorted(
            cube.sums(scope, dimension).items(), key=lambda kv: (-kv[1].extra, kv[0])
        ):
            value, recovered = cube.money(scope, f.value), cube.money(scope, f.extra)
            rows.append(
                RecoveryRow(
                    key, f.returns, f.units, value, recovered, rate(recovered, value, count=f.units)
                )
            )
        by[name] = rows
    units = sum(r.units for r in by["disposition"])
    value = sum((r.value for r in by["disposition"]), ZERO)
    recovered = sum((r.recovered for r in by["disposition"]), ZERO)
    return Recovery(scope, units, value, recovered, rate(recovered, value, count=units), by)
