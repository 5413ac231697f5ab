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

import hashlib
import itertools
import json
from collections.abc import Sequence
from typing import Any, cast

from django.db import connection, models

from retorno.orders.models import Customer, Order, OrderLine, Product, Variant

CHUNK = 1000  # rows per statement: at 18 columns, under SQLite's limit of 32,766 values
# From this many rows a chunk reaches PostgreSQL by COPY into a temporary table (a CSV import,
# a backfill); fewer (an order from the API) travel as arrays in the statement.
COPY_FROM = 200
_staging_names = itertools.count(1)

# The array type each kind of field travels in on PostgreSQL (text arrives in JSON columns as
# its text and is cast there; a text longer than its column is refused by the INSERT's cast).
ARRAY_TYPES = {
    "CharField": "text",
    "EmailField": "text",
    "TextField": "text",
    "JSONField": "text",
    "DecimalField": "numeric",
    "DateTimeField": "timestamptz",
    "BooleanField": "boolean",
    "IntegerField": "bigint",
    "PositiveIntegerField": "bigint",
    "BigIntegerField": "bigint",
    "ForeignKey": "bigint",
}


def _column(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """A concrete field of `model` (only columns are upserted: no relation's reverse side)."""
    return cast("models.Field[Any, Any]", model._meta.get_field(name))


def upsert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[dict[str, Any]],
    *,
    conflict: str,
    update: str,
    returning: str = "",
) -> list[tuple]:
    """`INSERT … ON CONFLICT {conflict} DO UPDATE SET {update} [RETURNING …]` of `rows` (dicts
    keyed by `fields`), in order, in chunks; the rows returned.

    On PostgreSQL the values travel as one array a column and are unnested: a statement with
    18,000 placeholders spends more time in the driver's parsing of the query than in the
    database. Elsewhere, a multi-row VALUES with values prepared by Django."""
    table = connection.ops.quote_name(model._meta.db_table)
    model_fields = [_column(model, name) for name in fields]
    names = ", ".join(connection.ops.quote_name(field.column) for field in model_fields)
    tail = f"ON CONFLICT {conflict} DO UPDATE SET {update}" + (
        f" RETURNING {returning}" if returning else ""
    )
    found: list[tuple] = []
    postgres = connection.vendor == "postgresql"
    kinds = [field.get_internal_type() for field in model_fields]
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        if postgres and len(chunk) >= COPY_FROM:
            found += _upsert_copied(table, names, fields, kinds, chunk, tail, returning)
            continue
        if postgres:
            arrays = ", ".join(f"%s::{ARRAY_TYPES[kind]}[]" for kind in kinds)
            picks = ", ".join(
                f"u.c{i}::jsonb" if kind == "JSONField" else f"u.c{i}"
                for i, kind in enumerate(kinds)
            )
            aliases = ", ".join(f"c{i}" for i in range(len(kinds)))
            # Only model metadata and this module's constants are spliced in; values are
            # parameters. WITH ORDINALITY keeps the rows in their order (the lock order).
            sql = (
                f"INSERT INTO {table} ({names}) SELECT {picks} "  # noqa: S608
                f"FROM unnest({arrays}) WITH ORDINALITY AS u({aliases}, n) ORDER BY u.n {tail}"
            )
            params: list = [
                [json.dumps(row[name]) for row in chunk]
                if kind == "JSONField"
                else [row[name] for row in chunk]
                for name, kind in zip(fields, kinds, strict=True)
            ]
        else:
            placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
            sql = f"INSERT INTO {table} ({names}) VALUES {', '.join([placeholders] * len(chunk))} {tail}"  # noqa: S608
            params = [
                field.get_db_prep_save(row[name], connection)
                for row in chunk
                for name, field in zip(fields, model_fields, strict=True)
            ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if returning:
                found += cursor.fetchall()
    return found


def _upsert_copied(
    table: str,
    names: str,
    fields: Sequence[str],
    kinds: Sequence[str],
    chunk: Sequence[dict[str, Any]],
    tail: str,
    returning: str,
) -> list[tuple]:
    """The PostgreSQL upsert of a large chunk: COPY into a temporary table of the same column
    types, then one `INSERT … SELECT … ON CONFLICT` from it in the rows' order. Binding 18
    arrays of 1,000 values as query text costs more than the database's work; COPY streams
    them. The temporary table lives in this session only and is dropped at once (with the
    transaction if it rolls back). Only the INSERT is a statement of Django's cursor."""
    staging = f"upsert_staging_{next(_staging_names)}"
    columns = ", ".join(f"c{i} {ARRAY_TYPES[kind]}" for i, kind in enumerate(kinds))
    aliases = ", ".join(f"c{i}" for i in range(len(kinds)))
    picks = ", ".join(
        f"u.c{i}::jsonb" if kind == "JSONField" else f"u.c{i}" for i, kind in enumerate(kinds)
    )
    json_fields = [kind == "JSONField" for kind in kinds]
    with connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute(f"CREATE TEMPORARY TABLE {staging} (n bigint, {columns})")
        with raw.copy(f"COPY {staging} (n, {aliases}) FROM STDIN") as copy:
            for n, row in enumerate(chunk):
                copy.write_row(
                    (
                        n,
                        *(
                            json.dumps(row[name]) if is_json else row[name]
                            for name, is_json in zip(fields, json_fields, strict=True)
                        ),
                    )
                )
        # Only model metadata and this module's names are spliced in; values came by COPY.
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {picks} FROM {staging} AS u "  # noqa: S608
            f"ORDER BY u.n {tail}"
        )
        found = cursor.fetchall() if returning else []
        raw.execute(f"DROP TABLE {staging}")
    return found


