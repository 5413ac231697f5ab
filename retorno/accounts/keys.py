"""API key generation and hashing. Keys look like `rtn_<32 url-safe chars>`."""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "rtn_"


def generate_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(24)


def digest_key(key: str) -> str:
    # A fast hash is right here: keys are 192-bit random, so there is nothing to brute-force.
    return hashlib.sha256(key.encode()).hexdigest()


def display_prefix(key: str) -> str:
    return key[: len(KEY_PREFIX) + 6]
