"""The payment adapter `shopify`: a store connected to Shopify, whose money settings name this
adapter, has its refunds to the original payment made in Shopify (refundCreate on the order's
sale transaction), with the refund's idempotency key as the `@idempotent` key, so a retried
refund is made once. An order that did not come from the shop (its reference is not a Shopify
order id) is refunded by the adapter the store had before it connected. Charges are not taken through Shopify: they stay with a person (PENDING).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from retorno.connectors.shopify import queries
from retorno.connectors.shopify.client import (
    ShopifyRejected,
    ShopifyThrottled,
    ShopifyUnavailable,
)
from retorno.connectors.shopify.models import ShopifyConnection
from retorno.connectors.shopify.services import admin_client
from retorno.connectors.shopify.sync import gid
from retorno.integrations.payments import registry
from retorno.integrations.payments.base import (
    ChargeOutcome,
    ChargeRequest,
    OutcomeStatus,
    PaymentUnavailable,
    RefundOutcome,
    RefundRequest,
)


class ShopifyGateway:
    name = "shopify"

    def refund(self, request: RefundRequest) -> RefundOutcome:
        connection = ShopifyConnection.objects.filter(store_id=request.store_id).first()
        if connection is None:
            return RefundOutcome(
                OutcomeStatus.FAILED, message="The store is not connected to Shopify."
            )
        if not request.order_reference.isdigit():
            # Not a Shopify order (placed before the store connected, or elsewhere): the
            # adapter the store had before refunds it.
            fallback = registry.gateway(
                connection.fallback_payment_adapter or settings.RETORNO_PAYMENT_ADAPTER
            )
            return fallback.refund(request)
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

    def charge(self, request: ChargeRequest) -> ChargeOutcome:
        return ChargeOutcome(
            OutcomeStatus.PENDING,
            message="Charges are not taken through Shopify: collect this one by hand.",
        )
