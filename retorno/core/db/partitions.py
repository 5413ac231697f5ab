"""Monthly partitions for an append-only table, on PostgreSQL (ADR 16 says when).

`partition_switch` turns a plain table into one `PARTITION BY RANGE (<time column>)` with a
partition a month, keeping its name, its columns, its indexes (same names, so later migrations
find them), its foreign keys and its ids (a sequence of its own carries on from the highest).
It runs beside the live application:

1. the partitioned twin is created with the months from the oldest row to `ahead` months from
   now, and the rows are copied month by month, one transaction each (writers carry on: the
   table is append-only, so what is copied stays true);
2. the indexes are built on the twin (nobody uses it yet);
3. in one short transaction holding the old table's ACCESS EXCLUSIVE lock: the rows written
   since the copy began are copied, the names are swapped, the sequence moved past the highest
   id. The old table stays, renamed `<table>__unpartitioned`, until someone drops it.

A table with a unique constraint other than its primary key, or that another table's foreign
key points at, is refused: PostgreSQL wants the partition key in every unique index, so such
a constraint (a dedupe key, the target of a foreign key) would no longer hold across months.
Its code must change first (ADR 16).

`partitions_ahead` creates the coming months' partitions of every partitioned table it knows
(a missing month refuses inserts); it runs daily (Celery beat) and after a switch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from retorno.domain.days import local_day

# The append-only tables ADR 16 names, and the time column each is partitioned by.
APPEND_ONLY = {
    "returns_returnevent": "created_at",
    "logistics_trackingevent": "received_at",
    "notifications_message": "created_at",
    "webhooks_webhookdelivery": "created_at",
}
AHEAD_MONTHS = 3
OLD_SUFFIX = "__unpartitioned"
TWIN_SUFFIX = "__partitioned"
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


class PartitionError(Exception):
    """The table cannot be switched (not PostgreSQL, unknown, already done, or refused)."""


@dataclass(frozen=True)
class Switched:
    table: str
    rows: int
    partitions: list[str]


def _quoted(name: str) -> str:
    if not _NAME.fullmatch(name) or len(name) > 63:
        raise PartitionError(f"not a plain table name: {name!r}")
    return f'"{name}"'


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def partition_name(table: str, month: date) -> str:
    return f"{table}_p{month:%Y_%m}"


def is_partitioned(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "select 1 from pg_partitioned_table p join pg_class c on c.oid = p.partrelid "
            "where c.relname = %s and c.relnamespace = 'public'::regnamespace",
            [table],
        )
        return cursor.fetchone() is not None


def switch_refusals(table: str) -> list[str]:
    """Why `table` cannot be partitioned as it is (empty: it can)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "select conname, pg_get_constraintdef(oid) from pg_constraint "
            "where conrelid = %s::regclass and contype in ('u', 'x')",
            [table],
        )
        reasons = [
            f"unique constraint {name} {definition}" for name, definition in cursor.fetchall()
        ]
        cursor.execute(
            "select indexrelid::regclass::text from pg_index where indrelid = %s::regclass "
            "and indisunique and not indisprimary and not exists (select 1 from pg_constraint "
            "where conindid = indexrelid)",
            [table],
        )
        reasons += [f"unique index {name}" for (name,) in cursor.fetchall()]
        cursor.execute(
            "select conname, conrelid::regclass::text from pg_constraint "
            "where confrelid = %s::regclass and contype = 'f'",
            [table],
        )
        reasons += [
            f"foreign key {name} of {source} points at it" for name, source in cursor.fetchall()
        ]
    return reasons


def _months(first: date, last: date) -> list[date]:
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def _create_partitions(
    cursor: CursorWrapper, table: str, parent: str, months: list[date]
) -> list[str]:
    made = []
    for month in months:
        name = partition_name(table, month)
        cursor.execute(
            f"create table if not exists {_quoted(name)} partition of {_quoted(parent)} "
            "for values from (%s) to (%s)",
            [month.isoformat(), next_month(month).isoformat()],
        )
        made.append(name)
    return made


