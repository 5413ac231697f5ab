from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from retorno.api.v1.auth import require_scope
from retorno.api.v1.routers.common import ERRORS, WRITE_ERRORS
from retorno.api.v1.schemas import BulkOut, EligibilityOut, OrderBulkIn, OrderIn, OrderOut
from retorno.orders.models import Order
from retorno.orders.selectors import order_get_for_store, order_paid
from retorno.orders.selectors.links import order_return_url
from retorno.orders.services import order_upsert, orders_upsert
from retorno.returns.selectors import order_eligibility_for_store
from retorno.stores.models import Store

router = Router(tags=["orders"])


def _order_body(order: Order, store: Store) -> dict:
    paid = order_paid(order)
    return {
        "external_id": order.external_id,
        "number": order.number,
        "currency": order.currency,
        "placed_at": order.placed_at,
        "delivered_at": order.delivered_at,
        "customer_email": order.customer.email,
        "customer_tier": order.customer.tier,
        "shipping_amount": paid.shipping,
        "shipping_tax_amount": paid.shipping_tax,
        "discount_amount": paid.discount,
        "payment_reference": order.payment_reference,
        "paid_total": paid.total,
        "return_url": order_return_url(order, store),
        "lines": [
            {
                "external_id": line.external_id,
                "sku": line.sku,
                "product_id": line.product_id,
                "title": line.title,
                "category": line.category,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "discount": view.discount,
                "order_discount": view.order_discount,
                "tax": view.tax,
                "paid": view.paid,
                "final_sale": line.final_sale,
                "tags": line.tags,
            }
            for view in paid.lines
            for line in (view.line,)
        ],
    }


@router.post(
    "", response={200: OrderOut, 201: OrderOut, **WRITE_ERRORS}, summary="Create or update an order"
)
def order_put(request: HttpRequest, payload: OrderIn):
    """Upsert by `external_id`: 201 when the order is new, 200 when it was updated."""
    api_key = require_scope(request, "write")
    order, created = order_upsert(store=api_key.store, data=payload.as_data())
    order = order_get_for_store(store=api_key.store, external_id=order.external_id)
    return Status(201 if created else 200, _order_body(order, api_key.store))


@router.post(
    "/bulk", response={200: BulkOut, **WRITE_ERRORS}, summary="Create or update up to 1000 orders"
)
def order_bulk(request: HttpRequest, payload: OrderBulkIn):
    """Each order is applied on its own: one order's error does not undo the others."""
    api_key = require_scope(request, "write")
    outcomes = orders_upsert(
        store=api_key.store, orders=[data.as_data() for data in payload.orders]
    )
    results: list[dict[str, Any]] = []
    counts = {"created": 0, "updated": 0, "error": 0}
    for outcome in outcomes:
        if outcome.error is not None:
            status = "error"
            error = {"code": outcome.error.code, "detail": outcome.error.detail}
            results.append({"external_id": outcome.external_id, "status": status, "error": error})
        else:
            status = "created" if outcome.created else "updated"
            results.append({"external_id": outcome.external_id, "status": status})
        counts[status] += 1
    return {
        "created": counts["created"],
        "updated": counts["updated"],
        "failed": counts["error"],
        "results": results,
    }


@router.get("/{external_id}", response={200: OrderOut, **ERRORS}, summary="Read an order")
def order_get(request: HttpRequest, external_id: str):
    api_key = require_scope(request, "read")
    return _order_body(
        order_get_for_store(store=api_key.store, external_id=external_id), api_key.store
    )


@router.get(
    "/{external_id}/eligibility",
    response={200: EligibilityOut, **ERRORS},
    summary="What can be returned, line by line",
)
def order_eligibility(request: HttpRequest, external_id: str):
    api_key = require_scope(request, "read")
    result = order_eligibility_for_store(
        store=api_key.store, external_id=external_id, now=timezone.now()
    )
    return eligibility_body(result)


def eligibility_body(result) -> dict:
    lines = {line.external_id: line for line in result.lines}
    return {
        "order": result.order.external_id,
        "currency": result.order.currency,
        "policy_version": result.policy_version,
        "evaluated_at": result.evaluated_at,
        "lines": [line_decision_body(d, lines.get(d.line_id)) for d in result.decision.lines],
    }


def line_decision_body(d, line) -> dict:
    return {
        "line": d.line_id,
        "sku": line.sku if line else "",
        "title": line.title if line else "",
        "quantity": line.quantity if line else 0,
        "eligible": d.eligible,
        "returnable_quantity": d.returnable_quantity,
        "window_ends_at": d.window_ends_at,
        "reasons": [{"code": r.code, "message": r.message} for r in d.reasons],
        "allowed_resolutions": list(d.allowed_resolutions),
        "restocking_fee": d.restocking_fee,
        "requires_review": d.requires_review,
        "refund_timing": str(d.refund_timing),
        "rules_fired": list(d.rules_fired),
    }
