"""What an order must satisfy to be stored, whoever sends it: the API (one order or a thousand),
the Django admin, an import. Each entrance reports the problems in its own way (problem+json,
form errors); the intake service refuses anything that slipped past them.

Amounts must be exact in the order's currency (EUR 10.003 or JPY 10.5 is refused, never rounded:
a rounded amount is not what the shopper paid, and the quote and the refund would disagree about
it). Times must be ones that can have happened (`retorno.domain.times`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from retorno.domain.money import MoneyError, minor_units, parse_amount
from retorno.domain.times import TimeOutOfRange, check_fact_time

ORDER_AMOUNTS = ("shipping_amount", "shipping_tax_amount")
LINE_AMOUNTS = ("unit_price", "discount", "tax")
ORDER_TIMES = ("placed_at", "delivered_at")


@dataclass(frozen=True)
class FieldProblem:
    """One refused field: `field` is its path in the order (`lines`, 0, `unit_price`)."""

    field: tuple[str | int, ...]
    code: str
    message: str

    @property
    def dotted(self) -> str:
        return ".".join(str(part) for part in self.field)


def amount_problem(
    field: tuple[str | int, ...], amount: Decimal | None, currency: str
) -> FieldProblem | None:
    """The problem with `amount` as an amount in `currency`, if any (None is no amount)."""
    if amount is None:
        return None
    try:
        parse_amount(amount, currency)
    except MoneyError as exc:
        return FieldProblem(field, exc.code, exc.message)
    return None


def time_problem(
    field: tuple[str | int, ...], value: datetime | None, *, now: datetime
) -> FieldProblem | None:
    """The problem with `value` as the time of something that happened, if any."""
    if value is None:
        return None
    try:
        check_fact_time(value, now=now)
    except TimeOutOfRange as exc:
        return FieldProblem(field, exc.code, str(exc))
    return None


def order_amount_problems(data: Mapping[str, Any]) -> list[FieldProblem]:
    """Every amount of an order (in the intake's shape) that its currency cannot express.
    An unknown currency is one problem, on `currency`."""
    currency = str(data.get("currency") or "").upper()
    try:
        minor_units(currency)
    except MoneyError as exc:
        return [FieldProblem(("currency",), exc.code, exc.message)]
    found = [amount_problem((name,), data.get(name), currency) for name in ORDER_AMOUNTS]
    for index, line in enumerate(data.get("lines") or ()):
        found += [
            amount_problem(("lines", index, name), line.get(name), currency)
            for name in LINE_AMOUNTS
        ]
    return [problem for problem in found if problem is not None]


def order_time_problems(data: Mapping[str, Any], *, now: datetime) -> list[FieldProblem]:
    """Every time of an order (in the intake's shape) that cannot have happened."""
    found = [time_problem((name,), data.get(name), now=now) for name in ORDER_TIMES]
    return [problem for problem in found if problem is not None]


def order_problems(data: Mapping[str, Any], *, now: datetime) -> list[FieldProblem]:
    return order_time_problems(data, now=now) + order_amount_problems(data)
