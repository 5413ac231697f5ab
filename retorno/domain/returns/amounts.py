"""What the returned units of a line were actually worth to the shopper."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from retorno.domain.money import minor_units, quantize

_ZERO = Decimal(0)


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
    digits = minor_units(currency)
    # Whole minor units, exactly: moving the point is exact where dividing by the step rounds
    # to the context's precision.
    total_minor = int(quantize(max(paid_total, _ZERO), currency).scaleb(digits))
    base, remainder = divmod(total_minor, quantity)
    start = min(units_before, quantity)
    end = min(start + units, quantity)
    extra = max(0, min(remainder, end) - min(remainder, start))
    return Decimal((end - start) * base + extra).scaleb(-digits)


def paid_per_unit(*, paid_total: Decimal, quantity: int, currency: str) -> Decimal | None:
    """What one unit of a line cost the shopper, when every unit cost the same; None when the
    line's total does not split evenly (EUR 29.99 over 3 units is 10.00, 10.00 and 9.99)."""
    if quantity <= 0:
        return None
    first = units_paid_amount(
        paid_total=paid_total, quantity=quantity, units=1, units_before=0, currency=currency
    )
    last = units_paid_amount(
        paid_total=paid_total,
        quantity=quantity,
        units=1,
        units_before=quantity - 1,
        currency=currency,
    )
    return first if first == last else None


def settled_in_goods(resolution: str | None) -> bool:
    """An exchange is settled in goods: the shopper gets another variant and only the price
    difference changes hands (charged or refunded, retorno.domain.money.exchange). Fees are
    taken out of money paid back, so an exchange bears none."""
    return resolution == "exchange"


def store_credit_total(credit_amount: Decimal, bonus_amount: Decimal, currency: str) -> Decimal:
    """The store credit a shopper receives: the credit and its bonus, in minor units."""
    return quantize(credit_amount + bonus_amount, currency)


@dataclass(frozen=True, slots=True)
class ReturnAmounts:
    """What a return is worth to the shopper, as quoted before it is made and stored with it.
    `store_credit_total_amount` is the refund with the store-credit bonus: what a shopper who
    chose store credit receives (pages and messages show it; they never add amounts up)."""

    items_amount: Decimal
    restocking_fee_amount: Decimal
    return_shipping_fee_amount: Decimal
    shipping_refund_amount: Decimal
    refund_amount: Decimal
    store_credit_bonus_amount: Decimal
    store_credit_total_amount: Decimal


def return_amounts(
    *,
    items_amount: Decimal,
    restocking_fee: Decimal,
    return_shipping_fee: Decimal,
    shipping_refund: Decimal,
    bonus_percent: Decimal,
    kept: bool,
    currency: str,
    resolution: str | None = None,
) -> ReturnAmounts:
    """The refund a return pays once its items are back as they were sent, for the quote and the
    return alike: the same arithmetic as the refund plan (`plan_refund`), so the two agree.

    `items_amount` is the paid value of the returned units (`units_paid_amount`), `restocking_fee`
    what the policy decided on it (never more than an item is worth), `shipping_refund` the
    outbound shipping this return gives back (or zero). Fees never take more than the refund
    pays; a return the shopper keeps bears no fees, nor does an exchange (`settled_in_goods`).
    The bonus is what store credit adds.
    """
    if kept or settled_in_goods(resolution):
        restocking_fee = return_shipping_fee = Decimal("0")
    refund = quantize(
        max(Decimal("0"), items_amount - restocking_fee + shipping_refund - return_shipping_fee),
        currency,
    )
    bonus = quantize(refund * bonus_percent / 100, currency)
    return ReturnAmounts(
        items_amount=quantize(items_amount, currency),
        restocking_fee_amount=quantize(restocking_fee, currency),
        return_shipping_fee_amount=quantize(return_shipping_fee, currency),
        shipping_refund_amount=quantize(shipping_refund, currency),
        refund_amount=refund,
        store_credit_bonus_amount=bonus,
        store_credit_total_amount=store_credit_total(refund, bonus, currency),
    )
