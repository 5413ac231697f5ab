"""How every message is laid out, whatever it says: the copy (subject, headline, paragraphs,
details, amounts), amounts in the shopper's currency and language, the rendered e-mail (HTML and
text) and its one line for SMS and WhatsApp."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from retorno.core.formatting import format_money
from retorno.core.pictures import absolute, placeholder_url
from retorno.notifications.snapshots import ItemSnapshot
from retorno.stores.models import Store


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str
    short_text: str


@dataclass(slots=True)
class Copy:
    subject: str
    headline: str
    paragraphs: list[str] = field(default_factory=list)
    details: list[tuple[str, str]] = field(default_factory=list)
    show_items: bool = True
    show_amounts: bool = False
    amounts_title: str = ""
    link_label: str = ""
    link_url: str = ""
    # The link is what the shopper has to do next: shown as the main button, and in the SMS.
    link_is_action: bool = False
    short_text: str = ""


class Money:
    def __init__(self, currency: str, language: str) -> None:
        self.currency = currency
        self.language = language

    def __call__(self, amount: Decimal) -> str:
        return format_money(amount, self.currency, self.language)


def rendered(store: Store, copy: Copy, context: dict[str, Any], *, url: str) -> Rendered:
    text = render_to_string("notifications/email/message.txt", context)
    html = render_to_string("notifications/email/message.html", context)
    if copy.short_text:
        short = _("%(store)s: %(text)s") % {"store": store.name, "text": copy.short_text}
    elif url:
        short = _("%(store)s: %(subject)s. Track it: %(url)s") % {
            "store": store.name,
            "subject": copy.subject,
            "url": url,
        }
    else:
        short = _("%(store)s: %(subject)s.") % {"store": store.name, "subject": copy.subject}
    return Rendered(subject=copy.subject, text=tidy(text), html=html, short_text=short)


def item_rows(items: tuple[ItemSnapshot, ...], money: Money) -> list[dict[str, Any]]:
    return [
        {
            "title": item.title,
            "variant": item.variant,
            "quantity": item.quantity,
            "amount_text": money(item.amount),  # already formatted
            # Messages written before pictures were kept get the neutral placeholder.
            "image_url": absolute(item.image_url or placeholder_url()),
            "exchange_variant": item.exchange_variant,
        }
        for item in items
    ]


def greeting(name: str) -> str:
    first = name.strip().split(" ")[0] if name.strip() else ""
    return _("Hi %(name)s,") % {"name": first} if first else _("Hello,")


def one_line_address(address: Any) -> str:
    if not isinstance(address, dict):
        return ""
    parts = [address.get(k) for k in ("line1", "line2", "postal_code", "city")]
    return ", ".join(str(p) for p in parts if p)


def parse_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def parse_amount(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def readable_text_colour(background: str) -> str:
    """Black or white, whichever reads better on `background` (#rrggbb), by WCAG luminance."""
    try:
        red, green, blue = (int(background[i : i + 2], 16) / 255 for i in (1, 3, 5))
    except (ValueError, IndexError):
        return "#ffffff"

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    # Contrast with white is (1.05)/(L+0.05), with black (L+0.05)/0.05: pick the larger.
    return "#ffffff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 else "#111111"


def tidy(text: str) -> str:
    """Collapse the blank lines template tags leave behind in the text part."""
    lines = [line.rstrip() for line in text.splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line == "" and (not tidy or tidy[-1] == ""):
            continue
        tidy.append(line)
    return "\n".join(tidy).strip() + "\n"
