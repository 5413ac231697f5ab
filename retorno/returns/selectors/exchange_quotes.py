"""What an exchange swaps and what it costs the shopper, line by line, as the shopper sees it.

Before the exchange order exists (the portal's review page, a return in review) the figures are
computed from the order and the chosen variants exactly as `exchange_reserve_for_return` will
compute them: the new variant's price against what the shopper paid for one returned unit. Once
the exchange order exists its frozen prices and units are the truth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from retorno.domain.money import quantize
from retorno.domain.money.exchange import (
    ExchangeDifference,
    SwapLine,
    exchange_total_difference,
)
from retorno.domain.returns.amounts import line_paid_total, units_paid_amount
from retorno.money import selectors as money_selectors
from retorno.orders.models import OrderLine, Variant
from retorno.returns.models import Return


@dataclass(frozen=True)
class Swap:
    """`units` units of `title` in `options` swapped for the variant in `new_options`."""

    title: str
    options: Mapping[str, Any]
    new_options: Mapping[str, Any]
    units: int
    new_unit_price: Decimal
    returned_unit_paid: Decimal
    difference: ExchangeDifference  # of this line's units


@dataclass(frozen=True)
class ExchangeQuote:
    currency: str
    swaps: tuple[Swap, ...]
    difference: ExchangeDifference  # of the whole exchange


def returned_unit_paid(line: OrderLine, currency: str) -> Decimal:
    """What the shopper paid for one returned unit of `line` (its first share, as the exchange
    order records it)."""
    return units_paid_amount(
        paid_total=line_paid_total(
            line.unit_price, line.quantity, line.discount_total, line.tax_amount
        ),
        quantity=line.quantity,
        units=1,
        units_before=0,
        currency=currency,
    )


def _quote(
    currency: str, rows: Sequence[tuple[OrderLine, Variant, int, Decimal, Decimal]]
) -> ExchangeQuote:
    swaps = []
    for line, variant, units, price, paid in rows:
        swap_line = SwapLine(new_unit_price=price, returned_unit_paid=paid, units=units)
        swaps.append(
            Swap(
                title=line.title,
                options=line.options or {},
                new_options=variant.options or {},
                units=units,
                new_unit_price=price,
                returned_unit_paid=paid,
                difference=exchange_total_difference([swap_line], currency),
            )
        )
    total = exchange_total_difference(
        [SwapLine(s.new_unit_price, s.returned_unit_paid, s.units) for s in swaps], currency
    )
    return ExchangeQuote(currency=currency, swaps=tuple(swaps), difference=total)


def exchange_quote_for_request(
    *, currency: str, swaps: Sequence[tuple[OrderLine, Variant, int]]
) -> ExchangeQuote | None:
    """The exchange a request would make: (returned line, new variant, units) per line."""
    if not swaps:
        return None
    return _quote(
        currency,
        [
            (
                line,
                variant,
                units,
                quantize(Decimal(variant.price), currency),
                returned_unit_paid(line, currency),
            )
            for line, variant, units in swaps
        ],
    )


def exchange_quote_for_return(return_request: Return) -> ExchangeQuote | None:
    """The return's exchange: its exchange order once reserved, else what it would reserve."""
    currency = return_request.currency
    exchange = money_selectors.exchange_for_return(
        store=return_request.store, return_id=return_request.id
    )
    if exchange is not None:
        lines = [line for line in exchange.lines.select_related("order_line") if line.units]
        if lines:
            return _quote(
                currency,
                [
                    (
                        line.order_line,
                        line.variant,
                        line.units,
                        quantize(Decimal(line.new_unit_price), currency),
                        quantize(Decimal(line.returned_unit_paid), currency),
                    )
                    for line in lines
                ],
            )
    return exchange_quote_for_request(
        currency=currency,
        swaps=[
            (
                item.order_line,
                item.exchange_variant,
                item.quantity_approved or item.quantity_requested,
            )
            for item in return_request.items.all()
            if item.exchange_variant is not None
        ],
    )
