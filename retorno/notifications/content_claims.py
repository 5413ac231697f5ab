"""What a claim's messages say (opened, resolved, rejected)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from retorno.core.pictures import absolute, usable
from retorno.notifications.content import own_words_over
from retorno.notifications.copy import (
    Copy,
    Money,
    Rendered,
    greeting,
    item_rows,
    readable_text_colour,
    rendered,
)
from retorno.notifications.models import MessageKind
from retorno.notifications.selectors import own_words_kept
from retorno.notifications.snapshots import ClaimSnapshot
from retorno.stores.models import Store


def render_claim_message(
    *, store: Store, snapshot: ClaimSnapshot, kind: str, language: str
) -> Rendered:
    """Render a claim message of `kind` (opened, resolved, rejected); call it with `language`
    active. A claim has no tracking page: the footer gives its number and the store's contacts."""
    money = Money(snapshot.currency, language)
    copy = _claim_copy(kind, snapshot, money)
    own = own_words_kept(store, kind, language)
    if own is not None:
        own_words_over(copy, own, claim_template_values(store, snapshot))
    context = {
        "language": language,
        "store": store,
        "button_text_colour": readable_text_colour(store.primary_colour),
        "logo": absolute(store.logo_url) if usable(store.logo_url) else "",
        "reference_label": _("Claim number"),
        "reference": snapshot.number,
        "track_url": "",
        "copy": copy,
        "greeting": greeting(snapshot.customer_name),
        "items": item_rows(snapshot.items, money),
        "amounts": [],
        "perks": [],
    }
    return rendered(store, copy, context, url="")


def claim_template_values(store: Store, c: ClaimSnapshot) -> dict[str, str]:
    """The values of a claim template's {variables} (retorno.domain.message_templates)."""
    return {
        "claim": c.number,
        "order": c.order_number,
        "customer_name": c.customer_name,
        "store": store.name,
    }


def _claim_copy(kind: str, c: ClaimSnapshot, money: Money) -> Copy:
    number = c.number
    if kind == MessageKind.CLAIM_OPENED:
        return Copy(
            subject=_("We've received your claim %(number)s") % {"number": number},
            headline=_("We've received your claim"),
            paragraphs=[
                _("Thank you for telling us about the problem with order %(order)s.")
                % {"order": c.order_number},
                _(
                    "Our team will look at it and write to you with what we can do: a refund or "
                    "a replacement. You don't need to send anything back."
                ),
            ],
            details=[
                (_("Claim number"), number),
                (_("Order"), c.order_number),
                (_("Problem"), claim_reason_label(c.reason)),
            ],
            short_text=_("We've received your claim %(number)s about order %(order)s.")
            % {"number": number, "order": c.order_number},
        )
    if kind == MessageKind.CLAIM_RESOLVED:
        paragraphs: list[str] = []
        details: list[tuple[str, str]] = [(_("Claim number"), number)]
        if c.resolution in ("refund", "both"):
            amount = money(c.refund_amount)
            paragraphs.append(
                _("We've added %(amount)s of store credit to your account.") % {"amount": amount}
                if c.refund_destination == "store_credit"
                # Sent as the claim is resolved, before a manual refund is paid: "on its way".
                else _("A refund of %(amount)s to your original payment method is on its way.")
                % {"amount": amount}
            )
            details.append((_("Refund"), amount))
        if c.resolution in ("replacement", "both"):
            paragraphs.append(_("We're sending you a replacement of the items below."))
            if c.replacement_number:
                details.append((_("Replacement order"), c.replacement_number))
        paragraphs.append(_("If you have any questions, just reply to this email."))
        return Copy(
            subject=_("Your claim %(number)s is resolved") % {"number": number},
            headline=_("Your claim is resolved"),
            paragraphs=paragraphs,
            details=details,
            short_text=_("Your claim %(number)s is resolved. %(what)s")
            % {"number": number, "what": paragraphs[0]},
        )
    if kind == MessageKind.CLAIM_REJECTED:
        paragraphs = [
            _("We're sorry: we couldn't accept your claim %(number)s.") % {"number": number}
        ]
        if c.resolution_note:
            paragraphs.append(_("Reason: %(reason)s") % {"reason": c.resolution_note})
        paragraphs.append(_("If you think this is a mistake, just reply to this email."))
        return Copy(
            subject=_("Your claim %(number)s could not be accepted") % {"number": number},
            headline=_("We couldn't accept your claim"),
            paragraphs=paragraphs,
            details=[(_("Claim number"), number), (_("Order"), c.order_number)],
            show_items=False,
        )
    raise ValueError(f"no message for claim kind {kind!r}")


def claim_reason_label(reason: str) -> str:
    """A claim reason (ClaimReason) in the shopper's words."""
    return {
        "damaged_in_transit": _("The item arrived damaged"),
        "missing_item": _("An item was missing from the parcel"),
        "wrong_item": _("I received the wrong item"),
        "defective_on_arrival": _("The item did not work out of the box"),
        "never_arrived": _("The parcel never arrived"),
    }.get(reason, reason)
