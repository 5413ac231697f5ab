"""The bulk writer of generated histories (retorno.demo.bulk): the COPY line a table's own
formatter writes is the generic one, and a big load's indexes set aside always come back."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from retorno.demo.bulk import (
    bulk_load_mode,
    copy_text,
    indexes_restore,
    references_check,
    row_formatter,
)
from retorno.demo.generator import demo_history_create
from retorno.demo.tests.test_history import NOW, load, story
from retorno.notifications.models import Message
from retorno.returns.models import Return, ReturnEvent

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="indexes set aside and triggers are PostgreSQL's"
)

texts = st.text(alphabet=st.sampled_from("ab\\\t\n\r ñ'\"{}%"), max_size=12)
json_values = st.one_of(
    st.dictionaries(texts, st.one_of(texts, st.integers(), st.booleans()), max_size=3),
    st.lists(texts, max_size=3),
)
# hypothesis takes naive bounds and adds the zone itself
instants = st.datetimes(
    min_value=datetime(2020, 1, 1),  # noqa: DTZ001
    max_value=datetime(2030, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@settings(max_examples=200, deadline=None)
@given(
    ids=st.tuples(st.integers(1, 10**12), st.integers(1, 10**6), st.integers(1, 10**9)),
    words=st.tuples(texts, texts, texts, texts, texts, texts, texts),
    data=json_values,
    at=instants,
)
def test_a_tables_formatter_writes_what_the_generic_text_writes(ids, words, data, at):
    fields = [ReturnEvent._meta.get_field(name) for name in _EVENT]
    row = (*ids, *words, data, at)
    expected = "\t".join(map(copy_text, row)) + "\t\\N\n"
    assert row_formatter(fields, "\t\\N\n")(row) == expected


@given(
    amount=st.one_of(st.none(), st.decimals(places=2, min_value=-(10**6), max_value=10**6)),
    sent=st.one_of(st.none(), instants),
    flag=st.booleans(),
    body=st.one_of(texts),
)
def test_nullable_columns_write_null_and_booleans_t_or_f(amount, sent, flag, body):
    fields = [
        Return._meta.get_field("shipping_refund_amount"),
        Message._meta.get_field("sent_at"),
        Return._meta.get_field("requires_review"),
        Message._meta.get_field("body_text"),
    ]
    row = (amount, sent, flag, body)
    line = row_formatter(fields, "\n")(row)
    assert line == "\t".join(map(copy_text, row)) + "\n"
    assert line.split("\t")[2] in ("t", "f")


def copy_unescaped(field: str) -> str:
    """What PostgreSQL's COPY text format reads from a field (the escapes a writer uses)."""
    out, chars = [], iter(field)
    for char in chars:
        if char == "\\":
            following = next(chars)
            out.append({"t": "\t", "n": "\n", "r": "\r"}.get(following, following))
        else:
            out.append(char)
    return "".join(out)


@given(text=texts, data=json_values)
def test_text_and_json_are_escaped_so_copy_reads_them_back(text, data):
    written = copy_text(text)
    assert not {"\t", "\n", "\r"} & set(written)
    assert copy_unescaped(written) == text
    assert json.loads(copy_unescaped(copy_text(data))) == data


_EVENT = ("id", "store_id", "return_request_id", "kind", "from_status", "to_status")
_EVENT += ("actor_kind", "actor_id", "actor_label", "note", "data", "created_at")


def index_definitions(*tables: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(%s)",
            [list(tables)],
        )
        return {row[0] for row in cursor.fetchall()}


def table_notes(*tables: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT obj_description(oid, 'pg_class') FROM pg_class WHERE relname = ANY(%s) "
            "AND obj_description(oid, 'pg_class') IS NOT NULL",
            [list(tables)],
        )
        return [row[0] for row in cursor.fetchall()]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_bulk_load_writes_the_same_history_and_puts_every_index_back():
    tables = [m._meta.db_table for m in (Return, ReturnEvent, Message)]
    before = index_definitions(*tables)
    assert any("gin_trgm_ops" in d for d in before)  # the search indexes are among them
    load("checked", returns=120, seed=4)
    demo_history_create(slug="bulk", returns=120, seed=4, now=NOW, bulk=True)
    assert story("bulk") == story("checked")
    assert index_definitions(*tables) == before
    assert table_notes(*tables) == []


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_indexes_come_back_after_a_failed_load_and_after_a_killed_one():
    tables = [ReturnEvent._meta.db_table, Message._meta.db_table]
    before = index_definitions(*tables)
    seen = []

    def failing_load() -> None:
        with bulk_load_mode([ReturnEvent, Message]):
            seen.append(index_definitions(*tables))
            raise RuntimeError("the load fails half way")

    with pytest.raises(RuntimeError):
        failing_load()
    assert len(seen[0]) < len(before)
    assert index_definitions(*tables) == before
    # A process killed outright leaves the definitions in the tables' comments: the next
    # load (or indexes_restore) builds them.
    mode = bulk_load_mode([ReturnEvent, Message])
    mode.__enter__()
    missing = before - index_definitions(*tables)
    assert missing
    assert len(table_notes(*tables)) == 2
    assert indexes_restore(tables, connection) == len(missing)
    assert index_definitions(*tables) == before
    assert table_notes(*tables) == []


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_bulk_reference_check_finds_a_row_pointing_at_nothing():
    result = load("refs", returns=30, seed=2)
    first = ReturnEvent.objects.order_by("id").values_list("id", flat=True).first()
    assert references_check([ReturnEvent], {"ReturnEvent": first}) == []
    ret = Return.objects.filter(store=result.store).first()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "INSERT INTO returns_returnevent (store_id, return_request_id, kind, from_status, "
            "to_status, actor_kind, actor_id, actor_label, note, data, created_at) "
            "VALUES (%s, %s, 'note', '', '', 'system', '', '', '', '{}', %s)",
            [ret.store_id, 10**9, NOW - timedelta(days=1)],
        )
        cursor.execute("COMMIT")
    broken = references_check([ReturnEvent], {"ReturnEvent": first})
    assert broken == ["ReturnEvent.return_request: 1 rows"]
    ReturnEvent.objects.filter(return_request_id=10**9).delete()
