"""Exchanges and keep-the-item: the price difference of a swap, who may get the new item before
sending the old one back, and when a return is not worth shipping at all."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from retorno.domain.errors import DomainError
from retorno.domain.money import quantize
from retorno.domain.resolutions._checks import require_amount

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


class ExchangeError(DomainError):
    code = "invalid_exchange"


class DifferenceDirection(StrEnum):
    CUSTOMER_PAYS = "customer_pays"  # the new variant costs more: charge the shopper
    CUSTOMER_REFUNDED = "customer_refunded"  # it costs less: refund the difference
    EVEN = "even"


@dataclass(frozen=True, slots=True)
class ExchangeDifference:
    """`amount` is the non-negative difference in minor units; `direction` says who pays it."""

    amount: Decimal
    direction: DifferenceDirection
    currency: str


def exchange_difference(
    new_unit_price: Decimal, returned_unit_paid: Decimal, currency: str
) -> ExchangeDifference:
    """The price difference of swapping one returned unit for one unit of another variant.

    `returned_unit_paid` is what the shopper actually paid for the returned unit (its share of
    discounts and tax included: refundable_units_amount for one unit). `new_unit_price` is what
    the new variant costs the shopper today, tax included, after any discount the store extends
    to exchanges. Both must already be in minor units; the difference is exact.
    """
    require_amount(new_unit_price, "new_unit_price", currency, ExchangeError)
    require_amount(returned_unit_paid, "returned_unit_paid", currency, ExchangeError)
    difference = quantize(new_unit_price - returned_unit_paid, currency)
    if difference > 0:
        return ExchangeDifference(difference, DifferenceDirection.CUSTOMER_PAYS, currency)
    if difference < 0:
        return ExchangeDifference(-difference, DifferenceDirection.CUSTOMER_REFUNDED, currency)
    return ExchangeDifference(_ZERO, DifferenceDirection.EVEN, currency)


def instant_exchange_allowed(tier: str | None, allowed_tiers: Iterable[str]) -> bool:
    """True when a shopper of `tier` may get the new item before the old one arrives.

    The store lists the tiers it trusts; no tier (a guest) is never trusted, and an empty list
    turns instant exchanges off. Tier names compare exactly, as in policy `tier_in`.
    """
    return tier is not None and tier != "" and tier in frozenset(allowed_tiers)


@dataclass(frozen=True, slots=True)
class KeepItemRules:
    """When the store would rather let the shopper keep an item than pay to bring it back.

    `recovery_percent`: what the store expects to recover of the item value once it is back
    (100 = sells at full value; lower for categories that are usually liquidated).
    `max_item_value`: never offer keep-the-item above this value (None: no cap).
    `enabled`: a store can turn the rule off.
    """

    enabled: bool = True
    recovery_percent: Decimal = _HUNDRED
    max_item_value: Decimal | None = None

    def __post_init__(self) -> None:
        percent = self.recovery_percent
        if not isinstance(percent, Decimal) or not percent.is_finite() or not 0 <= percent <= 100:
            raise ExchangeError(
                f"recovery_percent must be between 0 and 100, not {percent!r}.",
                code="invalid_keep_item_rules",
            )
        if self.max_item_value is not None and (
            not isinstance(self.max_item_value, Decimal) or self.max_item_value < 0
        ):
            raise ExchangeError(
                "max_item_value must be a non-negative Decimal.", code="invalid_keep_item_rules"
            )


@dataclass(frozen=True, slots=True)
class KeepItemAdvice:
    """`recommended` with a stable `reason_code` and the recovery value it was based on."""

    recommended: bool
    reason_code: str
    recovered_value: Decimal


def keep_item_advice(
    item_value: Decimal, return_shipping_cost: Decimal, rules: KeepItemRules, currency: str
) -> KeepItemAdvice:
    """Whether to let the shopper keep the item, and why.

    Recommended when the return would cost strictly more than the store expects to recover
    (item_value × recovery_percent), unless the rules are off or the item is worth more than
    `max_item_value`. Reason codes: keep_item_disabled, above_max_item_value,
    shipping_exceeds_recovery, worth_returning.
    """
    require_amount(item_value, "item_value", currency, ExchangeError)
    require_amount(return_shipping_cost, "return_shipping_cost", currency, ExchangeError)
    recovered = quantize(item_value * rules.recovery_percent / _HUNDRED, currency)
    if not rules.enabled:
        return KeepItemAdvice(False, "keep_item_disabled", recovered)
    if rules.max_item_value is not None and item_value > rules.max_item_value:
        return KeepItemAdvice(False, "above_max_item_value", recovered)
    if return_shipping_cost > recovered:
        return KeepItemAdvice(True, "shipping_exceeds_recovery", recovered)
    return KeepItemAdvice(False, "worth_returning", recovered)


def keep_item_recommended(
    item_value: Decimal,
    return_shipping_cost: Decimal,
    rules: KeepItemRules,
    currency: str,
) -> bool:
    """True when keep_item_advice recommends letting the shopper keep the item."""
    return keep_item_advice(item_value, return_shipping_cost, rules, currency).recommended
