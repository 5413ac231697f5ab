"""The payment adapter `shopify` (retorno.connectors.payments): refunds to the original payment
made in Shopify (refundCreate on the order's sale transaction), with the refund's idempotency
key as the `@idempotent` key, so a retried refund is made once."""

from __future__ import annotations

from decimal import Decimal

from retorno.connectors.payments import ConnectorGateway
from retorno.connectors.shopify import queries
from retorno.connectors.shopify.client import (
    ShopifyRejected,
    ShopifyThrottled,
    ShopifyUnavailable,
)
from retorno.connectors.shopify.models import ShopifyConnection
from retorno.connectors.shopify.services import admin_client
from retorno.connectors.shopify.sync import gid
from retorno.integrations.payments.base import (
    OutcomeStatus,
    PaymentUnavailable,
    RefundOutcome,
    RefundRequest,
)


class ShopifyGateway(ConnectorGateway):
    name = "shopify"
    platform = "Shopify"

    def connection(self, store_id: int) -> ShopifyConnection | None:
        return ShopifyConnection.objects.filter(store_id=store_id).first()

    def platform_refund(
        self, connection: ShopifyConnection, request: RefundRequest
    ) -> RefundOutcome:
        client = admin_client(connection)
        try:
            order_id = gid("Order", request.order_reference)
            order = client.execute(queries.ORDER_FOR_RETURN, {"id": order_id}).data.get("order")
            if not order:
                return RefundOutcome(
                    OutcomeStatus.FAILED,
                    message=f"Shopify has no order {request.order_reference}.",
                )
            sale = next(
                (
                    t
                    for t in order.get("transactions") or []
                    if t["kind"] in ("SALE", "CAPTURE") and t["status"] == "SUCCESS"
                ),
                None,
            )
            if sale is None:
                return RefundOutcome(
                    OutcomeStatus.FAILED, message="The Shopify order has no captured payment."
                )
            payload = client.mutate(
                queries.REFUND_CREATE,
                {
                    "key": request.idempotency_key,
                    "input": {
                        "orderId": order_id,
                        "note": f"Retorno {request.reference}".strip(),
                        "notify": True,
                        "transactions": [
                            {
                                "orderId": order_id,
                                "parentId": sale["id"],
                                "amount": str(Decimal(request.amount)),
                                "kind": "REFUND",
                                "gateway": sale.get("gateway") or "",
                            }
                        ],
                    },
                },
                "refundCreate",
            )
        except (ShopifyThrottled, ShopifyUnavailable) as error:
            raise PaymentUnavailable(error.message) from None
        except ShopifyRejected as error:
            return RefundOutcome(OutcomeStatus.FAILED, message=error.message)
        return RefundOutcome(OutcomeStatus.SUCCEEDED, provider_reference=payload["refund"]["id"])
