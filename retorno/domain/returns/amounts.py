"""What the returned units of a line were actually worth to the shopper."""

from __future__ import annotations

from decimal import Decimal

from retorno.domain.money import allocate, quantize


def line_paid_total(unit_price: Decimal, quantity: int, discount: Decimal, tax: Decimal) -> Decimal:
    """What the shopper paid for a whole line: price less its discount, plus its tax."""
    return unit_price * quantity - discount + tax


def units_paid_amount(
    *, paid_total: Decimal, quantity: int, units: int, units_before: int, currency: str
) -> Decimal:
    """The paid value of `units` units of a line, after `units_before` units already returned.

    The line's total is split into per-unit shares that add up exactly to it (in minor units),
    and successive returns take successive shares, so partial returns of one line can never add
    up to more than was paid for it.
    """
    if units <= 0:
        return Decimal("0")
    shares = allocate(
        quantize(max(paid_total, Decimal("0")), currency), [Decimal(1)] * quantity, currency
    )
    start = min(units_before, quantity)
    return sum(shares[start : start + units], Decimal("0"))
