"""An exchange as the shopper reads it: the new variant of each item and any amount that
changes hands, with its reason (the figures come from retorno.returns.selectors.exchange_quotes)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from retorno.domain.money.charges import KeptLine, kept_unit_amount, unreturned_amount
from retorno.domain.money.exchange import DifferenceDirection, ExchangeDifference
from retorno.portal import display
from retorno.returns.selectors.exchange_quotes import ExchangeQuote, Swap


@dataclass(frozen=True)
class SwapRow:
    title: str
    units: int
    options: str
    new_options: str
    why: str  # the amount of this line and its reason


@dataclass(frozen=True)
class ExchangeView:
    rows: list[SwapRow]
    total: str  # what the whole exchange costs or gives back, and when
    direction: str


def exchange_view(quote: ExchangeQuote | None) -> ExchangeView | None:
    if quote is None:
        return None
    rows = [
        SwapRow(
            title=swap.title,
            units=swap.units,
            options=display.options_text(swap.options),
            new_options=display.options_text(swap.new_options),
            why=_swap_reason(swap, quote.currency),
        )
        for swap in quote.swaps
    ]
    return ExchangeView(
        rows=rows,
        total=_total(quote.difference),
        direction=quote.difference.direction.value,
    )


def _swap_reason(swap: Swap, currency: str) -> str:
    values = {
        "amount": display.money(swap.difference.amount, currency),
        "price": display.money(swap.new_unit_price, currency),
        "paid": display.money(swap.returned_unit_paid, currency),
    }
    if swap.difference.direction is DifferenceDirection.CUSTOMER_PAYS:
        return (
            ngettext(
                "The new item costs %(price)s and you paid %(paid)s for yours: %(amount)s to pay.",
                "The new items cost %(price)s each and you paid %(paid)s for each of yours: "
                "%(amount)s to pay.",
                swap.units,
            )
            % values
        )
    if swap.difference.direction is DifferenceDirection.CUSTOMER_REFUNDED:
        return (
            ngettext(
                "The new item costs %(price)s and you paid %(paid)s for yours: we refund you "
                "%(amount)s.",
                "The new items cost %(price)s each and you paid %(paid)s for each of yours: we "
                "refund you %(amount)s.",
                swap.units,
            )
            % values
        )
    return _("Same price as you paid (%(paid)s): nothing to pay.") % values


def _total(difference: ExchangeDifference) -> str:
    amount = display.money(difference.amount, difference.currency)
    if difference.direction is DifferenceDirection.CUSTOMER_PAYS:
        return _(
            "You pay %(amount)s, the price difference, to your original payment method before "
            "the new item ships."
        ) % {"amount": amount}
    if difference.direction is DifferenceDirection.CUSTOMER_REFUNDED:
        return _(
            "We refund %(amount)s, the price difference, to your original payment method when "
            "the new item ships."
        ) % {"amount": amount}
    return _("The exchange costs you nothing: no fees and no price difference.")


def instant_terms(quote: ExchangeQuote | None, return_days: int) -> str:
    """The charge-if-not-returned rule of an instant exchange, with the amount the domain's
    charge-back would take if nothing came back (retorno.domain.money.charges)."""
    if quote is None:
        return ""
    charged = quote.difference.direction is DifferenceDirection.CUSTOMER_PAYS
    kept = unreturned_amount(
        [
            KeptLine(
                units_shipped=swap.units,
                units_received=0,
                unit_amount=kept_unit_amount(
                    swap.new_unit_price,
                    swap.returned_unit_paid,
                    difference_charged=charged,
                    currency=quote.currency,
                ),
            )
            for swap in quote.swaps
        ],
        quote.currency,
    )
    return _(
        "Instant exchange: we ship your new item as soon as your return is approved, before "
        "yours reaches us. Send yours back within %(days)s days. If by then no carrier has "
        "scanned it and it has not reached us, we charge %(amount)s, the price of what you "
        "kept, to your original payment method; if it arrives later, we refund that charge for "
        "what comes back."
    ) % {"days": return_days, "amount": display.money(kept, quote.currency)}
