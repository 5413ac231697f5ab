"""A return's exchange: stock reserved at approval, emitted at resolution (a dearer one once
its difference is charged), a cheaper one's difference refunded."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from retorno.core.actors import SYSTEM, Actor
from retorno.domain.money import quantize
from retorno.domain.money.charges import instant_return_days
from retorno.domain.money.refunds import refundable_units_amount
from retorno.domain.money.timing import RefundTiming
from retorno.money import adapters as money_adapters
from retorno.money import selectors as money_selectors
from retorno.money.models import (
    ChargeKind,
    Destination,
    ExchangeOrder,
    ExchangeState,
    Refund,
    RefundKind,
)
from retorno.money.services import exchanges as money_exchanges
from retorno.money.services import refunds as money_refunds
from retorno.returns.events import EventKind, command, event_record
from retorno.returns.locks import return_lock_by_id
from retorno.returns.models import Return
from retorno.returns.workflows.charges import charge_back_missing, charge_event_data
from retorno.returns.workflows.refunds import (
    approved_items,
    refund_event_data,
    refund_issue,
)
from retorno.stores.models import Store


def exchange_reserve_for_return(return_request: Return, *, now: datetime) -> Any:
    """Reserve the new variants at approval (once per return). Out of stock refuses the
    approval with code exchange_out_of_stock, nothing changed. An instant exchange gets its
    return deadline from the policy decision (`instant_exchange_return_days`, 30 days when
    absent) and, when dearer, its difference charged before it ships."""
    existing = money_selectors.exchange_for_return(
        store=return_request.store, return_id=return_request.id
    )
    if existing is not None:
        return existing
    items = [
        i for i in approved_items(return_request) if i.exchange_variant_id and i.quantity_approved
    ]
    if not items:
        return None
    payment = money_adapters.order_payment(return_request.order, return_request.order.lines.all())
    exchange_items = [
        money_exchanges.ExchangeItem(
            order_line=item.order_line,
            return_item_id=item.id,
            variant_id=item.exchange_variant_id or 0,
            units=item.quantity_approved,
            returned_unit_paid=refundable_units_amount(
                payment.line(item.order_line.external_id), 1, 0
            ),
        )
        for item in items
    ]
    exchange = money_exchanges.exchange_reserve(
        store=return_request.store,
        order=return_request.order,
        items=exchange_items,
        return_id=return_request.id,
        rma=return_request.rma,
        instant=bool((return_request.decision or {}).get("instant_exchange")),
        return_days=_instant_return_days(return_request),
        now=now,
    )
    if exchange.state == ExchangeState.AWAITING_PAYMENT:
        _record_difference_charge(return_request, exchange, SYSTEM, now=now)
    return exchange


def _instant_return_days(return_request: Return) -> int:
    return instant_return_days((return_request.decision or {}).get("instant_exchange_return_days"))


def _record_difference_charge(
    return_request: Return, exchange: ExchangeOrder, actor: Actor, *, now: datetime
) -> None:
    charge = money_selectors.charge_for_exchange(
        exchange_id=exchange.id, kind=ChargeKind.EXCHANGE_DIFFERENCE
    )
    if charge is not None:
        event_record(
            return_request,
            EventKind.CHARGE_ISSUED,
            actor=actor,
            now=now,
            note="The exchange ships once its price difference is paid.",
            data=charge_event_data(charge),
        )


def exchange_resolve(return_request: Return, *, actor: Actor, now: datetime) -> None:
    exchange = exchange_reserve_for_return(return_request, now=now)
    if exchange is not None:
        if not exchange.instant and exchange.state == "reserved":
            received = {
                i.id: min(i.quantity_received, i.quantity_approved)
                for i in approved_items(return_request)
            }
            money_exchanges.exchange_shrink(exchange, received, now=now)
        if exchange.instant:
            charge_back_missing(return_request, exchange, now=now)
        before = exchange.state
        money_exchanges.exchange_release(exchange, now=now, actor=actor)
        if before == ExchangeState.RESERVED and exchange.state == ExchangeState.AWAITING_PAYMENT:
            _record_difference_charge(return_request, exchange, actor, now=now)
        if (
            exchange.difference_direction == "customer_refunded"
            and exchange.difference_amount > 0
            and not Refund.objects.filter(
                return_id=return_request.id, kind=RefundKind.EXCHANGE_DIFFERENCE
            ).exists()
        ):
            plan = money_refunds.refund_plan(
                store=return_request.store,
                order=return_request.order,
                items=[],
                timing=RefundTiming.ON_APPROVAL.value,
                now=now,
            )
            refund = money_refunds.refund_record(
                store=return_request.store,
                plan=plan,
                kind=RefundKind.EXCHANGE_DIFFERENCE,
                destination=Destination.ORIGINAL_PAYMENT,
                actor=actor,
                now=now,
                return_id=return_request.id,
                rma=return_request.rma,
                amount=quantize(Decimal(exchange.difference_amount), return_request.currency),
                note="Price difference of the exchange.",
            )
            event_record(
                return_request,
                EventKind.REFUND_ISSUED,
                actor=actor,
                now=now,
                data=refund_event_data(refund),
            )
    refund_issue(return_request, actor=actor, now=now)  # items without a new variant


def exchange_release_unpaid(
    *, store: Store, exchange_id: int | str, note: str, actor: Actor, now: datetime | None = None
) -> ExchangeOrder:
    """Staff send an exchange held for its unpaid difference anyway, with a note that goes on
    the return's trail (`exchange_released_unpaid`). The return is locked before the exchange."""
    now = now or timezone.now()
    found = money_selectors.exchange_get_for_store(store=store, exchange_id=exchange_id)
    with command():
        return_request = return_lock_by_id(found.return_id)
        exchange = money_exchanges.exchange_release_unpaid(
            store=store, exchange_id=found.id, note=note, actor=actor, now=now
        )
        if return_request is not None:
            event_record(
                return_request,
                EventKind.EXCHANGE_RELEASED_UNPAID,
                actor=actor,
                now=now,
                note=exchange.release_note,
                data={"exchange": exchange.number},
            )
    return exchange
