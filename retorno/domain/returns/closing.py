"""When a return whose money was settled automatically is done with.

A return refunded by its policy's timing (on inspection, say) has nothing left for anyone to do
once every unit it approved has come back or been written off, every unit that came back has
been inspected, its refunds are paid and nothing more is refundable: it is resolved then (and
closed on the store's platform, as the platforms close a processed return) instead of waiting
in "inspected" for a person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ItemUnits:
    """One returned line's units: approved, received, written off as missing, inspected."""

    approved: int
    received: int
    missing: int
    inspected: int


def settled_in_full(
    items: Iterable[ItemUnits], *, refunds_paid: int, refunds_open: int, refundable_left: bool
) -> bool:
    """Whether the return can be resolved with nobody's action.

    `refunds_paid` counts its succeeded refunds, `refunds_open` the pending or failed ones (a
    failed refund waits for finance), `refundable_left` whether a refund planned now would pay
    anything. A return with no approved unit is never settled here (nothing was refunded for it).
    """
    counted = [item for item in items if item.approved > 0]
    if not counted or refunds_paid == 0 or refunds_open or refundable_left:
        return False
    return all(
        item.received + item.missing >= item.approved and item.inspected >= item.received
        for item in counted
    )
