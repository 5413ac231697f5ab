from __future__ import annotations

from typing import Any

from django import template

from retorno.core.templatetags import labels as text
from retorno.portal import display

register = template.Library()


# The one label table and money format (retorno.core.templatetags.labels), by their usual names.
register.filter("shopper_label", text.shopper_label)
register.filter("tier", text.tier)
register.filter("money", text.money)


@register.filter
def longdate(value: Any) -> str:
    return "" if value is None else display.long_date(value)
