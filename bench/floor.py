"""Floor endpoints: the same Django stack (middleware, API-key auth query, ORM, JSON) doing only
the database work of the measured endpoint, with no policy, no ninja, no domain logic.

- `floor_read` reads what the eligibility endpoint reads about an order (the order, its
  customer, its lines) and returns it as JSON.
- `floor_write` does what the smallest possible create would: one INSERT in one transaction.
"""

from __future__ import annotations

import json

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from bench.models import FloorRow
from retorno.accounts.selectors import api_key_authenticate
from retorno.orders.models import Order


def _api_key(request: HttpRequest):
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        return None
    return api_key_authenticate(token)


def _unauthorized() -> JsonResponse:
    return JsonResponse({"code": "unauthorized"}, status=401)


@require_GET
def floor_read(request: HttpRequest, external_id: str) -> JsonResponse:
    api_key = _api_key(request)
    if api_key is None:
        return _unauthorized()
    order = (
        Order.objects.select_related("customer")
        .prefetch_related("lines")
        .filter(store=api_key.store, external_id=external_id)
        .first()
    )
    if order is None:
        return JsonResponse({"code": "order_not_found"}, status=404)
    return JsonResponse(
        {
            "order": order.external_id,
            "currency": order.currency,
            "delivered_at": order.delivered_at,
            "customer_tier": order.customer.tier,
            "lines": [
                {
                    "line": line.external_id,
                    "sku": line.sku,
                    "title": line.title,
                    "quantity": line.quantity,
                    "unit_price": str(line.unit_price),
                    "final_sale": line.final_sale,
                }
                for line in order.lines.all()
            ],
        }
    )


@csrf_exempt
@require_POST
def floor_write(request: HttpRequest) -> JsonResponse:
    api_key = _api_key(request)
    if api_key is None:
        return _unauthorized()
    try:
        body = json.loads(request.body)
        item = body["items"][0]
        order, line, quantity, reason = (
            body["order"],
            item["line"],
            item["quantity"],
            item["reason"],
        )
    except (ValueError, KeyError, IndexError, TypeError):
        return JsonResponse({"code": "invalid_body"}, status=422)
    with transaction.atomic():
        row = FloorRow.objects.create(
            store_id=api_key.store_id,
            order_external_id=order,
            line_external_id=line,
            quantity=quantity,
            reason=reason,
            payload=body,
            created_at=timezone.now(),
        )
    return JsonResponse({"id": row.id, "order": order, "line": line}, status=201)
