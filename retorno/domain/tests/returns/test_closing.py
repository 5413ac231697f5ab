"""When an automatically refunded return is resolved without anyone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retorno.domain.returns.closing import ItemUnits, settled_in_full

DONE = ItemUnits(approved=2, received=2, missing=0, inspected=2)


def settled(*items: ItemUnits, paid: int = 1, open_: int = 0, left: bool = False) -> bool:
    return settled_in_full(items, refunds_paid=paid, refunds_open=open_, refundable_left=left)


@pytest.mark.parametrize(
    ("items", "paid", "open_", "left", "expected"),
    [
        ((DONE,), 1, 0, False, True),
        ((ItemUnits(2, 1, 1, 1),), 1, 0, False, True),  # one unit written off as missing
        ((ItemUnits(2, 1, 0, 1),), 1, 0, False, False),  # one unit still on its way
        ((ItemUnits(2, 2, 0, 1),), 1, 0, False, False),  # one unit not inspected yet
        ((DONE,), 0, 0, False, False),  # nothing paid
        ((DONE,), 1, 1, False, False),  # a refund pending or failed
        ((DONE,), 1, 0, True, False),  # more could be refunded
        ((DONE, ItemUnits(0, 0, 0, 0)), 1, 0, False, True),  # a rejected line counts for nothing
        ((ItemUnits(0, 0, 0, 0),), 1, 0, False, False),  # nothing approved
        ((), 1, 0, False, False),
    ],
)
def test_settled_in_full(items, paid, open_, left, expected):
    assert settled(*items, paid=paid, open_=open_, left=left) is expected


units = st.builds(
    lambda approved, received, missing, inspected: ItemUnits(
        approved,
        min(received, approved),
        min(missing, approved - min(received, approved)),
        min(inspected, min(received, approved)),
    ),
    st.integers(0, 5),
    st.integers(0, 5),
    st.integers(0, 5),
    st.integers(0, 5),
)


@given(st.lists(units, max_size=5), st.integers(0, 3), st.integers(0, 2), st.booleans())
def test_a_unit_still_owed_anything_keeps_the_return_open(items, paid, open_, left):
    """Settled means: something approved, every approved unit back or missing and inspected,
    something paid, nothing open, nothing left to pay."""
    expected = (
        any(i.approved for i in items)
        and paid > 0
        and open_ == 0
        and not left
        and all(i.received + i.missing == i.approved and i.inspected == i.received for i in items)
    )
    assert settled_in_full(items, refunds_paid=paid, refunds_open=open_, refundable_left=left) is (
        bool(expected)
    )
