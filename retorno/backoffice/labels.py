"""What staff read for the stable codes of returns: statuses, decisions, reasons, events."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

STATUS = {
    "requested": _("Requested"),
    "pending_review": _("Needs review"),
    "approved": _("Approved"),
    "rejected": _("Rejected"),
    "cancelled": _("Cancelled"),
    "in_transit": _("In transit"),
    "received": _("Received"),
    "inspected": _("Inspected"),
    "resolved": _("Resolved"),
    "closed": _("Closed"),
}
ITEM_STATUS = {
    "requested": _("Requested"),
    "approved": _("Approved"),
    "rejected": _("Rejected"),
    "partially_received": _("Partly received"),
    "received": _("Received"),
    "missing": _("Missing"),
    "resolved": _("Resolved"),
}
DECISION = {
    "accepted": _("Accepted"),
    "rejected": _("Rejected"),
    "manual_review": _("Manual review"),
}
RESOLUTION = {
    "refund": _("Refund"),
    "store_credit": _("Store credit"),
    "exchange": _("Exchange"),
}
METHOD = {
    "pickup": _("Carrier pickup"),
    "drop_off": _("Drop-off"),
    "self_ship": _("Self-ship"),
    "keep": _("Keep the item"),
}
REASON = {
    "too_small": _("Too small"),
    "too_large": _("Too large"),
    "defective": _("Defective"),
    "damaged": _("Damaged in transit"),
    "missing_parts": _("Parts or accessories missing"),
    "not_as_described": _("Not as described"),
    "wrong_item": _("Wrong item sent"),
    "changed_mind": _("Changed my mind"),
    "better_price": _("Found a better price"),
    "arrived_late": _("Arrived too late"),
    "other": _("Other"),
}
EVENT = {
    "created": _("Return requested"),
    "held_for_review": _("Held for review"),
    "approved": _("Approved"),
    "rejected": _("Rejected"),
    "cancelled": _("Cancelled"),
    "decision_overridden": _("Item decision overridden"),
    "in_transit": _("In transit"),
    "received": _("Received"),
    "inspected": _("Inspected"),
    "resolved": _("Resolved"),
    "closed": _("Closed"),
    "pickup_changed": _("Pickup changed"),
    "carrier_allocated": _("Carrier chosen"),
    "carrier_unavailable": _("Carrier unavailable"),
    "carrier_rejected": _("Carrier refused the booking"),
    "label_ready": _("Label or pickup ready"),
    "booking_failed": _("Booking failed"),
    "pickup_failed": _("Pickup failed"),
    "pickup_rebooked": _("Pickup booked again"),
    "switched_to_drop_off": _("Switched to drop-off"),
    "shipment_exception": _("Carrier exception"),
    "items_received": _("Items counted in"),
    "items_inspected": _("Items inspected"),
    "unexpected_item": _("Unexpected item"),
    "receipt_closed": _("Receipt closed"),
    "disposition_set": _("Disposition set"),
    "returned_to_vendor": _("Returned to the supplier"),
    "refund_issued": _("Refund issued"),
    "restocked": _("Restocked"),
    "refunded": _("Refunded"),
    "exchange_reserved": _("Exchange reserved"),
    "kept_by_shopper": _("Kept by the shopper"),
    "picked_up": _("Picked up by the carrier"),
    "carrier_not_found": _("Carrier not found"),
    "inspection_skipped": _("Inspection skipped"),
    "charge_issued": _("Charge issued"),
    "charged": _("Charged"),
    "charge_failed": _("Charge declined"),
    "charge_back_issued": _("Charged back: original not returned"),
    "exchange_released_unpaid": _("Exchange sent without payment"),
    "return_due_soon": _("Reminder: original due back soon"),
}
# A few events read better with what their data says (what the money was for, a kept item).
EVENT_DETAIL = {
    ("resolved", "keep_item"): _("Resolved: the shopper keeps the items"),
    ("charge_issued", "exchange_difference"): _("Charge issued: exchange price difference"),
    ("charged", "exchange_difference"): _("Charged: exchange price difference"),
    ("charged", "unreturned_item"): _("Charged: original not returned"),
    ("charge_failed", "exchange_difference"): _("Charge declined: exchange price difference"),
    ("charge_failed", "unreturned_item"): _("Charge declined: original not returned"),
    ("refund_issued", "charge_refund"): _("Charge refunded: original arrived"),
    ("refunded", "charge_refund"): _("Charge refunded: original arrived"),
}
MONEY_KIND = {
    "return": _("Refund"),
    "keep_item": _("Refund (item kept)"),
    "exchange_difference": _("Exchange price difference"),
    "claim": _("Claim refund"),
    "charge_refund": _("Charge refunded"),
    "unreturned_item": _("Original not returned"),
}
MONEY_STATE = {
    "pending": _("Pending"),
    "succeeded": _("Paid"),
    "failed": _("Failed"),
}
ACTOR = {
    "system": _("Retorno"),
    "api_key": _("API"),
    "staff": _("Staff"),
    "shopper": _("Shopper"),
    "carrier": _("Carrier"),
}
ROLE = {
    "admin": _("Admin"),
    "agent": _("Agent"),
    "warehouse": _("Warehouse"),
    "finance": _("Finance"),
    "analyst": _("Analyst"),
}
AGE = {
    "0-2": _("0–2 days"),
    "3-7": _("3–7 days"),
    "8-14": _("8–14 days"),
    "15-30": _("15–30 days"),
    "31+": _("Over 30 days"),
}
CAPABILITY = {
    "pickup": _("Pickup at home"),
    "label": _("Printable label"),
    "drop_off": _("Drop-off code"),
    "tracking_webhook": _("Tracking by webhook"),
    "tracking_poll": _("Tracking by polling"),
}

TABLES = {
    "status": STATUS,
    "item_status": ITEM_STATUS,
    "decision": DECISION,
    "resolution": RESOLUTION,
    "method": METHOD,
    "reason": REASON,
    "event": EVENT,
    "actor": ACTOR,
    "age": AGE,
    "role": ROLE,
    "money_kind": MONEY_KIND,
    "money_state": MONEY_STATE,
    "capability": CAPABILITY,
}


def label(kind: str, code: str) -> str:
    """The label of `code` in table `kind`; an unknown code is shown as it is."""
    return str(TABLES.get(kind, {}).get(code, code))


def event_label(kind: str, data: dict[str, Any] | None) -> str:
    """The label of a trail event, told apart by its data where that says more."""
    data = data or {}
    detail = "keep_item" if data.get("keep_item") else str(data.get("kind") or "")
    found = EVENT_DETAIL.get((kind, detail))
    return str(found) if found is not None else label("event", kind)


def choices(kind: str) -> list[tuple[str, Any]]:
    """(code, lazy label) pairs, translated when the form is rendered."""
    return list(TABLES[kind].items())
