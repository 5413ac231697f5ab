"""Models to API bodies. Kept apart from the operations so every endpoint renders alike."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from retorno.domain.money import quantize
from retorno.returns.models import Return, ReturnItem
from retorno.returns.selectors.links import tracking_url


def return_body(return_request: Return) -> dict[str, Any]:
    currency = return_request.currency
    return {
        "rma": return_request.rma,
        "status": return_request.status,
        "order": return_request.order.external_id,
        "order_number": return_request.order.number,
        "customer_email": return_request.customer.email,
        "resolution": return_request.resolution,
        "method": return_request.method,
        "currency": return_request.currency,
        "requires_review": return_request.requires_review,
        "policy_version": return_request.policy_version.version,
        "items": [item_body(item, currency) for item in return_request.items.all()],
        "amounts": {
            "items": quantize(return_request.items_amount, currency),
            "return_shipping_fee": quantize(return_request.return_shipping_fee_amount, currency),
            "restocking_fee": quantize(return_request.restocking_fee_amount, currency),
            "shipping_refund": quantize(
                return_request.shipping_refund_amount or Decimal("0"), currency
            ),
            "refund_estimate": quantize(return_request.refund_estimate_amount, currency),
            "store_credit_bonus": quantize(return_request.store_credit_bonus_amount, currency),
        },
        "tracking_url": tracking_url(return_request),
        "created_at": return_request.created_at,
        "updated_at": return_request.updated_at,
    }


def item_body(item: ReturnItem, currency: str) -> dict[str, Any]:
    line = item.order_line
    return {
        "line": line.external_id,
        "sku": line.sku,
        "title": line.title,
        "reason": item.reason,
        "comment": item.comment,
        "decision": item.decision,
        "decision_reasons": item.decision_reasons,
        "status": item.status,
        "quantities": {
            "requested": item.quantity_requested,
            "approved": item.quantity_approved,
            "received": item.quantity_received,
            "missing": item.quantity_missing,
            "refunded": item.quantity_refunded,
            "exchanged": item.quantity_exchanged,
        },
        "amount": quantize(item.amount, currency),
        "restocking_fee": quantize(item.restocking_fee_amount, currency),
        "exchange_sku": item.exchange_variant.sku if item.exchange_variant else None,
    }
