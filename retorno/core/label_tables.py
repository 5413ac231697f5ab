"""Tables of the one label table (`retorno.core.labels`, which reads them from here and is the
only way to them): a parcel's tracking statuses and booking states, a CSV import's states and
the problems its dry run names."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

IMPORT_STATE = {
    "checked": _("Checked, not imported"),
    "queued": _("Waiting to start"),
    "running": _("Importing"),
    "done": _("Imported"),
}
IMPORT_PROBLEM = {
    "required": _("Empty, and it is required"),
    "too_long": _("Too long"),
    "invalid_amount": _(
        "Not an amount in the currency (too many decimals, negative, not a number)"
    ),
    "invalid_number": _("Not a whole number in range"),
    "invalid_time": _("Not a date and time (use 2026-11-01T10:00:00Z)"),
    "time_without_offset": _("The time needs its offset from UTC (Z or +01:00)"),
    "time_out_of_range": _("A time that cannot have happened"),
    "invalid_boolean": _("Not yes or no"),
    "invalid_email": _("Not an e-mail address"),
    "invalid_country": _("Not a two-letter country code"),
    "unknown_currency": _("Unknown currency code"),
    "order_mismatch": _("Differs from the order's first row"),
    "product_mismatch": _("Differs from the product's first row"),
    "duplicate_line": _("The order has this line twice"),
    "duplicate_sku": _("The SKU appears twice in the file"),
    "too_many_lines": _("More than 500 lines in one order"),
    "discount_exceeds_lines": _("The order's discount is more than its lines cost"),
    "discount_exceeds_price": _("The line's discount is more than its price"),
    "invalid_options": _("Options are written size=M; colour=navy"),
    "invalid_url": _("Not an http(s) address"),
    "sku_taken": _("The SKU belongs to another product"),
}
TRACKING_STATUS = {
    "label_created": _("Label created"),
    "pickup_scheduled": _("Pickup booked"),
    "pickup_failed": _("Pickup failed"),
    "picked_up": _("Picked up"),
    "in_transit": _("In transit"),
    "out_for_delivery": _("Out for delivery"),
    "delivered_to_warehouse": _("Delivered to the warehouse"),
    "exception": _("Carrier exception"),
    "cancelled": _("Cancelled"),
    "unknown": _("Unknown"),
}
BOOKING_STATE = {
    "pending": _("Being booked"),
    "booked": _("Booked"),
    "failed": _("Booking failed"),
    "no_carrier": _("No carrier can take it"),
    "cancelled": _("Cancelled"),
    "superseded": _("Replaced by a new booking"),
}
