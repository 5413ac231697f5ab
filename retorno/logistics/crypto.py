"""Carrier credentials encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256, authenticated).

The key is derived from settings.RETORNO_ENCRYPTION_KEY when set, else from SECRET_KEY, so a
fresh install works and production can rotate SECRET_KEY without losing credentials by setting
RETORNO_ENCRYPTION_KEY. Several comma-separated keys may be given: the first encrypts, all of
them decrypt (rotation).
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from retorno.core.errors import Unprocessable

_CONTEXT = b"retorno.logistics.credentials.v1"


def _fernet() -> MultiFernet:
    configured = getattr(settings, "RETORNO_ENCRYPTION_KEY", "") or ""
    secrets = [part.strip() for part in configured.split(",") if part.strip()]
    if not secrets:
        secrets = [settings.SECRET_KEY]
    keys = [
        Fernet(base64.urlsafe_b64encode(hashlib.sha256(_CONTEXT + s.encode()).digest()))
        for s in secrets
    ]
    return MultiFernet(keys)


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
