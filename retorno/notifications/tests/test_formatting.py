from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from retorno.core.formatting import format_date, format_money
from retorno.core.labels import tier_label
from retorno.notifications.copy import readable_text_colour

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("amount", "currency", "language", "expected"),
    [
        ("21.63", "EUR", "en", "€21.63"),
        ("21.63", "EUR", "es", f"21,63{NBSP}€"),
        ("1234.5", "EUR", "en", "€1,234.50"),
        ("1234.5", "EUR", "es", f"1234,50{NBSP}€"),
        ("12345.67", "EUR", "es", f"12.345,67{NBSP}€"),
        ("1234567.891", "EUR", "es", f"1.234.567,89{NBSP}€"),
        ("-5", "EUR", "en", "-€5.00"),
        ("-5", "EUR", "es", f"-5,00{NBSP}€"),
        ("10", "USD", "en", "$10.00"),
        ("10", "USD", "es", f"10,00{NBSP}US$"),
        ("1500", "JPY", "en", "¥1,500"),
        ("12.5", "CHF", "en", f"CHF{NBSP}12.50"),
        ("12.5", "CHF", "es-ES", f"12,50{NBSP}CHF"),
        ("0.005", "EUR", "en", "€0.01"),
    ],
)
def test_money_in_the_shoppers_locale(amount, currency, language, expected):
    assert format_money(Decimal(amount), currency, language) == expected


def test_money_uses_the_active_language_by_default():
    with translation.override("es"):
        assert format_money(Decimal("3"), "EUR") == f"3,00{NBSP}€"


def test_tiers_and_dates_are_translated():
    with translation.override("es"):
        assert tier_label("gold") == "Oro"
        assert tier_label("diamante negro") == "Diamante Negro"
        assert format_date(date(2031, 5, 2)) == "2 de mayo de 2031"
    with translation.override("en"):
        assert tier_label("GOLD") == "Gold"
        assert format_date(date(2031, 5, 2)) == "May 2, 2031"


@pytest.mark.parametrize(
    ("background", "text"),
    [("#1f4e79", "#ffffff"), ("#f2a900", "#111111"), ("#ffffff", "#111111"), ("bad", "#ffffff")],
)
def test_button_text_stays_readable_on_the_brand_colour(background, text):
    assert readable_text_colour(background) == text
