"""After an upgrade that changes what the rollup rows hold, a store's rollups are rebuilt before
they are next read or counted, once, whoever gets there first; incremental writes that come
meanwhile wait for the rebuild and add to it."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from retorno.analytics import returns, rollups
from retorno.analytics.models import DailyFigure, PendingOrder, RollupState
from retorno.analytics.rollups import REFRESH_KIND, refresh_deliver, rollup_rows, rollups_check
from retorno.analytics.tests.factories import give_back, sale
from retorno.analytics.tests.test_figures import scope_of
from retorno.core.models import OutboxMessage
from retorno.domain.analytics.rollups import ROLLUPS_VERSION


def _counting_rebuilds(monkeypatch) -> list[int]:
    done: list[int] = []
    real = rollups.rollups_rebuild

    def rebuild(store):
        done.append(store.id)
        return real(store)

    monkeypatch.setattr(rollups, "rollups_rebuild", rebuild)
    return done


def _as_before_the_upgrade(store) -> None:
    """Rows of an older definition: some missing, some wrong, and the older version."""
    DailyFigure.objects.filter(store=store, dimension="reason").delete()
    DailyFigure.objects.filter(store=store, dimension="all").update(units=999)
    RollupState.objects.filter(store=store).update(version=ROLLUPS_VERSION - 1)


@pytest.mark.django_db
def test_rollups_of_an_older_definition_are_rebuilt_before_the_first_read(
    store, other_store, monkeypatch
):
    give_back(store, sale(store, quantity=30), quantity=3, reason="too_small")
    give_back(other_store, sale(other_store, quantity=30), quantity=5)
    expected = rollup_rows(store)  # the first read of a store never rebuilt rebuilds it
    assert RollupState.objects.get(store=store).version == ROLLUPS_VERSION
    _as_before_the_upgrade(store)
    other_rows = rollup_rows(other_store)
    rebuilt = _counting_rebuilds(monkeypatch)

    assert returns.totals(scope_of(store)).units_returned == 3
    assert rollup_rows(store) == expected
    assert RollupState.objects.get(store=store).version == ROLLUPS_VERSION
    returns.totals(scope_of(store))
    assert rebuilt == [store.id]  # once: later reads find the current definition
    assert rollup_rows(other_store) == other_rows


@pytest.mark.django_db
def test_a_store_never_rebuilt_is_rebuilt_by_its_refresh_job(store, monkeypatch):
    order = sale(store, quantity=30)
    give_back(store, order, quantity=3)
    expected = rollup_rows(store)
    RollupState.objects.filter(store=store).delete()
    DailyFigure.objects.filter(store=store).delete()
    PendingOrder.objects.create(store=store, order_id=order.id)
    rebuilt = _counting_rebuilds(monkeypatch)

    message = OutboxMessage(store_id=store.id, kind=REFRESH_KIND, payload={})
    assert refresh_deliver(message) == {"orders": 0}  # the rebuild counted the pending order
    assert rebuilt == [store.id]
    assert not PendingOrder.objects.filter(store=store).exists()
    assert rollup_rows(store) == expected
    assert rebuilt == [store.id]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="locks between connections")
@pytest.mark.django_db(transaction=True)
def test_readers_and_writers_racing_an_upgrade_rebuild_once_and_lose_nothing(store, monkeypatch):
    orders = [sale(store, quantity=20) for _ in range(4)]
    for order in orders[:2]:
        give_back(store, order, quantity=2)
    rollup_rows(store)
    _as_before_the_upgrade(store)
    rebuilt = _counting_rebuilds(monkeypatch)
    start = threading.Barrier(6)
    errors: list[BaseException] = []

    def read() -> None:
        try:
            start.wait(30)
            returns.totals(scope_of(store))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def write(order) -> None:
        try:
            start.wait(30)
            give_back(store, order, quantity=1, reason="too_large")
            rollups.pending_flush(store)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=read) for _ in range(4)]
    threads += [threading.Thread(target=write, args=(order,)) for order in orders[2:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert rebuilt == [store.id]
    assert rollups_check(store) == {}
    assert returns.totals(scope_of(store)).units_returned == 6
