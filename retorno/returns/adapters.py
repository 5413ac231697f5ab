"""The only place that maps between ORM rows and domain facts for returns."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import asdict, is_dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from django.db.models import Sum

from retorno.domain.policies import (
    CustomerFacts,
    LineFacts,
    OrderFacts,
    RequestedItem,
    RequestFacts,
)
from retorno.domain.returns.ledger import ItemDecision
from retorno.domain.returns.states import RELEASING_STATES
from retorno.orders.models import Customer, Order, OrderLine
from retorno.returns.models import Return, ReturnItem


def held_quantities(order: Order) -> dict[int, int]:
    """Units of each line held by the order's open or completed returns (line id -> units)."""
    rows = (
        ReturnItem.objects.filter(return_request__order=order)
        .exclude(return_request__status__in=[s.value for s in RELEASING_STATES])
        .exclude(decision=ItemDecision.REJECTED)
        .values("order_line_id")
        .annotate(units=Sum("quantity_requested"))
    )
    return {row["order_line_id"]: row["units"] for row in rows}


def lines_with_held(order: Order) -> tuple[list[Any], dict[int, int]]:
    """The order's lines and, in the same query, the units of each held by open or completed
    returns (line id -> units)."""
    lines = list(OrderLine.objects.raw(_lines_with_held_sql(), [*_NOT_HOLDING, order.pk]))
    held = {line.id: units for line in lines if (units := getattr(line, "held_units", 0))}
    return lines, held


# Written out once rather than built by the ORM on every call: compiling the equivalent
# Subquery annotation cost about as much as running it, on the hottest reads (eligibility,
# return creation).
_NOT_HOLDING = [*sorted(s.value for s in RELEASING_STATES), ItemDecision.REJECTED.value]


@functools.cache
def _lines_with_held_sql() -> str:
    line = OrderLine._meta.db_table
    item = ReturnItem._meta.db_table
    return_table = Return._meta.db_table
    releasing = ", ".join(["%s"] * len(RELEASING_STATES))
    return (
        f"SELECT l.*, COALESCE((SELECT SUM(i.quantity_requested) FROM {item} i "  # noqa: S608
        f"JOIN {return_table} r ON r.id = i.return_request_id "
        f"WHERE i.order_line_id = l.id AND r.status NOT IN ({releasing}) "
        f"AND i.decision <> %s), 0) AS held_units "
        f"FROM {line} l WHERE l.order_id = %s ORDER BY l.position, l.id"
    )


def order_facts(order: Order, lines: Iterable[OrderLine], held: dict[int, int]) -> OrderFacts:
    return OrderFacts(
        order_id=order.external_id,
        currency=order.currency,
        placed_at=order.placed_at,
        delivered_at=order.delivered_at,
        country=order.country,
        postal_code=order.postal_code,
        lines=tuple(line_facts(line, held.get(line.id, 0)) for line in lines),
    )


def line_facts(line: OrderLine, already_returned: int) -> LineFacts:
    return LineFacts(
        line_id=line.external_id,
        sku=line.sku,
        title=line.title,
        category=line.category,
        tags=frozenset(line.tags or ()),
        quantity=line.quantity,
        unit_price=line.unit_price,
        discount=line.discount_amount,
        tax=line.tax_amount,
        final_sale=line.final_sale,
        vendor=line.vendor,
        already_returned_quantity=already_returned,
    )


def customer_facts(customer: Customer) -> CustomerFacts:
    return CustomerFacts(tier=customer.tier or "", tags=frozenset(customer.tags or ()))


def request_facts(items: Iterable[dict[str, Any]], resolution: str | None) -> RequestFacts:
    return RequestFacts(
        items=tuple(
            RequestedItem(line_id=item["line"], quantity=item["quantity"], reason=item["reason"])
            for item in items
        ),
        resolution=resolution,
    )


def to_json(value: Any) -> Any:
    """Domain values (dataclasses, enums, Decimal, datetimes) as plain JSON data."""
    if is_dataclass(value) and not isinstance(value, type):
        return {k: to_json(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [to_json(v) for v in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value
