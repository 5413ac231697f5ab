import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retorno.domain.returns.ledger import (
    ItemDecision,
    ItemStatus,
    LedgerError,
    QuantityLedger,
    item_status,
    returnable_quantity,
)


def test_status_follows_the_ledger():
    ledger = QuantityLedger(requested=3)
    assert item_status(ledger, ItemDecision.ACCEPTED) is ItemStatus.REQUESTED
    ledger = ledger.approve()
    assert item_status(ledger, ItemDecision.ACCEPTED) is ItemStatus.APPROVED
    ledger = ledger.receive(2)
    assert item_status(ledger, ItemDecision.ACCEPTED) is ItemStatus.PARTIALLY_RECEIVED
    assert ledger.outstanding == 1
    ledger = ledger.receive(1)
    assert item_status(ledger, ItemDecision.ACCEPTED) is ItemStatus.RECEIVED


def test_rejected_decision_wins_over_counts():
    assert item_status(QuantityLedger(requested=1), ItemDecision.REJECTED) is ItemStatus.REJECTED


def test_missing_and_resolved():
    assert (
        item_status(QuantityLedger(requested=2, approved=2, missing=2), "accepted")
        is ItemStatus.MISSING
    )
    resolved = QuantityLedger(requested=2, approved=2, received=2, refunded=1, exchanged=1)
    assert item_status(resolved, "accepted") is ItemStatus.RESOLVED


def test_over_receiving_is_refused_with_its_own_code():
    ledger = QuantityLedger(requested=2, approved=2, received=2)
    with pytest.raises(LedgerError) as raised:
        ledger.receive(1)
    assert raised.value.code == "over_received"


@pytest.mark.parametrize(
    "counts",
    [
        {"requested": 1, "approved": 2},
        {"requested": 2, "approved": 2, "received": 2, "missing": 1},
        {"requested": 2, "approved": 1, "refunded": 1, "exchanged": 1},
        {"requested": -1},
    ],
)
def test_impossible_ledgers_cannot_exist(counts):
    with pytest.raises(LedgerError):
        QuantityLedger(**counts)


@given(st.integers(0, 50), st.lists(st.integers(1, 10), max_size=10))
def test_received_never_exceeds_approved(approved, arrivals):
    ledger = QuantityLedger(requested=approved, approved=approved)
    for units in arrivals:
        with contextlib.suppress(LedgerError):
            ledger = ledger.receive(units)
        assert 0 <= ledger.received <= ledger.approved


@given(st.integers(0, 100), st.integers(0, 200))
def test_returnable_quantity_is_bounded(bought, held):
    left = returnable_quantity(bought, held)
    assert 0 <= left <= bought
    assert left == max(0, bought - held)
