"""Keeping the analytics rollups: per order, what it adds now, less what it added before.

Sales are added at intake: `intake_observe` reads the orders a call will update before it
writes (their rows as they were) and adds the difference once written. What came back is added
in the transaction of every command on returns (`events_refresh`, the kernel's observer):
`orders_refresh` locks the order's kept facts (`OrderContribution`), reads its facts now, and
adds the difference of the returned rows. Applying the same state twice changes nothing.
`rollups_rebuild` writes a store's rollups again from the source tables; `rollups_ready`, before
every read, rebuilds a store whose rows were written by an older definition (ROLLUPS_VERSION).

On PostgreSQL a rebuild holds the store's rollup lock exclusively and every incremental write
holds it shared (a transaction-scoped advisory lock): writes run side by side, a rebuild waits for
those under way, and the writes that come meanwhile wait for it and then add to what it wrote.
On SQLite every write transaction already has the database to itself.
"""

from __future__ import annotations

import functools
import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from retorno.analytics.models import (
    DailyFigure,
    Label,
    OrderContribution,
    PendingOrder,
    RollupState,
)
from retorno.analytics.rollup_facts import orders_facts
from retorno.core.models import OutboxMessage
from retorno.core.outbox import outbox_enqueue
from retorno.domain.analytics.rollups import (
    ROLLUPS_VERSION,
    Contribution,
    Figures,
    RowKey,
    facts_dump,
    facts_load,
    returned_add,
    sold_contribution,
)
from retorno.orders.models import Customer, Order, OrderLine
from retorno.returns.models import Return
from retorno.stores.models import Store

BATCH = 2000
SQLITE_ROWS = 500  # rows per statement: 10 parameters each, under SQLite's limit of 32,766
# The first key of the stores' rollup locks (the second is the store's id).
LOCK_CLASS = 72_011


def _lock(store_id: int, *, exclusive: bool = False) -> None:
    """Hold the store's rollup lock until the transaction ends (PostgreSQL; nothing on SQLite,
    where a write transaction holds the whole database)."""
    if connection.vendor != "postgresql":
        return
    kind = "" if exclusive else "_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_advisory_xact_lock{kind}(%s, %s)", [LOCK_CLASS, store_id])


# --- writing -------------------------------------------------------------------------------------


def figures_add(store_id: int, rows: dict[RowKey, Figures]) -> None:
    """Add `rows` to the store's DailyFigure rows: one INSERT … ON CONFLICT DO UPDATE, the rows
    in key order (two transactions adding to the same rows wait for each other, never
    deadlock)."""
    if not rows:
        return
    table = DailyFigure._meta.db_table
    ordered = sorted(rows.items(), key=lambda kv: (kv[0][2], kv[0][0], kv[0][1], kv[0][3]))
    columns = ("returns", "orders", "units", "value", "extra")
    update = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns)
    # Table and column names are ours; the values travel as parameters.
    head = f"INSERT INTO {table} (store_id, dimension, basis, day, key, {', '.join(columns)}) "
    tail = f" ON CONFLICT (store_id, dimension, basis, day, key) DO UPDATE SET {update}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            values: list[list[Any]] = [[] for _ in range(9)]
            for (basis, day, dimension, key), figures in ordered:
                for i, v in enumerate((dimension, basis, day, key, *figures.as_tuple())):
                    values[i].append(v)
            unnest = (
                "SELECT %s, d, b, y, k, r, o, u, v, e FROM unnest("
                "%s::text[], %s::text[], %s::date[], %s::text[], %s::bigint[], %s::bigint[], "
                "%s::bigint[], %s::bigint[], %s::bigint[]) AS t(d, b, y, k, r, o, u, v, e)"
            )
            cursor.execute(
                head + unnest + tail,
                [store_id, *values],
            )
            return
        # SQLite has no arrays to unnest: rows of VALUES, a chunk per statement (a statement
        # per row cost a refresh as much as computing the rows).
        for start in range(0, len(ordered), SQLITE_ROWS):
            chunk = ordered[start : start + SQLITE_ROWS]
            params: list[Any] = []
            for (basis, day, dimension, key), figures in chunk:
                params += (store_id, dimension, basis, day, key, *figures.as_tuple())
            rows_sql = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(head + "VALUES " + rows_sql + tail, params)


