"""Tables of the one label table (`retorno.core.labels`, which reads them from here and is the
only way to them): a parcel's tracking statuses and booking states, a CSV import's states and
the problems its dry run names, failed pickups at the desk, and what carrier allocation and
booking say of a carrier."""

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
# Why allocation kept or dropped a carrier (CarrierVerdict.reason), worded with its params;
# {price} is the price in the store's money, {method} the method's label.
ALLOCATION_REASON = {
    "cheapest": _("Price %(price)s."),
    "fastest": _("Transit days: %(days)s; %(price)s."),
    "pickups_unmeasured": _("No pickups measured yet; %(price)s."),
    "pickup_success": _(
        "%(percent)s%% of first pickup attempts succeeded over %(pickups)s (score %(score)s); "
        "%(price)s."
    ),
    "preferred": _("Number %(place)s in the store's preference list; %(price)s."),
    "not_preferred": _("Not in the store's preference list; %(price)s."),
    "disabled": _("Turned off for this store."),
    "not_allowed": _("Not among the carriers rule %(rule)s allows."),
    "excluded": _("Excluded by rule %(rule)s."),
    "no_capability": _("Does not offer %(method)s."),
    "not_serviceable": _("Does not serve postal code %(postal_code)s in %(country)s."),
    "over_weight": _("Takes up to %(limit_kg)s kg; this parcel weighs %(weight_kg)s kg."),
    "over_girth": _(
        "Takes length plus girth up to %(limit_cm)s cm; this parcel measures %(size_cm)s cm."
    ),
    "over_size": _("Takes parcels up to %(limit_cm)s cm; this parcel is %(size_cm)s cm."),
    "no_rate": _("Has no rate in %(currency)s."),
    "capacity_full": _("Its pickups for today are full (%(booked)s of %(capacity)s booked)."),
}
# A problem the allocation rules' engine finds in a rule (FieldError.code), on the form's field.
RULES_PROBLEM = {
    "unknown_field": _("Not a field a rule has."),
    "required": _("Required."),
    "decimal": _("Write an amount of zero or more, like 50.00."),
    "strategy": _("Choose how the carriers are ranked."),
    "duplicate_id": _("Rule %(rule)s already has this name."),
    "never_fires": _("Above the upper limit, so the rule would never apply."),
    "empty_prefix": _(
        "Only spaces or hyphens: it would match every postal code. Leave it out instead."
    ),
    "preference_required": _("List the carriers when they are ranked in the order given."),
    "preference_unused": _("Only used when the carriers are ranked in the order given."),
    "allowed_and_excluded": _("%(carrier)s is both allowed only and never allowed."),
    "preference_excluded": _(
        "%(carrier)s is kept out by this rule, so preferring it does nothing."
    ),
    "unknown_carrier": _("%(carrier)s is not one of the store's carriers."),
    "schema_type": _("Not the kind of value expected here."),
    "schema_enum": _("Not one of the values allowed here."),
    "schema_const": _("Not the value expected here."),
    "schema_pattern": _("Not written as expected here."),
    "schema_uniqueItems": _("Something is listed twice."),
    "schema_minLength": _("Too short (at least %(limit)s characters)."),
    "schema_maxLength": _("Too long (at most %(limit)s characters)."),
    "schema_minItems": _("List at least %(limit)s."),
    "schema_maxItems": _("Too many (at most %(limit)s)."),
    "schema_minimum": _("At least %(limit)s."),
    "schema_maximum": _("At most %(limit)s."),
}
