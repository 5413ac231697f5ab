"""The exchange picker: each variant the shopper may get instead, as a card with its picture,
price, stock and what swapping costs, the suggested size marked. Sold-out variants are shown
and cannot be chosen (the form refuses them too)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from retorno.core.pictures import line_picture, variant_picture
from retorno.domain.returns.reasons import size_direction, size_rank
from retorno.orders.models import Variant
from retorno.portal import display
from retorno.returns.selectors.exchange_quotes import exchange_quote_for_request

# At or under this many units a card says how many are left.
FEW_LEFT = 3


@dataclass(frozen=True)
class VariantCard:
    value: str  # the form's value for it
    name: str
    picture: str
    price: str
    cost: str  # what swapping one unit for it costs or gives back
    stock: str  # "in_stock", "few_left" or "sold_out"
    stock_text: str
    suggested: bool

    @property
    def available(self) -> bool:
        return self.stock != "sold_out"


@dataclass(frozen=True)
class Picker:
    name: str  # the form field
    title: str
    returned: str  # the returned item's options
    picture: str
    cards: list[VariantCard]
    suggestion: str  # why the suggested card is suggested ("" when none is)

    @property
    def choices(self) -> list[tuple[str, str]]:
        """What the form accepts: the cards in stock."""
        return [(c.value, c.name) for c in self.cards if c.available]

    @property
    def proposed(self) -> str | None:
        return next((c.value for c in self.cards if c.suggested), None)


def picker_for_line(line: Any, options: Any, reason: str, currency: str) -> Picker:
    """The picker of one returned line from its exchange options (returns.selectors)."""
    proposed_id = options.proposed.id if options.proposed is not None else None
    cards = [
        _card(line, variant, currency, suggested=variant.id == proposed_id)
        for variant in sorted([*options.variants, *options.sold_out], key=_near(line.options))
    ]
    return Picker(
        name=f"exchange_{line.id}",
        title=line.title,
        returned=display.options_text(line.options),
        picture=line_picture(line),
        cards=cards,
        suggestion=_suggestion(reason) if proposed_id is not None else "",
    )


def _near(returned: Any) -> Any:
    """Cards in the returned item's colour (its options but size) first, then by size."""
    rest = {k: v for k, v in (returned or {}).items() if k != "size"}

    def key(variant: Variant) -> tuple[bool, str, float, int]:
        options = variant.options or {}
        others = {k: v for k, v in options.items() if k != "size"}
        rank = size_rank(str(options.get("size", "")))
        return others != rest, display.options_text(others), rank or 0.0, variant.id

    return key


def _card(line: Any, variant: Variant, currency: str, *, suggested: bool) -> VariantCard:
    if variant.stock <= 0:
        stock, stock_text = "sold_out", _("Out of stock")
    elif variant.stock <= FEW_LEFT:
        stock = "few_left"
        stock_text = ngettext("Only %(count)s left", "Only %(count)s left", variant.stock) % {
            "count": variant.stock
        }
    else:
        stock, stock_text = "in_stock", _("In stock")
    return VariantCard(
        value=str(variant.id),
        name=display.options_text(variant.options) or variant.sku,
        picture=variant_picture(variant),
        price=display.money(variant.price, currency),
        cost=_cost(line, variant, currency),
        stock=stock,
        stock_text=stock_text,
        suggested=suggested,
    )


def _cost(line: Any, variant: Variant, currency: str) -> str:
    """What swapping one unit for `variant` costs, from the exchange quote."""
    quote = exchange_quote_for_request(currency=currency, swaps=[(line, variant, 1)])
    difference = quote.difference if quote else None
    if difference is None or difference.direction == "even":
        return _("Same price: nothing to pay")
    amount = display.money(difference.amount, currency)
    if difference.direction == "customer_pays":
        return _("%(amount)s more to pay") % {"amount": amount}
    return _("%(amount)s less, refunded to you") % {"amount": amount}


def _suggestion(reason: str) -> str:
    direction = size_direction(reason)
    if direction > 0:
        return _("You said it was too small: we suggest the next size up.")
    if direction < 0:
        return _("You said it was too large: we suggest the next size down.")
    return ""
