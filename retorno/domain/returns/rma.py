"""Readable RMA numbers: a store prefix and 8 Crockford base-32 characters, e.g. `R-7KX3-9QF2`.

Random rather than sequential, so that concurrent creations never queue on a counter row and
numbers reveal nothing about volume. 40 random bits: a collision is retried by the caller.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
_NORMALISE = str.maketrans({"I": "1", "L": "1", "O": "0"})


def new_rma(prefix: str, random_bits: int | None = None) -> str:
    value = secrets.randbits(40) if random_bits is None else random_bits
    chars = []
    for _ in range(8):
        chars.append(ALPHABET[value & 31])
        value >>= 5
    code = "".join(reversed(chars))
    return f"{prefix}-{code[:4]}-{code[4:]}"


def normalise_rma(text: str) -> str:
    """Accept what people type or scanners send: any case, spaces, confusable letters."""
    cleaned = re.sub(r"\s+", "", text.strip().upper())
    if "-" not in cleaned:
        return cleaned
    prefix, _, rest = cleaned.partition("-")
    return f"{prefix}-{rest.translate(_NORMALISE)}"
