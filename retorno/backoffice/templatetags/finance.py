"""Labels of the finance pages: `{{ refund.state|finance_label:"refund_state" }}`,
`{{ charge.kind|finance_label:"charge_kind" }}`."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

TABLES: dict[str, dict[str, Any]] = {
    "refund_state": {"pending": _("Pending"), "succeeded": _("Paid"), "failed": _("Failed")},
    "refund_kind": {
        "return": _("Return"),
        "keep_item": _("Keep the item"),
        "exchange_difference": _("Exchange price difference"),
        "claim": _("Claim"),
        "charge_refund": _("Charge refunded (item came back)"),
    },
    "charge_state": {"pending": _("Pending"), "succeeded": _("Taken"), "failed": _("Failed")},
    "charge_kind": {
        "exchange_difference": _("Exchange price difference"),
        "unreturned_item": _("Instant exchange, item not returned"),
    },
    "exchange_state": {
        "reserved": _("Stock reserved"),
        "awaiting_payment": _("Waiting for payment"),
        "released": _("Sent for fulfilment"),
        "fulfilled": _("Fulfilled"),
        "cancelled": _("Cancelled"),
    },
    "refund_destination": {
        "original_payment": _("Original payment"),
        "store_credit": _("Store credit"),
    },
    "refund_timing": {
        "on_approval": _("on approval"),
        "on_first_scan": _("at the first carrier scan"),
        "on_receipt": _("on receipt"),
        "on_inspection": _("after inspection"),
    },
}


@register.filter
def finance_label(code: Any, kind: str) -> str:
    if code in (None, ""):
        return ""
    return str(TABLES.get(kind, {}).get(str(code), code))
