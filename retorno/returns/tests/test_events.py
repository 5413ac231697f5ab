"""The return kernel: one writer of the trail, a declared table of what each kind sets off, run
once per event when the command ends, never inside another handler."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from retorno.core.actors import SYSTEM
from retorno.core.errors import Conflict
from retorno.notifications.services import NOTIFIED_EVENTS
from retorno.orders.tests.factories import make_order
from retorno.returns import events, handlers
from retorno.returns.events import EventKind, Recorded, command, event_record
from retorno.returns.locks import return_lock
from retorno.returns.models import Return, ReturnEvent
from retorno.returns.services import ItemRequest, return_create
from retorno.returns.workflows import messages


@pytest.fixture
def pending_return(store: Any) -> Return:
    order = make_order(store, external_id="5001")
    line = order.lines.get()
    return return_create(
        store=store,
        order_external_id="5001",
        items=[ItemRequest(line=line.external_id, quantity=1, reason="too_small")],
        resolution="refund",
        method="pickup",
        actor=SYSTEM,
    )


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str, int]]]:
    """Record every handler run: (handler, kind, depth of handlers running at that moment)."""
    runs: list[tuple[str, str, int]] = []
    depth = 0

    def wrap(name: str, handler: events.Handler) -> events.Handler:
        def run(recorded: Recorded) -> None:
            nonlocal depth
            runs.append((name, recorded.kind.value, depth))
            depth += 1
            try:
                handler(recorded)
            finally:
                depth -= 1

        return run

    table = {
        kind: tuple(wrap(h.__name__, h) for h in chain) for kind, chain in handlers.HANDLERS.items()
    }
    events.handlers_install(table)
    yield runs
    events.handlers_install(handlers.HANDLERS)


def test_every_kind_has_a_declared_entry():
    assert set(handlers.HANDLERS) == set(EventKind)
    with pytest.raises(ValueError, match="closed"):
        events.handlers_install({k: v for k, v in handlers.HANDLERS.items() if k != "closed"})


def test_the_kinds_that_notify_are_the_kinds_notifications_have_messages_for():
    notifying = {
        kind for kind, chain in handlers.HANDLERS.items() if messages.notify_shopper in chain
    }
    assert notifying == {EventKind(kind) for kind in NOTIFIED_EVENTS}


def test_an_event_is_recorded_only_inside_a_command(pending_return: Return):
    with pytest.raises(RuntimeError, match="command"):
        event_record(pending_return, EventKind.CLOSED, actor=SYSTEM, now=timezone.now())
    assert not pending_return.events.filter(kind="closed").exists()


def test_handlers_run_when_the_command_ends_in_the_order_events_were_recorded(
    pending_return: Return, spy: list[tuple[str, str, int]]
):
    with command():
        locked = return_lock(pending_return.store, pending_return.rma)
        event_record(locked, EventKind.CANCELLED, actor=SYSTEM, now=timezone.now())
        event_record(locked, EventKind.CLOSED, actor=SYSTEM, now=timezone.now())
        assert spy == []  # nothing runs before the command ends
    assert [(name, kind) for name, kind, _ in spy] == [
        ("notify_shopper", "cancelled"),
        ("on_cancelled", "cancelled"),
        ("on_cancelled", "cancelled"),
        ("publish", "cancelled"),
        ("on_event", "cancelled"),
        ("publish", "closed"),
        ("on_event", "closed"),  # the storefront's
        ("on_event", "closed"),  # WooCommerce's
    ]


def test_events_recorded_by_handlers_join_the_same_run_never_a_nested_one(
    pending_return: Return,
):
    runs: list[tuple[str, int]] = []
    depth = 0

    def follow_up(recorded: Recorded) -> None:
        nonlocal depth
        runs.append((recorded.kind.value, depth))
        depth += 1
        if recorded.kind is EventKind.PICKUP_CHANGED:
            event_record(
                recorded.return_request, EventKind.DISPOSITION_SET, actor=SYSTEM, now=timezone.now()
            )
        depth -= 1

    table = {EventKind.PICKUP_CHANGED: (follow_up,), EventKind.DISPOSITION_SET: (follow_up,)}
    events.handlers_install({**handlers.HANDLERS, **table})
    try:
        with command():
            locked = return_lock(pending_return.store, pending_return.rma)
            event_record(locked, EventKind.PICKUP_CHANGED, actor=SYSTEM, now=timezone.now())
            event_record(locked, EventKind.RESTOCKED, actor=SYSTEM, now=timezone.now())
    finally:
        events.handlers_install(handlers.HANDLERS)
    assert runs == [("pickup_changed", 0), ("disposition_set", 0)]
    assert list(pending_return.events.values_list("kind", flat=True))[2:] == [
        "pickup_changed",
        "restocked",
        "disposition_set",
    ]


def test_a_command_inside_another_that_fails_drops_its_events(
    pending_return: Return, spy: list[tuple[str, str, int]]
):
    with command():
        locked = return_lock(pending_return.store, pending_return.rma)
        event_record(locked, EventKind.PICKUP_CHANGED, actor=SYSTEM, now=timezone.now())

        def cancel_then_refuse() -> None:
            with command():
                event_record(locked, EventKind.CANCELLED, actor=SYSTEM, now=timezone.now())
                raise Conflict("changed its mind", code="test")

        with pytest.raises(Conflict):
            cancel_then_refuse()
    assert [kind for _, kind, _ in spy] == []  # pickup_changed sets nothing off
    assert list(pending_return.events.values_list("kind", flat=True)) == [
        "created",
        "approved",
        "pickup_changed",
    ]


def test_a_failing_handler_rolls_the_command_back(
    pending_return: Return, monkeypatch: pytest.MonkeyPatch
):
    def broken(recorded: Recorded) -> None:
        raise Conflict("the handler refused", code="test")

    events.handlers_install({**handlers.HANDLERS, EventKind.CLOSED: (broken,)})
    try:

        def close() -> None:
            with transaction.atomic(), command():
                locked = return_lock(pending_return.store, pending_return.rma)
                event_record(locked, EventKind.CLOSED, actor=SYSTEM, now=timezone.now())

        with pytest.raises(Conflict):
            close()
    finally:
        events.handlers_install(handlers.HANDLERS)
    assert not ReturnEvent.objects.filter(kind="closed").exists()


def test_handlers_see_the_state_the_return_was_in_when_the_event_was_recorded(
    pending_return: Return, monkeypatch: pytest.MonkeyPatch
):
    seen: list[tuple[str, str]] = []

    def look(recorded: Recorded) -> None:
        seen.append((recorded.status, str(recorded.return_request.status)))

    events.handlers_install({**handlers.HANDLERS, EventKind.PICKUP_CHANGED: (look,)})
    try:
        with command():
            locked = return_lock(pending_return.store, pending_return.rma)
            event_record(locked, EventKind.PICKUP_CHANGED, actor=SYSTEM, now=timezone.now())
            locked.status = "cancelled"
    finally:
        events.handlers_install(handlers.HANDLERS)
    assert seen == [("approved", "cancelled")]
