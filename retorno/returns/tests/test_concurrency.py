"""Concurrent requests for the same units: never more returned than bought, on every engine.

Real threads, real connections, committed transactions (`transaction=True`). Each thread closes
its connection, or the test database could not be dropped at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Sum

from retorno.accounts.tests.factories import issue_key
from retorno.api.tests.client import ApiClient
from retorno.core.actors import SYSTEM
from retorno.core.errors import Unprocessable
from retorno.core.tests.threads import run_together
from retorno.orders.tests.factories import line_payload, make_order, return_payload
from retorno.returns import adapters
from retorno.returns.models import Return, ReturnItem
from retorno.returns.services import ItemRequest, return_create
from retorno.stores.tests.factories import StoreFactory

THREADS = 8


def held_units() -> int:
    return (
        ReturnItem.objects.exclude(return_request__status__in=["cancelled", "rejected"]).aggregate(
            n=Sum("quantity_requested")
        )["n"]
        or 0
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("bought", "already", "each"), [(3, 1, 1), (5, 0, 2), (1, 0, 1)])
def test_concurrent_returns_never_exceed_what_was_bought(bought, already, each):
    store = StoreFactory(slug="race")
    make_order(store, external_id="1001", lines=[line_payload("1001-1", quantity=bought)])
    if already:
        return_create(
            store=store,
            order_external_id="1001",
            items=[ItemRequest(line="1001-1", quantity=already, reason="too_small")],
            resolution="refund",
            method="pickup",
            actor=SYSTEM,
        )

    def attempt(_: int) -> Return:
        return return_create(
            store=store,
            order_external_id="1001",
            items=[ItemRequest(line="1001-1", quantity=each, reason="too_small")],
            resolution="refund",
            method="pickup",
            actor=SYSTEM,
        )

    results = run_together(attempt, THREADS)

    winners = [r for r in results if isinstance(r, Return)]
    losers = [r for r in results if not isinstance(r, Return)]
    assert len(winners) == (bought - already) // each
    assert all(isinstance(e, Unprocessable) and e.code == "ineligible" for e in losers), losers
    assert held_units() == already + len(winners) * each <= bought
    assert Return.objects.count() == len(winners) + (1 if already else 0)


@pytest.mark.django_db(transaction=True)
def test_concurrent_api_requests_hold_exactly_the_units_left():
    store = StoreFactory(slug="race")
    key = issue_key(store)
    make_order(store, external_id="1001", lines=[line_payload("1001-1", quantity=2)])

    responses = run_together(
        lambda _: ApiClient(key).post("/returns", return_payload("1001", "1001-1")),
        THREADS,
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 201] + [422] * (THREADS - 2)
    assert {r.json()["code"] for r in responses if r.status_code == 422} == {"ineligible"}
    assert held_units() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("bought", [1, 8])
def test_concurrent_requests_with_one_idempotency_key_make_one_return(bought):
    """Whether the losers find the quantity gone (1 unit) or not (8), all get the winner's answer."""
    store = StoreFactory(slug="race")
    key = issue_key(store)
    make_order(store, external_id="1001", lines=[line_payload("1001-1", quantity=bought)])
    payload = return_payload("1001", "1001-1")

    responses = run_together(
        lambda _: ApiClient(key).post("/returns", payload, headers={"Idempotency-Key": "k-1"}),
        THREADS,
    )

    assert [r.status_code for r in responses] == [201] * THREADS, [r.content for r in responses]
    assert len({r.json()["rma"] for r in responses}) == 1
    assert Return.objects.count() == 1
    assert held_units() == 1


def _return_committed_after_the_decision(monkeypatch, competitor: Callable[[], Any]) -> None:
    """Make `competitor` run (and commit) right after the next request read its order's lines,
    i.e. after it was decided and before its write transaction locks the order."""
    real = adapters.lines_with_held
    pending = [competitor]

    def read_then_let_another_request_in(order):
        read = real(order)
        if pending:
            pending.pop()()
        return read

    monkeypatch.setattr(adapters, "lines_with_held", read_then_let_another_request_in)


def _create(store, quantity: int) -> Return:
    return return_create(
        store=store,
        order_external_id="1001",
        items=[ItemRequest(line="1001-1", quantity=quantity, reason="too_small")],
        resolution="refund",
        method="pickup",
        actor=SYSTEM,
    )


@pytest.mark.django_db(transaction=True)
def test_units_taken_after_the_decision_are_seen_under_the_lock_and_the_request_refused(
    monkeypatch,
):
    store = StoreFactory(slug="race")
    make_order(store, external_id="1001", lines=[line_payload("1001-1", quantity=2)])
    _return_committed_after_the_decision(monkeypatch, lambda: _create(store, 1))

    with pytest.raises(Unprocessable) as refused:
        _create(store, 2)  # decided eligible on 0 held; 1 is held by the time it writes

    assert refused.value.code == "ineligible"
    assert held_units() == 1
    assert Return.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_request_decided_again_under_the_lock_is_written_from_the_new_decision(monkeypatch):
    store = StoreFactory(slug="race")
    make_order(store, external_id="1001", lines=[line_payload("1001-1", quantity=3)])
    _return_committed_after_the_decision(monkeypatch, lambda: _create(store, 1))

    created = _create(store, 2)

    assert held_units() == 3
    item = created.items.get()
    assert item.quantity_requested == 2
    fresh = ReturnItem.objects.get(pk=item.pk)
    assert fresh.amount == item.amount
    assert created.decision["lines"][0]["returnable_quantity"] == 2
