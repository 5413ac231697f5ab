"""What the returned units of a line were actually worth to the shopper."""

from __future__ import annotations

from decimal import Decimal

from retorno.domain.money import minor_units, quantize


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
    if units <= 0 or quantity <= 0:
        return Decimal("0")
    # Equal weights have a closed form of the largest-remainder split: with the total in minor
    # units as base * quantity + r, the first r units are worth base + 1 and the rest base. This
    # is what `allocate` gives for equal weights, in constant time whatever the quantity.
    step = Decimal(1).scaleb(-minor_units(currency))
    total_minor = int(quantize(max(paid_total, Decimal("0")), currency) / step)
    base, remainder = divmod(total_minor, quantity)
    start = min(units_before, quantity)
    end = min(start + units, quantity)
    extra = max(0, min(remainder, end) - min(remainder, start))
    return quantize(((end - start) * base + extra) * step, currency)
