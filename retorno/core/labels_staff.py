"""Label tables of the staff team and its audit log (read by retorno.core.labels)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

INVITE_STATE = {
    "pending": _("Waiting"),
    "expired": _("Expired"),
    "accepted": _("Accepted"),
    "revoked": _("Withdrawn"),
}
MEMBER_STATE = {"active": _("Active"), "deactivated": _("Deactivated")}
AUDIT_FAMILY = {
    "staff": _("Team"),
    "settings": _("Settings"),
    "money": _("Money"),
}
AUDIT_ACTION = {
    "staff.invited": _("Invited someone"),
    "staff.invite_revoked": _("Withdrew an invitation"),
    "staff.joined": _("Joined the team"),
    "staff.role_changed": _("Changed a role"),
    "staff.deactivated": _("Deactivated someone"),
    "staff.reactivated": _("Reactivated someone"),
    "settings.policy_published": _("Published the return policy"),
    "settings.warehouse_published": _("Published a warehouse document"),
    "settings.supplier_saved": _("Saved a supplier"),
    "settings.carrier_added": _("Added a carrier account"),
    "settings.carrier_edited": _("Changed a carrier account"),
    "settings.carrier_switched": _("Switched a carrier on or off"),
    "settings.carrier_rules_published": _("Published the allocation rules"),
    "settings.webhook_added": _("Added a webhook endpoint"),
    "settings.webhook_changed": _("Changed a webhook endpoint"),
    "settings.webhook_rotated": _("Rotated a webhook secret"),
    "settings.webhook_deleted": _("Deleted a webhook endpoint"),
    "settings.api_key_created": _("Created an API key"),
    "settings.api_key_revoked": _("Revoked an API key"),
    "settings.shopify_connected": _("Connected the Shopify shop"),
    "settings.shopify_disconnected": _("Disconnected the Shopify shop"),
    "settings.woocommerce_connected": _("Connected the WooCommerce store"),
    "settings.woocommerce_disconnected": _("Disconnected the WooCommerce store"),
    "settings.stripe_connected": _("Connected the Stripe account"),
    "settings.stripe_disconnected": _("Disconnected the Stripe account"),
    "settings.branding_saved": _("Changed the branding"),
    "settings.return_methods_saved": _("Changed the return methods"),
    "settings.template_saved": _("Changed a message template"),
    "settings.notifications_saved": _("Changed the message channels"),
    "money.refund_executed": _("Refunded a return"),
    "money.payment_retried": _("Retried a payment"),
    "money.payment_marked_paid": _("Marked a payment as paid"),
    "money.exchange_released": _("Released an exchange"),
    "money.claim_resolved": _("Settled a claim"),
    "money.claim_rejected": _("Rejected a claim"),
}
# The details an audit entry keeps, by name (a form's field is shown humanised if not here).
AUDIT_DETAIL = {
    "role": _("Role"),
    "from": _("Before"),
    "to": _("After"),
    "language": _("Language"),
    "api_keys_revoked": _("API keys revoked"),
    "note": _("Note"),
    "name": _("Name"),
    "scopes": _("Scopes"),
    "url": _("Address"),
    "description": _("Description"),
    "event_types": _("Events"),
    "enabled": _("Switched on"),
    "logo_url": _("Logo"),
    "favicon_url": _("Browser tab icon"),
    "primary_colour": _("Main colour"),
    "accent_colour": _("Accent colour"),
    "font": _("Font"),
    "email": _("E-mail"),
    "sms": _("Text message (SMS)"),
    "methods": _("Methods"),
}
# The first-run checklist (retorno.domain.onboarding).
ONBOARDING_STEP = {
    "policy": _("Your return policy"),
    "carriers": _("Carriers"),
    "branding": _("Your brand on the portal"),
    "notifications": _("Messages to shoppers"),
    "shop": _("Connect your shop"),
    "team": _("Invite your team"),
    "test_return": _("A first test return"),
}
ONBOARDING_HELP = {
    "policy": _("Windows, exclusions, fees and the resolutions you offer, in a form."),
    "carriers": _("The carrier accounts that collect returns, and which one takes what."),
    "branding": _("Logo, colours and font of the returns portal, with a preview."),
    "notifications": _("The channels shoppers' messages go out on."),
    "shop": _("Connect Shopify, or import your orders, so shoppers find their order."),
    "team": _("Invite the people who decide, receive and refund returns."),
    "test_return": _("Ask for a return on the portal as a shopper would, and follow it here."),
}
ONBOARDING_ACTION = {
    "policy": _("Set the policy"),
    "carriers": _("Add a carrier"),
    "branding": _("Set the brand"),
    "notifications": _("Choose the channels"),
    "shop": _("Connect the shop"),
    "team": _("Invite someone"),
    "test_return": _("Open the portal"),
}
ONBOARDING_STATE = {"done": _("Done"), "skipped": _("Skipped"), "to_do": _("To do")}
