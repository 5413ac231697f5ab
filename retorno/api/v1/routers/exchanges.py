"""Exchange orders (read scope): the new items a store sends for returned ones or for a claim,
with the price difference and its direction. GET /exchanges and /exchanges/{number}."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from retorno.api.v1.auth import require_scope
from retorno.api.v1.routers.common import ERRORS
from retorno.domain.money import quantize
from retorno.money import selectors

router = Router(tags=["exchanges"])


class ExchangeLineOut(Schema):
    line: str = Field(description="The order line given back.")
    sku: str = Field(description="The variant sent instead.")
    units: int
    unit_price: str
    returned_unit_paid: str


class ExchangeOut(Schema):
    number: str
    state: str
    rma: str
    order: str
    claim: str | None
    instant: bool = Field(description="Sent before the returned item arrives.")
    return_due_by: datetime | None
    currency: str
    difference_amount: str
    difference_direction: str = Field(
        description="even, customer_pays (the new variant costs more) or customer_refunded (it costs less)."
    )
    released_unpaid: bool
    lines: list[ExchangeLineOut]
    created_at: datetime
    released_at: datetime | None


class ExchangeListOut(Schema):
    results: list[ExchangeOut]


class ExchangeFilters(Schema):
    state: Literal["reserved", "awaiting_payment", "released", "fulfilled", "cancelled"] | None = (
        None
    )
    rma: str | None = Field(None, max_length=24)
    limit: int = Field(50, ge=1, le=200)


def exchange_body(exchange: Any) -> dict[str, Any]:
    c = exchange.currency

    def money(value: Any) -> str:
        return str(quantize(Decimal(value), c))

    return {
        "number": exchange.number,
        "state": exchange.state,
        "rma": exchange.rma,
        "order": exchange.order.external_id,
        "claim": exchange.claim.number if exchange.claim is not None else None,
        "instant": exchange.instant,
        "return_due_by": exchange.return_due_by,
        "currency": c,
        "difference_amount": money(exchange.difference_amount),
        "difference_direction": exchange.difference_direction,
        "released_unpaid": bool(exchange.release_note),
        "lines": [
            {
                "line": line.order_line.external_id,
                "sku": line.variant.sku,
                "units": line.units,
                "unit_price": money(line.new_unit_price),
                "returned_unit_paid": money(line.returned_unit_paid),
            }
            for line in exchange.lines.all()
        ],
        "created_at": exchange.created_at,
        "released_at": exchange.released_at,
    }


@router.get("/exchanges", response={200: ExchangeListOut, **ERRORS}, summary="Exchange orders")
def exchange_list(request: HttpRequest, filters: Query[ExchangeFilters]):
    """Newest first; filter by state or by return (rma)."""
    api_key = require_scope(request, "read")
    rows = selectors.exchange_list_for_store(
        store=api_key.store, state=filters.state, rma=filters.rma, limit=filters.limit
    )
    return {"results": [exchange_body(e) for e in rows]}


@router.get(
    "/exchanges/{number}", response={200: ExchangeOut, **ERRORS}, summary="An exchange order"
)
def exchange_get(request: HttpRequest, number: str):
    api_key = require_scope(request, "read")
    return exchange_body(
        selectors.exchange_get_by_number_for_store(store=api_key.store, number=number)
    )