def _labels_write(store_id: int, titles: dict[tuple[str, str], str]) -> None:
    if not titles:
        return
    table = Label._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement for the chunk (not one a title), and a label already right is not
            # written again (an order sent again leaves the table as it was).
            ordered = sorted(titles.items())
            cursor.execute(
                "INSERT INTO " + table + " (store_id, dimension, key, label) "  # noqa: S608
                "SELECT %s, d, k, l FROM unnest(%s::text[], %s::text[], %s::text[]) AS t(d, k, l) "
                "ON CONFLICT (store_id, dimension, key) DO UPDATE SET label = excluded.label "
                "WHERE " + table + ".label IS DISTINCT FROM excluded.label",
                [
                    store_id,
                    [dimension for (dimension, _), _ in ordered],
                    [key for (_, key), _ in ordered],
                    [label[:255] for _, label in ordered],
                ],
            )
            return
        # The table name is ours; the values travel as parameters.
        sql = "INSERT INTO " + table + " (store_id, dimension, key, label) VALUES (%s, %s, %s, %s)"  # noqa: S608
        cursor.executemany(
            sql + " ON CONFLICT (store_id, dimension, key) DO UPDATE SET label = excluded.label",
            [
                [store_id, dimension, key, label[:255]]
                for (dimension, key), label in sorted(titles.items())
            ],
        )


def _facts_write(changed: list[OrderContribution]) -> None:
    """Write the orders' kept facts: one UPDATE run per row (bulk_update's CASE over every row
    took a quarter of a refresh's CPU building the statement)."""
    table = OrderContribution._meta.db_table
    value = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET facts = {value} WHERE order_id = %s",  # noqa: S608
            [(json.dumps(holder.facts), holder.order_id) for holder in changed],
        )


def _add(total: dict[RowKey, Figures], rows: Contribution, sign: int = 1) -> None:
    for key, figures in rows.items():
        total[key].add(figures, sign)


def _nonzero(total: dict[RowKey, Figures]) -> dict[RowKey, Figures]:
    return {key: figures for key, figures in total.items() if not figures.is_zero()}


def orders_refresh(store: Store, order_ids: Iterable[int]) -> int:
    """Bring the returned rows up to date with the orders' returns as they are now, in the
    current transaction; how many rollup rows changed. Idempotent."""
    ids = sorted(set(order_ids))
    if not ids:
        return 0
    with transaction.atomic():
        _lock(store.id)
        table = OrderContribution._meta.db_table
        with connection.cursor() as cursor:
            # Each order's kept facts, locked: a second change of the same order waits, then
            # reads the facts this one leaves.
            cursor.execute(
                f"INSERT INTO {table} (order_id, store_id, facts) VALUES "  # noqa: S608
                + ", ".join(["(%s, %s, '{}')"] * len(ids))
                + " ON CONFLICT (order_id) DO NOTHING",
                [v for pk in ids for v in (pk, store.id)],
            )
        kept = {
            c.order_id: c
            for c in OrderContribution.objects.select_for_update()
            .filter(order_id__in=ids)
            .order_by("order_id")
        }
        # The titles were labelled at intake, where they change.
        facts, _ = orders_facts(ids, store)
        diff: dict[RowKey, Figures] = defaultdict(Figures)
        changed, emptied = [], []
        now = {order.id: order for order in facts}
        for pk in ids:
            holder = kept[pk]
            order = now.get(pk)
            dumped = facts_dump(order) if order is not None and order.returns else None
            if dumped is not None and dumped == holder.facts:
                continue  # counted from these very facts: its rows are those already added
            if holder.facts:
                returned_add(diff, facts_load(holder.facts), -1)
            if dumped is None:
                emptied.append(pk)
                continue
            returned_add(diff, order)  # type: ignore[arg-type]  # not None with a dump
            holder.facts = dumped
            changed.append(holder)
        if changed:
            _facts_write(changed)
        if emptied:
            OrderContribution.objects.filter(order_id__in=emptied).delete()
        rows = _nonzero(diff)
        figures_add(store.id, rows)
    return len(rows)


