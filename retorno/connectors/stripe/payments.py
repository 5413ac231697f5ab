"""The payment adapter `stripe`: refunds to the original payment through the store's Stripe
account (`POST /v1/refunds` on the order's PaymentIntent, `Order.payment_reference`), with the
refund's idempotency key as Stripe's `Idempotency-Key`, so a refund sent again after a timeout or
a crash is made once.

Stripe's answer maps onto the payment port: `succeeded` is SUCCEEDED; `pending` and
`requires_action` are PENDING with Stripe's refund id (the refund.updated webhook settles it
later); `failed` and `canceled` are FAILED with Stripe's reason. A refusal (an order without a
Stripe payment, more than is left on it, a wrong key) is FAILED with Stripe's message, so the
agent sees why on the return and may retry; a timeout, 429 or 5xx is PaymentUnavailable and the
outbox sends the same key again. Charges are not taken through Stripe: they wait for a person.
"""

from __future__ import annotations

from decimal import Decimal

from retorno.connectors.stripe import services
from retorno.connectors.stripe.client import StripeRejected, StripeUnavailable
from retorno.domain.money import minor_units
from retorno.integrations.payments.base import (
    ChargeOutcome,
    ChargeRequest,
    OutcomeStatus,
    PaymentUnavailable,
    RefundOutcome,
    RefundRequest,
)

PAYMENT_PREFIXES = ("pi_", "ch_")


def minor_amount(amount: Decimal, currency: str) -> int:
    """`amount` in the currency's smallest unit, as Stripe counts it (12.34 EUR is 1234)."""
    scaled = Decimal(amount).scaleb(minor_units(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} {currency} has more decimals than the currency.")
    return int(scaled)


def outcome_of(refund: dict[str, object]) -> RefundOutcome:
    """A Stripe refund object as the payment port's outcome."""
    status = str(refund.get("status") or "")
    reference = str(refund.get("id") or "")
    if status == "succeeded":
        return RefundOutcome(OutcomeStatus.SUCCEEDED, provider_reference=reference)
    if status in ("failed", "canceled"):
        reason = str(refund.get("failure_reason") or status)
        return RefundOutcome(
            OutcomeStatus.FAILED,
            provider_reference=reference,
            message=f"Stripe: the refund {status} ({reason}).",
        )
    return RefundOutcome(
        OutcomeStatus.PENDING,
        provider_reference=reference,
        message=f"Stripe: the refund is {status or 'pending'}; its webhook settles it.",
    )


class StripeGateway:
    name = "stripe"

    def refund(self, request: RefundRequest) -> RefundOutcome:
        account = services.account_for(request.store_id)
        if account is None:
            return RefundOutcome(
                OutcomeStatus.FAILED, message="The store has no Stripe account connected."
            )
        payment = services.payment_reference_of(request.store_id, request.order_reference)
        if not payment.startswith(PAYMENT_PREFIXES):
            return RefundOutcome(
                OutcomeStatus.FAILED,
                message=f"Order {request.order_reference} has no Stripe payment: its "
                "payment_reference must be the PaymentIntent (pi_…) or charge (ch_…).",
            )
        params: dict[str, object] = {
            "payment_intent" if payment.startswith("pi_") else "charge": payment,
            "amount": minor_amount(request.amount, request.currency),
            "reason": "requested_by_customer",
            "metadata": {
                "retorno_refund": request.idempotency_key,
                "order": request.order_reference,
                **({"reference": request.reference} if request.reference else {}),
                **request.metadata,
            },
        }
        try:
            refund = services.client_for(account).refund_create(
                params, idempotency_key=request.idempotency_key
            )
        except StripeUnavailable as error:
            raise PaymentUnavailable(str(error)) from None
        except StripeRejected as error:
            return RefundOutcome(
                OutcomeStatus.FAILED, message=f"Stripe refused the refund: {error.message}"
            )
        return outcome_of(refund)

    def charge(self, request: ChargeRequest) -> ChargeOutcome:
        return ChargeOutcome(
            OutcomeStatus.PENDING,
            message="Charges are not taken through Stripe: collect this one by hand.",
        )
