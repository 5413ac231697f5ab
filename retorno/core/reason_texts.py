"""The policy engine's reasons (domain.policies.reasons) in sentences of the active language,
with their values: what a shopper is told and what staff read about a decision. The short
labels of the same codes are in retorno.core.labels (kind "policy_reason")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.dateparse import parse_date
from django.utils.translation import gettext

from retorno.core.formatting import format_date
from retorno.core.labels import category_label, tag_label


def policy_reason_text(code: str, params: Mapping[str, str], message: str = "") -> str:
    """A policy engine reason in plain words of the active language."""
    if code == "excluded_category" and "category" in params:
        params = {**params, "category": category_label(params["category"])}
    if code == "excluded_tag" and "tag" in params:
        params = {**params, "tag": tag_label(params["tag"])}
    if code == "window_expired":
        when = parse_date(params.get("date", ""))
        return gettext("The return window for this item ended on %(date)s.") % {
            "date": format_date(when) if when else params.get("date", "")
        }
    texts = {
        "not_delivered": gettext("This item has not been delivered yet, so it cannot be returned."),
        "final_sale": gettext("This item was sold as final sale and cannot be returned."),
        "excluded_category": gettext("Items in the category “%(category)s” cannot be returned."),
        "excluded_tag": gettext("Items marked “%(tag)s” cannot be returned."),
        "discount_above_limit": gettext(
            "This item was discounted by more than %(max_percent)s%% and cannot be returned."
        ),
        "excluded_by_rule": gettext(
            "This item cannot be returned under the store's return policy."
        ),
        "already_returned": gettext(
            "Every unit of this item has already been returned or is being returned."
        ),
        "unknown_line": gettext("This item is not part of the order."),
        "quantity_exceeds_returnable": gettext(
            "You asked to return %(requested)s of this item, but only %(returnable)s can be "
            "returned."
        ),
        "resolution_not_allowed": gettext("This option is not available for this item."),
        "value_above_review_threshold": gettext("Returns of this value are checked by our team."),
        "reason_requires_review": gettext("Returns for this reason are checked by our team."),
        "always_review": gettext("Returns of this item are checked by our team."),
    }
    text = texts.get(code)
    if text is None:
        return message or gettext("This item cannot be returned.")
    try:
        return text % {k: v for k, v in params.items()}
    except (KeyError, ValueError, TypeError):
        return message or text


def policy_reasons_text(reasons: Iterable[Any]) -> list[str]:
    """Plain words for domain Reason objects or their JSON form."""
    out = []
    for reason in reasons:
        if isinstance(reason, Mapping):
            code, params, message = (
                reason.get("code", ""),
                dict(reason.get("params") or []),
                reason.get("message", ""),
            )
        else:
            code, params, message = reason.code, reason.params_dict, reason.message
        text = policy_reason_text(code, params, message)
        if text not in out:
            out.append(text)
    return out
