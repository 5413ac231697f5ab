"""Percentiles of durations and the warehouse's age buckets."""

from __future__ import annotations

import math
from collections.abc import Sequence

# (label, first day, last day or None): received and not yet inspected for that many days.
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-2", 0, 2),
    ("3-7", 3, 7),
    ("8-14", 8, 14),
    ("15+", 15, None),
)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The nearest-rank `q` percentile (0 < q ≤ 100) of `values`: the smallest value with at
    least q % of the values at or below it. None for no values."""
    if not 0 < q <= 100:
        raise ValueError("q is in (0, 100]")
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def age_bucket(days: int) -> str:
    """The label of the bucket `days` (whole local days since receipt) falls in."""
    if days < 0:
        days = 0
    for label, first, last in AGE_BUCKETS:
        if days >= first and (last is None or days <= last):
            return label
    raise AssertionError("the buckets cover every day")  # pragma: no cover