def intake_observe(store: Store, external_ids: Sequence[str]) -> Callable[[list[int]], None]:
    """Before an intake writes: the sales rows of the orders it will update, as they are; the
    function to call once written, which adds the difference and refreshes what came back of
    orders with returns (a line's title or category, the order's region or channel)."""
    before = list(
        Order.objects.filter(store=store, external_id__in=list(external_ids)).values_list(
            "id", flat=True
        )
    )
    old: dict[RowKey, Figures] = defaultdict(Figures)
    if before:
        for order in orders_facts(before, store, returns_too=False)[0]:
            _add(old, sold_contribution(order))

    def written(order_ids: list[int]) -> None:
        facts, titles = orders_facts(order_ids, store, returns_too=False)
        diff: dict[RowKey, Figures] = defaultdict(Figures)
        for order in facts:
            _add(diff, sold_contribution(order))
        _add(diff, old, -1)
        _lock(store.id)
        figures_add(store.id, _nonzero(diff))
        _labels_write(store.id, titles)
        if before:
            with_returns = list(
                OrderContribution.objects.filter(order_id__in=before).values_list(
                    "order_id", flat=True
                )
            )
            orders_refresh(store, with_returns)

    return written


# --- rebuild -------------------------------------------------------------------------------------


def _sold_rebuild(store: Store) -> None:
    """The sales rows of every order of the store."""
    if connection.vendor == "postgresql":
        _sold_rebuild_sql(store)
        return
    after = 0
    while True:
        ids = list(
            Order.objects.filter(store=store, id__gt=after)
            .order_by("id")
            .values_list("id", flat=True)[:BATCH]
        )
        if not ids:
            return
        facts, titles = orders_facts(ids, store, returns_too=False)
        total: dict[RowKey, Figures] = defaultdict(Figures)
        for order in facts:
            _add(total, sold_contribution(order))
        figures_add(store.id, _nonzero(total))
        _labels_write(store.id, titles)
        after = ids[-1]


SOLD_KEYS = {
    "all": "''",
    "product": "COALESCE(NULLIF(l.product_id, ''), l.title)",
    "variant": "l.sku",
    "category": "l.category",
    "supplier": "l.vendor",
    "tier": "COALESCE(c.tier, '')",
    "region": "COALESCE(NULLIF(o.shipping_address->>'region', ''), o.country)",
    "channel": "COALESCE(NULLIF(o.channel, ''), 'web')",
}


def _sold_rebuild_sql(store: Store) -> None:
    """On PostgreSQL: one INSERT … SELECT per dimension over the store's order lines (what
    sold_contribution gives, summed in the database)."""
    figures, labels = DailyFigure._meta.db_table, Label._meta.db_table
    lines, orders = OrderLine._meta.db_table, Order._meta.db_table
    customers = Customer._meta.db_table
    source = (
        f"FROM {lines} l JOIN {orders} o ON o.id = l.order_id "
        f"JOIN {customers} c ON c.id = o.customer_id WHERE o.store_id = %(store)s"
    )
    day = "(o.placed_at AT TIME ZONE %(tz)s)::date"
    paid = "ROUND((l.unit_price * l.quantity - l.discount_amount + l.tax_amount) * 10000)"
    params: dict[str, Any] = {"store": store.id, "tz": store.timezone}
    with connection.cursor() as cursor:
        for dimension, key in SOLD_KEYS.items():
            cursor.execute(
                f"INSERT INTO {figures} (store_id, dimension, basis, day, key, returns, orders, "
                f"units, value, extra) SELECT %(store)s, '{dimension}', 's', {day}, {key}, 0, "
                f"COUNT(DISTINCT o.id), SUM(l.quantity), SUM({paid})::bigint, 0 {source} "
                "GROUP BY 4, 5",
                params,
            )
        for dimension, key in (("product", SOLD_KEYS["product"]), ("variant", "l.sku")):
            cursor.execute(
                f"INSERT INTO {labels} (store_id, dimension, key, label) "
                f"SELECT DISTINCT ON ({key}) %(store)s, '{dimension}', {key}, l.title {source} "
                f"ORDER BY {key}, l.id DESC",
                params,
            )


