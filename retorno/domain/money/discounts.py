"""Order-level discounts: a discount the store gives on the whole order (a coupon, a threshold
promotion) belongs to the lines in proportion to what each line costs after its own discount.

The shares are the domain's largest-remainder split (`retorno.domain.money.allocate`): they add
up exactly to the order's discount in minor units, and no line's share exceeds what the line
costs after its own discount, so no line is ever worth less than nothing and a refund of a line
never gives back more than was paid for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from retorno.domain.money import MoneyError, minor_units, quantize

_ZERO = Decimal(0)


def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def _exact(value: Decimal, name: str, currency: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal) or not value.is_finite():
        raise MoneyError("invalid_amount", f"{name} must be a finite Decimal, not {value!r}.")
    if value < 0:
        raise MoneyError("invalid_amount", f"{name} must not be negative ({value}).")
    if quantize(value, currency) != value:
        raise MoneyError("invalid_amount", f"{name} ({value}) has more decimals than {currency}.")
    return value


def order_discount_shares(
    discount: Decimal, line_values: Sequence[Decimal], currency: str
) -> list[Decimal]:
    """Each line's share of an order-level `discount`, in the order of `line_values`.

    `line_values` are what each line costs before the order's discount (unit price times
    quantity, less the line's own discount), non-negative and in minor units of `currency`, as is
    `discount`. The shares add up exactly to `discount`; each is between zero and its line's
    value; lines of equal value differ by at most one minor unit, earlier lines first.

    Raises MoneyError: "invalid_amount" for a negative or inexact amount, "discount_exceeds_lines"
    when the discount is larger than the lines are worth together (a discount cannot make the
    shopper paid less than nothing for goods).
    """
    _exact(discount, "discount", currency)
    values = [
        _exact(value, f"line {index + 1}", currency) for index, value in enumerate(line_values)
    ]
    quantum = _quantum(currency)
    if discount == 0:
        return [quantize(_ZERO, currency) for _ in values]
    if discount > sum(values, _ZERO):
        raise MoneyError(
            "discount_exceeds_lines",
            f"The order discount ({discount}) is more than its lines cost ({sum(values, _ZERO)}).",
        )
    # `allocate`'s largest remainder in whole minor units (the weights are amounts too, so the
    # shares need no fractions): each share rounded down, the leftover units to the largest
    # remainders, earlier lines first on ties. The remainders that get a unit are strictly
    # positive, so a share rounded up was below its (whole) value: no share exceeds its line.
    total = int(discount / quantum)
    weights = [int(value / quantum) for value in values]
    weight_sum = sum(weights)
    units = [total * weight // weight_sum for weight in weights]
    remainders = [total * weight % weight_sum for weight in weights]
    leftover = total - sum(units)
    for index in sorted(range(len(units)), key=lambda i: (-remainders[i], i))[:leftover]:
        units[index] += 1
    return [(Decimal(count) * quantum).quantize(quantum) for count in units]


def order_discount_fits(discount: Decimal, line_values: Sequence[Decimal]) -> bool:
    """Whether an order discount fits its lines (what `order_discount_shares` refuses with
    "discount_exceeds_lines"), without splitting it: the order intake asks this of every order."""
    return discount <= sum(line_values, _ZERO)
