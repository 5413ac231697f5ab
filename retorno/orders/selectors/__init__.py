from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections, router
from django.db.models import Q

from retorno.core import keyset
from retorno.core.db import rows
from retorno.core.errors import NotFound
from retorno.core.keyset import KeysetPage
from retorno.core.pictures import picture_url
from retorno.domain.money import quantize
from retorno.orders.csv_rows import COLUMNS, header_of
from retorno.orders.models import CsvImport, Customer, Order, OrderLine, Variant
from retorno.stores.models import Store

# Text this long or longer is also looked for inside values (as the returns queue's search).
SEARCH_INSIDE_FROM = 3


def order_get_for_store(*, store: Store, external_id: str) -> Order:
    """The store's order with its customer and, as if prefetched, its lines (two statements
    written out once: the ORM compiled them on every read of an order)."""
    connection = connections[router.db_for_read(Order)]
    with connection.cursor() as cursor:
        cursor.execute(_ORDER_SQL, [store.id, external_id])
        row = cursor.fetchone()
        if row is None:
            raise NotFound(f"No order {external_id!r} in this store.", code="order_not_found")
        order = rows.from_row(connection, Order, _ORDER_FIELDS, row[: len(_ORDER_FIELDS)])
        order.customer = rows.from_row(
            connection, Customer, _CUSTOMER_FIELDS, row[len(_ORDER_FIELDS) :]
        )
        cursor.execute(_LINES_SQL, [order.pk])
        lines = [rows.from_row(connection, OrderLine, _LINE_FIELDS, r) for r in cursor.fetchall()]
    rows.prefetched(order, "lines", lines)
    return order


_ORDER_FIELDS = rows.all_attnames(Order)
_CUSTOMER_FIELDS = rows.all_attnames(Customer)
_LINE_FIELDS = rows.all_attnames(OrderLine)
_ORDER_SQL = (
    f"SELECT {rows.columns('o', Order, _ORDER_FIELDS)}, "  # noqa: S608
    f"{rows.columns('c', Customer, _CUSTOMER_FIELDS)} "
    f"FROM {Order._meta.db_table} o JOIN {Customer._meta.db_table} c ON c.id = o.customer_id "
    "WHERE o.store_id = %s AND o.external_id = %s"
)
_LINES_SQL = (
    f"SELECT {rows.columns('l', OrderLine, _LINE_FIELDS)} "  # noqa: S608
    f"FROM {OrderLine._meta.db_table} l WHERE l.order_id = %s ORDER BY l.position, l.id"
)


def customer_get_for_store(*, store: Store, customer_id: int) -> Customer:
    """The store's customer with this id; another store's is NotFound (customer_not_found)."""
    customer = Customer.objects.filter(store=store, id=customer_id).first()
    if customer is None:
        raise NotFound(f"No customer {customer_id} in this store.", code="customer_not_found")
    return customer


def customer_list_for_store(
    *,
    store: Store,
    email: str | None = None,
    tier: str | None = None,
    limit: int = 50,
    after: str | None = None,
    before: str | None = None,
    strict: bool = True,
    q: str | None = None,
) -> KeysetPage[Customer]:
    """The store's customers, newest first: the page after the cursor `after` (older ones),
    before `before`, or the first; by exact e-mail (lower-cased) or tier, and `q` (staff's
    search: the whole e-mail or external id, or from SEARCH_INSIDE_FROM characters text inside
    the e-mail or the name). One statement per page whatever the store's size (index (store,
    created_at, id); an e-mail by (store, email); text inside by the trigram indexes of
    returns/0007 on PostgreSQL)."""
    customers = Customer.objects.filter(store=store)
    if email:
        customers = customers.filter(email=email.strip().lower())
    if tier:
        customers = customers.filter(tier=tier)
    text = (q or "").strip()[:254]
    if text:
        found = Q(email=text.lower()) | Q(external_id=text)
        if len(text) >= SEARCH_INSIDE_FROM:
            found |= Q(email__icontains=text) | Q(name__icontains=text)
        customers = customers.filter(found)
    return keyset.newest_first(customers, limit=limit, after=after, before=before, strict=strict)