def differs(table: str, columns: Sequence[str]) -> str:
    """SQL true when a row of `table` holds other values in `columns` than the one proposed
    (EXCLUDED), nulls compared as values."""
    operator = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    return "(" + " OR ".join(f"{table}.{c} {operator} EXCLUDED.{c}" for c in columns) + ")"


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
    ordered = [
        {**row, "store": store_id, "created_at": now, "updated_at": now}
        for row in sorted(rows, key=lambda row: row["external_id"])
    ]
    found = upsert(
        Customer,
        fields,
        ordered,
        # The predicate names the partial unique index (uniq_customer_external_id).
        conflict="(store_id, external_id) WHERE NOT (external_id = '')",
        update=update,
        returning="id, external_id",
    )
    return {external_id: pk for pk, external_id in found}


ORDER_VALUES = (
    "customer",
    "number",
    "currency",
    "placed_at",
    "delivered_at",
    "shipping_address",
    "country",
    "postal_code",
    "channel",
    "shipping_amount",
    "shipping_tax_amount",
    "discount_amount",
    "tags",
    "payment_reference",
)


def orders_upsert(
    store_id: int, rows: Sequence[dict[str, Any]], now: Any
) -> dict[str, tuple[int, bool]]:
    """Insert or update orders by external id (each row has `external_id`, ORDER_VALUES, the
    customer as its id, and `intake_digest`); (order id, created) for each external id."""
    fields = ("store", "external_id", *ORDER_VALUES, "intake_digest", "created_at", "updated_at")
    columns = [_column(Order, name).column for name in ORDER_VALUES]
    table = connection.ops.quote_name(Order._meta.db_table)
    update = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*columns, "intake_digest"))
    # An order sent again as it is keeps its time of change (an import run twice changes nothing).
    update += (
        f", updated_at = CASE WHEN {differs(table, columns)} THEN EXCLUDED.updated_at "
        f"ELSE {table}.updated_at END"
    )
    postgres = connection.vendor == "postgresql"
    existing: set[str] = set()
    if not postgres:
        # SQLite runs one writer at a time: what exists before the statement is what it updates.
        existing = set(
            Order.objects.filter(
                store_id=store_id, external_id__in=[row["external_id"] for row in rows]
            ).values_list("external_id", flat=True)
        )
    ordered = [
        {**row, "store": store_id, "created_at": now, "updated_at": now}
        for row in sorted(rows, key=lambda row: row["external_id"])
    ]
    found = upsert(
        Order,
        fields,
        ordered,
        conflict="(store_id, external_id)",
        update=update,
        returning="id, external_id, " + ("(xmax = 0)" if postgres else "0"),
    )
    return {
        external_id: (pk, bool(inserted) if postgres else external_id not in existing)
        for pk, external_id, inserted in found
    }


LINE_VALUES = (
    "variant",
    "sku",
    "product_id",
    "title",
    "category",
    "vendor",
    "tags",
    "quantity",
    "unit_price",
    "discount_amount",
    "order_discount_amount",
    "tax_amount",
    "final_sale",
    "options",
    "image_url",
    "position",
)


