"""The return-level state machine, as a table.

A return moves only through the commands below; anything else is an `IllegalTransition`.
`docs/state-machines.md` draws the same table.
"""

from __future__ import annotations

from enum import StrEnum

from retorno.domain.errors import DomainError


class ReturnStatus(StrEnum):
    REQUESTED = "requested"
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    INSPECTED = "inspected"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Command(StrEnum):
    HOLD_FOR_REVIEW = "hold_for_review"
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"
    MARK_IN_TRANSIT = "mark_in_transit"
    RECEIVE = "receive"
    INSPECT = "inspect"
    RESOLVE = "resolve"
    CLOSE = "close"


S = ReturnStatus

# command -> (states it may be issued from, state it leads to)
TRANSITIONS: dict[Command, tuple[frozenset[ReturnStatus], ReturnStatus]] = {
    Command.HOLD_FOR_REVIEW: (frozenset({S.REQUESTED}), S.PENDING_REVIEW),
    Command.APPROVE: (frozenset({S.REQUESTED, S.PENDING_REVIEW}), S.APPROVED),
    Command.REJECT: (frozenset({S.REQUESTED, S.PENDING_REVIEW}), S.REJECTED),
    # A return can be cancelled until the goods are on their way.
    Command.CANCEL: (frozenset({S.REQUESTED, S.PENDING_REVIEW, S.APPROVED}), S.CANCELLED),
    Command.MARK_IN_TRANSIT: (frozenset({S.APPROVED}), S.IN_TRANSIT),
    # Parcels can arrive without a carrier scan ever reaching us.
    Command.RECEIVE: (frozenset({S.APPROVED, S.IN_TRANSIT, S.RECEIVED}), S.RECEIVED),
    Command.INSPECT: (frozenset({S.RECEIVED, S.INSPECTED}), S.INSPECTED),
    # Resolving straight from approved covers keep-the-item and refunds on approval.
    Command.RESOLVE: (frozenset({S.APPROVED, S.IN_TRANSIT, S.RECEIVED, S.INSPECTED}), S.RESOLVED),
    Command.CLOSE: (frozenset({S.RESOLVED, S.REJECTED, S.CANCELLED}), S.CLOSED),
}

# Returns in these states no longer hold any quantity of the order's lines.
RELEASING_STATES = frozenset({S.REJECTED, S.CANCELLED})
TERMINAL_STATES = frozenset({S.CLOSED})


class IllegalTransition(DomainError):
    code = "illegal_transition"


def transition(current: ReturnStatus | str, command: Command | str) -> ReturnStatus:
    """The state a return in `current` reaches by `command`.

    Raises IllegalTransition (code `illegal_transition`) when the table does not allow it.
    """
    state = ReturnStatus(current)
    cmd = Command(command)
    allowed_from, target = TRANSITIONS[cmd]
    if state not in allowed_from:
        raise IllegalTransition(f"A return that is {state.value} cannot be {_past(cmd)}.")
    return target


def allowed_commands(current: ReturnStatus | str) -> tuple[Command, ...]:
    state = ReturnStatus(current)
    return tuple(cmd for cmd, (sources, _) in TRANSITIONS.items() if state in sources)


def holds_quantity(status: ReturnStatus | str) -> bool:
    """Whether a return in `status` counts against what is left to return on the order."""
    return ReturnStatus(status) not in RELEASING_STATES


def _past(command: Command) -> str:
    return {
        Command.HOLD_FOR_REVIEW: "held for review",
        Command.APPROVE: "approved",
        Command.REJECT: "rejected",
        Command.CANCEL: "cancelled",
        Command.MARK_IN_TRANSIT: "marked in transit",
        Command.RECEIVE: "received",
        Command.INSPECT: "inspected",
        Command.RESOLVE: "resolved",
        Command.CLOSE: "closed",
    }[command]
