from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils import translation

from retorno.backoffice import labels

register = template.Library()

_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


@register.filter
def label(code: Any, kind: str) -> str:
    """`{{ item.reason|label:"reason" }}`"""
    return "" if code in (None, "") else labels.label(kind, str(code))


@register.filter
def money(amount: Any, currency: str) -> str:
    """An amount as staff of the active language write it: "€1,234.50" or "1.234,50 €"."""
    if amount in (None, ""):
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    sign = "-" if value < 0 else ""
    whole, _dot, fraction = f"{abs(value):,.2f}".partition(".")
    symbol = _SYMBOLS.get(currency, currency)
    if (translation.get_language() or "en").startswith("es"):
        whole = whole.replace(",", ".")
        return f"{sign}{whole},{fraction}\u00a0{symbol}"
    if symbol == currency:
        return f"{sign}{currency}\u00a0{whole}.{fraction}"
    return f"{sign}{symbol}{whole}.{fraction}"


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