def lines_upsert(rows: Sequence[dict[str, Any]]) -> None:
    """Insert or update order lines by (order, external id); each row has `order` (an id),
    `external_id` and LINE_VALUES."""
    fields = ("order", "external_id", *LINE_VALUES)
    columns = [_column(OrderLine, name).column for name in LINE_VALUES]
    table = connection.ops.quote_name(OrderLine._meta.db_table)
    # Lines sent again as they are are not written again.
    update = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns) + f" WHERE {differs(table, columns)}"
    ordered = sorted(rows, key=lambda row: (row["order"], row["external_id"]))
    upsert(OrderLine, fields, ordered, conflict="(order_id, external_id)", update=update)


def guests_lock(store_id: int, emails: Sequence[str]) -> None:
    """Hold, until the transaction ends, a lock per guest e-mail of the store, so two calls
    bringing the same new guest take turns: the second finds the customer the first created
    instead of creating another (a guest has no external id for `ON CONFLICT` to meet, and
    old stores may hold duplicates, so no unique index can say it). PostgreSQL advisory locks,
    all taken by one statement in a single global order (no two calls wait for each other);
    SQLite lets one writer in at a time from BEGIN (IMMEDIATE), so it needs none."""
    if connection.vendor != "postgresql" or not emails:
        return
    keys = sorted({_guest_key(store_id, email) for email in emails})
    with connection.cursor() as cursor:
        # unnest yields the keys in the array's order, and each row takes its lock in turn.
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%s::bigint[]) AS k", [keys]
        )


def _guest_key(store_id: int, email: str) -> int:
    digest = hashlib.blake2b(f"guest:{store_id}:{email}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


PRODUCT_VALUES = ("title", "category", "vendor", "url")
VARIANT_VALUES = ("options", "price", "stock", "image_url", "weight_grams")


def products_upsert(
    store_id: int, rows: Sequence[dict[str, Any]], now: Any
) -> dict[str, tuple[int, bool]]:
    """Insert or update products by external id (each row has `external_id` and
    PRODUCT_VALUES); (product id, created) for each. `updated_at` moves only on a change."""
    fields = (
        "store",
        "external_id",
        *PRODUCT_VALUES,
        "tags",
        "image_url",
        "created_at",
        "updated_at",
    )
    table = connection.ops.quote_name(Product._meta.db_table)
    update = ", ".join(f"{c} = EXCLUDED.{c}" for c in PRODUCT_VALUES)
    update += (
        f", updated_at = CASE WHEN {differs(table, PRODUCT_VALUES)} THEN EXCLUDED.updated_at "
        f"ELSE {table}.updated_at END"
    )
    existing = set(
        Product.objects.filter(
            store_id=store_id, external_id__in=[row["external_id"] for row in rows]
        ).values_list("external_id", flat=True)
    )
    ordered = [
        {
            "tags": [],
            "image_url": "",
            **row,
            "store": store_id,
            "created_at": now,
            "updated_at": now,
        }
        for row in sorted(rows, key=lambda row: row["external_id"])
    ]
    found = upsert(
        Product,
        fields,
        ordered,
        conflict="(store_id, external_id)",
        update=update,
        returning="id, external_id",
    )
    return {external_id: (pk, external_id not in existing) for pk, external_id in found}


def variants_upsert(store_id: int, rows: Sequence[dict[str, Any]], now: Any) -> None:
    """Insert or update variants by SKU (each row has `product` (an id), `sku` and
    VARIANT_VALUES). A SKU that belongs to another product is left alone (callers refuse it
    first); an unchanged variant is not written."""
    fields = ("store", "product", "sku", *VARIANT_VALUES, "created_at", "updated_at")
    table = connection.ops.quote_name(Variant._meta.db_table)
    update = ", ".join(f"{c} = EXCLUDED.{c}" for c in VARIANT_VALUES)
    update += (
        f", updated_at = EXCLUDED.updated_at WHERE {table}.product_id = EXCLUDED.product_id "
        f"AND {differs(table, VARIANT_VALUES)}"
    )
    ordered = [
        {**row, "store": store_id, "created_at": now, "updated_at": now}
        for row in sorted(rows, key=lambda row: row["sku"])
    ]
    upsert(Variant, fields, ordered, conflict="(store_id, sku)", update=update)
