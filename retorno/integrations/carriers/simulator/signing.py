"""The simulator's webhook signature, shared by the server (signs) and the adapter (verifies).

Header `X-Sim-Signature: t=<unix seconds>,v1=<hex>` where hex is
HMAC-SHA256(secret, "<t>." + raw body). The timestamp is inside the MAC, so a captured delivery
cannot be replayed later with a fresh `t`; the receiver rejects a `t` too far from its clock.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Sim-Signature"


def compute_signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(int(timestamp)).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={int(timestamp)},v1={compute_signature(secret, timestamp, body)}"


def parse_signature_header(value: str) -> tuple[int, list[str]] | None:
    """(timestamp, [v1 signatures]) or None when the header is malformed. Several v1 values
    are allowed so a secret can be rotated without dropping deliveries."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in value.split(","):
        key, _, item = part.strip().partition("=")
        if key == "t" and item.isdigit():
            timestamp = int(item)
        elif key == "v1" and item:
            signatures.append(item.strip().lower())
    if timestamp is None or not signatures:
        return None
    return timestamp, signatures


def verify_signature(
    secret: str, header_value: str, body: bytes, *, now: float, max_skew_seconds: float
) -> bool:
    """True when one v1 signature matches (constant-time) and `t` is within the skew."""
    parsed = parse_signature_header(header_value)
    if parsed is None or not secret:
        return False
    timestamp, signatures = parsed
    if abs(now - timestamp) > max_skew_seconds:
        return False
    expected = compute_signature(secret, timestamp, body)
    # Compare against every candidate (no early exit) to keep timing independent of position.
    matches = [hmac.compare_digest(expected, candidate) for candidate in signatures]
    return any(matches)
