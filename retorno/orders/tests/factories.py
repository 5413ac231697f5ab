"""Order payloads as a store's platform sends them, and orders made from them.

Dates are relative to Retorno's clock (`timezone.now`): the API decides with it, so "delivered 10
days ago" means exactly that whenever the suite runs, and at the hour a test moves the clock to.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from retorno.orders.models import Order
from retorno.orders.services import order_upsert
from retorno.stores.models import Store

_numbers = itertools.count(1001)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def days_ago(days: float) -> datetime:
    return timezone.now() - timedelta(days=days)


def line_payload(external_id: str, **overrides: Any) -> dict[str, Any]:
    line = {
        "external_id": external_id,
        "sku": f"SKU-{external_id}",
        "title": "T-shirt",
        "category": "apparel",
        "quantity": 2,
        "unit_price": "19.90",
        "discount": "0.00",
        "tax": "3.45",
        "final_sale": False,
        "tags": [],
    }
    line.update(overrides)
    return line


def order_payload(
    external_id: str | None = None,
    *,
    tier: str = "",
    email: str = "ana@example.com",
    delivered_days_ago: float | None = 5,
    placed_days_ago: float | None = None,
    lines: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """The issue's example order; `delivered_days_ago=None` means not delivered yet."""
    external_id = external_id or str(next(_numbers))
    placed = placed_days_ago if placed_days_ago is not None else (delivered_days_ago or 0) + 3
    payload = {
        "external_id": external_id,
        "number": f"#{external_id}",
        "placed_at": iso(days_ago(placed)),
        "delivered_at": iso(days_ago(delivered_days_ago))
        if delivered_days_ago is not None
        else None,
        "currency": "EUR",
        "customer": {
            "external_id": f"c-{email.lower()}",
            "email": email,
            "name": "Ana",
            "tier": tier,
        },
        "shipping_address": {
            "line1": "Calle Mayor 1",
            "city": "Madrid",
            "postal_code": "28013",
            "country": "ES",
        },
        "lines": lines if lines is not None else [line_payload(f"{external_id}-1")],
    }
    payload.update(overrides)
    return payload


def make_order(store: Store, **kwargs: Any) -> Order:
    """An order stored through the intake service, exactly as the API would store it."""
    from retorno.api.v1.schemas import OrderIn

    data = OrderIn.model_validate(order_payload(**kwargs)).model_dump()
    order, _ = order_upsert(store=store, data=data)
    return order


def return_payload(
    order: str, line: str, *, quantity: int = 1, reason: str = "too_small", **overrides: Any
) -> dict[str, Any]:
    payload = {
        "order": order,
        "items": [{"line": line, "quantity": quantity, "reason": reason, "comment": ""}],
        "resolution": "refund",
        "method": "pickup",
    }
    payload.update(overrides)
    return payload
