from __future__ import annotations

from typing import Any

from django import template
from django.utils import translation

from retorno.core import labels
from retorno.core.templatetags import labels as text
from retorno.domain.returns.sla import sla_level

register = template.Library()

# The one label table and money format (retorno.core.templatetags.labels), by their usual names.
register.filter("label", text.label)
register.filter("shopper_label", text.shopper_label)
register.filter("tier", text.tier)
register.filter("money", text.money)
register.filter("policy_reason", text.policy_reason)
register.filter("rule_description", text.rule_description)


@register.filter
def share(value: Any) -> str:
    """A share between 0 and 1 as a whole percentage in the active language: "87%", "87 %"."""
    try:
        percent = round(float(value) * 100)
    except (TypeError, ValueError):
        return ""
    if (translation.get_language() or "en").startswith("es"):
        return f"{percent}\u00a0%"
    return f"{percent}%"


@register.filter
def item_reasons(return_request: Any) -> str:
    """The distinct reasons of a return's (prefetched) items, labelled, in item order."""
    codes = dict.fromkeys(item.reason for item in return_request.items.all())
    return ", ".join(labels.label("reason", code) for code in codes)


@register.filter
def readings(predictions: Any, return_id: Any) -> list[Any]:
    """The answered comment predictions of one return, from the page's predictions by id."""
    return [p for p in (predictions or {}).get(return_id, []) if not p.abstained]


@register.filter
def evidence(item: Any) -> str:
    """`{{ item|evidence }}` for a signal's evidence (a domain Evidence)."""
    return labels.evidence_text(item.code, dict(item.params))


@register.filter
def sla(return_request: Any, now: Any) -> str:
    """`{{ r|sla:now }}`: the colour of the return's timer in its state (ok, due, late), or
    nothing for a finished return."""
    level = sla_level(return_request.status, now - return_request.in_status_since)
    return level.value if level else ""
