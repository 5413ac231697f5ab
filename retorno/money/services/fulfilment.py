"""Sending an exchange order (or a claim's replacement) to the store for fulfilment, through
the outbox."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from retorno.core.outbox import outbox_enqueue
from retorno.domain.money import quantize
from retorno.money.models import (
    ExchangeOrder,
    ExchangeState,
)

logger = logging.getLogger(__name__)

EXCHANGE_CREATED_KIND = "exchange_order.created"


def exchange_emit(exchange: ExchangeOrder, *, now: datetime) -> ExchangeOrder:
    exchange.state = ExchangeState.RELEASED
    exchange.released_at = now
    exchange.updated_at = now
    exchange.save(update_fields=["state", "released_at", "updated_at"])
    outbox_enqueue(
        store_id=exchange.store_id,
        kind=EXCHANGE_CREATED_KIND,
        dedupe_key=f"{EXCHANGE_CREATED_KIND}:{exchange.id}",
        payload=exchange_payload(exchange),
    )
    return exchange


def exchange_payload(exchange: ExchangeOrder) -> dict[str, Any]:
    return {
        "exchange": exchange.number,
        "order": exchange.order.external_id,
        "rma": exchange.rma,
        "claim": exchange.claim.number if exchange.claim is not None else "",
        "instant": exchange.instant,
        "return_due_by": exchange.return_due_by.isoformat() if exchange.return_due_by else None,
        "released_unpaid": bool(exchange.release_note),
        "currency": exchange.currency,
        "difference_amount": str(quantize(Decimal(exchange.difference_amount), exchange.currency)),
        "difference_direction": exchange.difference_direction,
        "lines": [
            {
                "sku": line.variant.sku,
                "units": line.units,
                "unit_price": str(quantize(Decimal(line.new_unit_price), exchange.currency)),
            }
            for line in exchange.lines.select_related("variant")
        ],
    }


def exchange_deliver(message: Any) -> dict[str, Any]:
    """Outbox handler: until store connectors exist, the exchange order is logged for the store
    to pick up through the API (webhooks will be sent from here)."""
    logger.info("exchange order ready for fulfilment: %s", message.payload)
    return {"delivered": "log"}
