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
    "booking_retried": _("Booking tried again"),
    "switched_to_pickup": _("Switched to a pickup"),
    "switched_to_drop_off": _("Switched to drop-off"),
    "switched_to_label": _("Switched to a return label"),
    "shipment_exception": _("Carrier exception"),
    "items_received": _("Items counted in"),
    "items_inspected": _("Items inspected"),
    "unexpected_item": _("Unexpected item"),
    "parcel_checked": _("Parcel weighed and checked"),
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

SIGNAL = {
    "serial_returner": _("Serial returner"),
    "bracketing": _("Bracketing"),
    "wardrobing": _("Wardrobing"),
    "empty_box": _("Empty box or swap"),
    "false_claims": _("False claims"),
}
SIGNAL_DEFINITION = {
    "serial_returner": _(
        "Over 12 months, half the units bought or more came back, in 5 returns or more."
    ),
    "bracketing": _(
        "Two sizes or colours of one product in one order, and at least one sent back."
    ),
    "wardrobing": _(
        "An event-type item worn or with its tags removed, asked back within a week of delivery."
    ),
    "empty_box": _(
        "A parcel whose weight or serial number did not match, or another item sent back."
    ),
    "false_claims": _("Three or more 'never arrived' or damage claims in 12 months."),
}
# The evidence of a signal, filled with its params.
EVIDENCE = {
    "return_rate": _(
        "%(returned)s of %(bought)s units bought in the last %(days)s days came back "
        "(%(percent)s%%), in %(returns)s returns."
    ),
    "bracketed_order": _("Order %(order)s: %(variants)s bought together, and some sent back."),
    "worn_and_returned": _(
        "%(rma)s: %(category)s graded worn, asked back %(days)s days after delivery."
    ),
    "tags_removed_and_returned": _(
        "%(rma)s: %(category)s with its tags removed, asked back %(days)s days after delivery."
    ),
    "weight_off": _(
        "%(rma)s: the parcel weighed %(measured)s g; what was shipped, %(expected)s g."
    ),
    "serial_mismatch": _("%(rma)s: a serial number did not match the one sold."),
    "sku_swapped": _("%(rma)s: %(skus)s came back instead, and units of the return are missing."),
    "other_item_returned": _("%(rma)s: a unit was graded as another item than the one sold."),
    "never_arrived_claim": _("Claim %(claim)s: the parcel never arrived."),
    "damage_claim": _("Claim %(claim)s: it arrived damaged."),
    "damaged_return": _("%(rma)s: returned as damaged."),
}
# Why a parcel is at the failed-pickup desk: the carrier's reason for a failed pickup, or a
# booking no carrier took.
DESK_REASON = {
    "customer_not_available": _("Nobody at home"),
    "wrong_address": _("Address not found"),
    "item_not_ready": _("Parcel not ready"),
    "refused": _("Parcel not handed over"),
    "not_serviceable": _("Address not served by the carrier"),
    "carrier_issue": _("Problem on the carrier's side"),
    "booking_failed": _("No carrier could book it"),
    "no_carrier": _("No carrier can take it"),
}
RECOVERY_STATE = {
    "awaiting_shopper": _("Waiting for the shopper"),
    "at_desk": _("At the desk"),
    "rebooked": _("Booked again"),
    "drop_off": _("Switched to drop-off"),
    "label": _("Switched to a return label"),
    "cancelled": _("Cancelled"),
    "closed": _("Closed"),
}
# A carrier's answer to one booking try.
BOOKING_TRY = {
    "unavailable": _("did not answer"),
    "rejected": _("refused the booking"),
    "skipped": _("disabled for this store"),
}
# Why allocation left a carrier out (retorno.domain.logistics.VerdictCode).
ALLOCATION_VERDICT = {
    "ranked": _("can take it"),
    "disabled": _("disabled for this store"),
    "denied_by_rule": _("excluded by the allocation rules"),
    "no_capability": _("does not offer this return method"),
    "not_serviceable": _("does not serve this address"),
    "over_weight": _("the parcel is too heavy"),
    "over_size": _("the parcel is too large"),
    "no_rate": _("has no price in this currency"),
    "capacity_full": _("no pickups left today"),
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
    "signal": SIGNAL,
    "signal_definition": SIGNAL_DEFINITION,
    "desk_reason": DESK_REASON,
    "recovery_state": RECOVERY_STATE,
    "booking_try": BOOKING_TRY,
    "allocation_verdict": ALLOCATION_VERDICT,
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


def evidence_text(code: str, params: dict[str, Any] | None) -> str:
    """One piece of a signal's evidence in the staff member's language."""
    template = EVIDENCE.get(code)
    if template is None:
        return code
    try:
        return str(template) % {name: value for name, value in (params or {}).items()}
    except (KeyError, TypeError, ValueError):
        return code
