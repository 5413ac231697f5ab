"""Shop now: catalogue items a shopper buys with the store credit of their return, during the
return, instead of waiting for the credit to spend it.

The return is a store-credit return like any other: its credit (with the policy's bonus) is
issued when the policy's refund timing says, through the refund ledger. The items it buys are an
exchange order (retorno.money.services.exchanges) reserved when the return is approved and paid
when its credit is issued: the credit is spent on them from the wallet at once (one spend per
exchange order), what they cost beyond it is charged to the original payment as the exchange's
price difference before they ship, and what is left of the credit stays in the wallet. So the
credit is never both in the wallet and in the items: the wallet's ledger shows it credited and
spent. A return cancelled before its credit gives the reserved stock back; items out of stock by
approval are not bought, and the whole credit stays in the wallet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from retorno.core.actors import SYSTEM, Actor
from retorno.core.errors import Unprocessable
from retorno.domain.money import quantize
from retorno.domain.money.exchange import DifferenceDirection
from retorno.domain.returns.shop_now import shop_now_split
from retorno.money import selectors as money_selectors
from retorno.money.models import ChargeKind, ExchangeOrder, ExchangeState, Refund
from retorno.money.services import exchanges as money_exchanges
from retorno.money.services.store_credit import wallet_spend_for_customer
from retorno.orders.models import Variant
from retorno.returns.events import EventKind, event_record
from retorno.returns.models import Resolution, Return
from retorno.stores.models import Store

MAX_LINES = 20
MAX_UNITS = 20


def shop_now_basket(
    store: Store, resolution: str, basket: Sequence[Mapping[str, Any]]
) -> list[dict[str, int]]:
    """The items of a return's shop-now basket as the return keeps them, checked: only with
    store credit, variants of this store, whole units from 1 to 20, at most 20 lines (one per
    variant). Unprocessable `invalid_shop_now` otherwise; stock is checked at approval."""
    if not basket:
        return []
    if resolution != Resolution.STORE_CREDIT:
        raise Unprocessable(
            "Shop now spends store credit: choose store credit.", code="invalid_shop_now"
        )
    lines: dict[int, int] = {}
    for entry in basket:
        try:
            variant, units = int(entry["variant"]), int(entry["units"])
        except (KeyError, TypeError, ValueError):
            raise Unprocessable(
                "Each item needs a variant and units.", code="invalid_shop_now"
            ) from None
        if not 1 <= units <= MAX_UNITS or variant in lines:
            raise Unprocessable(
                f"Each variant once, from 1 to {MAX_UNITS} units.", code="invalid_shop_now"
            )
        lines[variant] = units
    if len(lines) > MAX_LINES:
        raise Unprocessable(f"At most {MAX_LINES} items.", code="invalid_shop_now")
    known = set(Variant.objects.filter(store=store, id__in=lines).values_list("id", flat=True))
    if known != set(lines):
        raise Unprocessable("Unknown catalogue item.", code="invalid_shop_now")
    return [{"variant": variant, "units": units} for variant, units in lines.items()]


def _exchange(return_request: Return) -> ExchangeOrder | None:
    return money_selectors.exchange_for_return(
        store=return_request.store, return_id=return_request.id
    )


def shop_now_reserve(return_request: Return, *, now: datetime) -> ExchangeOrder | None:
    """At approval: reserve the basket's stock as an exchange order of the return (once). Out
    of stock reserves nothing and the credit will stay whole in the wallet."""
    if not return_request.shop_now or return_request.resolution != Resolution.STORE_CREDIT:
        return None
    existing = _exchange(return_request)
    if existing is not None:
        return existing
    first = return_request.items.select_related("order_line").order_by("id").first()
    if first is None:
        return None
    items = [
        money_exchanges.ExchangeItem(
            order_line=first.order_line,
            return_item_id=None,
            variant_id=int(entry["variant"]),
            units=int(entry["units"]),
            returned_unit_paid=Decimal("0"),
        )
        for entry in return_request.shop_now
    ]
    try:
        with transaction.atomic():  # a savepoint: out of stock undoes only the reservation
            return money_exchanges.exchange_reserve(
                store=return_request.store,
                order=return_request.order,
                items=items,
                return_id=return_request.id,
                rma=return_request.rma,
                now=now,
                shop_now=True,
            )
    except Unprocessable as refused:
        if refused.code != "exchange_out_of_stock":
            raise
        return None


def shop_now_pay(
    return_request: Return, refund: Refund, *, actor: Actor = SYSTEM, now: datetime
) -> ExchangeOrder | None:
    """When the return's store credit is issued (`refund`, to the wallet): spend it on the
    reserved items, set what is left to pay as the exchange's difference and release it (a
    difference is charged first, then it ships). Once per exchange order: a later credit of the
    same return stays in the wallet."""
    exchange = _exchange(return_request)
    if exchange is None or exchange.state != ExchangeState.RESERVED or not exchange.shop_now:
        return None
    currency = exchange.currency
    split = shop_now_split(
        [(Decimal(line.new_unit_price), line.units) for line in exchange.lines.all()],
        Decimal(refund.amount) + Decimal(refund.bonus_amount),
        currency,
    )
    spent, owed = split.from_credit, split.to_pay
    if spent > 0:
        wallet_spend_for_customer(
            store=return_request.store,
            customer=return_request.customer,
            currency=currency,
            amount=spent,
            entry_id=f"shop-now-{exchange.id}",
            actor=actor,
            now=now,
            note=f"Shop now {exchange.number} ({return_request.rma})",
        )
    exchange.difference_amount = owed
    exchange.difference_direction = (
        DifferenceDirection.CUSTOMER_PAYS if owed > 0 else DifferenceDirection.EVEN
    ).value
    exchange.updated_at = now
    exchange.save(update_fields=["difference_amount", "difference_direction", "updated_at"])
    money_exchanges.exchange_release(exchange, now=now, actor=actor)
    if exchange.state == ExchangeState.AWAITING_PAYMENT:
        charge = money_selectors.charge_for_exchange(
            exchange_id=exchange.id, kind=ChargeKind.EXCHANGE_DIFFERENCE
        )
        if charge is not None:
            event_record(
                return_request,
                EventKind.CHARGE_ISSUED,
                actor=actor,
                now=now,
                note="The items bought with the store credit ship once the rest is paid.",
                data={  # as retorno.returns.workflows.charges writes a charge's event
                    "charge": charge.id,
                    "kind": charge.kind,
                    "idempotency_key": charge.idempotency_key,
                    "state": charge.state,
                    "amount": str(quantize(Decimal(charge.amount), currency)),
                    "currency": currency,
                    "exchange": exchange.number,
                },
            )
    return exchange


def shop_now_cancel(return_request: Return, *, now: datetime) -> None:
    """A cancelled store-credit return gives back the stock reserved for its basket."""
    exchange = _exchange(return_request)
    if exchange is not None:
        money_exchanges.exchange_cancel(exchange, now=now)
