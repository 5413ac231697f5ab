"""Refund arithmetic: what was actually paid for returned units, less deductions and fees.

A line's paid value is its unit price times quantity, less the line discount and its share of
order-level discounts, plus its tax. That value is split into per-unit shares that add up to it
exactly in minor units (retorno.domain.returns.amounts.units_paid_amount, reused here so that a
refund's gross equals the item amount the shopper was shown when the return was requested), and
the k-th unit of a line ever refunded always takes the k-th share. Whatever the order and size of
partial refunds, a line can therefore never give back more than was paid for it.

`plan_refund` builds a RefundPreview from those facts; it never raises for amounts that are merely
too large: it clamps them and lists every cap it applied, so an agent sees why. See docs/money.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from retorno.domain.errors import DomainError
from retorno.domain.money import MoneyError, allocate, minor_units, quantize
from retorno.domain.money._checks import require_amount, require_aware, require_count
from retorno.domain.money.deductions import NO_DEDUCTION, Deduction
from retorno.domain.money.discounts import order_discount_shares
from retorno.domain.money.timing import RefundTiming, pays_before_receipt
from retorno.domain.returns.amounts import units_paid_amount

_ZERO = Decimal(0)


class RefundError(DomainError):
    """Refund facts that cannot be computed on. Codes: invalid_amount, invalid_units,
    invalid_datetime, currency_mismatch, duplicate_line, unknown_line, units_exceed_line,
    invalid_discount, exceeds_refundable."""

    code = "invalid_refund"


# --- what was paid -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PaidLine:
    """One order line as paid. `discount` and `tax` are totals for the whole line.

    `order_discount_share` is this line's part of order-level discounts when the store reports
    them apart from lines (see `prorate_order_discount`); zero when they are already in `discount`.
    Every amount is a non-negative Decimal in minor units of `currency`.
    """

    line_id: str
    quantity: int
    unit_price: Decimal
    discount: Decimal = _ZERO
    tax: Decimal = _ZERO
    order_discount_share: Decimal = _ZERO
    currency: str

    def __post_init__(self) -> None:
        minor_units(self.currency)
        require_count(self.quantity, f"Line {self.line_id} quantity", RefundError)
        for name in ("unit_price", "discount", "tax", "order_discount_share"):
            require_amount(
                getattr(self, name), f"Line {self.line_id} {name}", self.currency, RefundError
            )
        if self.discount_total > self.goods_amount:
            raise RefundError(
                f"Line {self.line_id} discounts ({self.discount_total}) exceed its price "
                f"({self.goods_amount}).",
                code="invalid_discount",
            )

    @property
    def goods_amount(self) -> Decimal:
        """Price of all units before discounts and tax."""
        return self.unit_price * self.quantity

    @property
    def discount_total(self) -> Decimal:
        """Line discount plus the line's share of order-level discounts."""
        return self.discount + self.order_discount_share

    @property
    def paid_total(self) -> Decimal:
        """What the shopper paid for the whole line: price less every discount, plus tax."""
        return self.goods_amount - self.discount_total + self.tax


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderPayment:
    """What the shopper paid for an order: its lines and the outbound shipping (with its tax)."""

    lines: tuple[PaidLine, ...]
    shipping_amount: Decimal = _ZERO
    shipping_tax: Decimal = _ZERO
    currency: str

    def __post_init__(self) -> None:
        minor_units(self.currency)
        require_amount(self.shipping_amount, "shipping_amount", self.currency, RefundError)
        require_amount(self.shipping_tax, "shipping_tax", self.currency, RefundError)
        seen: set[str] = set()
        for line in self.lines:
            if line.currency != self.currency:
                raise RefundError(
                    f"Line {line.line_id} is in {line.currency}, the order in {self.currency}.",
                    code="currency_mismatch",
                )
            if line.line_id in seen:
                raise RefundError(f"Line {line.line_id} appears twice.", code="duplicate_line")
            seen.add(line.line_id)

    @property
    def shipping_total(self) -> Decimal:
        return self.shipping_amount + self.shipping_tax

    @property
    def paid_total(self) -> Decimal:
        """Everything the shopper paid: every line and the outbound shipping."""
        return sum((line.paid_total for line in self.lines), _ZERO) + self.shipping_total

    def line(self, line_id: str) -> PaidLine:
        """The line `line_id`; RefundError("unknown_line") when the order has no such line."""
        for line in self.lines:
            if line.line_id == line_id:
                return line
        raise RefundError(f"Line {line_id} is not part of the order.", code="unknown_line")


