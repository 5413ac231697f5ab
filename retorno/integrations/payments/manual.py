"""The manual adapter: finance pays the refund (or takes the charge) in the store's own payment
system, then marks it as done in the back office with the payment system's reference. Nothing
is sent anywhere, so every call answers PENDING and the row waits for a person."""

from __future__ import annotations

from retorno.integrations.payments.base import (
    ChargeOutcome,
    ChargeRequest,
    OutcomeStatus,
    RefundOutcome,
    RefundRequest,
)


class ManualGateway:
    name = "manual"

    def refund(self, request: RefundRequest) -> RefundOutcome:
        return RefundOutcome(
            OutcomeStatus.PENDING,
            message="Waiting for finance to pay it and mark it as paid.",
        )

    def charge(self, request: ChargeRequest) -> ChargeOutcome:
        return ChargeOutcome(
            OutcomeStatus.PENDING,
            message="Waiting for finance to take the payment and mark it as paid.",
        )
