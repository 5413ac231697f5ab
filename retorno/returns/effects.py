"""What follows an event on a return: messages to the shopper, carrier bookings, refunds.

Called by the services inside their transaction, right after the event is appended. Everything
here writes rows (outbox messages, bookings, ledger entries) in that same transaction; delivery
happens after commit, so a rolled-back change never leaves a message or a booking behind.
"""

from __future__ import annotations

from collections.abc import Callable

from retorno.returns.models import Return, ReturnEvent

EventHandler = Callable[[Return, ReturnEvent], None]


# One handler per capability, in the order they run; each decides what an event means to it.
HANDLERS: tuple[EventHandler, ...] = ()


def after_event(return_request: Return, event: ReturnEvent) -> None:
    """Dispatch the side effects of `event` to every capability."""
    for handler in HANDLERS:
        handler(return_request, event)
