"""What each message says: subject, headline, paragraphs, details and amounts, per kind.

Everything is built under the shopper's language (the caller activates it), then laid out by
the email templates (HTML and text) or squeezed into one line for SMS and WhatsApp.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from retorno.core.formatting import format_date
from retorno.core.labels import tier_label
from retorno.core.money_timing import when_money_arrives
from retorno.core.pictures import absolute, usable
from retorno.domain.message_templates import fill
from retorno.domain.returns.amounts import store_credit_total
from retorno.notifications.copy import (
    Copy,
    Money,
    Rendered,
    greeting,
    item_rows,
    one_line_address,
    parse_amount,
    parse_date,
    readable_text_colour,
    rendered,
)
from retorno.notifications.models import MessageKind
from retorno.notifications.selectors import own_words_kept
from retorno.notifications.snapshots import ReturnSnapshot
from retorno.stores.models import Store

REFUND = "refund"
STORE_CREDIT = "store_credit"
EXCHANGE = "exchange"


def render_message(
    *,
    store: Store,
    snapshot: ReturnSnapshot,
    kind: str,
    language: str,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> Rendered:
    """Render a message of `kind` about `snapshot`; call it with `language` active."""
    data = data or {}
    copy = _copy(kind, snapshot, note, data, language)
    own = own_words_kept(store, _shown_kind(kind, snapshot), language)
    if own is not None:
        own_words_over(copy, own, template_values(store, snapshot))
    money = Money(snapshot.currency, language)
    context = {
        "language": language,
        "store": store,
        "button_text_colour": readable_text_colour(store.primary_colour),
        "logo": absolute(store.logo_url) if usable(store.logo_url) else "",
        "reference_label": _("Return number"),
        "reference": snapshot.rma,
        "track_url": snapshot.tracking_url,
        "copy": copy,
        "greeting": greeting(snapshot.customer_name),
        "items": item_rows(snapshot.items, money),
        "bought": item_rows(snapshot.bought, money),
        "amounts": _amount_rows(snapshot, money) if copy.show_amounts else [],
        "perks": _perks(snapshot, money) if copy.show_amounts else [],
        "method_label": _method_label(snapshot.method),
        "resolution_label": _resolution_label(snapshot.resolution),
    }
    return rendered(store, copy, context, url=snapshot.tracking_url)


def template_values(store: Store, s: ReturnSnapshot) -> dict[str, str]:
    """The values of a template's {variables} for this return (retorno.domain.message_templates)."""
    return {
        "rma": s.rma,
        "order": s.order_number,
        "customer_name": s.customer_name,
        "store": store.name,
        "method": _method_label(s.method),
        "resolution": _resolution_label(s.resolution),
        "tracking_url": s.tracking_url,
    }


def _shown_kind(kind: str, s: ReturnSnapshot) -> str:
    """The message a shopper reads: a return created is approved, or held for review."""
    if kind == MessageKind.CREATED:
        return MessageKind.HELD_FOR_REVIEW if s.status == "pending_review" else MessageKind.APPROVED
    return kind


def own_words_over(copy: Copy, own: Any, values: dict[str, str]) -> None:
    """The store's subject, headline and opening paragraph over Retorno's, where it wrote them."""
    if own.subject.strip():
        copy.subject = fill(own.subject.strip(), values)
    if own.headline.strip():
        copy.headline = fill(own.headline.strip(), values)
    if own.intro.strip():
        copy.paragraphs.insert(0, fill(own.intro.strip(), values))


