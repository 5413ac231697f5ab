"""What the shopper reads: money, reasons, statuses and the policy, in the active language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from retorno.core import labels, reason_texts
from retorno.core.formatting import format_money
from retorno.core.money_timing import when_money_arrives
from retorno.domain.returns.reasons import TAXONOMY

NBSP = "\u00a0"


def language() -> str:
    return (translation.get_language() or "en").split("-")[0].lower()


def money(amount: Decimal | int | str, currency: str) -> str:
    """`amount` as a shopper of the active language writes it (retorno.core.formatting)."""
    return format_money(Decimal(amount), currency)


def long_date(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def percent(value: Decimal | int) -> str:
    value = Decimal(value).normalize()
    text = f"{value:f}"
    if language() == "es":
        return f"{text.replace('.', ',')}{NBSP}%"
    return f"{text}%"


# --- return reasons (the shopper's taxonomy) ----------------------------------------------------


def reason_label(code: str) -> str:
    return labels.shopper_label("reason", code)


def reason_choices() -> list[tuple[Any, Any]]:
    """Grouped choices for a select: one optgroup per group with several reasons."""
    choices: list[tuple[Any, Any]] = [("", _("Choose a reason"))]
    for group in TAXONOMY:
        if len(group.reasons) == 1:
            reason = group.reasons[0]
            choices.append((reason.code, reason_label(reason.code)))
        else:
            choices.append(
                (
                    labels.shopper_label("reason_group", group.code),
                    [(r.code, reason_label(r.code)) for r in group.reasons],
                )
            )
    return choices


# --- claim reasons (a problem reported without sending anything back) -------------------------


def claim_reason_choices(codes: Iterable[str]) -> list[tuple[str, str]]:
    """`codes` (the service's claim reasons, in its order) with the shopper's words."""
    return [(code, labels.shopper_label("claim_reason", code)) for code in codes]


# --- why a line cannot be returned (policy reason codes) ----------------------------------------


def policy_reason(code: str, params: Mapping[str, str], message: str = "") -> str:
    """A policy engine reason in plain words of the active language (retorno.core.labels)."""
    return reason_texts.policy_reason_text(code, params, message)


def reasons_text(reasons: Iterable[Any]) -> list[str]:
    """Plain words for domain Reason objects or their JSON form, each once."""
    return reason_texts.policy_reasons_text(reasons)


def options_text(options: Mapping[str, Any] | None) -> str:
    """Variant options as "Size: M · Colour: navy"."""
    return " · ".join(
        f"{labels.shopper_label('option', str(k)).capitalize()}: {v}"
        for k, v in (options or {}).items()
    )


def address_lines(address: Mapping[str, Any] | None) -> list[str]:
    address = address or {}
    city = " ".join(str(address.get(k, "")) for k in ("postal_code", "city") if address.get(k))
    lines = [address.get("name"), address.get("line1"), address.get("line2"), city]
    lines += [address.get("region"), address.get("country")]
    return [str(x) for x in lines if x]


# --- branding ---------------------------------------------------------------------------------


# --- the public policy page ---------------------------------------------------------------------


def _join(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values)


def policy_settings_text(settings: Mapping[str, Any], currency: str) -> list[str]:
    """Sentences for a set of policy settings (the base or a rule's changes)."""
    out: list[str] = []
    if "window_days" in settings:
        days = int(settings["window_days"])
        start = settings.get("window_starts", "delivery")
        if start == "order":
            out.append(
                ngettext(
                    "You have %(days)s day from the order date to return an item.",
                    "You have %(days)s days from the order date to return an item.",
                    days,
                )
                % {"days": days}
            )
        else:
            out.append(
                ngettext(
                    "You have %(days)s day from delivery to return an item.",
                    "You have %(days)s days from delivery to return an item.",
                    days,
                )
                % {"days": days}
            )
    if settings.get("excluded_categories"):
        out.append(
            _("These categories cannot be returned: %(list)s.")
            % {"list": _join(labels.category_label(c) for c in settings["excluded_categories"])}
        )
    if settings.get("excluded_tags"):
        out.append(
            _("Items marked %(list)s cannot be returned.")
            % {"list": _join(labels.tag_label(t) for t in settings["excluded_tags"])}
        )
    if settings.get("final_sale_returnable") is False:
        out.append(_("Final-sale items cannot be returned."))
    elif settings.get("final_sale_returnable") is True:
        out.append(_("Final-sale items can be returned too."))
    if settings.get("max_discount_percent") is not None and "max_discount_percent" in settings:
        out.append(
            _("Items discounted by more than %(percent)s cannot be returned.")
            % {"percent": percent(Decimal(settings["max_discount_percent"]))}
        )
    if settings.get("resolutions"):
        out.append(
            _("You can choose: %(list)s.")
            % {
                "list": _join(
                    labels.shopper_label("resolution", r).lower() for r in settings["resolutions"]
                )
            }
        )
    bonus = settings.get("store_credit_bonus_percent")
    if bonus is not None and Decimal(bonus) > 0:
        out.append(
            _("Store credit comes with a %(percent)s bonus.") % {"percent": percent(Decimal(bonus))}
        )
    fee = settings.get("return_shipping_fee")
    if fee is not None:
        if Decimal(fee) > 0:
            out.append(
                _("Return shipping costs %(amount)s, taken from the refund.")
                % {"amount": money(Decimal(fee), currency)}
            )
        else:
            out.append(_("Return shipping is free."))
    restocking = settings.get("restocking_fee_percent")
    if restocking is not None and Decimal(restocking) > 0:
        out.append(
            _("A restocking fee of %(percent)s of the item's value applies.")
            % {"percent": percent(Decimal(restocking))}
        )
    if settings.get("fee_waived_reasons"):
        out.append(
            _("No fees when the reason is: %(list)s.")
            % {"list": _join(reason_label(r).lower() for r in settings["fee_waived_reasons"])}
        )
    if settings.get("fee_waived") is True:
        out.append(_("Returns are free of fees."))
    if settings.get("returnable") is False:
        out.append(_("These items cannot be returned."))
    if settings.get("refund_timing"):
        out.append(when_money_arrives(None, str(settings["refund_timing"])))
    if settings.get("review_reasons"):
        out.append(
            _("Returns for these reasons are checked by our team: %(list)s.")
            % {"list": _join(reason_label(r).lower() for r in settings["review_reasons"])}
        )
    if settings.get("always_review") is True:
        out.append(_("Every return is checked by our team."))
    return out


def policy_condition_text(when: Mapping[str, Any], currency: str) -> str:
    parts = []
    if when.get("tier_in"):
        parts.append(
            _("members of the %(list)s tiers")
            % {"list": _join(labels.tier_label(t) for t in when["tier_in"])}
        )
    if when.get("customer_tag_any"):
        parts.append(
            _("customers marked %(list)s")
            % {"list": _join(labels.tag_label(t) for t in when["customer_tag_any"])}
        )
    if when.get("country_in"):
        parts.append(_("orders shipped to %(list)s") % {"list": _join(when["country_in"])})
    if when.get("order_value_gte"):
        parts.append(
            _("orders of at least %(amount)s")
            % {"amount": money(Decimal(when["order_value_gte"]), currency)}
        )
    if when.get("order_value_lte"):
        parts.append(
            _("orders of at most %(amount)s")
            % {"amount": money(Decimal(when["order_value_lte"]), currency)}
        )
    if when.get("category_in"):
        parts.append(
            _("items in %(list)s")
            % {"list": _join(labels.category_label(c) for c in when["category_in"])}
        )
    if when.get("tag_any"):
        parts.append(
            _("items marked %(list)s")
            % {"list": _join(labels.tag_label(t) for t in when["tag_any"])}
        )
    if when.get("vendor_in"):
        parts.append(_("items from %(list)s") % {"list": _join(when["vendor_in"])})
    if when.get("sku_in"):
        parts.append(_("some specific items"))
    if when.get("reason_in"):
        parts.append(
            _("returns because: %(list)s")
            % {"list": _join(reason_label(r).lower() for r in when["reason_in"])}
        )
    if when.get("days_since_delivery_gte") is not None:
        parts.append(
            _("from day %(days)s after delivery") % {"days": when["days_since_delivery_gte"]}
        )
    if when.get("days_since_delivery_lte") is not None:
        parts.append(
            _("up to day %(days)s after delivery") % {"days": when["days_since_delivery_lte"]}
        )
    return "; ".join(parts)


def policy_page(document: Mapping[str, Any], currency: str) -> dict[str, Any]:
    """The policy document as sentences: the general rules and each special case."""
    cases = []
    for rule in document.get("rules", []):
        sentences = policy_settings_text(rule.get("then", {}), currency)
        if not sentences:
            continue
        cases.append(
            {"when": policy_condition_text(rule.get("when", {}), currency), "then": sentences}
        )
    return {"general": policy_settings_text(document.get("base", {}), currency), "cases": cases}
