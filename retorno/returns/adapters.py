"""The only place that maps between ORM rows and domain facts for returns."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connections, router

from retorno.core.db.rows import columns, from_row
from retorno.domain.days import local_time
from retorno.domain.policies import (
    CustomerFacts,
    LineFacts,
    OrderFacts,
    RequestedItem,
    RequestFacts,
)
from retorno.domain.returns.ledger import ItemDecision
from retorno.domain.returns.states import RELEASING_STATES
from retorno.money.selectors import shipping_refunded
from retorno.orders.models import Customer, Order, OrderLine
from retorno.policies.models import PolicyVersion
from retorno.returns.models import Return, ReturnItem
from retorno.stores.models import Store


def shipping_refund_available(order: Order) -> Decimal:
    """The outbound shipping (with its tax) a new return of `order` gives back when its policy
    refunds shipping: all of it, once per order, to the first return that claims it. Nothing
    when a refund already gave it back or an open or completed return holds it (a cancelled or
    rejected one lets it go)."""
    shipping = order.shipping_amount + order.shipping_tax_amount
    if not shipping:
        return Decimal("0")
    held = (
        Return.objects.filter(order=order, shipping_refund_amount__gt=0)
        .exclude(status__in=[s.value for s in RELEASING_STATES])
        .exists()
    )
    return Decimal("0") if held or shipping_refunded(order) else shipping


def order_to_decide(store_id: int, external_id: str) -> tuple[Order | None, PolicyVersion | None]:
    """The order with its customer, and the store's current policy version (without its
    document, which compiled_policy loads only the first time a process meets the version),
    in one query. (None, None) when the store has no such order.

    Hand-written: the ORM's two statements cost 2.2 x (PostgreSQL) to 12.7 x (SQLite) as much
    (bench/adapters.py, ADR 15)."""
    connection = connections[router.db_for_read(Order)]
    with connection.cursor() as cursor:
        cursor.execute(_order_to_decide_sql(), [store_id, external_id])
        row = cursor.fetchone()
    if row is None:
        return None, None
    order_end = len(_ORDER_FIELDS)
    customer_end = order_end + len(_CUSTOMER_FIELDS)
    order = from_row(connection, Order, _ORDER_FIELDS, row[:order_end])
    order.customer = from_row(connection, Customer, _CUSTOMER_FIELDS, row[order_end:customer_end])
    policy_row = row[customer_end:]
    if policy_row[0] is None:
        return order, None
    return order, from_row(connection, PolicyVersion, _POLICY_VERSION_FIELDS, policy_row)


_ORDER_FIELDS = tuple(f.attname for f in Order._meta.concrete_fields)
_CUSTOMER_FIELDS = tuple(f.attname for f in Customer._meta.concrete_fields)
_POLICY_VERSION_FIELDS = ("id", "store_id", "version", "created_at")


@functools.cache
def _order_to_decide_sql() -> str:
    policy_table = PolicyVersion._meta.db_table
    return (
        f"SELECT {columns('o', Order, _ORDER_FIELDS)}, "  # noqa: S608
        f"{columns('c', Customer, _CUSTOMER_FIELDS)}, "
        f"{columns('pv', PolicyVersion, _POLICY_VERSION_FIELDS)} "
        f"FROM {Order._meta.db_table} o "
        f"JOIN {Customer._meta.db_table} c ON c.id = o.customer_id "
        f"LEFT JOIN {policy_table} pv ON pv.id = (SELECT id FROM {policy_table} "
        f"WHERE store_id = o.store_id ORDER BY version DESC LIMIT 1) "
        f"WHERE o.store_id = %s AND o.external_id = %s"
    )


def lines_with_held(order: Order) -> tuple[list[Any], dict[int, int]]:
    """The order's lines and, in the same query, the units of each held by open or completed
    returns (line id -> units)."""
    connection = connections[router.db_for_read(OrderLine)]
    with connection.cursor() as cursor:
        cursor.execute(_lines_with_held_sql(), [*_NOT_HOLDING, order.pk])
        rows = cursor.fetchall()
    lines = [from_row(connection, OrderLine, _LINE_FIELDS, row[:-1]) for row in rows]
    held = {line.id: row[-1] for line, row in zip(lines, rows, strict=True) if row[-1]}
    return lines, held


_LINE_FIELDS = tuple(f.attname for f in OrderLine._meta.concrete_fields)


def bought_and_held(order_id: int) -> dict[int, tuple[int, int]]:
    """What guards the quantities of an order (ADR 3), read again under its lock: each line's
    units bought and units held by returns (line id -> (bought, held))."""
    connection = connections[router.db_for_read(OrderLine)]
    with connection.cursor() as cursor:
        cursor.execute(_bought_and_held_sql(), [*_NOT_HOLDING, order_id])
        return {line_id: (bought, held) for line_id, bought, held in cursor.fetchall()}


# Written out once rather than built by the ORM on every call: compiling the equivalent
# Subquery annotation cost about as much as running it, on the hottest reads (eligibility,
# return creation).
_NOT_HOLDING = [*sorted(s.value for s in RELEASING_STATES), ItemDecision.REJECTED.value]


@functools.cache
def _held_units_sql() -> str:
    """Units of line `l` held by returns; its parameters are _NOT_HOLDING."""
    item = ReturnItem._meta.db_table
    return_table = Return._meta.db_table
    releasing = ", ".join(["%s"] * len(RELEASING_STATES))
    return (
        f"COALESCE((SELECT SUM(i.quantity_requested) FROM {item} i "  # noqa: S608
        f"JOIN {return_table} r ON r.id = i.return_request_id "
        f"WHERE i.order_line_id = l.id AND r.status NOT IN ({releasing}) "
        f"AND i.decision <> %s), 0)"
    )


@functools.cache
def _lines_with_held_sql() -> str:
    return (
        f"SELECT {columns('l', OrderLine, _LINE_FIELDS)}, {_held_units_sql()} "  # noqa: S608
        f"FROM {OrderLine._meta.db_table} l WHERE l.order_id = %s ORDER BY l.position, l.id"
    )


@functools.cache
def _bought_and_held_sql() -> str:
    return (
        f"SELECT l.id, l.quantity, {_held_units_sql()} "  # noqa: S608
        f"FROM {OrderLine._meta.db_table} l WHERE l.order_id = %s"
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
        discount=line.discount_total,
        tax=line.tax_amount,
        final_sale=line.final_sale,
        vendor=line.vendor,
        already_returned_quantity=already_returned,
    )


def decision_clock(now: datetime, store: Store) -> datetime:
    """`now` for the policy engine: the same instant on the store's wall clock, so the days it
    tells the shopper (a window's last day) are the store's days."""
    return local_time(now, store.timezone)


def customer_facts(customer: Customer, signals: frozenset[str] = frozenset()) -> CustomerFacts:
    """The customer as the policy sees them; `signals` are the abuse signals that hold for
    them and the request (workflows.signals.signals_for_decision)."""
    return CustomerFacts(
        tier=customer.tier or "", tags=frozenset(customer.tags or ()), signals=signals
    )


def request_facts(items: Iterable[dict[str, Any]], resolution: str | None) -> RequestFacts:
    return RequestFacts(
        items=tuple(
            RequestedItem(line_id=item["line"], quantity=item["quantity"], reason=item["reason"])
            for item in items
        ),
        resolution=resolution,
    )