def _copy(kind: str, s: ReturnSnapshot, note: str, data: dict[str, Any], language: str) -> Copy:
    rma = s.rma
    if kind == MessageKind.CREATED and s.status == "pending_review":
        kind = MessageKind.HELD_FOR_REVIEW
    if kind in (MessageKind.CREATED, MessageKind.APPROVED):
        return Copy(
            subject=_("Your return %(rma)s is approved") % {"rma": rma},
            headline=_("Your return is approved"),
            paragraphs=[
                _("Your return %(rma)s for order %(order)s has been approved.")
                % {"rma": rma, "order": s.order_number},
                _next_steps(s.method),
                _when_money_arrives(s),
            ],
            show_amounts=True,
            amounts_title=_("What you get back"),
        )
    if kind == MessageKind.HELD_FOR_REVIEW:
        return Copy(
            subject=_("We've received your return request %(rma)s") % {"rma": rma},
            headline=_("We've received your return request"),
            paragraphs=[
                _("Your return request %(rma)s for order %(order)s has reached us.")
                % {"rma": rma, "order": s.order_number},
                _(
                    "Our team is reviewing it and will let you know as soon as it is decided. "
                    "You don't need to send anything yet."
                ),
                _when_money_arrives(s),
            ],
            show_amounts=True,
            amounts_title=_("What you would get back"),
        )
    if kind == MessageKind.REJECTED:
        paragraphs = [_("We're sorry: your return %(rma)s could not be approved.") % {"rma": rma}]
        if note:
            paragraphs.append(_("Reason: %(reason)s") % {"reason": note})
        paragraphs.append(_("If you think this is a mistake, just reply to this email."))
        return Copy(
            subject=_("Your return %(rma)s could not be approved") % {"rma": rma},
            headline=_("We couldn't approve your return"),
            paragraphs=paragraphs,
        )
    if kind == MessageKind.LABEL_READY:
        return _label_ready(s, data, language)
    if kind == MessageKind.PICKUP_FAILED:
        return _pickup_failed(s, data)
    if kind == MessageKind.BOOKING_FAILED:
        return _booking_failed(s, data)
    if kind == MessageKind.IN_TRANSIT:
        return Copy(
            subject=_("Your return %(rma)s is on its way") % {"rma": rma},
            headline=_("Your return is on its way"),
            paragraphs=[
                _("The carrier has your parcel and it is on its way to us."),
                _("We'll let you know as soon as it arrives."),
            ],
            show_items=False,
        )
    if kind == MessageKind.RECEIVED:
        return Copy(
            subject=_("We've received your return %(rma)s") % {"rma": rma},
            headline=_("Your return has arrived"),
            paragraphs=[_("Your parcel has arrived at our warehouse."), _when_money_arrives(s)],
        )
    if kind == MessageKind.REFUNDED:
        return _refunded(s, data, language)
    if kind in _CHARGE_COPIES:
        return _CHARGE_COPIES[kind](s, data, Money(s.currency, language))
    if kind == MessageKind.CANCELLED and data.get("step") == "cancel":
        return _cancelled_after_failed_pickups(s, data)
    if kind == MessageKind.CANCELLED:
        return Copy(
            subject=_("Your return %(rma)s has been cancelled") % {"rma": rma},
            headline=_("Your return has been cancelled"),
            paragraphs=[
                _("Your return %(rma)s has been cancelled.") % {"rma": rma},
                _(
                    "If you change your mind, you can start a new return while the return window is open."
                ),
            ],
            show_items=False,
        )
    raise ValueError(f"no message for kind {kind!r}")


def _label_ready(s: ReturnSnapshot, data: dict[str, Any], language: str) -> Copy:
    rma = s.rma
    details: list[tuple[str, str]] = []
    # Logistics may book another method than the shopper chose (no pickup in their area).
    method = str(data.get("method") or s.method)
    if data.get("carrier"):
        details.append((_("Carrier"), str(data["carrier"])))
    if method == "pickup":
        subject = _("Your pickup for return %(rma)s is booked") % {"rma": rma}
        headline = _("Your pickup is booked")
        paragraphs = [_("Have the parcel packed and ready: the carrier will collect it from you.")]
        pickup_date = parse_date(data.get("pickup_date"))
        if pickup_date is not None:
            details.append((_("Pickup date"), format_date(pickup_date)))
        if data.get("pickup_window"):
            details.append((_("Time window"), str(data["pickup_window"])))
        address = one_line_address(s.pickup_address)
        if address:
            details.append((_("Pickup address"), address))
    elif method == "drop_off":
        subject = _("Your drop-off code for return %(rma)s is ready") % {"rma": rma}
        headline = _("Your drop-off code is ready")
        paragraphs = [_("Take the packed parcel to a drop-off point and show this code.")]
    else:
        subject = _("Your return label for %(rma)s is ready") % {"rma": rma}
        headline = _("Your return label is ready")
        paragraphs = [_("Print the label, stick it on the parcel and hand it to the carrier.")]
    if data.get("dropoff_code"):
        details.append((_("Drop-off code"), str(data["dropoff_code"])))
    if data.get("tracking_number"):
        details.append((_("Carrier tracking number"), str(data["tracking_number"])))
    paragraphs.append(_("Please write the return number %(rma)s inside the parcel.") % {"rma": rma})
    label_url = str(data.get("label_url") or "")
    return Copy(
        subject=subject,
        headline=headline,
        paragraphs=paragraphs,
        details=details,
        link_label=_("Download your label") if label_url else "",
        link_url=label_url,
    )


