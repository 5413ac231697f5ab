from datetime import UTC, datetime, timedelta

import pytest

from retorno.domain.money.ledger import (
    RefundLedgerError,
    RefundState,
    can_transition,
    needs_redrive,
    refund_idempotency_key,
    transition_refund,
)

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("pending", "succeeded", True),
        ("pending", "failed", True),
        ("failed", "pending", True),
        ("failed", "succeeded", False),
        ("succeeded", "pending", False),
        ("succeeded", "failed", False),
        ("succeeded", "succeeded", False),
        ("pending", "pending", False),
    ],
)
def test_transitions(current, target, allowed):
    assert can_transition(current, target) is allowed
    if allowed:
        assert transition_refund(current, target) == RefundState(target)
    else:
        with pytest.raises(RefundLedgerError) as caught:
            transition_refund(current, target)
        assert caught.value.code == "invalid_refund_transition"


def test_keys_are_deterministic_and_distinct():
    assert refund_idempotency_key(42, 1) == refund_idempotency_key("42", 1) == "retorno-refund-42-1"
    assert refund_idempotency_key(42, 2) != refund_idempotency_key(42, 1)
    assert refund_idempotency_key(42, 1, attempt=2) == "retorno-refund-42-1-a2"
    assert refund_idempotency_key(4, 21) != refund_idempotency_key(42, 1)


@pytest.mark.parametrize(
    ("return_id", "sequence", "attempt"),
    [("", 1, 1), ("a b", 1, 1), (1, 0, 1), (1, 1, 0), (1, True, 1), ("x" * 101, 1, 1)],
)
def test_bad_key_parts_are_refused(return_id, sequence, attempt):
    with pytest.raises(RefundLedgerError) as caught:
        refund_idempotency_key(return_id, sequence, attempt)
    assert caught.value.code == "invalid_refund_key"


def test_only_stale_pending_refunds_are_redriven():
    old = NOW - timedelta(minutes=10)
    assert needs_redrive("pending", old, NOW)
    assert not needs_redrive("pending", NOW - timedelta(minutes=1), NOW)
    assert not needs_redrive("failed", old, NOW)
    assert not needs_redrive("succeeded", old, NOW)