def _returned_batches(store: Store) -> Iterator[list[int]]:
    """The store's orders that have returns, in batches."""
    after = 0
    while True:
        ids = list(
            Return.objects.filter(store=store, order_id__gt=after)
            .order_by("order_id")
            .values_list("order_id", flat=True)
            .distinct()[:BATCH]
        )
        if not ids:
            return
        yield ids
        after = ids[-1]


def rollups_rebuild(store: Store) -> dict[str, int]:
    """Write the store's rollups again from the source tables (one transaction): every
    order's sales, and what came back of each order with returns. Returns the orders with
    returns read and the rows written."""
    orders = 0
    with transaction.atomic():
        _lock(store.id, exclusive=True)
        OrderContribution.objects.filter(store=store).delete()
        PendingOrder.objects.filter(store=store).delete()
        DailyFigure.objects.filter(store=store).delete()
        Label.objects.filter(store=store).delete()
        _sold_rebuild(store)
        total: dict[RowKey, Figures] = defaultdict(Figures)
        for ids in _returned_batches(store):
            facts, _ = orders_facts(ids, store)
            kept = []
            for order in facts:
                returned_add(total, order)
                kept.append(
                    OrderContribution(order_id=order.id, store=store, facts=facts_dump(order))
                )
            OrderContribution.objects.bulk_create(kept, batch_size=BATCH)
            orders += len(ids)
        figures_add(store.id, _nonzero(total))
        RollupState.objects.update_or_create(
            store=store, defaults={"version": ROLLUPS_VERSION, "rebuilt_at": timezone.now()}
        )
    return {"orders": orders, "rows": DailyFigure.objects.filter(store=store).count()}


def rollups_upgrade(store: Store) -> bool:
    """Rebuild the store's rollups unless they are of the current definition (checked under the
    store's lock, so of two readers that find them old, the second waits for the first's
    rebuild and finds it done); whether this call rebuilt them."""
    with transaction.atomic():
        _lock(store.id, exclusive=True)
        if RollupState.objects.filter(store=store, version=ROLLUPS_VERSION).exists():
            return False
        rollups_rebuild(store)
        return True


def rollup_rows(store: Store) -> dict[RowKey, tuple[int, int, int, int, int]]:
    """The store's rollup rows that are not all zero, pending orders counted (for checks and
    tests)."""
    rollups_ready(store)
    return {
        (basis, day, dimension, key): (returns, orders, units, value, extra)
        for basis, day, dimension, key, returns, orders, units, value, extra in (
            DailyFigure.objects.filter(store=store).values_list(
                "basis", "day", "dimension", "key", "returns", "orders", "units", "value", "extra"
            )
        )
        if any((returns, orders, units, value, extra))
    }


REFRESH_KIND = "analytics.refresh"
REFRESH_WINDOW_SECONDS = 2
FLUSH_BATCH = 500
# Per store, the last window this process wrote its request to count for: the commands that
# follow in the same window skip the INSERT the outbox would find already there.
_requested: dict[int, int] = {}