def _pickup_failed(s: ReturnSnapshot, data: dict[str, Any]) -> Copy:
    rma = s.rma
    reason = str(data.get("reason") or "")
    paragraphs = [
        _("The carrier came to collect the parcel for your return %(rma)s but could not take it.")
        % {"rma": rma},
        _("Why: %(reason)s") % {"reason": failed_pickup_reason(reason)},
    ]
    hint = _failed_pickup_hint(reason)
    if hint:
        paragraphs.append(hint)
    paragraphs.append(
        _(
            "Tell us how you'd like to continue: choose a new pickup date, correct your address "
            "or phone number, take the parcel to a drop-off point instead, or cancel the return. "
            "We'll book the carrier again straight away."
        )
    )
    if data.get("step") == "desk":
        paragraphs.append(
            _("Our returns team has also been told and may get in touch to help you.")
        )
    details: list[tuple[str, str]] = []
    address = one_line_address(s.pickup_address)
    if address:
        details.append((_("Pickup address"), address))
    if data.get("tracking_number"):
        details.append((_("Carrier tracking number"), str(data["tracking_number"])))
    url = str(data.get("recovery_url") or s.tracking_url)
    return Copy(
        subject=_("The carrier couldn't collect your return %(rma)s") % {"rma": rma},
        headline=_("The carrier couldn't collect your parcel"),
        paragraphs=paragraphs,
        details=details,
        show_items=False,
        link_label=_("Choose what to do next"),
        link_url=url,
        link_is_action=True,
        short_text=_(
            "The carrier couldn't collect your return %(rma)s (%(reason)s). "
            "Choose a new date, fix the address or cancel: %(url)s"
        )
        % {"rma": rma, "reason": _failed_pickup_reason_short(reason), "url": url},
    )


def _booking_failed(s: ReturnSnapshot, data: dict[str, Any]) -> Copy:
    rma = s.rma
    method = str(data.get("method") or s.method)
    tried = {
        "pickup": _(
            "We tried to book the pickup of your return %(rma)s, but none of our carriers could "
            "take it."
        ),
        "drop_off": _(
            "We tried to get a drop-off code for your return %(rma)s, but none of our carriers "
            "could take it."
        ),
    }.get(
        method,
        _(
            "We tried to get a return label for your return %(rma)s, but none of our carriers "
            "could take it."
        ),
    )
    url = str(data.get("recovery_url") or s.tracking_url)
    return Copy(
        subject=_("We couldn't book a carrier for your return %(rma)s") % {"rma": rma},
        headline=_("We couldn't book a carrier yet"),
        paragraphs=[
            tried % {"rma": rma},
            _(
                "Our returns team has been told and will book it for you or get in touch. You "
                "don't need to do anything for now."
            ),
            _(
                "If you prefer, you can choose another way to send the parcel back, correct your "
                "address, or cancel the return."
            ),
        ],
        show_items=False,
        link_label=_("See your options"),
        link_url=url,
        link_is_action=True,
        short_text=_(
            "We couldn't book a carrier for your return %(rma)s yet. Our team will get in "
            "touch; your options: %(url)s"
        )
        % {"rma": rma, "url": url},
    )


def _cancelled_after_failed_pickups(s: ReturnSnapshot, data: dict[str, Any]) -> Copy:
    rma = s.rma
    try:
        failures = max(1, int(data.get("failures") or 1))
    except (TypeError, ValueError):
        failures = 1
    return Copy(
        subject=_("Your return %(rma)s has been cancelled") % {"rma": rma},
        headline=_("Your return has been cancelled"),
        paragraphs=[
            ngettext(
                "The carrier could not collect the parcel for your return %(rma)s, so we have "
                "cancelled the return.",
                "The carrier tried %(count)d times but could not collect the parcel for your "
                "return %(rma)s, so we have cancelled the return.",
                failures,
            )
            % {"rma": rma, "count": failures},
            _("Why, the last time: %(reason)s")
            % {"reason": failed_pickup_reason(str(data.get("reason") or ""))},
            _(
                "If you still want to send the items back, you can start a new return while the "
                "return window is open."
            ),
            _("If you have any questions, just reply to this email."),
        ],
        show_items=False,
    )


