"""The manual adapter: finance pays the refund in the store's own payment system, then marks it
as paid in the back office (with the payment system's reference). Nothing is sent anywhere, so
every call answers PENDING and the refund waits for a person."""

from __future__ import annotations

from retorno.integrations.payments.base import OutcomeStatus, RefundOutcome, RefundRequest


class ManualGateway:
    name = "manual"

    def refund(self, request: RefundRequest) -> RefundOutcome:
        return RefundOutcome(
            OutcomeStatus.PENDING,
            message="Waiting for finance to pay it and mark it as paid.",
        )
