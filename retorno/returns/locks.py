"""Row locks of the return kernel, taken at the start of a command's transaction.

The order of locks is always the same, so two commands never wait on each other in a circle:
the order (return requests on it, ADR 3), then the return, then what hangs below it (money
rows, shipments). SQLite has no row locks: its write transaction (BEGIN IMMEDIATE) already
excludes every other writer, so these read the row without waiting there.
"""

from __future__ import annotations

from django.db import connections, router

from retorno.core.errors import NotFound
from retorno.domain.returns.rma import normalise_rma
from retorno.orders.models import Order
from retorno.returns.models import Return
from retorno.stores.models import Store


def return_lock(store: Store, rma: str) -> Return:
    """The store's return `rma`, locked. NotFound (return_not_found) when it has none."""
    found = Return.objects.select_for_update().filter(store=store, rma=normalise_rma(rma)).first()
    if found is None:
        raise NotFound(f"No return {rma!r} in this store.", code="return_not_found")
    return found


def return_lock_by_id(return_id: int | None, *, store_id: int | None = None) -> Return | None:
    """The return with this id (in this store, when given), locked with its store, order and
    customer read alongside; None when there is none."""
    if return_id is None:
        return None
    rows = Return.objects.select_for_update(of=("self",)).select_related(
        "store", "order", "customer"
    )
    if store_id is not None:
        rows = rows.filter(store_id=store_id)
    return rows.filter(id=return_id).first()


def order_lock(order_id: int) -> None:
    """Take the order's row lock, which queues return requests on one order (ADR 3)."""
    connection = connections[router.db_for_write(Order)]
    if not connection.features.has_select_for_update:
        return
    # Written out: the ORM compiled this one-column read on every return request.
    with connection.cursor() as cursor:
        cursor.execute(_ORDER_LOCK_SQL, [order_id])
        cursor.fetchall()


_ORDER_LOCK_SQL = f"SELECT id FROM {Order._meta.db_table} WHERE id = %s FOR UPDATE"  # noqa: S608
