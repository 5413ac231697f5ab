"""The Admin API token and the webhook secret, encrypted at rest with the keys that encrypt
carrier credentials (retorno.core.crypto), each under a context of its own."""

from __future__ import annotations

from cryptography.fernet import InvalidToken

from retorno.core.crypto import fernet
from retorno.core.errors import Unprocessable

TOKEN = b"retorno.connectors.shopify.token.v1"
SECRET = b"retorno.connectors.shopify.webhook-secret.v1"


def encrypt(context: bytes, value: str) -> str:
    return fernet(context).encrypt(value.encode()).decode()


def decrypt(context: bytes, token: str) -> str:
    """The value behind `token`; one no configured key reads raises Unprocessable (code
    `secret_unreadable`): the store must connect again with its token and secret."""
    try:
        return fernet(context).decrypt(token.encode()).decode()
    except InvalidToken:
        raise Unprocessable(
            "The Shopify credentials cannot be decrypted with the configured keys; "
            "connect the store again.",
            code="secret_unreadable",
        ) from None


def reencrypt(context: bytes, token: str) -> str:
    try:
        return fernet(context).rotate(token.encode()).decode()
    except InvalidToken:
        raise Unprocessable(
            "The Shopify credentials cannot be decrypted with the configured keys.",
            code="secret_unreadable",
        ) from None
