"""One return as the API shows it, read with SQL written once (`GET /returns/{rma}` and the
return webhooks' bodies): the ORM compiling its two statements (the return with its order,
customer and policy version; the items with their settled units, lines and exchange variants)
was about 70% of the read.

The instances are the ORM's own (retorno.core.db.rows), with the same columns left unread as
`return_get_for_body` always left: a policy's document, the order's address and tags, the
customer's tags, the return's decision trace, pickup address and shop-now basket.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from django.db import connections, router
from django.db.models import Model

from retorno.core.db import rows
from retorno.money.models import ExchangeLine, ExchangeOrder, ExchangeState, RefundLine
from retorno.orders.models import Customer, Order, OrderLine, Variant
from retorno.policies.models import PolicyVersion
from retorno.returns.models import Return, ReturnItem

_UNREAD: dict[type[Model], tuple[str, ...]] = {
    Return: ("decision", "pickup_address", "shop_now"),
    Order: ("shipping_address", "tags"),
    Customer: ("tags",),
    PolicyVersion: ("document",),
}


def _read(model: type[Model]) -> tuple[str, ...]:
    return tuple(name for name in rows.all_attnames(model) if name not in _UNREAD.get(model, ()))


_RETURN = _read(Return)
_ORDER = _read(Order)
_CUSTOMER = _read(Customer)
_POLICY = _read(PolicyVersion)
_ITEM = rows.all_attnames(ReturnItem)
_LINE = rows.all_attnames(OrderLine)
_VARIANT = rows.all_attnames(Variant)


def return_for_body(store_id: int, rma: str) -> Return | None:
    """The store's return `rma` (already normalised) with its order, customer, policy version
    and items (settled units annotated, lines and exchange variants joined), or None."""
    connection = connections[router.db_for_read(Return)]
    with connection.cursor() as cursor:
        cursor.execute(_return_sql(), [store_id, rma])
        row = cursor.fetchone()
        if row is None:
            return None
        found = _split(
            row,
            [(Return, _RETURN), (Order, _ORDER), (Customer, _CUSTOMER), (PolicyVersion, _POLICY)],
            connection,
        )
        cursor.execute(_items_sql(), [ExchangeState.CANCELLED.value, found[0].pk])
        item_rows = cursor.fetchall()
    return_request, order, customer, policy_version = found
    return_request.order = order
    return_request.customer = customer
    return_request.policy_version = policy_version
    items = []
    for item_row in item_rows:
        settled = item_row[len(_ITEM) : len(_ITEM) + 2]
        rest = (*item_row[: len(_ITEM)], *item_row[len(_ITEM) + 2 :])
        item, line, variant = _split(
            rest, [(ReturnItem, _ITEM), (OrderLine, _LINE), (Variant, _VARIANT)], connection
        )
        item.settled_refund_units, item.settled_exchange_units = (int(n) for n in settled)
        item.order_line = line
        item.exchange_variant = variant if item.exchange_variant_id is not None else None
        item.return_request = return_request
        items.append(item)
    rows.prefetched(return_request, "items", items)
    return return_request


def _split(
    row: Sequence[Any], parts: list[tuple[type[Model], tuple[str, ...]]], connection: Any
) -> list[Any]:
    built, start = [], 0
    for model, names in parts:
        built.append(rows.from_row(connection, model, names, row[start : start + len(names)]))
        start += len(names)
    return built


@functools.cache
def _return_sql() -> str:
    return (
        f"SELECT {rows.columns('r', Return, _RETURN)}, {rows.columns('o', Order, _ORDER)}, "  # noqa: S608
        f"{rows.columns('c', Customer, _CUSTOMER)}, {rows.columns('p', PolicyVersion, _POLICY)} "
        f"FROM {Return._meta.db_table} r "
        f"JOIN {Order._meta.db_table} o ON o.id = r.order_id "
        f"JOIN {Customer._meta.db_table} c ON c.id = r.customer_id "
        f"JOIN {PolicyVersion._meta.db_table} p ON p.id = r.policy_version_id "
        "WHERE r.store_id = %s AND r.rma = %s"
    )


@functools.cache
def _items_sql() -> str:
    exchange_line, exchange = ExchangeLine._meta.db_table, ExchangeOrder._meta.db_table
    return (
        f"SELECT {rows.columns('i', ReturnItem, _ITEM)}, "  # noqa: S608
        f"COALESCE((SELECT SUM(rl.units) FROM {RefundLine._meta.db_table} rl "
        "WHERE rl.return_item_id = i.id), 0), "
        f"COALESCE((SELECT SUM(el.units) FROM {exchange_line} el "
        f"JOIN {exchange} e ON e.id = el.exchange_id "
        "WHERE el.return_item_id = i.id AND NOT (e.state = %s)), 0), "
        f"{rows.columns('l', OrderLine, _LINE)}, {rows.columns('v', Variant, _VARIANT)} "
        f"FROM {ReturnItem._meta.db_table} i "
        f"JOIN {OrderLine._meta.db_table} l ON l.id = i.order_line_id "
        f"LEFT JOIN {Variant._meta.db_table} v ON v.id = i.exchange_variant_id "
        "WHERE i.return_request_id = %s ORDER BY i.id"
    )
