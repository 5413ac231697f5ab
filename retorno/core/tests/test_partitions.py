"""Monthly partitions (retorno.core.db.partitions, ADR 16) on PostgreSQL: a copy of the trail
table with rows over three months is switched, and keeps its rows, ids, index names, foreign
keys and writes; tables with dedupe keys are refused; SQLite says it has none."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from retorno.core.db.partitions import (
    PartitionError,
    is_partitioned,
    partition_switch,
    partitions_ahead,
    switch_refusals,
)
from retorno.stores.tests.factories import StoreFactory

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL partitions"
)
TABLE = "trail_copy"


def run(sql: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall() if cursor.description else []


def add_event(store_id: int, at: str, kind: str = "created") -> int:
    return run(
        f"insert into {TABLE} (kind, from_status, to_status, actor_kind, actor_id, actor_label, "
        "note, data, created_at, return_request_id, store_id) values "
        "(%s, '', 'requested', 'system', '', '', '', '{}', %s, 1, %s) returning id",
        [kind, at, store_id],
    )[0][0]


@pytest.fixture
def trail_copy(db: None) -> Iterator[int]:
    """A table shaped like returns_returnevent (identity id, indexes, checks), with a foreign
    key to the stores, holding events of January, February and the last second of March."""
    store = StoreFactory()
    run(f"create table {TABLE} (like returns_returnevent including all)")
    run(
        f"alter table {TABLE} add constraint trail_copy_store_fk foreign key (store_id) "
        "references stores_store (id) deferrable initially deferred"
    )
    try:
        yield store.id
    finally:
        run(f"drop table if exists {TABLE} cascade")
        run(f"drop table if exists {TABLE}__unpartitioned cascade")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_switched_table_keeps_its_rows_ids_indexes_and_foreign_keys(trail_copy):
    store_id = trail_copy
    ids = [
        add_event(store_id, "2026-01-15T10:00:00+00:00"),
        add_event(store_id, "2026-02-03T08:00:00+00:00"),
        add_event(store_id, "2026-03-31T23:59:59+00:00"),
    ]
    index_names = {
        name for (name,) in run("select indexname from pg_indexes where tablename = %s", [TABLE])
    }

    switched = partition_switch(TABLE, key="created_at", now=datetime(2026, 4, 10, tzinfo=UTC))

    assert switched.rows == 3
    assert switched.partitions == [f"{TABLE}_p2026_{m:02d}" for m in range(1, 8)]  # to July
    assert is_partitioned(TABLE)
    assert {
        name for (name,) in run("select indexname from pg_indexes where tablename = %s", [TABLE])
    } == index_names
    assert run(f"select id from {TABLE} order by id") == [(i,) for i in ids]
    # Each row sits in its month; a new one gets the next id and lands in April.
    assert run(f"select tableoid::regclass::text from {TABLE} where id = %s", [ids[2]]) == [
        (f"{TABLE}_p2026_03",)
    ]
    new_id = add_event(store_id, "2026-04-10T09:00:00+00:00", kind="approved")
    assert new_id > max(ids)
    assert run(f"select tableoid::regclass::text from {TABLE} where id = %s", [new_id]) == [
        (f"{TABLE}_p2026_04",)
    ]
    # The foreign key still holds.
    with pytest.raises(IntegrityError), transaction.atomic():
        add_event(store_id + 10_000, "2026-04-10T09:00:00+00:00")
    # The old table is kept until someone drops it; a second switch is refused.
    assert run(f"select count(*) from {TABLE}__unpartitioned") == [(3,)]
    with pytest.raises(PartitionError, match="partitioned already"):
        partition_switch(TABLE, key="created_at")
    # The daily job adds the months that come, once.
    made = partitions_ahead(now=datetime(2026, 6, 20, tzinfo=UTC), tables=[TABLE])
    assert made == [f"{TABLE}_p2026_08", f"{TABLE}_p2026_09"]
    assert partitions_ahead(now=datetime(2026, 6, 20, tzinfo=UTC), tables=[TABLE]) == []


@postgres_only
@pytest.mark.django_db
def test_the_trail_can_be_switched_and_tables_with_dedupe_keys_cannot():
    assert switch_refusals("returns_returnevent") == []
    assert any("unique constraint" in r for r in switch_refusals("notifications_message"))
    assert any("uniq_tracking_event" in r for r in switch_refusals("logistics_trackingevent"))
    refusals = " ".join(switch_refusals("webhooks_webhookdelivery"))
    assert "uniq_webhook_delivery" in refusals
    assert "webhooks_webhookattempt" in refusals
    with pytest.raises(CommandError, match="cannot be partitioned"):
        call_command("partitions", "switch", "notifications_message")
    assert not is_partitioned("notifications_message")


@pytest.mark.django_db
def test_sqlite_has_no_partitions_and_says_so(capsys):
    call_command("partitions")
    assert "returns_returnevent: about" in capsys.readouterr().out
    if connection.vendor == "postgresql":
        return
    with pytest.raises(PartitionError, match="PostgreSQL"):
        partition_switch("returns_returnevent")
    assert partitions_ahead() == []
