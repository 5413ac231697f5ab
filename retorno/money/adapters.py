"""The only place that maps between resolution rows and the money domain."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from retorno.domain.money import quantize
from retorno.domain.money.deductions import DEFAULT_RATES, DeductionRates
from retorno.domain.money.refunds import OrderPayment, PaidLine, RefundPreview
from retorno.domain.money.store_credit import CreditEntry as DomainEntry
from retorno.domain.money.store_credit import EntryKind
from retorno.money.models import CreditEntry
from retorno.orders.models import Order, OrderLine


def _amount(value: Decimal, currency: str) -> Decimal:
    # Stored with 4 decimals; the domain wants exactly the currency's minor unit.
    return quantize(Decimal(value), currency)


def paid_line(line: OrderLine, currency: str) -> PaidLine:
    return PaidLine(
        line_id=line.external_id,
        quantity=line.quantity,
        unit_price=_amount(line.unit_price, currency),
        discount=_amount(line.discount_amount, currency),
        order_discount_share=_amount(line.order_discount_amount, currency),
        tax=_amount(line.tax_amount, currency),
        currency=currency,
    )


def order_payment(order: Order, lines: Iterable[OrderLine]) -> OrderPayment:
    """What the shopper paid for `order`, as the refund arithmetic needs it."""
    currency = order.currency
    return OrderPayment(
        lines=tuple(paid_line(line, currency) for line in lines),
        shipping_amount=_amount(order.shipping_amount, currency),
        shipping_tax=_amount(order.shipping_tax_amount, currency),
        currency=currency,
    )


def deduction_rates(line_decision: dict[str, Any]) -> DeductionRates:
    """The deduction rates a line's stored policy decision carries; decisions recorded before
    the policy had them use the rates those versions meant (the defaults)."""
    damaged = line_decision.get("damaged_deduction_percent")
    used = line_decision.get("used_deduction_percent")
    return DeductionRates(
        damaged_percent=DEFAULT_RATES.damaged_percent if damaged is None else Decimal(damaged),
        used_percent=DEFAULT_RATES.used_percent if used is None else Decimal(used),
    )


def domain_entry(entry: CreditEntry) -> DomainEntry:
    return DomainEntry(
        entry_id=entry.entry_id,
        kind=EntryKind(entry.kind),
        amount=_amount(entry.amount, entry.currency),
        currency=entry.currency,
        created_at=entry.created_at,
        expires_at=entry.expires_at,
        target_entry_id=entry.target_entry_id or None,
    )


def preview_json(preview: RefundPreview) -> dict[str, Any]:
    """A preview as plain JSON (amounts as strings), as shown to staff and stored on the row."""

    def text(amount: Decimal) -> str:
        return str(quantize(amount, preview.currency))

    return {
        "currency": preview.currency,
        "timing": preview.timing.value,
        "previewed_at": preview.previewed_at.isoformat(),
        "items": [
            {
                "line": item.line_id,
                "units": item.units,
                "gross_amount": text(item.gross_amount),
                "discount_amount": text(item.discount_amount),
                "tax_amount": text(item.tax_amount),
                "deduction_amount": text(item.deduction_amount),
                "deduction_reason_code": item.deduction_reason_code,
                "deduction_message": item.deduction_message,
                "restocking_fee": text(item.restocking_fee),
                "net_amount": text(item.net_amount),
            }
            for item in preview.items
        ],
        "items_gross": text(preview.items_gross),
        "items_deduction": text(preview.items_deduction),
        "items_restocking_fee": text(preview.items_restocking_fee),
        "items_net": text(preview.items_net),
        "shipping_refund_amount": text(preview.shipping_refund_amount),
        "return_shipping_fee_charged": text(preview.return_shipping_fee_charged),
        "return_shipping_fee_uncharged": text(preview.return_shipping_fee_uncharged),
        "tax_amount": text(preview.tax_amount),
        "refundable_remaining": text(preview.refundable_remaining),
        "total_amount": text(preview.total_amount),
        "caps": [
            {"code": c.cap.value, "line": c.line_id, "message": c.message} for c in preview.caps
        ],
    }
