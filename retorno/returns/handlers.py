"""What each kind of return event sets off: messages to the shopper, carrier bookings, money.

The table at the bottom is the one place that says it; `retorno.returns.events` runs it once
per event when the command that recorded the event ends, inside its transaction. Everything
here writes rows (outbox messages, bookings, ledger entries) in that same transaction; delivery
happens after commit, so a rolled-back change never leaves a message or a booking behind.
"""

from __future__ import annotations

from retorno.domain.returns.events import EventKind
from retorno.domain.returns.states import ReturnStatus
from retorno.notifications.services import NOTIFIED_EVENTS, notify_return_event
from retorno.notifications.snapshots import ItemSnapshot, ReturnSnapshot
from retorno.resolutions import selectors as money_selectors
from retorno.resolutions.models import ExchangeState
from retorno.returns import refunding, shipping
from retorno.returns.events import Handler, Recorded
from retorno.returns.links import tracking_url
from retorno.returns.models import Resolution, Return, ReturnEvent


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


def return_snapshot(return_request: Return, *, status: str = "") -> ReturnSnapshot:
    """The return as notifications see it: plain data, no models. `status` is the state the
    return was in when the event happened (its current one by default)."""
    customer = return_request.customer
    prefetched = getattr(return_request, "_prefetched_objects_cache", {})
    items = prefetched.get("items") or return_request.items.select_related("order_line")
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
                image_url=item.order_line.image_url,
            )
            for item in items
        ),
        items_amount=return_request.items_amount,
        return_shipping_fee_amount=return_request.return_shipping_fee_amount,
        restocking_fee_amount=return_request.restocking_fee_amount,
        store_credit_bonus_amount=return_request.store_credit_bonus_amount,
        refund_estimate_amount=return_request.refund_estimate_amount,
        pickup_address=return_request.pickup_address or {},
    )


# What each kind sets off, in the order the handlers run. Money before shipping: a return the
# policy lets the shopper keep is settled at approval, and then nothing is booked for it.
HANDLERS: dict[EventKind, tuple[Handler, ...]] = {
    EventKind.CREATED: (notify_shopper,),
    EventKind.HELD_FOR_REVIEW: (notify_shopper,),
    EventKind.APPROVED: (notify_shopper, refunding.on_milestone, shipping.on_approved),
    EventKind.REJECTED: (notify_shopper,),
    EventKind.CANCELLED: (notify_shopper, refunding.on_cancelled, shipping.on_cancelled),
    EventKind.DECISION_OVERRIDDEN: (),
    EventKind.PICKUP_CHANGED: (),
    EventKind.IN_TRANSIT: (notify_shopper, refunding.on_milestone),
    EventKind.RECEIVED: (notify_shopper, refunding.on_milestone),
    EventKind.INSPECTED: (refunding.on_milestone,),
    EventKind.RESOLVED: (notify_shopper,),
    EventKind.CLOSED: (),
    EventKind.CARRIER_ALLOCATED: (),
    EventKind.CARRIER_NOT_FOUND: (),
    EventKind.CARRIER_UNAVAILABLE: (),
    EventKind.CARRIER_REJECTED: (),
    EventKind.LABEL_READY: (notify_shopper,),
    EventKind.BOOKING_FAILED: (),
    EventKind.SHIPMENT_EXCEPTION: (),
    EventKind.PICKUP_FAILED: (notify_shopper,),
    EventKind.PICKUP_REBOOKED: (),
    EventKind.SWITCHED_TO_DROP_OFF: (),
    EventKind.UNEXPECTED_ITEM: (),
    EventKind.RECEIPT_CLOSED: (),
    EventKind.ITEMS_INSPECTED: (),
    EventKind.INSPECTION_SKIPPED: (),
    EventKind.DISPOSITION_SET: (),
    EventKind.RESTOCKED: (),
    EventKind.RETURNED_TO_VENDOR: (),
    EventKind.REFUND_ISSUED: (),
    EventKind.REFUNDED: (notify_shopper,),
    EventKind.CHARGE_ISSUED: (),
    EventKind.CHARGED: (notify_shopper,),
    EventKind.CHARGE_FAILED: (notify_shopper,),
    EventKind.CHARGE_BACK_ISSUED: (),
    EventKind.RETURN_DUE_SOON: (notify_shopper,),
    EventKind.EXCHANGE_RELEASED_UNPAID: (),
}