def order_find_for_store(*, store: Store, external_id: str) -> Order | None:
    """The store's order with this external id and its customer, or None."""
    order = (
        Order.objects.select_related("customer")
        .filter(store=store, external_id=external_id)
        .first()
    )
    if order is not None:
        order.store = store  # the caller's: reading `order.store` costs no query
    return order


def order_find_by_typed(*, store: Store, typed: str) -> Order | None:
    """The store's order as a person types it: its number (with or without "#") or its external
    id; the latest placed when several match. None for nothing typed or nothing found."""
    typed = typed.strip()
    bare = typed.lstrip("#").strip()
    if not bare:
        return None
    return (
        Order.objects.for_store(store)
        .filter(Q(number__in={typed, bare, f"#{bare}"}) | Q(external_id=typed))
        .select_related("customer")
        .prefetch_related("lines")
        .order_by("-placed_at", "-id")
        .first()
    )


def variants_by_id(*, store_id: int, ids: Iterable[int]) -> dict[int, Variant]:
    """The store's variants among `ids`, by id (another store's are left out)."""
    return {v.id: v for v in Variant.objects.filter(store_id=store_id, id__in=list(ids))}


def variant_ids_by_sku(*, store: Store, skus: set[str]) -> dict[str, int]:
    """The store's variants with these SKUs, SKU -> id (SKUs it does not sell are absent)."""
    if not skus:
        return {}
    return dict(Variant.objects.filter(store=store, sku__in=skus).values_list("sku", "id"))


@dataclass(frozen=True)
class PaidLineView:
    """What a line cost the shopper, in the order's minor units, as the API and pages show it."""

    line: OrderLine
    discount: Decimal
    order_discount: Decimal
    tax: Decimal
    paid: Decimal


@dataclass(frozen=True)
class OrderPaid:
    lines: list[PaidLineView]
    shipping: Decimal
    shipping_tax: Decimal
    discount: Decimal
    total: Decimal


def order_paid(order: Order) -> OrderPaid:
    """What was paid for `order`, line by line and in total (lines as prefetched)."""
    currency = order.currency
    views = [
        PaidLineView(
            line=line,
            discount=quantize(line.discount_amount, currency),
            order_discount=quantize(line.order_discount_amount, currency),
            tax=quantize(line.tax_amount, currency),
            paid=quantize(line.paid_amount, currency),
        )
        for line in order.lines.all()
    ]
    shipping = quantize(order.shipping_amount, currency)
    shipping_tax = quantize(order.shipping_tax_amount, currency)
    return OrderPaid(
        lines=views,
        shipping=shipping,
        shipping_tax=shipping_tax,
        discount=quantize(order.discount_amount, currency),
        total=sum((view.paid for view in views), shipping + shipping_tax),
    )


def line_pictures(*, order_id: int) -> dict[int, str]:
    """Each line of the order's picture (line id -> address): the line's own, else its
    variant's, else its product's, else the neutral placeholder. One query."""
    rows = OrderLine.objects.filter(order_id=order_id).values_list(
        "id", "image_url", "variant__image_url", "variant__product__image_url"
    )
    return {line_id: picture_url(own, variant, product) for line_id, own, variant, product in rows}


def csv_import_list_for_store(*, store: Store, limit: int = 20) -> list[CsvImport]:
    """The store's latest imports, newest first (without their files)."""
    return list(
        CsvImport.objects.filter(store=store).defer("content").order_by("-created_at")[:limit]
    )


def csv_import_for_store(*, store: Store, import_id: int) -> CsvImport:
    found = CsvImport.objects.filter(store=store, id=import_id).first()
    if found is None:
        raise NotFound(f"No import {import_id} in this store.", code="import_not_found")
    return found


def csv_import_header(job: CsvImport) -> list[str]:
    """The header of a checked import's file (empty once imported: the file is not kept)."""
    if not job.content:
        return []
    return header_of(job.content)


def csv_import_fields(job: CsvImport) -> list[dict[str, Any]]:
    """Each of Retorno's columns for the import's kind: its name, whether it is required, the
    file's header it reads now, and the file's headers to choose from."""
    header = csv_import_header(job)
    return [
        {
            "name": column.name,
            "required": column.required,
            "chosen": job.mapping.get(column.name, ""),
            "headers": header,
        }
        for column in COLUMNS[job.kind]
    ]
