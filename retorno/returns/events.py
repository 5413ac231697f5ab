"""The return's trail, and what each step of it sets off.

A service changes a return inside `command()`: one transaction in which it locks the return
(`retorno.returns.locks`), moves it through the state machine (`return_move`, or
`transition_record` for the usual move-save-record), and appends events with `events_record`
(or `event_record` for one), the one writer of the trail.

When the outermost command ends, still inside its transaction, the handlers declared for each
recorded kind (`retorno.returns.handlers.HANDLERS`) run once per event, in the order the events
were recorded. Events that handlers record join the end of the same run, so a handler never
runs inside another and no event is handled twice. Handlers write rows (outbox messages,
bookings, ledger entries) in that same transaction: a rolled-back command leaves nothing behind,
and what leaves the database (e-mails, carrier calls, payments) is delivered by the outbox after
commit. A command inside another joins its run; if it fails (its savepoint rolls back), its
events are dropped from the run with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from retorno.core.actors import Actor
from retorno.core.db.inserts import insert_new
from retorno.domain.returns.events import EventKind
from retorno.domain.returns.states import Command, ReturnStatus, transition
from retorno.returns.models import Return, ReturnEvent

__all__ = [
    "EventDraft",
    "EventKind",
    "Handler",
    "Recorded",
    "command",
    "event_handle",
    "event_record",
    "events_record",
    "handlers_install",
    "observer_register",
    "return_move",
    "run_memo",
    "transition_record",
]


@dataclass(frozen=True)
class Recorded:
    """An event as its handlers get it: the return (as it is when the handler runs), the event,
    and the state the return was in when the event was recorded."""

    return_request: Return
    event: ReturnEvent
    status: str

    @property
    def kind(self) -> EventKind:
        return EventKind(self.event.kind)


Handler = Callable[[Recorded], None]
HandlerTable = Mapping[EventKind, tuple[Handler, ...]]

_handlers: dict[EventKind, tuple[Handler, ...]] = {}
# Called once at the end of each run with every event it handled (after their handlers): layers
# above the kernel that keep something derived from the trail (analytics' rollups) in the same
# transaction.
Observer = Callable[[Sequence[Recorded]], None]
_observers: list[Observer] = []
# The events recorded by the command running in this thread, waiting for their handlers.
_run: ContextVar[list[Recorded] | None] = ContextVar("return_events", default=None)
# What the handlers of the running command have read and may share (run_memo).
_memo: ContextVar[dict[str, Any] | None] = ContextVar("return_events_memo", default=None)


def handlers_install(table: HandlerTable) -> None:
    """Declare what each kind sets off (ReturnsConfig.ready installs returns.handlers.HANDLERS).
    Every kind must be listed, with no handler when it sets nothing off."""
    missing = sorted(set(EventKind) - set(table))
    if missing:
        raise ValueError(f"event kinds without a declared entry: {', '.join(missing)}")
    _handlers.clear()
    _handlers.update(table)


@contextmanager
def command() -> Iterator[None]:
    """One service call on returns: a transaction, and the handlers of the events it recorded,
    run once when it ends (see the module's docstring)."""
    pending: list[Recorded] | None = _run.get()
    if pending is not None:
        mark = len(pending)
        try:
            with transaction.atomic():
                yield
        except BaseException:
            del pending[mark:]  # rolled back with the savepoint
            raise
        return
    pending = []
    with transaction.atomic():
        token, memo_token = _run.set(pending), _memo.set({})
        try:
            yield
            _handle(pending)
        finally:
            # Before the commit: work run on commit (in-process jobs) starts commands of its own.
            _run.reset(token)
            _memo.reset(memo_token)


def observer_register(observer: Observer) -> None:
    """Call `observer` at the end of every run with the events it handled, in the command's
    transaction (once per observer, whatever the number of registrations)."""
    if observer not in _observers:
        _observers.append(observer)


def _handle(pending: list[Recorded]) -> None:
    done = 0
    while done < len(pending):
        recorded = pending[done]
        done += 1
        for handler in _handlers.get(recorded.kind, ()):
            handler(recorded)
    if pending:
        for observer in _observers:
            observer(pending)


def run_memo() -> dict[str, Any]:
    """A dict the handlers of the running command share and that ends with it: a read several
    events of one command need (the store's webhook endpoints) is made once. Outside a command,
    a fresh dict (nothing is shared)."""
    memo = _memo.get()
    return memo if memo is not None else {}


@dataclass(frozen=True)
class EventDraft:
    """One step to append to a return's trail. `from_status` and `to_status` default to the
    return's status when it is recorded (a step that moves nothing)."""

    kind: EventKind
    actor: Actor
    now: datetime
    note: str = ""
    data: Mapping[str, Any] | None = None
    from_status: str | None = None
    to_status: str | None = None


def events_record(return_request: Return, drafts: Sequence[EventDraft]) -> list[ReturnEvent]:
    """Append events to the return's trail, in one statement; their handlers run when the
    command ends. Must run inside `command()`: an event recorded elsewhere would set nothing
    off."""
    pending = _run.get()
    if pending is None:
        raise RuntimeError("Return events are recorded inside returns.events.command().")
    status = str(return_request.status)
    rows = [
        ReturnEvent(
            store_id=return_request.store_id,
            return_request=return_request,
            kind=EventKind(draft.kind).value,
            from_status=str(draft.from_status if draft.from_status is not None else status),
            to_status=str(draft.to_status if draft.to_status is not None else status),
            actor_kind=draft.actor.kind,
            actor_id=draft.actor.id,
            actor_label=draft.actor.label,
            note=draft.note,
            data=dict(draft.data or {}),
            created_at=draft.now,
        )
        for draft in drafts
    ]
    insert_new(rows)
    pending.extend(Recorded(return_request, row, status) for row in rows)
    return rows


def event_record(
    return_request: Return,
    kind: EventKind,
    *,
    actor: Actor,
    now: datetime,
    note: str = "",
    data: Mapping[str, Any] | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
) -> ReturnEvent:
    """Append one event to the return's trail (events_record for one draft)."""
    draft = EventDraft(kind, actor, now, note, data, from_status, to_status)
    return events_record(return_request, [draft])[0]


def event_handle(return_request: Return, event: ReturnEvent) -> None:
    """Run the handlers of an event already on the trail again (a replay): each handler is
    idempotent, so a replay changes nothing that already followed from it."""
    with command():
        pending = _run.get()
        assert pending is not None
        pending.append(Recorded(return_request, event, str(return_request.status)))


def return_move(return_request: Return, command_: Command, now: datetime) -> ReturnStatus:
    """Move the return (in memory) by `command_`; returns the state it left. Raises
    IllegalTransition (code illegal_transition) when the state machine does not allow it."""
    before = ReturnStatus(return_request.status)
    return_request.status = transition(before, command_)
    return_request.updated_at = now
    if return_request.status != before:
        return_request.status_since = now
    return before


def transition_record(
    return_request: Return,
    command_: Command,
    kind: EventKind,
    *,
    actor: Actor,
    now: datetime,
    note: str = "",
    data: Mapping[str, Any] | None = None,
    also_save: tuple[str, ...] = (),
) -> ReturnEvent:
    """Move the return by `command_`, save its status (and the fields in `also_save`), and
    record `kind` from the state it left to the one it reached."""
    before = return_move(return_request, command_, now)
    return_request.save(update_fields=["status", "updated_at", *also_save])
    return event_record(
        return_request,
        kind,
        actor=actor,
        now=now,
        note=note,
        data=data,
        from_status=before,
        to_status=return_request.status,
    )
