"""Set-based writes for order intake: customers and orders upserted with one
`INSERT … ON CONFLICT … DO UPDATE … RETURNING` per chunk of rows.

Why SQL and not the ORM: the customer's unique constraint is partial (a guest has no external id),
and PostgreSQL only matches `ON CONFLICT` to a partial index when the statement repeats its
predicate, which `bulk_create(update_conflicts=True)` cannot say. And the intake must know which
rows it created: `xmax = 0` on PostgreSQL tells in the same statement, so two calls racing for one
order cannot both report it as created.

Rows are written sorted by their key so that two calls sharing rows take the row locks in the same
order and wait for each other instead of deadlocking.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models

from retorno.orders.models import Customer, Order

CHUNK = 500  # rows per statement: under SQLite's bound-variable limit at 14 columns


def _prep(model: type[models.Model], column_names: Sequence[str], row: dict[str, Any]) -> list:
    return [
        model._meta.get_field(name).get_db_prep_save(row[name], connection) for name in column_names
    ]


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterable[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def _insert_sql(
    model: type[models.Model],
    fields: Sequence[str],
    count: int,
    *,
    conflict: str,
    update: str,
    returning: str,
) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [model._meta.get_field(name).column for name in fields]
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    # Only model metadata and this module's constants are spliced in; values are parameters.
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    return (
        f"INSERT INTO {table} ({names}) "  # noqa: S608
        f"VALUES {', '.join([placeholders] * count)} "
        f"ON CONFLICT {conflict} DO UPDATE SET {update} RETURNING {returning}"
    )


def _run(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


CUSTOMER_VALUES = ("email", "name", "phone", "tier", "tags", "language")


def customers_upsert_by_external_id(
    store_id: int, rows: Sequence[dict[str, Any]], now: Any
) -> dict[str, int]:
    """Insert or update customers known by external id (each row has `external_id` and
    CUSTOMER_VALUES); the customer id of each external id. `updated_at` moves only when a value
    changed, as it would through the model."""
    fields = ("store", "external_id", *CUSTOMER_VALUES, "created_at", "updated_at")
    table = connection.ops.quote_name(Customer._meta.db_table)
    changed = " OR ".join(f"{table}.{c} <> EXCLUDED.{c}" for c in CUSTOMER_VALUES)
    update = ", ".join(f"{c} = EXCLUDED.{c}" for c in CUSTOMER_VALUES)
    update += (
        f", updated_at = CASE WHEN {changed} THEN EXCLUDED.updated_at ELSE {table}.updated_at END"
    )
    ids: dict[str, int] = {}
    ordered = sorted(rows, key=lambda row: row["external_id"])
    for chunk in _chunks(ordered):
        params: list = []
        for row in chunk:
            full = {**row, "store": store_id, "created_at": now, "updated_at": now}
            params += _prep(Customer, fields, full)
        sql = _insert_sql(
            Customer,
            fields,
            len(chunk),
            # The predicate names the partial unique index (uniq_customer_external_id).
            conflict="(store_id, external_id) WHERE NOT (external_id = '')",
            update=update,
            returning="id, external_id",
        )
        ids.update({external_id: pk for pk, external_id in _run(sql, params)})
    return ids


ORDER_VALUES = (
    "customer",
    "number",
    "currency",
    "placed_at",
    "delivered_at",
    "shipping_address",
    "country",
    "postal_code",
    "shipping_amount",
    "shipping_tax_amount",
    "tags",
)


def orders_upsert(
    store_id: int, rows: Sequence[dict[str, Any]], now: Any
) -> dict[str, tuple[int, bool]]:
    """Insert or update orders by external id (each row has `external_id` and ORDER_VALUES, the
    customer as its id); (order id, created) for each external id."""
    fields = ("store", "external_id", *ORDER_VALUES, "created_at", "updated_at")
    columns = [Order._meta.get_field(name).column for name in ORDER_VALUES]
    update = ", ".join(f"{c} = EXCLUDED.{c}" for c in [*columns, "updated_at"])
    postgres = connection.vendor == "postgresql"
    ordered = sorted(rows, key=lambda row: row["external_id"])
    existing: set[str] = set()
    if not postgres:
        # SQLite runs one writer at a time: what exists before the statement is what it updates.
        existing = set(
            Order.objects.filter(
                store_id=store_id, external_id__in=[row["external_id"] for row in rows]
            ).values_list("external_id", flat=True)
        )
    result: dict[str, tuple[int, bool]] = {}
    for chunk in _chunks(ordered):
        params: list = []
        for row in chunk:
            full = {**row, "store": store_id, "created_at": now, "updated_at": now}
            params += _prep(Order, fields, full)
        returning = "id, external_id, " + ("(xmax = 0)" if postgres else "0")
        sql = _insert_sql(
            Order,
            fields,
            len(chunk),
            conflict="(store_id, external_id)",
            update=update,
            returning=returning,
        )
        for pk, external_id, inserted in _run(sql, params):
            created = bool(inserted) if postgres else external_id not in existing
            result[external_id] = (pk, created)
    return result
