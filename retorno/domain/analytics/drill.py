"""Drill-downs: how a figure's row names the returns behind it in the returns queue's filters."""

from __future__ import annotations

# A row whose key is empty (no tier, no carrier, no category...) is asked for by this value: an
# empty filter would mean "any".
NO_VALUE = "(none)"


def filter_value(key: str) -> str:
    """The queue filter's value for a row's key."""
    return key or NO_VALUE
