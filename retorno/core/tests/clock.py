"""Tests at a chosen hour: Django's clock moved to a moment, still ticking."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from unittest import mock

from django.utils import timezone


@contextmanager
def clock_moved_to(moment: datetime) -> Iterator[Callable[[], float]]:
    """Run Django's clock (`timezone.now`, which every product module reads through the
    `timezone` module, and model fields' auto_now) from `moment` on, ticking with real time, in
    every thread (a live server's included). Yields the same clock as a `time.time`-like
    function, for a carrier simulator to share it.

    Outbox backoffs, ages and deadlines keep working: time still moves, only the hour and the
    day are the ones the test chose."""
    offset = moment - datetime.now(UTC)
    real_now = timezone.now

    def moved_now() -> datetime:
        return real_now() + offset

    with mock.patch.object(timezone, "now", moved_now):
        yield lambda: time.time() + offset.total_seconds()
