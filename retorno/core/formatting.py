"""Money and dates as a person reads them, in their language (CLDR conventions): the one
formatter of the portal, the back office and the messages (templates use the `money` filter).

Only the languages Retorno ships (English, Spanish) are covered; anything else falls back to
English conventions.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import formats, translation

from retorno.domain.money import MoneyError, minor_units, quantize

NBSP = "\u00a0"

# Symbols per language where CLDR has one; other currencies show their ISO code.
_SYMBOLS: dict[str, dict[str, str]] = {
    "en": {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "MXN": "MX$", "CAD": "CA$"},
    "es": {"EUR": "€", "USD": "US$", "GBP": "GB£", "JPY": "JPY", "MXN": "MXN", "CAD": "CA$"},
}


def base_language(language: str | None) -> str:
    return (language or "").replace("_", "-").split("-")[0].lower()


def format_money(amount: Decimal, currency: str, language: str | None = None) -> str:
    """`amount` in `currency` the way a reader of `language` writes it.

    English: "€1,234.56", "-€5.00", "CHF 12.00". Spanish: "1234,56 €", "12.345,67 €" (grouping
    from five integer digits, as CLDR's minimumGroupingDigits=2), "-5,00 €". The space before a
    trailing symbol is a no-break space, so the amount never wraps away from its currency.
    """
    lang = base_language(language or translation.get_language())
    try:
        digits = minor_units(currency)
        amount = quantize(amount, currency)
    except MoneyError:
        digits = 2
    negative = amount < 0
    text = f"{abs(amount):.{digits}f}"
    whole, _dot, fraction = text.partition(".")
    if lang == "es":
        grouped = _group(whole, ".") if len(whole) >= 5 else whole
        number = f"{grouped},{fraction}" if fraction else grouped
        symbol = _SYMBOLS["es"].get(currency, currency)
        return f"{'-' if negative else ''}{number}{NBSP}{symbol}"
    grouped = _group(whole, ",")
    number = f"{grouped}.{fraction}" if fraction else grouped
    en_symbol = _SYMBOLS["en"].get(currency)
    if en_symbol is None:
        return f"{'-' if negative else ''}{currency}{NBSP}{number}"
    return f"{'-' if negative else ''}{en_symbol}{number}"


def _group(whole: str, separator: str) -> str:
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return separator.join(groups)


def format_date(value: date) -> str:
    """A long date in the active language: "May 2, 2025" / "2 de mayo de 2025"."""
    return formats.date_format(value, "DATE_FORMAT")
