"""The filters every page and message renders codes and money with: one table
(retorno.core.labels), one money format (retorno.core.formatting).

`{{ ret.status|label:"status" }}` for staff, `{{ ret.status|shopper_label:"status" }}` for
shoppers, `{{ refund.amount|money:refund.currency }}` for any amount. The back office's and the
portal's libraries register these same functions, so their templates need no other load.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from retorno.core import labels, reason_texts, rule_texts
from retorno.core.formatting import format_money

register = template.Library()


@register.filter
def label(code: Any, kind: str) -> str:
    """`{{ item.reason|label:"reason" }}`: the staff label of a code."""
    return "" if code in (None, "") else labels.label(kind, str(code))


@register.filter
def shopper_label(code: Any, kind: str) -> str:
    """`{{ ret.status|shopper_label:"status" }}`: the shopper's label of a code."""
    return "" if code in (None, "") else labels.shopper_label(kind, str(code))


@register.filter
def tier(code: Any) -> str:
    """`{{ customer.tier|tier }}`: a loyalty tier's name."""
    return "" if code in (None, "") else labels.tier_label(str(code))


@register.filter
def money(amount: Any, currency: str) -> str:
    """`{{ amount|money:currency }}`: an amount as a reader of the active language writes it,
    "€1,234.50" or "1234,50 €". Nothing for no amount; text that is no number as it is."""
    if amount in (None, ""):
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    return format_money(value, str(currency or ""))


@register.filter
def policy_reason(reason: Any) -> str:
    """`{{ reason|policy_reason }}`: a policy engine reason (a Reason or its JSON form) in a
    sentence of the active language, with its values; never its code."""
    texts = reason_texts.policy_reasons_text([reason])
    return texts[0] if texts else ""


@register.filter
def rule_description(fired: Any) -> str:
    """`{{ fired|rule_description }}`: a rule that fired (a RuleFired, a rule count or their JSON
    form) described in the active language when it is one of the default policy's rules."""
    if isinstance(fired, dict):
        rule_id, description = fired.get("rule_id", ""), fired.get("description", "")
    else:
        rule_id = getattr(fired, "rule_id", "")
        description = getattr(fired, "description", "")
    return rule_texts.rule_description(str(rule_id or ""), str(description or ""))
