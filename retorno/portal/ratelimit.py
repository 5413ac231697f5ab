"""Portal rate limits.

Order lookups are guesses at an order's e-mail, throttled as passwords are
(retorno.accounts.services.attempts, in the database): wrong tries count per order number *and* client
address, so a stranger's guesses never lock the order's shopper out from another address, and per
address whatever the order, so one address cannot try many orders (PORTAL_LOOKUP_* settings).

Claims a shopper may open on one order are counted in the shared cache (PORTAL_CLAIM_LIMIT,
`(attempts, seconds)`): a counter per subject that expires with its window, which opens at the
first attempt.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache

from retorno.accounts.services.attempts import Limits, Throttle


def lookup_limits() -> Limits:
    return Limits(
        per_subject=settings.PORTAL_LOOKUP_ATTEMPTS_PER_ORDER,
        per_address=settings.PORTAL_LOOKUP_ATTEMPTS_PER_ADDRESS,
        window=timedelta(seconds=settings.PORTAL_LOOKUP_WINDOW_SECONDS),
    )


LOOKUP = Throttle(
    scope="lookup", subject_kind="order", address_kind="lookup-address", limits=lookup_limits
)


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    seconds: int


def claim_limit() -> Limit:
    attempts, seconds = settings.PORTAL_CLAIM_LIMIT
    return Limit("claim", attempts, seconds)


def _keys(limit: Limit, subject: str) -> tuple[str, str]:
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    base = f"portal-lookup:{limit.name}:{digest}"
    return f"{base}:count", f"{base}:since"


def blocked_minutes(limit: Limit, subject: str, now: float | None = None) -> int | None:
    """Minutes until `subject` may try again, or None when it is under the limit.

    A window opens at the first counted attempt and lasts `limit.seconds`."""
    now = time.time() if now is None else now
    count_key, since_key = _keys(limit, subject)
    values = cache.get_many([count_key, since_key])
    if (values.get(count_key) or 0) < limit.attempts:
        return None
    since = float(values.get(since_key) or now)
    return max(1, math.ceil((since + limit.seconds - now) / 60))


def count(limit: Limit, subject: str, now: float | None = None) -> None:
    """Count one attempt of `subject` against `limit`."""
    now = time.time() if now is None else now
    count_key, since_key = _keys(limit, subject)
    if cache.add(since_key, now, timeout=limit.seconds):
        cache.set(count_key, 0, timeout=limit.seconds)
    try:
        cache.incr(count_key)
    except ValueError:  # expired meanwhile: this attempt opens a new window
        cache.set(since_key, now, timeout=limit.seconds)
        cache.set(count_key, 1, timeout=limit.seconds)
