"""Shop now's arithmetic: how a basket bought with a return's store credit is paid."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from retorno.domain.money import quantize

_ZERO = Decimal("0")


@dataclass(frozen=True)
class ShopNowSplit:
    total: Decimal  # what the basket costs
    from_credit: Decimal  # paid with the return's store credit
    to_pay: Decimal  # charged to the original payment before the items ship
    credit_left: Decimal  # stays in the wallet


def basket_line_amount(price: Decimal, units: int, currency: str) -> Decimal:
    """What `units` of an item at `price` cost, in `currency`'s minor unit."""
    return quantize(Decimal(price) * units, currency)


def basket_total(prices: Iterable[tuple[Decimal, int]], currency: str) -> Decimal:
    """What a basket of (unit price, units) costs, in `currency`'s minor unit."""
    return quantize(sum((Decimal(p) * units for p, units in prices), _ZERO), currency)


def shop_now_split(
    prices: Iterable[tuple[Decimal, int]], credit: Decimal, currency: str
) -> ShopNowSplit:
    """Split a basket of (unit price, units) against `credit` (the return's store credit with
    its bonus): the credit pays first, the rest is to pay, unspent credit is left. Every amount
    is in `currency`'s minor unit and never negative; from_credit + to_pay = total and
    from_credit + credit_left = credit."""
    total = basket_total(prices, currency)
    credit = max(quantize(Decimal(credit), currency), _ZERO)
    from_credit = min(total, credit)
    return ShopNowSplit(
        total=total,
        from_credit=from_credit,
        to_pay=total - from_credit,
        credit_left=credit - from_credit,
    )
