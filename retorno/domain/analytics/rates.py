"""Rates and shares, and the rule every figure obeys: a rate whose denominator counts fewer
than MIN_DENOMINATOR is "not enough data", and no number is shown for it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

MIN_DENOMINATOR = 30


@dataclass(frozen=True, slots=True)
class Rate:
    """`numerator` ÷ `denominator`. `count` is how many things the denominator counts (units,
    orders) when it is not itself a count, as for value sold; it defaults to the denominator.
    `value` is None when that count is under MIN_DENOMINATOR, else the ratio to 4 decimals."""

    numerator: Decimal
    denominator: Decimal
    count: int | None = None

    @property
    def enough(self) -> bool:
        counted = self.denominator if self.count is None else self.count
        return counted >= MIN_DENOMINATOR and self.denominator > 0

    @property
    def value(self) -> Decimal | None:
        if not self.enough:
            return None
        return (self.numerator / self.denominator).quantize(Decimal("0.0001"))

    @property
    def percent(self) -> Decimal | None:
        """The value as a percentage with one decimal, for people to read."""
        value = self.value
        return None if value is None else (value * 100).quantize(Decimal("0.1"))


def rate(numerator: int | Decimal, denominator: int | Decimal, *, count: int | None = None) -> Rate:
    return Rate(Decimal(numerator), Decimal(denominator), count)


def change(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """`current` − `previous` in the figure's own unit (points for a rate); None when either is
    missing."""
    if current is None or previous is None:
        return None
    return current - previous
