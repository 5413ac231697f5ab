"""What the connectors' payment adapters (`shopify`, `woocommerce`) do alike: a store whose money
settings name the adapter has its refunds to the original payment made by its platform; an
order that did not come from the platform (its reference is not the platform's numeric order
id: placed before the store connected, or elsewhere) is refunded by the adapter the store had
before it connected. Charges are not taken through a platform: they stay with a person
(PENDING)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from retorno.integrations.payments import registry
from retorno.integrations.payments.base import (
    ChargeOutcome,
    ChargeRequest,
    OutcomeStatus,
    RefundOutcome,
    RefundRequest,
)


class ConnectorGateway:
    name = ""
    platform = ""

    def connection(self, store_id: int) -> Any | None:
        """The store's connection to the platform (None when not connected)."""
        raise NotImplementedError

    def platform_refund(self, connection: Any, request: RefundRequest) -> RefundOutcome:
        """Refund an order of the platform through it."""
        raise NotImplementedError

    def refund(self, request: RefundRequest) -> RefundOutcome:
        connection = self.connection(request.store_id)
        if connection is None:
            return RefundOutcome(
                OutcomeStatus.FAILED, message=f"The store is not connected to {self.platform}."
            )
        if not request.order_reference.isdigit():
            fallback = registry.gateway(
                connection.fallback_payment_adapter or settings.RETORNO_PAYMENT_ADAPTER
            )
            return fallback.refund(request)
        return self.platform_refund(connection, request)

    def charge(self, request: ChargeRequest) -> ChargeOutcome:
        return ChargeOutcome(
            OutcomeStatus.PENDING,
            message=f"Charges are not taken through {self.platform}: collect this one by hand.",
        )
