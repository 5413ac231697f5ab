"""The payment adapter `woocommerce` (retorno.connectors.payments): refunds to the original
payment made in WooCommerce, `POST orders/{id}/refunds` with the amount, the refunded lines
(quantity, `refund_total`, `refund_tax` on the line's tax rate), `api_refund` (through the
order's payment gateway, or recorded only, as the store chose) and `api_restock` (as the store
chose).

WooCommerce takes no idempotency key: the refund carries it in its meta data
(`retorno_idempotency_key`), and before making one the adapter looks for a refund of the order
with that key (an earlier call whose answer was lost), so a retried refund is made once.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from retorno.connectors.payments import ConnectorGateway
from retorno.connectors.values import MappingError
from retorno.connectors.woocommerce.client import WooRejected, WooThrottled, WooUnavailable
from retorno.connectors.woocommerce.mapping import refund_lines
from retorno.connectors.woocommerce.models import WooConnection
from retorno.connectors.woocommerce.services import woo_client
from retorno.integrations.payments.base import (
    OutcomeStatus,
    PaymentUnavailable,
    RefundOutcome,
    RefundRequest,
)

KEY_META = "retorno_idempotency_key"


def _lines(request: RefundRequest) -> list[dict[str, Any]]:
    try:
        lines = json.loads(request.metadata.get("lines") or "[]")
    except ValueError:
        return []
    return lines if isinstance(lines, list) else []


class WooCommerceGateway(ConnectorGateway):
    name = "woocommerce"
    platform = "WooCommerce"
    # The refund's lines come in `metadata["lines"]` (retorno.money.services.refunds).
    wants_lines = True

    def connection(self, store_id: int) -> WooConnection | None:
        return WooConnection.objects.filter(store_id=store_id).first()

    def platform_refund(self, connection: WooConnection, request: RefundRequest) -> RefundOutcome:
        client = woo_client(connection)
        path = f"orders/{request.order_reference}"
        try:
            made = client.get(f"{path}/refunds", {"per_page": 100}).data or []
            for refund in made:
                if any(
                    m.get("key") == KEY_META and m.get("value") == request.idempotency_key
                    for m in refund.get("meta_data") or []
                ):
                    return RefundOutcome(
                        OutcomeStatus.SUCCEEDED, provider_reference=str(refund["id"])
                    )
            body: dict[str, Any] = {
                "amount": str(Decimal(request.amount)),
                "reason": f"Retorno {request.reference}".strip(),
                "api_refund": connection.api_refund,
                "api_restock": connection.restock_with_refund,
                "meta_data": [{"key": KEY_META, "value": request.idempotency_key}],
            }
            lines = _lines(request)
            if lines:
                body["line_items"] = refund_lines(client.get(path).data, lines)
            refund = client.post(f"{path}/refunds", body).data
        except (WooThrottled, WooUnavailable) as error:
            raise PaymentUnavailable(error.message) from None
        except WooRejected as error:
            return RefundOutcome(OutcomeStatus.FAILED, message=error.message)
        except MappingError as error:
            return RefundOutcome(OutcomeStatus.FAILED, message=str(error))
        return RefundOutcome(OutcomeStatus.SUCCEEDED, provider_reference=str(refund["id"]))