def partition_switch(
    table: str, *, key: str | None = None, now: datetime | None = None
) -> Switched:
    """Switch `table` to monthly partitions on `key` (see the module's docstring)."""
    if connection.vendor != "postgresql":
        raise PartitionError("partitions are a PostgreSQL feature; SQLite keeps the plain table")
    key = key or APPEND_ONLY.get(table)
    if key is None:
        raise PartitionError(f"{table} is not an append-only table ({', '.join(APPEND_ONLY)})")
    if is_partitioned(table):
        raise PartitionError(f"{table} is partitioned already")
    refusals = switch_refusals(table)
    if refusals:
        raise PartitionError(f"{table} cannot be partitioned as it is: " + "; ".join(refusals))
    now = now or timezone.now()
    twin, old, seq = table + TWIN_SUFFIX, table + OLD_SUFFIX, f"{table}_id_seq_monthly"
    q = _quoted
    with connection.cursor() as cursor:
        cursor.execute(f"select min({q(key)}), max(id) from {q(table)}")  # noqa: S608 (quoted names)
        oldest, copied_up_to = cursor.fetchone()
        copied_up_to = copied_up_to or 0
        cursor.execute(
            "select pg_get_indexdef(indexrelid), indexrelid::regclass::text from pg_index "
            "where indrelid = %s::regclass and not indisprimary",
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "select conname, pg_get_constraintdef(oid) from pg_constraint "
            "where conrelid = %s::regclass and contype = 'f'",
            [table],
        )
        foreign_keys = cursor.fetchall()
        first = local_day(oldest or now, UTC)  # partitions hold UTC months
        months = _months(first, _add_months(local_day(now, UTC), AHEAD_MONTHS))
        with transaction.atomic():
            cursor.execute(f"drop table if exists {q(twin)} cascade")
            cursor.execute(
                f"create table {q(twin)} (like {q(table)} including defaults including "
                f"constraints including storage including comments) partition by range ({q(key)})"
            )
            cursor.execute(f"alter table {q(twin)} add primary key (id, {q(key)})")
            parts = _create_partitions(cursor, table, twin, months)
        # 1. The rows, a month at a time, each in its own transaction.
        for month in months:
            with transaction.atomic():
                cursor.execute(
                    f"insert into {q(twin)} select * from {q(table)} "  # noqa: S608
                    f"where {q(key)} >= %s and {q(key)} < %s and id <= %s",
                    [month.isoformat(), next_month(month).isoformat(), copied_up_to],
                )
        # 2. Indexes on the twin, under temporary names (the old table still holds the real ones).
        for definition, name in indexes:
            bare = name.split(".")[-1].strip('"')
            cursor.execute(
                definition.replace(f"INDEX {bare} ON", f"INDEX {_temporary(bare)} ON", 1)
                .replace(f" ONLY public.{table} ", f" public.{twin} ", 1)
                .replace(f" public.{table} ", f" public.{twin} ", 1)
            )
        # 3. The swap.
        with transaction.atomic():
            cursor.execute(f"lock table {q(table)} in access exclusive mode")
            cursor.execute(
                f"insert into {q(twin)} select * from {q(table)} where id > %s",  # noqa: S608
                [copied_up_to],
            )
            cursor.execute(f"select count(*), coalesce(max(id), 0) from {q(twin)}")  # noqa: S608
            rows, highest = cursor.fetchone()
            cursor.execute(f"alter table {q(table)} rename to {q(old)}")
            cursor.execute(f"alter index {q(table + '_pkey')} rename to {q(old + '_pkey')}")
            for _definition, name in indexes:
                bare = name.split(".")[-1].strip('"')
                cursor.execute(f"alter index {q(bare)} rename to {q((bare + OLD_SUFFIX)[:63])}")
                cursor.execute(f"alter index {q(_temporary(bare))} rename to {q(bare)}")
            for name, _ in foreign_keys:
                cursor.execute(f"alter table {q(old)} drop constraint {q(name)}")
            cursor.execute(f"alter table {q(twin)} rename to {q(table)}")
            cursor.execute(f"alter index {q(twin + '_pkey')} rename to {q(table + '_pkey')}")
            for name, definition in foreign_keys:
                cursor.execute(f"alter table {q(table)} add constraint {q(name)} {definition}")
            cursor.execute(f"create sequence if not exists {q(seq)} owned by {q(table)}.id")
            cursor.execute("select setval(%s, %s)", [seq, max(highest, 1)])
            cursor.execute(f"alter table {q(table)} alter column id set default nextval('{seq}')")
    return Switched(table=table, rows=int(rows), partitions=parts)


def _temporary(index: str) -> str:
    return (index[:57] + "__twin")[:63]


def _add_months(day: date, months: int) -> date:
    month = month_start(day)
    for _ in range(months):
        month = next_month(month)
    return month


def partitions_ahead(
    *, now: datetime | None = None, months: int = AHEAD_MONTHS, tables: Iterable[str] = APPEND_ONLY
) -> list[str]:
    """Create the partitions of this month and the next `months` for every partitioned
    append-only table; returns the ones it created. Nothing to do on SQLite or before a switch."""
    if connection.vendor != "postgresql":
        return []
    today = local_day(now or timezone.now(), UTC)
    wanted = _months(today, _add_months(today, months))
    made: list[str] = []
    with connection.cursor() as cursor:
        for table in tables:
            if not is_partitioned(table):
                continue
            cursor.execute(
                "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid "
                "where i.inhparent = %s::regclass",
                [table],
            )
            existing = {name for (name,) in cursor.fetchall()}
            missing = [m for m in wanted if partition_name(table, m) not in existing]
            made += _create_partitions(cursor, table, table, missing)
    return made


def partitions_status() -> list[tuple[str, bool, int, list[str]]]:
    """(table, partitioned, estimated rows, partitions) for each append-only table."""
    rows = []
    with connection.cursor() as cursor:
        for table in APPEND_ONLY:
            parted = connection.vendor == "postgresql" and is_partitioned(table)
            parts: list[str] = []
            estimate = 0
            if connection.vendor == "postgresql":
                cursor.execute(
                    "select coalesce(sum(c.reltuples), 0)::bigint from pg_class c where c.oid = "
                    "%s::regclass or c.oid in (select inhrelid from pg_inherits where inhparent = "
                    "%s::regclass)",
                    [table, table],
                )
                estimate = max(int(cursor.fetchone()[0]), 0)
                cursor.execute(
                    "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid "
                    "where i.inhparent = %s::regclass order by 1",
                    [table],
                )
                parts = [name for (name,) in cursor.fetchall()]
            rows.append((table, parted, estimate, parts))
    return rows
