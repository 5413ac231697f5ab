"""Portal rate limits (lookups, claims) in the shared cache, so every web process counts the
same attempts.

A counter per subject that expires with its window, which opens at the first attempt. Limits are
`(attempts, seconds)` and can be tuned with PORTAL_LOOKUP_IP_LIMIT / PORTAL_LOOKUP_ORDER_LIMIT
(and PORTAL_CLAIM_LIMIT for the claims a shopper may open on one order). Failed lookups of an
order count per order *and* client address: a stranger's wrong tries never lock the order's
shopper out; every lookup also counts against the address.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

DEFAULT_IP_LIMIT = (20, 600)  # any lookup from one address
DEFAULT_ORDER_LIMIT = (5, 900)  # failed lookups of one order number from one address
DEFAULT_CLAIM_LIMIT = (5, 86400)  # claims opened on one order from the portal


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    seconds: int


def ip_limit() -> Limit:
    attempts, seconds = getattr(settings, "PORTAL_LOOKUP_IP_LIMIT", DEFAULT_IP_LIMIT)
    return Limit("ip", attempts, seconds)


def order_limit() -> Limit:
    attempts, seconds = getattr(settings, "PORTAL_LOOKUP_ORDER_LIMIT", DEFAULT_ORDER_LIMIT)
    return Limit("order", attempts, seconds)


def claim_limit() -> Limit:
    attempts, seconds = getattr(settings, "PORTAL_CLAIM_LIMIT", DEFAULT_CLAIM_LIMIT)
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
