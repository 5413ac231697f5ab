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
from retorno.domain.money.discounts import order_discount_fits, order_discount_shares
from retorno.domain.times import TimeOutOfRange, check_fact_time

ORDER_AMOUNTS = ("shipping_amount", "shipping_tax_amount", "discount_amount")
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


def line_value(line: Mapping[str, Any]) -> Decimal:
    """What a line costs before the order's discount: price times quantity less its discount."""
    return Decimal(line["unit_price"]) * int(line["quantity"]) - Decimal(line.get("discount") or 0)


def order_discount_problems(data: Mapping[str, Any]) -> list[FieldProblem]:
    """Discounts that would make a line, or the order, cost less than nothing: a line discount
    above its price times quantity (`lines.N.discount`), an order discount above what the lines
    cost after their own discounts (`discount_amount`). Amounts are assumed exact (checked by
    `order_amount_problems` first)."""
    found: list[FieldProblem] = []
    lines = list(data.get("lines") or ())
    for index, line in enumerate(lines):
        if line_value(line) < 0:
            found.append(
                FieldProblem(
                    ("lines", index, "discount"),
                    "discount_exceeds_price",
                    f"The line's discount ({line.get('discount')}) is more than its price times "
                    f"its quantity.",
                )
            )
    discount = data.get("discount_amount")
    if found or not discount:
        return found
    values = [line_value(line) for line in lines]
    if not order_discount_fits(Decimal(discount), values):
        found.append(
            FieldProblem(
                ("discount_amount",),
                "discount_exceeds_lines",
                f"The order discount ({discount}) is more than its lines cost "
                f"({sum(values, Decimal(0))}).",
            )
        )
    return found


def order_discount_split(data: Mapping[str, Any]) -> list[Decimal]:
    """Each line's share of the order's discount (`order_discount_shares`); the order must have
    passed `order_problems`."""
    lines = list(data.get("lines") or ())
    currency = str(data["currency"]).upper()
    discount = Decimal(data.get("discount_amount") or 0)
    return order_discount_shares(
        parse_amount(discount, currency),
        [parse_amount(line_value(line), currency) for line in lines],
        currency,
    )


def order_time_problems(data: Mapping[str, Any], *, now: datetime) -> list[FieldProblem]:
    """Every time of an order (in the intake's shape) that cannot have happened."""
    found = [time_problem((name,), data.get(name), now=now) for name in ORDER_TIMES]
    return [problem for problem in found if problem is not None]


def order_problems(data: Mapping[str, Any], *, now: datetime) -> list[FieldProblem]:
    amounts = order_amount_problems(data)
    return (
        order_time_problems(data, now=now)
        + amounts
        + ([] if amounts else order_discount_problems(data))
    )