def prorate_order_discount(
    lines: Sequence[PaidLine], order_discount: Decimal, currency: str
) -> tuple[PaidLine, ...]:
    """Spread an order-level discount over `lines` by their value after line discounts.

    The shares are `order_discount_shares` (largest remainder, adding up exactly to
    `order_discount`, none above its line's value) and are stored in each line's
    `order_discount_share`, replacing any share it had. Raises RefundError("invalid_discount")
    when the discount exceeds what the lines are worth.
    """
    require_amount(order_discount, "order_discount", currency, RefundError)
    if not lines:
        if order_discount:
            raise RefundError("An order discount needs lines to apply to.", code="invalid_discount")
        return ()
    try:
        shares = order_discount_shares(
            order_discount, [line.goods_amount - line.discount for line in lines], currency
        )
    except MoneyError as exc:
        raise RefundError(exc.message, code="invalid_discount") from None
    return tuple(
        replace(line, order_discount_share=share) for line, share in zip(lines, shares, strict=True)
    )


# --- what some units of a line are worth ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnitsAmount:
    """The paid value of some units of a line, with the discount and tax it includes."""

    amount: Decimal
    discount_amount: Decimal
    tax_amount: Decimal


def _check_units(line: PaidLine, units: int, units_before: int) -> None:
    require_count(units, "units", RefundError)
    require_count(units_before, "units_already_refunded", RefundError)
    if units + units_before > line.quantity:
        raise RefundError(
            f"Line {line.line_id} has {line.quantity} unit(s); {units_before} already refunded "
            f"leaves fewer than {units}.",
            code="units_exceed_line",
        )


def _shares(total: Decimal, units: int, units_before: int, quantity: int, currency: str) -> Decimal:
    """Units units_before..units_before+units of `total` split in equal minor-unit shares."""
    if units == 0 or total == 0:
        return _ZERO
    parts = allocate(quantize(total, currency), [Decimal(1)] * quantity, currency)
    return sum(parts[units_before : units_before + units], _ZERO)


def refundable_units_amount(line: PaidLine, units: int, units_already_refunded: int) -> Decimal:
    """What `units` more units of `line` were paid, after `units_already_refunded` of its units.

    `units_already_refunded` counts the line's units refunded by every return so far (it picks
    the shares). Successive calls over a line add up to at most its paid total, and to exactly
    it once every unit is refunded. Raises RefundError("units_exceed_line") past the quantity.
    """
    _check_units(line, units, units_already_refunded)
    return units_paid_amount(
        paid_total=line.paid_total,
        quantity=line.quantity,
        units=units,
        units_before=units_already_refunded,
        currency=line.currency,
    )


def refundable_units_breakdown(
    line: PaidLine, units: int, units_already_refunded: int
) -> UnitsAmount:
    """`refundable_units_amount` with the discount and tax included in it (each split in the same
    successive shares, so they too add up to the line's totals). The tax part never exceeds the
    amount: equal-weight shares of a larger total are never smaller, unit by unit."""
    amount = refundable_units_amount(line, units, units_already_refunded)
    args = (units, units_already_refunded, line.quantity, line.currency)
    return UnitsAmount(
        amount=amount,
        discount_amount=_shares(line.discount_total, *args),
        tax_amount=_shares(line.tax, *args),
    )


def restocking_fee_share(
    fee_total: Decimal, units_decided: int, units_charged_before: int, units: int, currency: str
) -> Decimal:
    """The part of a restocking fee decided for `units_decided` units that `units` more units bear.

    The policy decides a line's fee on the requested units; when fewer arrive, or they are
    refunded in several goes, each unit bears one equal minor-unit share, so the fee is never
    charged twice and never for units that were not refunded.
    """
    require_amount(fee_total, "fee_total", currency, RefundError)
    require_count(units_decided, "units_decided", RefundError)
    require_count(units_charged_before, "units_charged_before", RefundError)
    require_count(units, "units", RefundError)
    if units_charged_before + units > units_decided:
        raise RefundError(
            f"The fee was decided for {units_decided} unit(s), not {units_charged_before + units}.",
            code="units_exceed_line",
        )
    return _shares(fee_total, units, units_charged_before, units_decided, currency)


