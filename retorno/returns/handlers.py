"""What each kind of return event sets off: messages to the shopper, carrier bookings, money.

This table is the one place that says it; `retorno.returns.events` runs it once per event
when the command that recorded the event ends, inside its transaction. The handlers (in
`retorno.returns.workflows`) write rows (outbox messages, bookings, ledger entries) in that
same transaction; delivery happens after commit, so a rolled-back change never leaves a
message or a booking behind.
"""

from __future__ import annotations

from retorno.domain.returns.events import EventKind
from retorno.returns.events import Handler
from retorno.returns.workflows import (
    messages,
    publishing,
    recovery,
    resolving,
    shipping,
    storefront,
    triage,
    woocommerce,
)

# What each kind sets off, in the order the handlers run. Money before shipping: a return the
# policy lets the shopper keep is settled at approval, and then nothing is booked for it.
# Webhooks last: the object they carry is the one the other handlers have left.
HANDLERS: dict[EventKind, tuple[Handler, ...]] = {
    EventKind.CREATED: (messages.notify_shopper, triage.on_created, publishing.publish),
    EventKind.HELD_FOR_REVIEW: (messages.notify_shopper,),
    EventKind.APPROVED: (
        messages.notify_shopper,
        resolving.on_milestone,
        shipping.on_approved,
        publishing.publish,
        storefront.on_event,
    ),
    EventKind.REJECTED: (messages.notify_shopper, publishing.publish, storefront.on_event),
    EventKind.CANCELLED: (
        messages.notify_shopper,
        resolving.on_cancelled,
        shipping.on_cancelled,
        publishing.publish,
        storefront.on_event,
    ),
    EventKind.DECISION_OVERRIDDEN: (),
    EventKind.PICKUP_CHANGED: (),
    EventKind.IN_TRANSIT: (messages.notify_shopper, resolving.on_milestone, publishing.publish),
    EventKind.RECEIVED: (messages.notify_shopper, resolving.on_milestone, publishing.publish),
    EventKind.INSPECTED: (resolving.on_milestone, publishing.publish),
    EventKind.RESOLVED: (
        messages.notify_shopper,
        publishing.publish,
        storefront.on_event,
        woocommerce.on_event,
    ),
    EventKind.CLOSED: (publishing.publish, storefront.on_event, woocommerce.on_event),
    EventKind.CARRIER_ALLOCATED: (),
    EventKind.CARRIER_NOT_FOUND: (
        messages.notify_shopper,
        recovery.on_booking_failed,
        publishing.publish,
    ),
    EventKind.CARRIER_UNAVAILABLE: (),
    EventKind.CARRIER_REJECTED: (),
    EventKind.LABEL_READY: (messages.notify_shopper, publishing.publish, storefront.on_event),
    EventKind.BOOKING_FAILED: (
        messages.notify_shopper,
        recovery.on_booking_failed,
        publishing.publish,
    ),
    EventKind.SHIPMENT_EXCEPTION: (publishing.publish,),
    EventKind.PICKUP_FAILED: (messages.notify_shopper, publishing.publish),
    EventKind.PICKUP_REBOOKED: (),
    EventKind.BOOKING_RETRIED: (),
    EventKind.SWITCHED_TO_PICKUP: (),
    EventKind.SWITCHED_TO_DROP_OFF: (),
    EventKind.SWITCHED_TO_LABEL: (),
    EventKind.UNEXPECTED_ITEM: (),
    EventKind.PARCEL_CHECKED: (),
    EventKind.RECEIPT_CLOSED: (),
    EventKind.ITEMS_INSPECTED: (),
    EventKind.INSPECTION_SKIPPED: (),
    EventKind.DISPOSITION_SET: (),
    EventKind.RESTOCKED: (publishing.publish, storefront.on_event, woocommerce.on_event),
    EventKind.RETURNED_TO_VENDOR: (),
    EventKind.REFUND_ISSUED: (publishing.publish,),
    EventKind.REFUNDED: (
        messages.notify_shopper,
        publishing.publish,
        storefront.on_event,
        resolving.on_settled,
    ),
    EventKind.CHARGE_ISSUED: (),
    EventKind.CHARGED: (messages.notify_shopper,),
    EventKind.CHARGE_FAILED: (messages.notify_shopper,),
    EventKind.CHARGE_BACK_ISSUED: (),
    EventKind.RETURN_DUE_SOON: (messages.notify_shopper,),
    EventKind.EXCHANGE_RELEASED_UNPAID: (),
}
