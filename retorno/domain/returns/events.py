"""Every kind of step a return's trail records.

The trail is append-only: each step is one event of one of these kinds, written by
`retorno.returns.events.event_record`. Labels, messages and the handlers each kind sets off are
keyed by these members, so a new kind is added here first and the tests then list every table
that has to say something about it.
"""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    # The return's own life (docs/state-machines.md).
    CREATED = "created"
    HELD_FOR_REVIEW = "held_for_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    DECISION_OVERRIDDEN = "decision_overridden"
    PICKUP_CHANGED = "pickup_changed"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    INSPECTED = "inspected"
    RESOLVED = "resolved"
    CLOSED = "closed"
    # The parcel: allocation, booking and the carrier's news.
    CARRIER_ALLOCATED = "carrier_allocated"
    CARRIER_NOT_FOUND = "carrier_not_found"
    CARRIER_UNAVAILABLE = "carrier_unavailable"
    CARRIER_REJECTED = "carrier_rejected"
    LABEL_READY = "label_ready"
    BOOKING_FAILED = "booking_failed"
    SHIPMENT_EXCEPTION = "shipment_exception"
    PICKUP_FAILED = "pickup_failed"
    PICKUP_REBOOKED = "pickup_rebooked"
    BOOKING_RETRIED = "booking_retried"
    SWITCHED_TO_PICKUP = "switched_to_pickup"
    SWITCHED_TO_DROP_OFF = "switched_to_drop_off"
    SWITCHED_TO_LABEL = "switched_to_label"
    # The warehouse.
    UNEXPECTED_ITEM = "unexpected_item"
    PARCEL_CHECKED = "parcel_checked"
    RECEIPT_CLOSED = "receipt_closed"
    ITEMS_INSPECTED = "items_inspected"
    INSPECTION_SKIPPED = "inspection_skipped"
    DISPOSITION_SET = "disposition_set"
    RESTOCKED = "restocked"
    RETURNED_TO_VENDOR = "returned_to_vendor"
    # Money.
    REFUND_ISSUED = "refund_issued"
    REFUNDED = "refunded"
    CHARGE_ISSUED = "charge_issued"
    CHARGED = "charged"
    CHARGE_FAILED = "charge_failed"
    CHARGE_BACK_ISSUED = "charge_back_issued"
    RETURN_DUE_SOON = "return_due_soon"
    EXCHANGE_RELEASED_UNPAID = "exchange_released_unpaid"
