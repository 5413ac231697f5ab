"""Shop now as the shopper's messages and the staff see it: the items a return's store credit
buys (retorno.returns.workflows.shop_now reserves and pays them)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from retorno.domain.returns.shop_now import basket_line_amount, basket_total
from retorno.money import selectors as money_selectors
from retorno.orders.models import Variant
from retorno.returns.models import Resolution, Return


@dataclass(frozen=True)
class BoughtLine:
    """An item the return's store credit buys, at the price it is bought at."""

    variant: Variant  # with its product
    units: int
    unit_price: Decimal
    amount: Decimal  # unit_price × units, in the return's currency
    reserved: bool  # held for the shopper (at approval); else still only chosen


def shop_now_lines(return_request: Return) -> list[BoughtLine]:
    """What the shopper buys with this return's store credit: the reserved exchange order's
    lines at the prices they were reserved at, or before approval (or when they were out of
    stock by then) the basket chosen at today's prices. Empty for a return without shop now."""
    if not return_request.shop_now or return_request.resolution != Resolution.STORE_CREDIT:
        return []
    currency = return_request.currency
    exchange = money_selectors.exchange_for_return(
        store=return_request.store, return_id=return_request.id
    )
    if exchange is not None and exchange.shop_now:
        return [
            BoughtLine(
                variant=line.variant,
                units=line.units,
                unit_price=Decimal(line.new_unit_price),
                amount=basket_line_amount(Decimal(line.new_unit_price), line.units, currency),
                reserved=True,
            )
            for line in exchange.lines.select_related("variant__product")
        ]
    chosen = {int(entry["variant"]): int(entry["units"]) for entry in return_request.shop_now}
    variants = Variant.objects.filter(
        store_id=return_request.store_id, id__in=chosen
    ).select_related("product")
    by_id = {variant.id: variant for variant in variants}
    return [
        BoughtLine(
            variant=by_id[variant_id],
            units=units,
            unit_price=Decimal(by_id[variant_id].price),
            amount=basket_line_amount(Decimal(by_id[variant_id].price), units, currency),
            reserved=False,
        )
        for variant_id, units in chosen.items()
        if variant_id in by_id
    ]


def shop_now_total(lines: list[BoughtLine], currency: str) -> Decimal:
    """What the items bought cost together."""
    return basket_total([(line.unit_price, line.units) for line in lines], currency)
