"""Outbound webhooks as Standard Webhooks 1.0 defines them: the event types a store can
subscribe to, the secret, the signature, and when a failed delivery is tried again.

A message is signed with HMAC-SHA256 over `<webhook-id>.<webhook-timestamp>.<body>`, keyed by
the base64-decoded part of the secret after `whsec_`; the `webhook-signature` header lists one
`v1,<base64 signature>` per secret in force (two while a secret is being rotated), separated by
spaces, so a receiver that knows either secret accepts the message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from datetime import timedelta

from retorno.domain.errors import DomainError

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32

# Every type a store can subscribe to, grouped by the object the payload carries.
EVENT_TYPES: tuple[str, ...] = (
    "return.requested",
    "return.approved",
    "return.rejected",
    "return.cancelled",
    "return.in_transit",
    "return.received",
    "return.inspected",
    "return.resolved",
    "return.closed",
    "shipment.booked",
    "shipment.booking_failed",
    "shipment.pickup_failed",
    "shipment.exception",
    "refund.created",
    "refund.succeeded",
    "refund.failed",
    "store_credit.issued",
    "exchange.created",
    "claim.opened",
    "claim.resolved",
    "claim.rejected",
    "inventory.expected",
    "inventory.restocked",
)

# When attempt n (1-based) runs, counted from the event: at once, then after each failure
# 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h. Ten attempts over about three days.
RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(0),
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_SCHEDULE)
# Each wait is stretched or shrunk by up to this share, so endpoints that failed together
# (a receiver that was down) are not all retried in the same second.
JITTER = 0.1
# A receiver answering 410 Gone says the endpoint no longer exists: it is disabled.
GONE = 410


class WebhookError(DomainError):
    code = "webhook_error"


def event_types_check(types: Sequence[str]) -> list[str]:
    """The subscribed types, deduplicated in the order given; `[]` means every type. An unknown
    type raises WebhookError (code `unknown_event_type`) naming it."""
    unknown = [t for t in types if t not in EVENT_TYPES]
    if unknown:
        raise WebhookError(
            f"Unknown event type {unknown[0]!r}; see docs/webhooks.md for the list.",
            code="unknown_event_type",
        )
    return list(dict.fromkeys(types))


def subscribes(types: Sequence[str], event_type: str) -> bool:
    """Whether an endpoint subscribed to `types` (empty: all) gets `event_type`."""
    return not types or event_type in types


def secret_from_bytes(raw: bytes) -> str:
    """A secret as the store is shown it: `whsec_` and the base64 of its random bytes."""
    if len(raw) < 24:
        raise WebhookError("A webhook secret has at least 24 random bytes.", code="weak_secret")
    return SECRET_PREFIX + base64.b64encode(raw).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_` secret (its base64 part, decoded)."""
    if not secret.startswith(SECRET_PREFIX):
        raise WebhookError("A webhook secret starts with whsec_.", code="invalid_secret")
    try:
        return base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except ValueError:
        raise WebhookError(
            "A webhook secret is whsec_ and base64.", code="invalid_secret"
        ) from None


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of id.timestamp.body>` with the secret's key."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(secrets: Sequence[str], message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header: one signature per secret in force, space-separated."""
    if not secrets:
        raise WebhookError("An endpoint signs with at least one secret.", code="invalid_secret")
    return " ".join(sign(s, message_id, timestamp, body) for s in secrets)


def next_attempt_delay(attempts_made: int, spread: float) -> timedelta | None:
    """How long to wait before the next attempt after `attempts_made` attempts failed, or None
    when the schedule is spent. `spread` in [-1, 1] (random in production) picks where in
    ±JITTER of the scheduled wait the attempt lands."""
    if attempts_made < 1:
        raise ValueError("attempts_made counts attempts already made (at least 1)")
    if attempts_made >= MAX_ATTEMPTS:
        return None
    wait = RETRY_SCHEDULE[attempts_made]
    return wait * (1 + JITTER * max(-1.0, min(1.0, spread)))


def is_success(status_code: int) -> bool:
    """A 2xx answer: the receiver has the message."""
    return 200 <= status_code < 300