def events_refresh(run: Sequence[Any]) -> None:
    """After a command on returns (the kernel's observer): mark the orders of the returns its
    events touched as pending, and ask the outbox to count them (one message per store every
    couple of seconds, whatever the number of commands).

    The request to count is written after the command commits, on its own: written inside
    it, every concurrent command of the store waited on the first one's uncommitted row of
    the shared key until it committed, and two commands that wrote two such keys in opposite
    orders deadlocked (bench/soak.py found one in ten minutes of carrier webhooks). A request
    lost to a crash just after the commit costs nothing: the pending orders stay marked, and
    the next request or the next read of the figures counts them."""
    by_store: dict[int, set[int]] = defaultdict(set)
    for recorded in run:
        ret = recorded.return_request
        by_store[ret.store_id].add(ret.order_id)
    table = PendingOrder._meta.db_table
    window = int(time.time() // REFRESH_WINDOW_SECONDS)
    with connection.cursor() as cursor:
        for store_id, order_ids in by_store.items():
            ids = sorted(order_ids)
            cursor.execute(
                f"INSERT INTO {table} (order_id, store_id) VALUES "  # noqa: S608
                + ", ".join(["(%s, %s)"] * len(ids))
                + " ON CONFLICT (order_id) DO NOTHING",
                [v for pk in ids for v in (pk, store_id)],
            )
            if _requested.get(store_id) != window:
                transaction.on_commit(
                    functools.partial(_refresh_request, store_id, window), robust=True
                )


def _refresh_request(store_id: int, window: int) -> None:
    outbox_enqueue(
        store_id=store_id,
        kind=REFRESH_KIND,
        dedupe_key=f"{REFRESH_KIND}:{store_id}:{window}",
        payload={},
    )
    _requested[store_id] = window


def pending_flush(store: Store) -> int:
    """Count the store's pending orders into the rollups, in batches (each its own
    transaction); how many orders. Two flushes at once share the work (locked rows are
    skipped)."""
    done = 0
    while True:
        with transaction.atomic():
            # Before the pending rows are locked: a rebuild deletes them under this lock.
            _lock(store.id)
            ids = list(
                PendingOrder.objects.select_for_update(skip_locked=True)
                .filter(store=store)
                .order_by("order_id")
                .values_list("order_id", flat=True)[:FLUSH_BATCH]
            )
            if not ids:
                return done
            orders_refresh(store, ids)
            PendingOrder.objects.filter(order_id__in=ids).delete()
            done += len(ids)


def rollups_ready(store: Store) -> int:
    """Before the figures are read: rollups of an older definition (or never rebuilt) are
    rebuilt, and what changed since they were last counted is counted (usually nothing is
    left); how many pending orders were counted. One statement when there is nothing to do."""
    state, pending = RollupState._meta.db_table, PendingOrder._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT version FROM {state} WHERE store_id = %s), "  # noqa: S608
            f"EXISTS (SELECT 1 FROM {pending} WHERE store_id = %s)",
            [store.id, store.id],
        )
        version, waiting = cursor.fetchone()
    if version != ROLLUPS_VERSION:
        rollups_upgrade(store)
    return pending_flush(store) if waiting or version != ROLLUPS_VERSION else 0


def refresh_deliver(message: OutboxMessage) -> dict[str, Any]:
    """Outbox handler of analytics.refresh: the pending orders counted (after an upgrade, the
    store's rollups rebuilt first: the job does it before a reader has to wait for it)."""
    store = Store.objects.get(id=message.store_id)
    return {"orders": rollups_ready(store)}


class _Rollback(Exception):
    pass


def rollups_check(store: Store) -> dict[RowKey, tuple[Any, Any]]:
    """The rows where the kept rollups differ from a rebuild: (kept, rebuilt) per row. The
    rebuild is rolled back."""
    kept = rollup_rows(store)
    rebuilt: dict[RowKey, tuple[int, int, int, int, int]] = {}
    try:
        with transaction.atomic():
            rollups_rebuild(store)
            rebuilt = rollup_rows(store)
            raise _Rollback
    except _Rollback:
        pass
    return {
        key: (kept.get(key), rebuilt.get(key))
        for key in kept.keys() | rebuilt.keys()
        if kept.get(key) != rebuilt.get(key)
    }
