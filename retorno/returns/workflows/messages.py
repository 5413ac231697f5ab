"""The shopper's messages about their return: the handler that tells them of a step, and the
return as notifications see it (plain data, no models)."""

from __future__ import annotations

from decimal import Decimal

from retorno.core.pictures import absolute, line_picture, variant_picture
from retorno.domain.money.timing import RefundTiming
from retorno.domain.returns.events import EventKind
from retorno.domain.returns.states import ReturnStatus
from retorno.money import selectors as money_selectors
from retorno.money.models import ExchangeState
from retorno.notifications.services import NOTIFIED_EVENTS, notify_return_event
from retorno.notifications.snapshots import ItemSnapshot, ReturnSnapshot
from retorno.returns.events import Recorded
from retorno.returns.models import Method, Resolution, Return, ReturnEvent
from retorno.returns.selectors.links import tracking_url
from retorno.returns.selectors.shop_now import shop_now_lines
from retorno.returns.workflows.refunds import return_timing


def notify_shopper(recorded: Recorded) -> None:
    """Tell the shopper about the step, on the channels the store uses.

    The decision taken while the return is created (auto-approval or review) is part of the
    creation message, so the shopper gets one message for one request, not two.
    """
    return_request, event = recorded.return_request, recorded.event
    if event.kind not in NOTIFIED_EVENTS or _decided_at_creation(return_request, event):
        return
    notify_return_event(
        store=return_request.store,
        return_snapshot=return_snapshot(return_request, status=recorded.status),
        event_kind=event.kind,
        event_id=event.id,
        occurred_at=event.created_at,
        note=event.note,
        data={**event.data, **_exchange_facts(return_request, event)},
    )


def _exchange_facts(return_request: Return, event: ReturnEvent) -> dict[str, object]:
    """A dearer exchange resolved while its difference is still unpaid does not ship yet: the
    shopper is told it waits for the payment, not that it is on its way."""
    if event.kind != EventKind.RESOLVED or return_request.resolution != Resolution.EXCHANGE:
        return {}
    exchange = money_selectors.exchange_for_return(
        store=return_request.store, return_id=return_request.id
    )
    if exchange is None or exchange.state != ExchangeState.AWAITING_PAYMENT:
        return {}
    return {"awaiting_payment": True, "difference_amount": str(exchange.difference_amount)}


def _decided_at_creation(return_request: Return, event: ReturnEvent) -> bool:
    return (
        event.kind in (EventKind.APPROVED, EventKind.HELD_FOR_REVIEW)
        and event.from_status == ReturnStatus.REQUESTED
        and event.created_at == return_request.created_at
    )


_UP_TO_APPROVAL = (ReturnStatus.REQUESTED, ReturnStatus.PENDING_REVIEW, ReturnStatus.APPROVED)


def return_snapshot(return_request: Return, *, status: str = "") -> ReturnSnapshot:
    """The return as notifications see it: plain data, no models. `status` is the state the
    return was in when the event happened (its current one by default)."""
    customer = return_request.customer
    prefetched = getattr(return_request, "_prefetched_objects_cache", {})
    items = prefetched.get("items") or return_request.items.select_related(
        "order_line__variant__product", "exchange_variant"
    )
    return ReturnSnapshot(
        return_id=return_request.id,
        rma=return_request.rma,
        tracking_token=return_request.tracking_token,
        tracking_url=tracking_url(return_request),
        status=status or return_request.status,
        resolution=return_request.resolution,
        method=return_request.method,
        order_number=return_request.order.number,
        currency=return_request.currency,
        customer_name=customer.name,
        customer_email=customer.email,
        customer_phone=customer.phone,
        customer_language=return_request.language or customer.language,
        customer_tier=customer.tier,
        items=tuple(
            ItemSnapshot(
                title=item.order_line.title,
                sku=item.order_line.sku,
                quantity=item.quantity_requested,
                amount=item.amount,
                variant=" · ".join(str(v) for v in (item.order_line.options or {}).values()),
                image_url=absolute(line_picture(item.order_line)),
                exchange_variant=" · ".join(
                    str(v) for v in (item.exchange_variant.options or {}).values()
                )
                if item.exchange_variant_id and item.exchange_variant
                else "",
            )
            for item in items
        ),
        items_amount=return_request.items_amount,
        return_shipping_fee_amount=return_request.return_shipping_fee_amount,
        restocking_fee_amount=return_request.restocking_fee_amount,
        store_credit_bonus_amount=return_request.store_credit_bonus_amount,
        refund_estimate_amount=return_request.refund_estimate_amount,
        shipping_refund_amount=return_request.shipping_refund_amount or Decimal("0"),
        pickup_address=return_request.pickup_address or {},
        # A kept return is settled at approval, whatever its lines' timing.
        refund_timing=RefundTiming.ON_APPROVAL.value
        if return_request.method == Method.KEEP
        else return_timing(return_request),
        instant_exchange=bool((return_request.decision or {}).get("instant_exchange")),
        bought=tuple(
            ItemSnapshot(
                title=line.variant.product.title,
                sku=line.variant.sku,
                quantity=line.units,
                amount=line.amount,
                variant=" · ".join(str(v) for v in (line.variant.options or {}).values()),
                image_url=absolute(variant_picture(line.variant)),
            )
            for line in shop_now_lines(return_request)
            # Up to approval (its message goes before the reservation) the basket is what was
            # chosen; after it only what was reserved: items out of stock then are not bought.
            if line.reserved or (status or return_request.status) in _UP_TO_APPROVAL
        ),
    )
