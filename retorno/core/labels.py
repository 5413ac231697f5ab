"""Every stable code a person reads, with its label in the active language: one table.

Statuses, events, decisions, methods, resolutions, reasons, money kinds and states, carriers'
answers, tiers, policy outcomes and reasons: staff read `label(kind, code)`; shoppers read
`shopper_label(kind, code)`, which words some kinds for them (a status, a method) and leaves out
what is internal (a carrier that did not answer is not the shopper's business). Templates use
the `label` and `shopper_label` filters (retorno.core.templatetags.labels). A test walks every
enum and event kind and fails on a code without a label in English and Spanish.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from retorno.core.label_tables import (
    ALLOCATION_REASON,
    ALLOCATION_VERDICT,
    BOOKING_STATE,
    BOOKING_TRY,
    DESK_REASON,
    IMPORT_PROBLEM,
    IMPORT_STATE,
    RECOVERY_STATE,
    RULES_PROBLEM,
    TRACKING_STATUS,
)
from retorno.core.labels_staff import (
    AUDIT_ACTION,
    AUDIT_DETAIL,
    AUDIT_FAMILY,
    INVITE_STATE,
    MEMBER_STATE,
    ONBOARDING_ACTION,
    ONBOARDING_HELP,
    ONBOARDING_STATE,
    ONBOARDING_STEP,
)

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
    "in_store": _("In store"),
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
# What a refund or a charge is for (RefundKind, ChargeKind).
MONEY_KIND = {
    "return": _("Refund"),
    "keep_item": _("Refund (item kept)"),
    "exchange_difference": _("Exchange price difference"),
    "claim": _("Claim refund"),
    "charge_refund": _("Charge refunded"),
    "unreturned_item": _("Original not returned"),
}
REFUND_STATE = {"pending": _("Pending"), "succeeded": _("Paid"), "failed": _("Failed")}
CHARGE_STATE = {"pending": _("Pending"), "succeeded": _("Taken"), "failed": _("Failed")}
EXCHANGE_STATE = {
    "reserved": _("Stock reserved"),
    "awaiting_payment": _("Waiting for payment"),
    "released": _("Sent for fulfilment"),
    "fulfilled": _("Fulfilled"),
    "cancelled": _("Cancelled"),
}
REFUND_DESTINATION = {
    "original_payment": _("Original payment"),
    "store_credit": _("Store credit"),
}
REFUND_TIMING = {
    "on_approval": _("when the return is approved"),
    "on_first_scan": _("at the carrier's first scan"),
    "on_receipt": _("when the parcel reaches the warehouse"),
    "on_inspection": _("after inspection"),
}
CLAIM_REASON = {
    "damaged_in_transit": _("Arrived damaged"),
    "missing_item": _("Item missing from the parcel"),
    "wrong_item": _("Wrong item received"),
    "defective_on_arrival": _("Does not work out of the box"),
    "never_arrived": _("Parcel never arrived"),
}
CLAIM_STATE = {"open": _("Open"), "resolved": _("Resolved"), "rejected": _("Rejected")}
CLAIM_RESOLUTION = {
    "refund": _("Refund"),
    "replacement": _("Replacement"),
    "both": _("Refund and replacement"),
}
ACTOR = {
    "system": _("Retorno"),
    "api_key": _("API"),
    "staff": _("Staff"),
    "shopper": _("Shopper"),
    "carrier": _("Carrier"),
}
ROLE = {
    "owner": _("Owner"),
    "admin": _("Admin"),
    "manager": _("Manager"),
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
BULK_ACTION = {
    "approve": _("Approve"),
    "reject": _("Reject"),
    "assign": _("Assign"),
    "labels": _("Print labels"),
    "export": _("Export"),
}
SLA = {"ok": _("On time"), "due": _("Due soon"), "late": _("Late")}
# The portal's fonts (retorno.stores.branding.FONTS), as a store owner chooses one.
FONT = {
    "system": _("The device's own (system)"),
    "humanist": _("Humanist sans-serif"),
    "geometric": _("Geometric sans-serif"),
    "rounded": _("Rounded sans-serif"),
    "serif": _("Modern serif"),
    "classic": _("Classic serif"),
}
# Why a bulk action left a return as it was.
BULK_REFUSAL = {
    "illegal_transition": _("its state does not allow it any more"),
    "note_required": _("a note is needed"),
    "return_not_found": _("not found in this store"),
    "no_label": _("no label yet"),
    "carrier_hosted": _("label only at the carrier (open it from the return)"),
    "unreadable": _("the stored label could not be read"),
    "refused": _("refused"),
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
# What the policy engine decided for a request (domain.policies.decision.Outcome).
OUTCOME = {
    "approve": _("Approved at once"),
    "review": _("Needs review"),
    "reject": _("Rejected"),
}
# Whether the shopper may keep the items (domain.policies.decision.KeepItemCode).
KEEP_ITEM = {
    "shipping_exceeds_recovery": _(
        "Allowed: bringing the parcel back costs more than the store would recover."
    ),
    "keep_item_disabled": _("Not offered: keep-the-item is off for these items."),
    "above_max_item_value": _("Not offered: an item is worth more than the cap."),
    "worth_returning": _("Not offered: the items are worth sending back."),
    "not_approvable": _("Not offered: the request is rejected."),
}
# Why the policy refused a line or held a return for review (domain.policies.reasons), as staff
# read it in short; core.reason_texts says it in full, with the values.
POLICY_REASON = {
    "not_delivered": _("Not delivered yet"),
    "final_sale": _("Final sale"),
    "excluded_category": _("Category not returnable"),
    "excluded_tag": _("Tag not returnable"),
    "discount_above_limit": _("Discounted beyond the limit"),
    "excluded_by_rule": _("Excluded by a policy rule"),
    "window_expired": _("Return window ended"),
    "already_returned": _("Already returned"),
    "unknown_line": _("Not on the order"),
    "quantity_exceeds_returnable": _("More units than can be returned"),
    "resolution_not_allowed": _("Resolution not offered for this item"),
    "value_above_review_threshold": _("Value above the review threshold"),
    "reason_requires_review": _("Reason checked by staff"),
    "always_review": _("Always checked by staff"),
}
# The rules of the default policy (domain.policies.default_policy_document), by id: their
# descriptions in the reader's language. A store that rewrites a description sees its own words.
POLICY_RULE = {
    "silver-window": _("Silver members have 45 days to return."),
    "gold-window": _("Gold members have 60 days to return."),
    "loyalty-free-returns": _("Silver and gold members return for free."),
}
# Loyalty tiers Retorno knows; a store's own tier names are shown as written.
TIER = {
    "bronze": _("Bronze"),
    "silver": _("Silver"),
    "gold": _("Gold"),
    "platinum": _("Platinum"),
    "vip": _("VIP"),
}
# Categories and tags are the store's own words; these are the usual ones, translated. Any other
# is shown as the store wrote it (a slug such as "gift-cards" in plain words).
CATEGORY = {
    "apparel": _("Clothing"),
    "shoes": _("Shoes"),
    "electronics": _("Electronics"),
    "home": _("Home"),
    "accessories": _("Accessories"),
    "gift-cards": _("Gift cards"),
}
TAG = {
    "gift-card": _("Gift card"),
    "outlet": _("Outlet items"),
    "final-sale": _("Final sale"),
}
GRADE = {
    "new": _("New"),
    "like_new": _("Like new"),
    "used": _("Used"),
    "damaged": _("Damaged"),
    "wrong_item": _("Wrong item"),
    "not_received": _("Not in the parcel"),
}
DISPOSITION = {
    "restock": _("Restock"),
    "refurbish": _("Refurbish"),
    "return_to_vendor": _("Return to vendor"),
    "liquidate": _("Liquidate"),
    "donate": _("Donate"),
    "recycle": _("Recycle"),
}
RTV_STATUS = {"open": _("Open"), "shipped": _("Shipped")}
WAREHOUSE_DOCUMENT = {
    "checklists": _("Inspection checklists"),
    "disposition_rules": _("Disposition rules"),
}
# A shipment as the carrier tells it (domain.logistics.tracking.TrackingStatus).
STRATEGY = {
    "cheapest": _("Cheapest"),
    "fastest": _("Fastest"),
    "best_pickup_success": _("Most pickups collected"),
    "fixed_preference": _("In the order given"),
}
CARRIER_KIND = {"simulator": _("Carrier simulator"), "easypost": "EasyPost", "shippo": "Shippo"}
CHANNEL = {"email": _("E-mail"), "sms": _("SMS"), "whatsapp": "WhatsApp"}
# Where an order was placed (orders.Channel).
SALES_CHANNEL = {
    "web": _("Online store"),
    "store": _("Physical store"),
    "marketplace": _("Marketplace"),
}
MESSAGE_STATUS = {
    "queued": _("Queued"),
    "sent": _("Sent"),
    "failed": _("Failed"),
    "skipped": _("Not sent"),
}
MESSAGE_KIND = {
    "created": _("Return requested"),
    "approved": _("Return approved"),
    "rejected": _("Return not accepted"),
    "held_for_review": _("Held for review"),
    "label_ready": _("Label or pickup ready"),
    "pickup_failed": _("Pickup failed"),
    "booking_failed": _("Booking failed"),
    "in_transit": _("Parcel on its way"),
    "received": _("Parcel received"),
    "refunded": _("Refunded"),
    "cancelled": _("Return cancelled"),
    "exchange_charged": _("Exchange difference charged"),
    "exchange_payment_failed": _("Exchange payment declined"),
    "return_due_soon": _("Reminder: original due back soon"),
    "charged_back": _("Charged: original not returned"),
    "charge_refunded": _("Charge refunded: original arrived"),
    "claim_opened": _("Claim opened"),
    "claim_resolved": _("Claim resolved"),
    "claim_rejected": _("Claim rejected"),
}
SCOPE = dict(read=_("Read"), write=_("Read and write"), admin=_("Administer"), team=_("Team"))
WEBHOOK_DELIVERY_STATUS = {
    "pending": _("Pending"),
    "delivered": _("Delivered"),
    "failed": _("Failed"),
    "skipped": _("Not sent"),
}

TABLES: dict[str, dict[str, Any]] = {
    "status": STATUS,
    "item_status": ITEM_STATUS,
    "decision": DECISION,
    "resolution": RESOLUTION,
    "method": METHOD,
    "reason": REASON,
    "event": EVENT,
    "actor": ACTOR,
    "age": AGE,
    "bulk_action": BULK_ACTION,
    "sla": SLA,
    "font": FONT,
    "bulk_refusal": BULK_REFUSAL,
    "role": ROLE,
    "audit_action": AUDIT_ACTION,
    "audit_family": AUDIT_FAMILY,
    "audit_detail": AUDIT_DETAIL,
    "invite_state": INVITE_STATE,
    "member_state": MEMBER_STATE,
    "onboarding_step": ONBOARDING_STEP,
    "onboarding_help": ONBOARDING_HELP,
    "onboarding_action": ONBOARDING_ACTION,
    "onboarding_state": ONBOARDING_STATE,
    "money_kind": MONEY_KIND,
    "refund_state": REFUND_STATE,
    "charge_state": CHARGE_STATE,
    "exchange_state": EXCHANGE_STATE,
    "refund_destination": REFUND_DESTINATION,
    "refund_timing": REFUND_TIMING,
    "claim_reason": CLAIM_REASON,
    "claim_state": CLAIM_STATE,
    "claim_resolution": CLAIM_RESOLUTION,
    "outcome": OUTCOME,
    "keep_item": KEEP_ITEM,
    "policy_reason": POLICY_REASON,
    "policy_rule": POLICY_RULE,
    "tier": TIER,
    "category": CATEGORY,
    "tag": TAG,
    "grade": GRADE,
    "disposition": DISPOSITION,
    "rtv_status": RTV_STATUS,
    "import_state": IMPORT_STATE,
    "import_problem": IMPORT_PROBLEM,
    "warehouse_document": WAREHOUSE_DOCUMENT,
    "tracking_status": TRACKING_STATUS,
    "booking_state": BOOKING_STATE,
    "strategy": STRATEGY,
    "carrier_kind": CARRIER_KIND,
    "channel": CHANNEL,
    "sales_channel": SALES_CHANNEL,
    "message_status": MESSAGE_STATUS,
    "message_kind": MESSAGE_KIND,
    "scope": SCOPE,
    "webhook_delivery_status": WEBHOOK_DELIVERY_STATUS,
    "capability": CAPABILITY,
    "signal": SIGNAL,
    "signal_definition": SIGNAL_DEFINITION,
    "desk_reason": DESK_REASON,
    "recovery_state": RECOVERY_STATE,
    "booking_try": BOOKING_TRY,
    "allocation_verdict": ALLOCATION_VERDICT,
    "allocation_reason": ALLOCATION_REASON,
    "rules_problem": RULES_PROBLEM,
}


# --- what shoppers read: their words for some kinds; the other kinds as staff read them -------

SHOPPER_STATUS = {
    "requested": _("Requested"),
    "pending_review": _("Being checked by our team"),
    "approved": _("Approved"),
    "rejected": _("Not accepted"),
    "cancelled": _("Cancelled"),
    "in_transit": _("On its way to us"),
    "received": _("Received"),
    "inspected": _("Checked"),
    "resolved": _("Completed"),
    "closed": _("Closed"),
}
# The steps of a return a shopper sees on the tracking page. Every other event kind is internal
# (SHOPPER_HIDDEN_EVENTS): how carriers were chosen or failed, warehouse and ledger steps. A
# parcel no carrier took is told by the page's own message, not by the carriers' failures.
SHOPPER_EVENT = {
    "created": _("Return requested"),
    "held_for_review": _("Sent to our team for a check"),
    "approved": _("Return approved"),
    "rejected": _("Return not accepted"),
    "cancelled": _("Return cancelled"),
    "decision_overridden": _("Decision updated by our team"),
    "pickup_changed": _("Pickup changed"),
    "label_ready": _("Label or pickup ready"),
    "pickup_failed": _("The carrier could not collect the parcel"),
    "pickup_rebooked": _("Pickup booked again"),
    "switched_to_pickup": _("Changed to a pickup"),
    "switched_to_drop_off": _("Changed to a drop-off"),
    "switched_to_label": _("Changed to a return label"),
    "in_transit": _("Parcel on its way"),
    "received": _("Parcel received"),
    "inspected": _("Items checked"),
    "resolved": _("Resolution completed"),
    "refunded": _("Money refunded"),
    "charged": _("Payment taken"),
    "charge_failed": _("Payment declined"),
    "charge_back_issued": _("Charged: original not returned"),
    "return_due_soon": _("Reminder: the original is due back soon"),
    "closed": _("Return closed"),
}
SHOPPER_HIDDEN_EVENTS = frozenset(
    {
        "shopper_details",  # the shopper's own comments and photos: data for staff
        "carrier_allocated",
        "carrier_not_found",
        "carrier_unavailable",
        "carrier_rejected",
        "booking_failed",
        "booking_retried",
        "shipment_exception",
        "unexpected_item",
        "parcel_checked",
        "receipt_closed",
        "items_inspected",
        "inspection_skipped",
        "disposition_set",
        "restocked",
        "returned_to_vendor",
        "refund_issued",
        "charge_issued",
        "exchange_released_unpaid",
    }
)
SHOPPER_RESOLUTION = {
    "refund": _("Refund to your original payment"),
    "store_credit": _("Store credit"),
    "exchange": _("Exchange for another size or colour"),
}
SHOPPER_METHOD = {
    "pickup": _("Carrier pickup at your address"),
    "drop_off": _("Drop-off at a collection point"),
    "self_ship": _("Send it yourself with a label"),
    "in_store": _("Bring it to one of our shops"),
    "keep": _("Keep the item"),
}
SHOPPER_CLAIM_REASON = {
    "damaged_in_transit": _("It arrived damaged"),
    "missing_item": _("An item was missing from the parcel"),
    "wrong_item": _("I received the wrong item"),
    "defective_on_arrival": _("It does not work out of the box"),
    "never_arrived": _("My parcel never arrived"),
}
REASON_GROUP = {
    "size": _("Size or fit"),
    "quality": _("Quality"),
    "not_as_described": _("Not as described"),
    "wrong_item": _("Wrong item sent"),
    "changed_mind": _("No longer wanted"),
    "other": _("Other"),
}
OPTION = {"size": _("Size"), "colour": _("Colour")}
# The analytics' reason mix names the groups to staff too.
TABLES["reason_group"] = REASON_GROUP

SHOPPER_TABLES: dict[str, dict[str, Any]] = {
    **TABLES,
    "status": SHOPPER_STATUS,
    "event": SHOPPER_EVENT,
    "resolution": SHOPPER_RESOLUTION,
    "method": SHOPPER_METHOD,
    "claim_reason": SHOPPER_CLAIM_REASON,
    "reason_group": REASON_GROUP,
    "option": OPTION,
}


def _humanised(code: str) -> str:
    """A code no table knows (a store's own tier or category): its words, never underscores."""
    return code.replace("_", " ").replace("-", " ").strip().capitalize()


def label(kind: str, code: str) -> str:
    """The staff label of `code` in table `kind`; a code no table knows is shown humanised
    (the test of this module makes sure every code Retorno writes is known)."""
    found = TABLES.get(kind, {}).get(code)
    return str(found) if found is not None else _humanised(str(code))


def shopper_label(kind: str, code: str) -> str:
    """The shopper's label of `code` in table `kind` (their words where they differ)."""
    found = SHOPPER_TABLES.get(kind, {}).get(code)
    return str(found) if found is not None else _humanised(str(code))


def shown_to_shoppers(event_kind: str) -> bool:
    """Whether a trail event is a step the shopper sees, not an internal one."""
    return event_kind in SHOPPER_EVENT


def category_label(category: str) -> str:
    """A product category in the active language; a store's own categories in plain words."""
    known = CATEGORY.get(category.strip().lower())
    return str(known) if known is not None else _store_words(category)


def tag_label(tag: str) -> str:
    """A product or customer tag in the active language; a store's own tags in plain words."""
    known = TAG.get(tag.strip().lower())
    return str(known) if known is not None else _store_words(tag)


def _store_words(text: str) -> str:
    """A store's slug ("gift-cards", "summer_sale") as words; anything else as written."""
    text = text.strip()
    if text == text.lower() and " " not in text:
        return _humanised(text)
    return text


def tier_label(tier: str) -> str:
    """A loyalty tier's name in the active language; a store's own tiers as written."""
    known = TIER.get(tier.strip().lower())
    return str(known) if known is not None else tier.strip().title()


def event_label(kind: str, data: dict[str, Any] | None) -> str:
    """The label of a trail event, told apart by its data where that says more."""
    data = data or {}
    detail = "keep_item" if data.get("keep_item") else str(data.get("kind") or "")
    found = EVENT_DETAIL.get((kind, detail))
    return str(found) if found is not None else label("event", kind)


def choices(kind: str) -> list[tuple[str, Any]]:
    """(code, lazy label) pairs, translated when the form is rendered."""
    return list(TABLES[kind].items())


def worded(kind: str, code: str, params: Any, fallback: str) -> str:
    """An engine's message in the active language: the template of `code` in table `kind`
    filled with `params` (name, value pairs); `fallback` (the engine's English) for a code the
    table does not know or params that do not fit it."""
    template = TABLES.get(kind, {}).get(code)
    if template is None:
        return fallback
    try:
        return str(template) % dict(params)
    except (KeyError, TypeError, ValueError):
        return fallback


def evidence_text(code: str, params: dict[str, Any] | None) -> str:
    """One piece of a signal's evidence in the staff member's language."""
    template = EVIDENCE.get(code)
    if template is None:
        return code
    try:
        return str(template) % {name: value for name, value in (params or {}).items()}
    except (KeyError, TypeError, ValueError):
        return code
