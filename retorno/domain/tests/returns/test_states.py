import pytest
from hypothesis import given
from hypothesis import strategies as st

from retorno.domain.returns.states import (
    TRANSITIONS,
    Command,
    IllegalTransition,
    ReturnStatus,
    allowed_commands,
    holds_quantity,
    transition,
)

S = ReturnStatus


@pytest.mark.parametrize(
    ("start", "command", "end"),
    [
        (S.REQUESTED, Command.APPROVE, S.APPROVED),
        (S.REQUESTED, Command.HOLD_FOR_REVIEW, S.PENDING_REVIEW),
        (S.PENDING_REVIEW, Command.APPROVE, S.APPROVED),
        (S.PENDING_REVIEW, Command.REJECT, S.REJECTED),
        (S.APPROVED, Command.CANCEL, S.CANCELLED),
        (S.APPROVED, Command.MARK_IN_TRANSIT, S.IN_TRANSIT),
        (S.APPROVED, Command.RECEIVE, S.RECEIVED),
        (S.IN_TRANSIT, Command.RECEIVE, S.RECEIVED),
        (S.RECEIVED, Command.RECEIVE, S.RECEIVED),
        (S.RECEIVED, Command.INSPECT, S.INSPECTED),
        (S.INSPECTED, Command.RESOLVE, S.RESOLVED),
        (S.APPROVED, Command.RESOLVE, S.RESOLVED),
        (S.RESOLVED, Command.CLOSE, S.CLOSED),
        (S.REJECTED, Command.CLOSE, S.CLOSED),
    ],
)
def test_allowed_transitions(start, command, end):
    assert transition(start, command) is end


@pytest.mark.parametrize(
    ("start", "command"),
    [
        (S.APPROVED, Command.APPROVE),
        (S.APPROVED, Command.REJECT),
        (S.IN_TRANSIT, Command.CANCEL),
        (S.RECEIVED, Command.CANCEL),
        (S.REJECTED, Command.APPROVE),
        (S.CANCELLED, Command.RECEIVE),
        (S.CLOSED, Command.CLOSE),
        (S.REQUESTED, Command.INSPECT),
        (S.PENDING_REVIEW, Command.RECEIVE),
    ],
)
def test_illegal_transitions_raise_with_stable_code(start, command):
    with pytest.raises(IllegalTransition) as raised:
        transition(start, command)
    assert raised.value.code == "illegal_transition"
    assert start.value in str(raised.value)


@given(st.sampled_from(list(S)), st.sampled_from(list(Command)))
def test_transition_agrees_with_the_table(state, command):
    sources, target = TRANSITIONS[command]
    if state in sources:
        assert transition(state, command) is target
        assert command in allowed_commands(state)
    else:
        with pytest.raises(IllegalTransition):
            transition(state, command)
        assert command not in allowed_commands(state)


def test_closed_is_terminal_and_only_rejected_and_cancelled_release_units():
    assert allowed_commands(S.CLOSED) == ()
    releasing = {s for s in S if not holds_quantity(s)}
    assert releasing == {S.REJECTED, S.CANCELLED}


@given(st.lists(st.sampled_from(list(Command)), max_size=20))
def test_any_command_sequence_stays_within_known_states(commands):
    state = S.REQUESTED
    for command in commands:
        try:
            state = transition(state, command)
        except IllegalTransition:
            continue
        assert state in S
