"""Reconciliation of returned units per SKU: for the returns approved in a period, how many
units were expected, received, given up as missing, inspected, restocked (and how much stock
really moved), sent back to the supplier or otherwise disposed of; and which differences a
person should look at. docs/integrations.md explains each flag.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

# The flags, in the order they are listed.
IN_TRANSIT = "in_transit"  # expected units neither received nor given up yet
MISSING = "missing"  # units given up as missing from the parcel
UNEXPECTED = "unexpected"  # units of the SKU that arrived without being announced
NOT_INSPECTED = "not_inspected"  # received, not inspected yet
UNDISPOSED = "undisposed"  # inspected and present, no disposition yet
STOCK_MISMATCH = "stock_mismatch"  # restocked units differ from the stock that moved
FLAGS = (IN_TRANSIT, MISSING, UNEXPECTED, NOT_INSPECTED, UNDISPOSED, STOCK_MISMATCH)


@dataclass(frozen=True)
class SkuCounts:
    sku: str
    expected: int = 0  # units approved for return
    received: int = 0
    missing: int = 0
    unexpected: int = 0
    inspected: int = 0  # units inspected and physically there (not "not received")
    disposed: int = 0  # of those, units with a disposition
    restocked: int = 0  # units the inspections say went back to stock
    stock_moved: int = 0  # units the inventory events added to the variant's stock
    sent_to_vendor: int = 0  # units in shipped return-to-vendor batches

    def __add__(self, other: SkuCounts) -> SkuCounts:
        return replace(self, **{n: getattr(self, n) + getattr(other, n) for n in COUNTS})


COUNTS = (
    "expected",
    "received",
    "missing",
    "unexpected",
    "inspected",
    "disposed",
    "restocked",
    "stock_moved",
    "sent_to_vendor",
)


@dataclass(frozen=True)
class SkuReconciliation:
    counts: SkuCounts
    outstanding: int  # expected − received − missing (never below 0)
    flags: tuple[str, ...]

    @property
    def sku(self) -> str:
        return self.counts.sku


def sku_differences(counts: SkuCounts) -> SkuReconciliation:
    """What does not add up for one SKU."""
    outstanding = max(0, counts.expected - counts.received - counts.missing)
    found = {
        IN_TRANSIT: outstanding > 0,
        MISSING: counts.missing > 0,
        UNEXPECTED: counts.unexpected > 0,
        NOT_INSPECTED: counts.received > counts.inspected,
        UNDISPOSED: counts.inspected > counts.disposed,
        STOCK_MISMATCH: counts.restocked != counts.stock_moved,
    }
    return SkuReconciliation(counts, outstanding, tuple(f for f in FLAGS if found[f]))


def reconcile(counts: Iterable[SkuCounts]) -> list[SkuReconciliation]:
    """One row per SKU (counts of the same SKU added), sorted by SKU."""
    by_sku: dict[str, SkuCounts] = {}
    for c in counts:
        by_sku[c.sku] = by_sku[c.sku] + c if c.sku in by_sku else c
    return [sku_differences(by_sku[sku]) for sku in sorted(by_sku)]
