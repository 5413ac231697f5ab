"""The read-replica router (retorno.core.db.replica) against a second PostgreSQL database that
stands in for a replica lagging behind: it holds an older copy of a store's row, so each read
shows which database answered it."""

from __future__ import annotations

import contextvars
import copy
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import connection, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from retorno.core.db.replica import PIN_COOKIE, REPLICA, ReplicaPinMiddleware, pin
from retorno.stores.models import Store
from retorno.stores.tests.factories import StoreFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a second PostgreSQL database"),
    pytest.mark.django_db(transaction=True),
]


def _admin_url(db: dict[str, Any]) -> str:
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/postgres"


@pytest.fixture
def stale_replica(settings: Any) -> Iterator[Store]:
    """A store written on the primary, and a replica that still has its old name."""
    primary = connections["default"].settings_dict
    replica = copy.deepcopy(primary)
    replica["NAME"] = f"{primary['NAME']}_replica"
    with psycopg.connect(_admin_url(primary), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{replica["NAME"]}"')
        admin.execute(f'CREATE DATABASE "{replica["NAME"]}"')
    # A connection made here, not from the settings: the test runner lets a test use those.
    connections[REPLICA] = connections["default"].__class__(replica, alias=REPLICA)
    settings.DATABASES = {**settings.DATABASES, REPLICA: replica}
    try:
        with connections[REPLICA].schema_editor() as editor:
            editor.create_model(Store)
        store = StoreFactory(slug="shop", name="Renamed on the primary")
        old = copy.copy(store)
        old.name = "Old name on the replica"
        old.save(using=REPLICA, force_insert=True)
        yield store
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        with psycopg.connect(_admin_url(primary), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{replica["NAME"]}"')


def fresh(work: Any) -> Any:
    """Run `work` as a new request would: nothing pinned yet. In a copy of this context, not an
    empty one: where an event loop runs in this thread (Playwright's, once a browser test has
    run), Django keeps its connections in the context, and an empty one would have none."""
    context = contextvars.copy_context()
    context.run(pin, False)
    return context.run(work)


def name_of(store: Store) -> str:
    return Store.objects.get(pk=store.pk).name


def test_reads_go_to_the_replica_and_transactions_to_the_primary(stale_replica):
    assert fresh(lambda: name_of(stale_replica)) == "Old name on the replica"

    def in_a_transaction() -> str:
        with transaction.atomic():
            return name_of(stale_replica)

    assert fresh(in_a_transaction) == "Renamed on the primary"


def test_after_a_write_the_rest_of_the_request_reads_the_primary(stale_replica):
    def write_then_read() -> tuple[str, str]:
        before = name_of(stale_replica)
        Store.objects.filter(pk=stale_replica.pk).update(name="Written just now")
        return before, name_of(stale_replica)

    assert fresh(write_then_read) == ("Old name on the replica", "Written just now")


def test_a_browser_reads_the_primary_right_after_its_change(stale_replica, settings):
    settings.REPLICA_PIN_SECONDS = 15

    def view(request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            Store.objects.filter(pk=stale_replica.pk).update(name="Saved by the form")
        return HttpResponse(name_of(stale_replica))

    middleware = ReplicaPinMiddleware(view)
    factory = RequestFactory()

    page = fresh(lambda: middleware(factory.get("/staff/settings")))
    assert page.content.decode() == "Old name on the replica"
    assert PIN_COOKIE not in page.cookies

    saved = fresh(lambda: middleware(factory.post("/staff/settings")))
    assert saved.content.decode() == "Saved by the form"
    assert saved.cookies[PIN_COOKIE]["max-age"] == 15

    following = factory.get("/staff/settings")
    following.COOKIES[PIN_COOKIE] = "1"
    assert fresh(lambda: middleware(following)).content.decode() == "Saved by the form"
    # Another browser, with no recent change of its own, reads the replica.
    other = fresh(lambda: middleware(factory.get("/staff/settings")))
    assert other.content.decode() == "Old name on the replica"


def test_without_a_replica_everything_reads_the_primary(settings):
    assert REPLICA not in settings.DATABASES
    store = StoreFactory(slug="plain", name="Only one database")
    assert fresh(lambda: name_of(store)) == "Only one database"