def failed_pickup_reason(reason: str) -> str:
    """Why a pickup failed, in plain words (reason codes of FailedPickupReason)."""
    return {
        "customer_not_available": _("Nobody was at home when the carrier came."),
        "wrong_address": _("The carrier could not find the address, or it was incomplete."),
        "item_not_ready": _("The parcel was not packed and ready when the carrier came."),
        "refused": _("The parcel was not handed over to the carrier."),
        "not_serviceable": _("The carrier cannot collect at this address."),
        "carrier_issue": _(
            "The carrier had a problem on their side and could not come. It was not your fault."
        ),
    }.get(reason, _("The carrier did not tell us why."))


def _failed_pickup_hint(reason: str) -> str:
    return {
        "customer_not_available": _(
            "Choose a day when someone can hand over the parcel, or take it to a drop-off "
            "point whenever suits you."
        ),
        "wrong_address": _(
            "Please check your address and phone number, and correct whatever is wrong."
        ),
        "item_not_ready": _("Pack the items and choose a new pickup date."),
        "not_serviceable": _(
            "Take the parcel to a drop-off point instead, or give us another address."
        ),
        "carrier_issue": _("Choose a new pickup date and we'll send the carrier again."),
    }.get(reason, "")


def _failed_pickup_reason_short(reason: str) -> str:
    return {
        "customer_not_available": _("nobody at home"),
        "wrong_address": _("address not found"),
        "item_not_ready": _("parcel not ready"),
        "refused": _("parcel not handed over"),
        "not_serviceable": _("address not served"),
        "carrier_issue": _("carrier problem"),
    }.get(reason, _("no reason given"))


def _refunded(s: ReturnSnapshot, data: dict[str, Any], language: str) -> Copy:
    rma = s.rma
    money = Money(s.currency, language)
    amount = parse_amount(data.get("amount"))
    if s.resolution == STORE_CREDIT:
        credit = (
            amount
            if amount is not None
            else store_credit_total(
                s.refund_estimate_amount, s.store_credit_bonus_amount, s.currency
            )
        )
        paragraphs = [
            _("We've added %(amount)s of store credit to your account.") % {"amount": money(credit)}
        ]
        if s.store_credit_bonus_amount > 0:
            paragraphs.append(
                _("That includes a bonus of %(bonus)s for choosing store credit.")
                % {"bonus": money(s.store_credit_bonus_amount)}
            )
        return Copy(
            subject=_("Your store credit for return %(rma)s is ready") % {"rma": rma},
            headline=_("Your store credit is ready"),
            paragraphs=paragraphs,
        )
    if s.resolution == EXCHANGE and data.get("awaiting_payment"):
        difference = parse_amount(data.get("difference_amount")) or Decimal("0")
        return Copy(
            subject=_("Your exchange for return %(rma)s is ready") % {"rma": rma},
            headline=_("Your exchange is ready"),
            paragraphs=[
                _(
                    "Your new item is reserved for you. It ships as soon as the price "
                    "difference of %(amount)s is paid; we'll let you know when it is."
                )
                % {"amount": money(difference)},
            ],
        )
    if s.resolution == EXCHANGE:
        return Copy(
            subject=_("Your exchange for return %(rma)s is on its way") % {"rma": rma},
            headline=_("Your exchange is on its way"),
            paragraphs=[_("We've sent your exchange. Thank you for your patience.")],
        )
    refund = amount if amount is not None else s.refund_estimate_amount
    return Copy(
        subject=_("Your refund for return %(rma)s has been issued") % {"rma": rma},
        headline=_("Your refund is on its way"),
        paragraphs=[
            _("We've issued a refund of %(amount)s to your original payment method.")
            % {"amount": money(refund)},
            _("Depending on your bank, it can take a few days to show on your statement."),
        ],
    )


# --- money taken from the shopper (exchanges) -----------------------------------------------------


