"""What the policy engine answers: per line and for the whole return, with its explanation."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from retorno.domain.policies.reasons import Reason


class Outcome(enum.StrEnum):
    """APPROVE: create the return at once. REVIEW: a person must approve it. REJECT: do not
    create it; the per-line reasons say why."""

    APPROVE = "approve"
    REVIEW = "review"
    REJECT = "reject"


@dataclass(frozen=True, slots=True)
class RuleFired:
    """A policy rule that applied; `line_id` is None when it applied to the whole order."""

    rule_id: str
    line_id: str | None
    description: str


class KeepItemCode(enum.StrEnum):
    """Why the shopper may, or may not, keep the items instead of sending them back."""

    SHIPPING_EXCEEDS_RECOVERY = "shipping_exceeds_recovery"  # allowed
    KEEP_ITEM_DISABLED = "keep_item_disabled"
    ABOVE_MAX_ITEM_VALUE = "above_max_item_value"
    WORTH_RETURNING = "worth_returning"
    NOT_APPROVABLE = "not_approvable"


@dataclass(frozen=True, slots=True, kw_only=True)
class LineDecision:
    """The decision for one order line.

    `reasons` are blocking: a line with any reason makes a request for it fail. `eligible` is
    about the item (window, exclusions, quantity left), so an eligible line may still carry a
    request reason such as quantity_exceeds_returnable or resolution_not_allowed.
    `return_value` is the paid amount of min(requested, returnable) units; fees are already
    computed on it. `keep_item_refusal` is None when the policy lets this line be kept (on and
    under its value cap); `keep_item_recovered_value` is what the store expects to recover.
    """

    line_id: str
    eligible: bool
    returnable_quantity: int
    requested_quantity: int
    window_ends_at: datetime | None
    reasons: tuple[Reason, ...]
    allowed_resolutions: tuple[str, ...]
    return_value: Decimal
    restocking_fee: Decimal
    fee_waived: bool
    requires_review: bool
    review_reasons: tuple[Reason, ...]
    refund_timing: str
    qc_level: str
    store_credit_bonus_percent: Decimal
    damaged_deduction_percent: Decimal
    used_deduction_percent: Decimal
    photo_required_reasons: frozenset[str]
    keep_item_refusal: KeepItemCode | None
    keep_item_recovered_value: Decimal
    rules_fired: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class KeepItem:
    """Keep-the-item for the whole return: allowed when every line allows it and bringing the
    parcel back (`return_shipping_cost`) costs more than the store would recover."""

    allowed: bool
    code: KeepItemCode
    recovered_value: Decimal
    return_shipping_cost: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """The decision for a whole return (or, without a request, for every line of the order).

    Amounts are in `currency`, quantized to its minor unit. `return_shipping_fee` is charged
    once per return; fees together never exceed `return_value`. `requires_review` is true
    exactly when `outcome` is REVIEW; `review_reasons` lists every review trigger found, even
    when the outcome is REJECT. `instant_exchange`: an exchange ships the new item before the
    old one arrives, which must then come back within `instant_exchange_return_days`. The
    caller records the policy version next to it.
    """

    outcome: Outcome
    currency: str
    lines: tuple[LineDecision, ...]
    return_value: Decimal
    return_shipping_fee: Decimal
    restocking_fee: Decimal
    refund_shipping: bool
    requires_review: bool
    review_reasons: tuple[Reason, ...]
    instant_exchange: bool
    instant_exchange_return_days: int
    keep_item: KeepItem
    trace: tuple[RuleFired, ...]

    def kept_by_shopper(self, resolution: str | None) -> bool:
        """Whether a return decided so is kept by the shopper once approved, with no fees:
        keep-the-item is allowed and it is not an exchange (which settles in goods)."""
        return self.keep_item.allowed and resolution != "exchange"

    @property
    def store_credit_bonus_percent(self) -> Decimal:
        """The bonus on store credit for the whole return: the highest of its lines'."""
        return max((line.store_credit_bonus_percent for line in self.lines), default=Decimal(0))

    @property
    def fees_total(self) -> Decimal:
        """Return shipping plus every line's restocking fee."""
        return self.return_shipping_fee + self.restocking_fee

    def line(self, line_id: str) -> LineDecision:
        """The decision for `line_id`; KeyError if the line is not part of this decision."""
        for line_decision in self.lines:
            if line_decision.line_id == line_id:
                return line_decision
        raise KeyError(line_id)