# --- the refund plan -----------------------------------------------------------------------------


class RefundCap(StrEnum):
    """A limit that changed an amount; listed on the preview so the agent sees why."""

    UNITS_NOT_RECEIVED = "units_not_received"  # fewer units received and accepted than approved
    LINE_QUANTITY = "line_quantity"  # the line has no more unrefunded units
    LINE_AMOUNT = "line_amount"  # the line has less unrefunded value than its shares
    DEDUCTION_LIMITED = "deduction_limited"  # a deduction larger than the item's gross
    FEE_LIMITED = "fee_limited"  # a restocking fee larger than what was left of the item
    RETURN_SHIPPING_FEE_LIMITED = "return_shipping_fee_limited"  # more fee than refund
    SHIPPING_ALREADY_REFUNDED = "shipping_already_refunded"  # outbound shipping goes back once
    ORDER_REMAINING = "order_remaining"  # paid minus already refunded


@dataclass(frozen=True, slots=True)
class AppliedCap:
    cap: RefundCap
    line_id: str | None
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundItem:
    """One return item to refund now.

    `units_already_refunded`: units of this return item refunded before (bounds this refund).
    `line_units_already_refunded`: units of the order line refunded by every return so far,
    this one included (bounds the units; picks the paid shares when `first_share` is None).
    `first_share`: the line's share the item's first unit took when it was requested (the
    units other returns held then); its units take the shares from there on, so its refunds
    add up to exactly the amount it was quoted, in whatever order returns are refunded.
    `line_amount_already_refunded`: the line's paid value refunded so far (gross, every
    return and claim): no refund takes the line past what was paid for it.
    `deduction`: the inspection deduction for the units refunded now (inspection_deduction on
    their amount). `restocking_fee`: the fee these units bear (see restocking_fee_share).
    """

    line_id: str
    units_approved: int
    units_received_accepted: int
    units_already_refunded: int = 0
    line_units_already_refunded: int
    first_share: int | None = None
    line_amount_already_refunded: Decimal = _ZERO
    deduction: Deduction = NO_DEDUCTION
    restocking_fee: Decimal = _ZERO

    @property
    def next_share(self) -> int:
        """The line's share the next unit refunded takes."""
        if self.first_share is None:
            return self.line_units_already_refunded
        return self.first_share + self.units_already_refunded

    def __post_init__(self) -> None:
        for name in (
            "units_approved",
            "units_received_accepted",
            "units_already_refunded",
            "line_units_already_refunded",
        ):
            require_count(getattr(self, name), f"Item {self.line_id} {name}", RefundError)
        if self.first_share is not None:
            require_count(self.first_share, f"Item {self.line_id} first_share", RefundError)
        if self.line_amount_already_refunded < 0:
            raise RefundError(
                f"Item {self.line_id}: line_amount_already_refunded is negative.",
                code="invalid_amount",
            )
        if self.units_received_accepted > self.units_approved:
            raise RefundError(
                f"Item {self.line_id}: more units accepted than approved.", code="invalid_units"
            )
        if self.units_already_refunded > self.line_units_already_refunded:
            raise RefundError(
                f"Item {self.line_id}: the item has more units refunded than its line.",
                code="invalid_units",
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundItemPreview:
    """One item of a refund preview. `net_amount` = gross − deduction − restocking fee ≥ 0."""

    line_id: str
    units: int
    gross_amount: Decimal
    discount_amount: Decimal
    tax_amount: Decimal
    deduction_amount: Decimal
    deduction_reason_code: str
    deduction_message: str
    restocking_fee: Decimal
    net_amount: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundPreview:
    """What a refund would pay, item by item, before it is executed.

    `total_amount` = items net + shipping refunded − return shipping fee charged, then capped at
    `refundable_remaining` (paid − already refunded). `tax_amount` is the tax included in the
    items' gross and the shipping refunded (before deductions and fees). Every amount is in
    minor units of `currency` and non-negative.
    """

    currency: str
    timing: RefundTiming
    previewed_at: datetime
    items: tuple[RefundItemPreview, ...]
    items_gross: Decimal
    items_deduction: Decimal
    items_restocking_fee: Decimal
    items_net: Decimal
    shipping_refund_amount: Decimal
    return_shipping_fee_charged: Decimal
    return_shipping_fee_uncharged: Decimal
    tax_amount: Decimal
    refundable_remaining: Decimal
    total_amount: Decimal
    caps: tuple[AppliedCap, ...]

    @property
    def capped_by(self) -> tuple[RefundCap, ...]:
        return tuple(applied.cap for applied in self.caps)


def plan_refund(
    payment: OrderPayment,
    items: Iterable[RefundItem],
    *,
    timing: RefundTiming | str,
    return_shipping_fee: Decimal = _ZERO,
    refund_shipping: bool = False,
    shipping_already_refunded: bool = False,
    already_refunded_total: Decimal = _ZERO,
    now: datetime,
) -> RefundPreview:
    """Preview the refund of `items` of an order paid as `payment`.

    Units refunded per item: approved units when `timing` pays before receipt (on_approval,
    on_first_scan), else units received and accepted; less the item's units already refunded,
    and never past the line's unrefunded units. `return_shipping_fee` is the part of the return's
    fee not yet charged; it is charged only up to what the refund pays (the rest is reported as
    uncharged, for a later partial refund). Outbound shipping (with its tax) goes back in full
    when `refund_shipping` and not `shipping_already_refunded`, once per order and never
    prorated. The total is capped at `payment.paid_total − already_refunded_total`
    (`already_refunded_total` counts every refund of the order, including any made outside
    Retorno). Raises RefundError for invalid facts, never for amounts that only need capping.
    """
    currency = payment.currency
    timing_value = _timing(timing)
    require_aware(now, "now", RefundError)
    require_amount(return_shipping_fee, "return_shipping_fee", currency, RefundError)
    require_amount(already_refunded_total, "already_refunded_total", currency, RefundError)
    caps: list[AppliedCap] = []
    by_approval = pays_before_receipt(timing_value)

    previews: list[RefundItemPreview] = []
    seen: set[str] = set()
    for item in items:
        if item.line_id in seen:
            raise RefundError(f"Line {item.line_id} is listed twice.", code="duplicate_line")
        seen.add(item.line_id)
        previews.append(_item_preview(payment.line(item.line_id), item, by_approval, caps))

    items_net = sum((p.net_amount for p in previews), _ZERO)
    shipping_refund = _ZERO
    shipping_tax = _ZERO
    if refund_shipping and shipping_already_refunded and payment.shipping_total:
        caps.append(
            AppliedCap(
                RefundCap.SHIPPING_ALREADY_REFUNDED,
                None,
                "Outbound shipping was already refunded for this order.",
            )
        )
    elif refund_shipping:
        shipping_refund, shipping_tax = payment.shipping_total, payment.shipping_tax

    fee_charged = min(return_shipping_fee, items_net + shipping_refund)
    if fee_charged < return_shipping_fee:
        caps.append(
            AppliedCap(
                RefundCap.RETURN_SHIPPING_FEE_LIMITED,
                None,
                f"Only {fee_charged} of the {return_shipping_fee} return shipping fee could be "
                "deducted from this refund.",
            )
        )
    total = items_net + shipping_refund - fee_charged

    remaining = max(_ZERO, payment.paid_total - already_refunded_total)
    if total > remaining:
        caps.append(
            AppliedCap(
                RefundCap.ORDER_REMAINING,
                None,
                f"The refund was lowered from {total} to {remaining}: the order was paid "
                f"{payment.paid_total} and {already_refunded_total} is already refunded.",
            )
        )
        total = remaining

    return RefundPreview(
        currency=currency,
        timing=timing_value,
        previewed_at=now,
        items=tuple(previews),
        items_gross=sum((p.gross_amount for p in previews), _ZERO),
        items_deduction=sum((p.deduction_amount for p in previews), _ZERO),
        items_restocking_fee=sum((p.restocking_fee for p in previews), _ZERO),
        items_net=items_net,
        shipping_refund_amount=shipping_refund,
        return_shipping_fee_charged=fee_charged,
        return_shipping_fee_uncharged=return_shipping_fee - fee_charged,
        tax_amount=sum((p.tax_amount for p in previews), _ZERO) + shipping_tax,
        refundable_remaining=remaining,
        total_amount=total,
        caps=tuple(caps),
    )


def _timing(value: RefundTiming | str) -> RefundTiming:
    try:
        return RefundTiming(value)
    except ValueError:
        raise RefundError(
            f"Unknown refund timing {value!r}.", code="invalid_refund_timing"
        ) from None


def _item_preview(
    line: PaidLine, item: RefundItem, by_approval: bool, caps: list[AppliedCap]
) -> RefundItemPreview:
    currency = line.currency
    deduction_asked = require_amount(item.deduction.amount, "deduction", currency, RefundError)
    fee_asked = require_amount(item.restocking_fee, "restocking_fee", currency, RefundError)
    if item.units_approved > line.quantity:
        raise RefundError(
            f"Item {item.line_id}: {item.units_approved} unit(s) approved, the line has "
            f"{line.quantity}.",
            code="units_exceed_line",
        )

    bound = item.units_approved if by_approval else item.units_received_accepted
    if not by_approval and bound < item.units_approved:
        caps.append(
            AppliedCap(
                RefundCap.UNITS_NOT_RECEIVED,
                item.line_id,
                f"{item.units_approved} unit(s) approved, {bound} received and accepted: "
                f"only those are refunded.",
            )
        )
    units = max(0, bound - item.units_already_refunded)
    line_left = max(0, line.quantity - max(item.line_units_already_refunded, item.next_share))
    if units > line_left:
        caps.append(
            AppliedCap(
                RefundCap.LINE_QUANTITY,
                item.line_id,
                f"Only {line_left} unit(s) of this line are not refunded yet.",
            )
        )
        units = line_left

    paid = refundable_units_breakdown(line, units, item.next_share)
    value_left = max(_ZERO, quantize(line.paid_total, currency) - item.line_amount_already_refunded)
    if paid.amount > value_left:
        caps.append(
            AppliedCap(
                RefundCap.LINE_AMOUNT,
                item.line_id,
                f"Only {value_left} of what was paid for this line is not refunded yet.",
            )
        )
        paid = UnitsAmount(
            amount=value_left,
            discount_amount=paid.discount_amount,
            tax_amount=min(paid.tax_amount, value_left),
        )
    deduction = min(deduction_asked, paid.amount)
    if deduction < deduction_asked:
        caps.append(
            AppliedCap(
                RefundCap.DEDUCTION_LIMITED,
                item.line_id,
                f"The deduction was limited to the item's {paid.amount}.",
            )
        )
    fee = min(fee_asked, paid.amount - deduction)
    if fee < fee_asked:
        caps.append(
            AppliedCap(
                RefundCap.FEE_LIMITED, item.line_id, f"The restocking fee was limited to {fee}."
            )
        )
    return RefundItemPreview(
        line_id=item.line_id,
        units=units,
        gross_amount=paid.amount,
        discount_amount=paid.discount_amount,
        tax_amount=paid.tax_amount,
        deduction_amount=deduction,
        deduction_reason_code=item.deduction.reason_code if deduction else NO_DEDUCTION.reason_code,
        deduction_message=item.deduction.message if deduction else NO_DEDUCTION.message,
        restocking_fee=fee,
        net_amount=paid.amount - deduction - fee,
    )


def check_manual_refund(
    amount: Decimal, payment: OrderPayment, already_refunded_total: Decimal
) -> Decimal:
    """Validate an amount an agent typed for a refund (an override or a claim).

    Unlike plan_refund, nothing is clamped: the agent must see the problem. Returns `amount`;
    raises RefundError("invalid_amount") for a negative, zero or badly rounded amount and
    RefundError("exceeds_refundable") above paid − already refunded.
    """
    currency = payment.currency
    require_amount(amount, "amount", currency, RefundError)
    require_amount(already_refunded_total, "already_refunded_total", currency, RefundError)
    if amount == 0:
        raise RefundError("A refund must be more than zero.", code="invalid_amount")
    remaining = max(_ZERO, payment.paid_total - already_refunded_total)
    if amount > remaining:
        raise RefundError(
            f"At most {remaining} {currency} can still be refunded on this order.",
            code="exceeds_refundable",
        )
    return amount