def _charged_amount(data: dict[str, Any], money: Money) -> str:
    """The amount an event's data carries, as the shopper reads it (0 when missing)."""
    return money(parse_amount(data.get("amount")) or Decimal("0"))


def _exchange_charged(s: ReturnSnapshot, data: dict[str, Any], money: Money) -> Copy:
    amount = _charged_amount(data, money)
    return Copy(
        subject=_("Price difference paid for return %(rma)s") % {"rma": s.rma},
        headline=_("Your exchange is on its way"),
        paragraphs=[
            _(
                "We've charged %(amount)s, the price difference of your exchange, to your "
                "original payment method."
            )
            % {"amount": amount},
            _("Your new item is on its way. Thank you for your patience."),
        ],
        details=[(_("Amount charged"), amount)],
        show_items=False,
        short_text=_("We've charged %(amount)s for the price difference of return %(rma)s.")
        % {"amount": amount, "rma": s.rma},
    )


def _exchange_payment_failed(s: ReturnSnapshot, data: dict[str, Any], money: Money) -> Copy:
    amount = _charged_amount(data, money)
    return Copy(
        subject=_("We couldn't take the payment for your exchange %(rma)s") % {"rma": s.rma},
        headline=_("Your exchange is waiting for payment"),
        paragraphs=[
            _(
                "We tried to charge %(amount)s, the price difference of your exchange, but "
                "the payment did not go through."
            )
            % {"amount": amount},
            _(
                "Your new item stays reserved for you and ships as soon as the difference is "
                "paid. Please check your payment method, or just reply to this email and we'll "
                "help you."
            ),
        ],
        details=[(_("Amount due"), amount)],
        show_items=False,
        short_text=_(
            "We couldn't charge %(amount)s for the price difference of return %(rma)s; "
            "your exchange waits for it. Reply or call us to pay."
        )
        % {"amount": amount, "rma": s.rma},
    )


def _return_due_soon(s: ReturnSnapshot, data: dict[str, Any], money: Money) -> Copy:
    due = parse_date(data.get("return_due_by"))
    due_text = format_date(due) if due is not None else ""
    amount = _charged_amount(data, money)
    return Copy(
        subject=_("Reminder: please send back the items of return %(rma)s") % {"rma": s.rma},
        headline=_("Please send back your original items"),
        paragraphs=[
            _(
                "We sent your exchange before your return reached us. Please send back the "
                "original items by %(date)s."
            )
            % {"date": due_text},
            _(
                "If the carrier has not picked them up by then, we'll charge %(amount)s to "
                "your original payment method for the items you kept."
            )
            % {"amount": amount},
        ],
        details=[(_("Send back by"), due_text)],
        link_label=_("See how to send it back"),
        link_url=s.tracking_url,
        link_is_action=True,
        short_text=_(
            "Please send back the items of return %(rma)s by %(date)s, or we'll charge "
            "%(amount)s: %(url)s"
        )
        % {"rma": s.rma, "date": due_text, "amount": amount, "url": s.tracking_url},
    )


def _charged_back(s: ReturnSnapshot, data: dict[str, Any], money: Money) -> Copy:
    amount = _charged_amount(data, money)
    due = parse_date(data.get("return_due_by"))
    paragraphs = [
        _(
            "The original items of your return %(rma)s did not reach us by %(date)s, so we've "
            "charged %(amount)s to your original payment method for the items you kept."
        )
        % {"rma": s.rma, "date": format_date(due), "amount": amount}
        if due is not None
        else _(
            "The original items of your return %(rma)s did not reach us in time, so we've "
            "charged %(amount)s to your original payment method for the items you kept."
        )
        % {"rma": s.rma, "amount": amount},
        _("If you still send them back, we'll refund the charge for each item that arrives."),
    ]
    return Copy(
        subject=_("We've charged you for the items of return %(rma)s") % {"rma": s.rma},
        headline=_("We've charged you for the items you kept"),
        paragraphs=paragraphs,
        details=[(_("Amount charged"), amount)],
        short_text=_(
            "The items of return %(rma)s did not come back in time: we've charged %(amount)s."
        )
        % {"rma": s.rma, "amount": amount},
    )


