"""A store's returns per status, from ReturnStatusTally (rows the database appends on every
insert, status change and delete of a return: migration 0010) instead of a count over the
store's history: the dashboard's counts cost the same at a million returns as at ten.

The rows a minute of work appends are folded into one per store and status by
`status_tally_compact` (every minute by Celery beat and the in-process scheduler), so a read
sums a handful of rows. A load that wrote returns with the triggers off (the bulk history
generator) calls `status_tally_rebuild` afterwards.
"""

from __future__ import annotations

from django.db import connection, transaction

from retorno.returns.models import Return, ReturnStatusTally
from retorno.stores.models import Store

_TALLY = ReturnStatusTally._meta.db_table
_RETURNS = Return._meta.db_table
_STORES = Store._meta.db_table


def status_tally_counts(*, store: Store) -> dict[str, int]:
    """How many of the store's returns are in each status (statuses with none left out): one
    statement summing the store's tally rows through the (store, status) index."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT status, SUM(delta) FROM {_TALLY} WHERE store_id = %s GROUP BY status",  # noqa: S608
            [store.pk],
        )
        return {status: int(n) for status, n in cursor.fetchall() if n}


def status_tally_compact() -> int:
    """Fold every store's tally rows into one per store and status (statuses down to zero
    dropped, and the rows of a store that no longer exists: the returns' delete trigger appends
    them while a store is deleted); how many rows were folded. Safe beside writers and another compaction: the rows
    one statement deletes are exactly the ones it sums back (a row appended meanwhile is not
    seen by the delete and stays, a row another compaction took is skipped)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""
                WITH gone AS (DELETE FROM {_TALLY} RETURNING store_id, status, delta),
                     kept AS (INSERT INTO {_TALLY} (store_id, status, delta)
                              SELECT store_id, status, SUM(delta) FROM gone
                              WHERE store_id IN (SELECT id FROM {_STORES})
                              GROUP BY store_id, status HAVING SUM(delta) <> 0)
                SELECT COUNT(*) FROM gone
                """  # noqa: S608 - fixed identifiers only
            )
            (folded,) = cursor.fetchone()
            return int(folded)
        # SQLite: one writer at a time, so reading then replacing is the same.
        cursor.execute(f"SELECT MAX(id), COUNT(*) FROM {_TALLY}")  # noqa: S608
        top, folded = cursor.fetchone()
        if not folded:
            return 0
        cursor.execute(
            f"INSERT INTO {_TALLY} (store_id, status, delta) "  # noqa: S608
            f"SELECT store_id, status, SUM(delta) FROM {_TALLY} WHERE id <= %s "
            f"AND store_id IN (SELECT id FROM {_STORES}) "
            "GROUP BY store_id, status HAVING SUM(delta) <> 0",
            [top],
        )
        cursor.execute(f"DELETE FROM {_TALLY} WHERE id <= %s", [top])  # noqa: S608
        return int(folded)


def status_tally_rebuild(*, store: Store) -> None:
    """Count the store's returns per status again (once, after a load that wrote them with the
    triggers off); the returns table is locked against writes meanwhile, so no change made
    during the count is lost or counted twice."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {_RETURNS} IN SHARE MODE")
        cursor.execute(f"DELETE FROM {_TALLY} WHERE store_id = %s", [store.pk])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {_TALLY} (store_id, status, delta) "  # noqa: S608
            f"SELECT store_id, status, COUNT(*) FROM {_RETURNS} WHERE store_id = %s "
            "GROUP BY store_id, status",
            [store.pk],
        )
