"""Exchange orders: the new items a shopper gets for returned ones (or a claim's replacement),
with their stock reserved and the price difference settled."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from retorno.core.actors import SYSTEM, Actor
from retorno.core.errors import Conflict, Unprocessable
from retorno.domain.money import quantize
from retorno.domain.money.charges import (
    instant_return_due_by,
)
from retorno.domain.money.exchange import (
    DifferenceDirection,
    SwapLine,
    exchange_total_difference,
)
from retorno.money import selectors
from retorno.money.models import (
    ChargeKind,
    Claim,
    ExchangeLine,
    ExchangeOrder,
    ExchangeState,
)
from retorno.money.services.charges import charge_record, difference_charged
from retorno.money.services.fulfilment import exchange_emit
from retorno.orders.models import Order, OrderLine, Variant
from retorno.stores.models import Store

ZERO = Decimal("0")


@dataclass(frozen=True)
class ExchangeItem:
    order_line: OrderLine
    return_item_id: int | None
    variant_id: int
    units: int
    returned_unit_paid: Decimal


def _exchange_number(store: Store) -> str:
    return f"EX-{secrets.token_hex(4).upper()}"


def exchange_reserve(
    *,
    store: Store,
    order: Order,
    items: Sequence[ExchangeItem],
    now: datetime,
    return_id: int | None = None,
    rma: str = "",
    claim: Claim | None = None,
    instant: bool = False,
    replacement: bool = False,
    return_days: int | None = None,
    actor: Actor = SYSTEM,
    shop_now: bool = False,
) -> ExchangeOrder:
    """Reserve the new variants' stock and write the exchange order (inside a transaction).

    Stock goes down with a conditional F() update, so it never goes negative even under
    concurrent reservations; a variant without enough stock refuses the whole exchange (code
    exchange_out_of_stock) and nothing is reserved. The price difference is per unit: the new
    variant's price against what the shopper paid for the returned unit (zero for a claim's
    replacement). Instant exchanges are released at once (see exchange_release: a dearer one
    waits for its difference to be charged), and the original must be on its way within
    `return_days` (the policy's instant_exchange_return_days, already checked) or it is charged.
    """
    if not items:
        raise Unprocessable("Choose what to exchange.", code="no_items")
    currency = order.currency
    variants = {
        v.id: v for v in Variant.objects.filter(store=store, id__in=[i.variant_id for i in items])
    }
    lines: list[ExchangeLine] = []
    with transaction.atomic():
        for item in items:
            variant = variants.get(item.variant_id)
            if variant is None or item.units < 1:
                raise Unprocessable("Unknown exchange variant.", code="invalid_exchange")
            taken = Variant.objects.filter(id=variant.id, stock__gte=item.units).update(
                stock=F("stock") - item.units
            )
            if not taken:
                raise Unprocessable(
                    f"{variant.sku} is out of stock.", code="exchange_out_of_stock", sku=variant.sku
                )
            price = quantize(Decimal(variant.price), currency)
            paid = quantize(Decimal(item.returned_unit_paid), currency)
            lines.append(
                ExchangeLine(
                    order_line=item.order_line,
                    return_item_id=item.return_item_id,
                    variant=variant,
                    units=item.units,
                    new_unit_price=price,
                    returned_unit_paid=paid,
                )
            )
        # A claim's replacement has no difference: the shopper paid for what never came right.
        difference = exchange_total_difference(
            [] if replacement else [_swap(line, currency) for line in lines], currency
        )
        exchange = ExchangeOrder.objects.create(
            store=store,
            order=order,
            customer=order.customer,
            return_id=return_id,
            rma=rma,
            claim=claim,
            number=_exchange_number(store),
            instant=instant,
            shop_now=shop_now,
            return_due_by=(
                instant_return_due_by(now, return_days) if instant and return_days else None
            ),
            currency=currency,
            difference_amount=difference.amount,
            difference_direction=difference.direction.value,
            created_at=now,
            updated_at=now,
        )
        for line in lines:
            line.exchange = exchange
        ExchangeLine.objects.bulk_create(lines)
        if instant or replacement:
            exchange_release(exchange, now=now, actor=actor)
    return exchange


def _difference_owed(exchange: ExchangeOrder) -> bool:
    return (
        exchange.difference_direction == DifferenceDirection.CUSTOMER_PAYS
        and exchange.difference_amount > 0
    )


def exchange_release(
    exchange: ExchangeOrder, *, now: datetime, actor: Actor = SYSTEM
) -> ExchangeOrder:
    """Send the exchange order to the store for fulfilment (outbox exchange_order.created).

    A dearer exchange is not sent for free: its price difference is charged first (once per
    exchange) and the order waits AWAITING_PAYMENT until the charge succeeds (then it is sent
    by `_exchange_paid`) or staff release it with a note (`exchange_release_unpaid`). Inside
    the caller's transaction; the charge is sent after commit.
    """
    if exchange.state != ExchangeState.RESERVED:
        return exchange
    if _difference_owed(exchange) and not difference_charged(exchange):
        charge_record(
            exchange=exchange,
            kind=ChargeKind.EXCHANGE_DIFFERENCE,
            amount=Decimal(exchange.difference_amount),
            actor=actor,
            now=now,
            note="Price difference of the exchange.",
        )
        exchange.state = ExchangeState.AWAITING_PAYMENT
        exchange.updated_at = now
        exchange.save(update_fields=["state", "updated_at"])
        return exchange
    return exchange_emit(exchange, now=now)


def exchange_cancel(exchange: ExchangeOrder, *, now: datetime) -> ExchangeOrder:
    """Give back the stock of an exchange that will not happen: its return was cancelled before
    the exchange was sent (reserved, or waiting for its price difference; a difference taken
    later is refunded, see `_exchange_paid`). One already sent is left as it is: the new item
    is out, and the charge-back rules decide what the shopper owes."""
    if exchange.state not in (ExchangeState.RESERVED, ExchangeState.AWAITING_PAYMENT):
        return exchange
    for line in exchange.lines.all():
        Variant.objects.filter(id=line.variant_id).update(stock=F("stock") + line.units)
    exchange.state = ExchangeState.CANCELLED
    exchange.updated_at = now
    exchange.save(update_fields=["state", "updated_at"])
    return exchange


def exchange_shrink(
    exchange: ExchangeOrder, units_by_item: dict[int, int], *, now: datetime
) -> None:
    """Give back the stock of reserved units that will not be exchanged (fewer came back)."""
    for line in exchange.lines.all():
        keep = units_by_item.get(line.return_item_id or 0, line.units)
        if keep < line.units:
            Variant.objects.filter(id=line.variant_id).update(
                stock=F("stock") + (line.units - keep)
            )
            line.units = keep
            line.save(update_fields=["units"])
    _recompute_difference(exchange)
    exchange.updated_at = now
    exchange.save(update_fields=["difference_amount", "difference_direction", "updated_at"])


def _swap(line: ExchangeLine, currency: str) -> SwapLine:
    return SwapLine(
        new_unit_price=quantize(Decimal(line.new_unit_price), currency),
        returned_unit_paid=quantize(Decimal(line.returned_unit_paid), currency),
        units=line.units,
    )


def _recompute_difference(exchange: ExchangeOrder) -> None:
    """The price difference of the units actually exchanged (fewer may have come back)."""
    if exchange.claim_id is not None:
        return  # a claim's replacement has no difference
    difference = exchange_total_difference(
        [_swap(line, exchange.currency) for line in exchange.lines.all()], exchange.currency
    )
    exchange.difference_amount = difference.amount
    exchange.difference_direction = difference.direction.value


def exchange_release_unpaid(
    *, store: Store, exchange_id: int | str, note: str, actor: Actor, now: datetime | None = None
) -> ExchangeOrder:
    """Staff send a dearer exchange held for its unpaid difference anyway, saying why (`note`,
    code note_required). The charge stays as it is: finance may still retry it. Refused with
    illegal_transition unless the exchange is AWAITING_PAYMENT."""
    now = now or timezone.now()
    note = (note or "").strip()
    if not note:
        raise Unprocessable("Write why it is sent without payment.", code="note_required")
    exchange = selectors.exchange_get_for_store(store=store, exchange_id=exchange_id)
    with transaction.atomic():
        exchange = ExchangeOrder.objects.select_for_update().get(id=exchange.id)
        if exchange.state != ExchangeState.AWAITING_PAYMENT:
            raise Conflict(
                f"A {exchange.state} exchange is not waiting for payment.",
                code="illegal_transition",
            )
        exchange.release_note = note[:2000]
        exchange.released_by = (actor.label or str(actor))[:200]
        exchange.save(update_fields=["release_note", "released_by"])
        exchange_emit(exchange, now=now)
    return exchange