def _charge_refunded(s: ReturnSnapshot, data: dict[str, Any], money: Money) -> Copy:
    amount = _charged_amount(data, money)
    return Copy(
        subject=_("We've refunded the charge for return %(rma)s") % {"rma": s.rma},
        headline=_("Your items arrived: charge refunded"),
        paragraphs=[
            _(
                "Your original items arrived after all, so we've refunded %(amount)s of what "
                "we charged you for them to your original payment method."
            )
            % {"amount": amount},
            _("Depending on your bank, it can take a few days to show on your statement."),
        ],
        details=[(_("Amount refunded"), amount)],
        show_items=False,
        short_text=_("Your items arrived: we've refunded %(amount)s for return %(rma)s.")
        % {"amount": amount, "rma": s.rma},
    )


_CHARGE_COPIES: dict[str, Callable[[ReturnSnapshot, dict[str, Any], Money], Copy]] = {
    MessageKind.EXCHANGE_CHARGED: _exchange_charged,
    MessageKind.EXCHANGE_PAYMENT_FAILED: _exchange_payment_failed,
    MessageKind.RETURN_DUE_SOON: _return_due_soon,
    MessageKind.CHARGED_BACK: _charged_back,
    MessageKind.CHARGE_REFUNDED: _charge_refunded,
}


def _when_money_arrives(s: ReturnSnapshot) -> str:
    """When the money (or the new item) comes, in the words every page uses."""
    return when_money_arrives(
        s.resolution, s.refund_timing or "on_receipt", instant_exchange=s.instant_exchange
    )


def _next_steps(method: str) -> str:
    return {
        "pickup": _(
            "We're booking a carrier pickup at your address; you'll get the date in a separate message."
        ),
        "drop_off": _(
            "We'll send you a drop-off code shortly; then take the parcel to a drop-off point."
        ),
        "self_ship": _(
            "We'll send you a prepaid return label shortly; print it and stick it on the parcel."
        ),
        "in_store": _(
            "Bring the items to one of our shops with your return number: no label is needed."
        ),
    }.get(method, _("We'll send you the next steps shortly."))


def _method_label(method: str) -> str:
    return {
        "pickup": _("Carrier pickup"),
        "drop_off": _("Drop-off point"),
        "self_ship": _("Return label"),
        "in_store": _("In one of our shops"),
        "keep": _("Keep the item"),
    }.get(method, method)


def _resolution_label(resolution: str) -> str:
    return {
        REFUND: _("Refund to your original payment method"),
        STORE_CREDIT: _("Store credit"),
        EXCHANGE: _("Exchange"),
    }.get(resolution, resolution)


def _amount_rows(s: ReturnSnapshot, money: Money) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [{"label": _("Items"), "value": money(s.items_amount)}]
    rows.append(
        {
            "label": _("Return shipping"),
            "value": money(-s.return_shipping_fee_amount)
            if s.return_shipping_fee_amount > 0
            else _("Free"),
        }
    )
    if s.restocking_fee_amount > 0:
        rows.append({"label": _("Restocking fee"), "value": money(-s.restocking_fee_amount)})
    if s.shipping_refund_amount > 0:
        rows.append(
            {"label": _("Original shipping"), "value": "+" + money(s.shipping_refund_amount)}
        )
    if s.resolution == STORE_CREDIT:
        if s.store_credit_bonus_amount > 0:
            rows.append(
                {
                    "label": _("Store credit bonus"),
                    "value": "+" + money(s.store_credit_bonus_amount),
                }
            )
        total_label = _("Estimated store credit")
        total = store_credit_total(
            s.refund_estimate_amount, s.store_credit_bonus_amount, s.currency
        )
    elif s.resolution == EXCHANGE:
        total_label = _("Value towards your exchange")
        total = s.refund_estimate_amount
    else:
        total_label = _("Estimated refund")
        total = s.refund_estimate_amount
    rows.append({"label": total_label, "value": money(total), "total": True})
    return rows


def _perks(s: ReturnSnapshot, money: Money) -> list[str]:
    perks = []
    if s.customer_tier and s.return_shipping_fee_amount == 0:
        perks.append(
            _("As a %(tier)s member, your return shipping is free.")
            % {"tier": tier_label(s.customer_tier)}
        )
    if s.resolution == STORE_CREDIT and s.store_credit_bonus_amount > 0:
        perks.append(
            _("Choosing store credit earns you a bonus of %(bonus)s.")
            % {"bonus": money(s.store_credit_bonus_amount)}
        )
    return perks
