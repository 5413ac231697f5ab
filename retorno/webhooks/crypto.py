"""Endpoint secrets encrypted at rest, with the keys that encrypt carrier credentials
(retorno.core.crypto) under a context of their own."""

from __future__ import annotations

from cryptography.fernet import InvalidToken

from retorno.core.crypto import fernet
from retorno.core.errors import Unprocessable

_CONTEXT = b"retorno.webhooks.secret.v1"


def encrypt_secret(secret: str) -> str:
    return fernet(_CONTEXT).encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str:
    """The secret behind a token; one no configured key reads raises Unprocessable (code
    `secret_unreadable`): the endpoint's secret must be rotated."""
    try:
        return fernet(_CONTEXT).decrypt(token.encode()).decode()
    except InvalidToken:
        raise Unprocessable(
            "The endpoint's secret cannot be decrypted with the configured keys; rotate it.",
            code="secret_unreadable",
        ) from None


def reencrypt_secret(token: str) -> str:
    """`token` encrypted with the current (first) key."""
    try:
        return fernet(_CONTEXT).rotate(token.encode()).decode()
    except InvalidToken:
        raise Unprocessable(
            "The endpoint's secret cannot be decrypted with the configured keys; rotate it.",
            code="secret_unreadable",
        ) from None
