"""The dashboard's status counts (retorno.returns.status_tally) against a recount of the returns:
kept by the database through creates, status changes (saved one by one or in bulk), deletes,
compaction and a bulk history load, on both engines, one store apart from another."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retorno.backoffice.tests.conftest import make_return
from retorno.demo.generator import demo_history_create
from retorno.returns.models import Return, ReturnStatusTally
from retorno.returns.selectors import queue
from retorno.returns.status_tally import (
    status_tally_compact,
    status_tally_counts,
    status_tally_rebuild,
)
from retorno.stores.models import Store

NOW = datetime(2026, 3, 15, 11, 30, tzinfo=UTC)
STATUSES = ("approved", "in_transit", "received", "closed", "rejected")


def recount(store: Store) -> dict[str, int]:
    rows = Return.objects.filter(store=store).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows.order_by()}


@pytest.mark.django_db
def test_the_tally_follows_creates_changes_and_deletes(store: Store, other_store: Store) -> None:
    made = [make_return(store) for _ in range(4)] + [make_return(store, price="600.00")]
    make_return(other_store)
    assert (
        status_tally_counts(store=store)
        == recount(store)
        == {
            "approved": 4,
            "pending_review": 1,
        }
    )
    one = made[0]
    one.status = "in_transit"
    one.save(update_fields=["status", "updated_at"])
    made[1].save()  # saved whole, status unchanged: nothing moves
    Return.objects.filter(pk__in=[made[2].pk, made[3].pk]).update(status="closed")
    Return.objects.filter(pk=made[4].pk).delete()
    assert (
        status_tally_counts(store=store)
        == recount(store)
        == {
            "in_transit": 1,
            "approved": 1,
            "closed": 2,
        }
    )
    assert status_tally_counts(store=other_store) == recount(other_store) == {"approved": 1}


@pytest.mark.django_db
def test_compaction_folds_the_rows_and_keeps_the_counts(store: Store, other_store: Store) -> None:
    made = [make_return(store) for _ in range(3)]
    make_return(other_store)
    for row in made:
        Return.objects.filter(pk=row.pk).update(status="in_transit")
        Return.objects.filter(pk=row.pk).update(status="received")
    Return.objects.filter(pk=made[0].pk).update(status="approved")
    before = ReturnStatusTally.objects.count()
    assert status_tally_compact() == before
    # One row per store and status still held; approved/in_transit of "shop" came to 1 and 0.
    assert ReturnStatusTally.objects.filter(store=store).count() == 2
    assert status_tally_counts(store=store) == recount(store) == {"approved": 1, "received": 2}
    assert status_tally_counts(store=other_store) == recount(other_store)
    assert status_tally_compact() == 3  # folding again changes nothing
    assert status_tally_counts(store=store) == recount(store)


@pytest.mark.django_db
def test_compaction_drops_the_rows_of_a_deleted_store(store: Store) -> None:
    make_return(store)
    # What the returns' delete trigger leaves while a store (or a test database) is emptied.
    gone = Store.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1
    ReturnStatusTally.objects.create(store_id=gone, status="approved", delta=-1)
    status_tally_compact()
    assert list(ReturnStatusTally.objects.values_list("store_id", "status", "delta")) == [
        (store.pk, "approved", 1)
    ]


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.one_of(
            st.tuples(st.just("move"), st.integers(0, 9), st.sampled_from(STATUSES)),
            st.tuples(st.just("bulk"), st.integers(0, 9), st.sampled_from(STATUSES)),
            st.tuples(st.just("delete"), st.integers(0, 9), st.just("")),
            st.tuples(st.just("compact"), st.just(0), st.just("")),
        ),
        max_size=12,
    )
)
def test_any_sequence_of_changes_keeps_the_tally_equal_to_a_recount(
    store: Store, steps: list[tuple[str, int, str]]
) -> None:
    if not Return.objects.filter(store=store).exists():
        for _ in range(4):
            make_return(store)
    for kind, pick, status in steps:
        ids = list(Return.objects.filter(store=store).order_by("id").values_list("id", flat=True))
        if kind == "compact":
            status_tally_compact()
            continue
        if not ids:
            continue
        target = ids[pick % len(ids)]
        if kind == "move":
            row = Return.objects.get(pk=target)
            row.status = status
            row.save(update_fields=["status", "updated_at"])
        elif kind == "bulk":
            Return.objects.filter(pk__in=ids[pick % len(ids) :]).update(status=status)
        else:
            Return.objects.filter(pk=target).delete()
        assert status_tally_counts(store=store) == recount(store)


@pytest.mark.django_db(transaction=True)
def test_a_bulk_history_load_is_counted_once_loaded() -> None:
    """A load in bulk mode writes with the triggers off (PostgreSQL) and counts afterwards; a
    load with them on is counted by them: either way the counts equal a recount."""
    result = demo_history_create(slug="tally", returns=150, seed=4, now=NOW, bulk=True)
    store = result.store
    assert sum(status_tally_counts(store=store).values()) == 150
    assert status_tally_counts(store=store) == recount(store)
    status_tally_rebuild(store=store)
    assert status_tally_counts(store=store) == recount(store)


@pytest.mark.django_db
def test_the_dashboard_reads_a_fixed_number_of_statements(store: Store) -> None:
    """The counts are one statement whatever the history: no count over the returns."""

    def dashboard_statements() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            queue.return_dashboard_for_store(store=store)
        return [q["sql"] for q in captured.captured_queries]

    make_return(store)
    small = dashboard_statements()
    for _ in range(12):
        make_return(store)
    large = dashboard_statements()
    assert len(small) == len(large) == 3
    counting: list[Any] = [sql for sql in large if "COUNT(" in sql.upper()]
    assert counting == []
