"""Reading many rows of a queryset's `values_list` fast, for reads of whole periods (the policy
simulator's facts).

On PostgreSQL, Django loads every `timestamptz` through its own Python subclass of psycopg's
loader (to attach the connection's time zone), which bypasses psycopg's C loader: reading
100,000 returns with three datetimes each spends most of its time there. `rows` runs the
queryset's own SQL on a cursor whose timestamp loader is psycopg's C one (the connection's
time zone is UTC, as Django sets it, so the values are the same aware datetimes). Elsewhere
(SQLite) it is the queryset as it is.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import QuerySet


def rows(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a `values_list` queryset, as tuples, read whole; values as the queryset gives
    them (the fields' own converters applied, e.g. a JSON key parsed)."""
    if connection.vendor != "postgresql":
        return list(queryset)
    import psycopg  # only on PostgreSQL

    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        oid = psycopg.postgres.types["timestamptz"].oid
        loader = psycopg.adapters.get_loader(oid, psycopg.pq.Format.TEXT)
        if loader is not None:
            cursor.adapters.register_loader(oid, loader)
        cursor.execute(sql, params)
        found = cursor.fetchall()
    converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
    if not converters:
        return found
    return [tuple(row) for row in compiler.apply_converters(found, converters)]
