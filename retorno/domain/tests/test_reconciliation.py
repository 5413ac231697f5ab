"""Per-SKU reconciliation: counts of the same SKU add up, and each difference raises its flag
(and only then)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retorno.domain.warehouse.reconciliation import (
    COUNTS,
    FLAGS,
    SkuCounts,
    reconcile,
    sku_differences,
)


def test_a_sku_whose_units_all_came_back_and_were_restocked_has_no_flag():
    row = sku_differences(
        SkuCounts(
            "TEE", expected=3, received=3, inspected=3, disposed=3, restocked=3, stock_moved=3
        )
    )
    assert (row.outstanding, row.flags) == (0, ())


@pytest.mark.parametrize(
    ("counts", "flags", "outstanding"),
    [
        (SkuCounts("A", expected=3, received=1), ("in_transit", "not_inspected"), 2),
        (SkuCounts("A", expected=2, missing=2), ("missing",), 0),
        (SkuCounts("A", unexpected=1), ("unexpected",), 0),
        (SkuCounts("A", expected=1, received=1, inspected=1), ("undisposed",), 0),
        (
            SkuCounts("A", expected=1, received=1, inspected=1, disposed=1, restocked=1),
            ("stock_mismatch",),
            0,
        ),
        (
            SkuCounts("A", expected=2, received=2, inspected=2, disposed=2, sent_to_vendor=2),
            (),
            0,
        ),
    ],
)
def test_each_difference_is_flagged(counts, flags, outstanding):
    row = sku_differences(counts)
    assert (row.flags, row.outstanding) == (flags, outstanding)


counts = st.builds(
    SkuCounts,
    sku=st.sampled_from(["A", "B", "C"]),
    **{name: st.integers(0, 20) for name in COUNTS},
)


@given(st.lists(counts, max_size=30))
def test_rows_of_a_sku_add_up_and_flags_come_in_their_order(parts):
    rows = reconcile(parts)
    assert [r.sku for r in rows] == sorted({p.sku for p in parts})
    for row in rows:
        mine = [p for p in parts if p.sku == row.sku]
        for name in COUNTS:
            assert getattr(row.counts, name) == sum(getattr(p, name) for p in mine)
        assert list(row.flags) == [f for f in FLAGS if f in row.flags]
        assert row.outstanding >= 0
