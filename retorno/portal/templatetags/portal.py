from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from retorno.portal import display

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    return "" if amount is None else display.money(amount, currency)


@register.filter
def longdate(value: Any) -> str:
    return "" if value is None else display.long_date(value)
