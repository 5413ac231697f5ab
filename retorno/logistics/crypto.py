"""Carrier credentials encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256, authenticated).

The keys come from RETORNO_ENCRYPTION_KEY (settings.RETORNO_ENCRYPTION_KEYS), apart from
SECRET_KEY: the first encrypts, all of them decrypt, so a new key is put first, `retorno
reencrypt-secrets` re-encrypts everything with it, and then the old one can go. Each key is
any secret text, stretched to a Fernet key with SHA-256 (development, with no key set, uses
SECRET_KEY, which is how earlier versions encrypted: list the old SECRET_KEY after a new key to
keep reading what they stored).
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import InvalidToken, MultiFernet

from retorno.core.crypto import fernet
from retorno.core.errors import Unprocessable

_CONTEXT = b"retorno.logistics.credentials.v1"


def _fernet() -> MultiFernet:
    return fernet(_CONTEXT)


def reencrypt(token: str) -> str:
    """`token` encrypted with the current (first) key; unchanged if empty. A token no key
    reads raises Unprocessable (`credentials_unreadable`)."""
    if not token:
        return token
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise Unprocessable(
            "The carrier credentials cannot be decrypted with the configured keys.",
            code="credentials_unreadable",
        ) from None


def encrypt_credentials(credentials: dict[str, Any]) -> str:
    """The credentials as an encrypted token ("" for none)."""
    if not credentials:
        return ""
    return _fernet().encrypt(json.dumps(credentials, sort_keys=True).encode()).decode()


def decrypt_credentials(token: str) -> dict[str, Any]:
    """The credentials behind a token. A token made with another key raises Unprocessable
    (code `credentials_unreadable`): the account must be given its credentials again."""
    if not token:
        return {}
    try:
        return dict(json.loads(_fernet().decrypt(token.encode())))
    except InvalidToken:
        raise Unprocessable(
            "The carrier credentials cannot be decrypted with the configured key.",
            code="credentials_unreadable",
        ) from None
