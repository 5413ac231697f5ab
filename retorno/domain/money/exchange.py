"""Exchanges: the price difference of a swap. Who may get the new item before sending the old
one back, and when a return is not worth shipping at all, are policy settings (the engine)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from retorno.domain.errors import DomainError
from retorno.domain.money import quantize
from retorno.domain.money._checks import require_amount

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


class ExchangeError(DomainError):
    code = "invalid_exchange"


class DifferenceDirection(StrEnum):
    CUSTOMER_PAYS = "customer_pays"  # the new variant costs more: charge the shopper
    CUSTOMER_REFUNDED = "customer_refunded"  # it costs less: refund the difference
    EVEN = "even"


@dataclass(frozen=True, slots=True)
class ExchangeDifference:
    """`amount` is the non-negative difference in minor units; `direction` says who pays it."""

    amount: Decimal
    direction: DifferenceDirection
    currency: str


def exchange_difference(
    new_unit_price: Decimal, returned_unit_paid: Decimal, currency: str
) -> ExchangeDifference:
    """The price difference of swapping one returned unit for one unit of another variant.

    `returned_unit_paid` is what the shopper actually paid for the returned unit (its share of
    discounts and tax included: refundable_units_amount for one unit). `new_unit_price` is what
    the new variant costs the shopper today, tax included, after any discount the store extends
    to exchanges. Both must already be in minor units; the difference is exact.
    """
    require_amount(new_unit_price, "new_unit_price", currency, ExchangeError)
    require_amount(returned_unit_paid, "returned_unit_paid", currency, ExchangeError)
    difference = quantize(new_unit_price - returned_unit_paid, currency)
    if difference > 0:
        return ExchangeDifference(difference, DifferenceDirection.CUSTOMER_PAYS, currency)
    if difference < 0:
        return ExchangeDifference(-difference, DifferenceDirection.CUSTOMER_REFUNDED, currency)
    return ExchangeDifference(_ZERO, DifferenceDirection.EVEN, currency)


@dataclass(frozen=True, slots=True)
class SwapLine:
    """`units` units of one returned line swapped for another variant (prices per unit)."""

    new_unit_price: Decimal
    returned_unit_paid: Decimal
    units: int


def exchange_total_difference(lines: Iterable[SwapLine], currency: str) -> ExchangeDifference:
    """The price difference of a whole exchange: each line's per-unit difference times its
    units, dearer lines and cheaper lines offsetting each other."""
    signed = _ZERO
    for line in lines:
        diff = exchange_difference(line.new_unit_price, line.returned_unit_paid, currency)
        sign = -1 if diff.direction is DifferenceDirection.CUSTOMER_REFUNDED else 1
        signed += sign * diff.amount * line.units
    if signed > 0:
        return ExchangeDifference(signed, DifferenceDirection.CUSTOMER_PAYS, currency)
    if signed < 0:
        return ExchangeDifference(-signed, DifferenceDirection.CUSTOMER_REFUNDED, currency)
    return ExchangeDifference(_ZERO, DifferenceDirection.EVEN, currency)
