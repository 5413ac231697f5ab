"""The secret key and the webhook signing secret, encrypted at rest with the keys that encrypt
every stored credential (retorno.core.crypto), each under a context of its own."""

from __future__ import annotations

from cryptography.fernet import InvalidToken

from retorno.core.crypto import fernet
from retorno.core.errors import Unprocessable

KEY = b"retorno.connectors.stripe.secret-key.v1"
WEBHOOK_SECRET = b"retorno.connectors.stripe.webhook-secret.v1"


def encrypt(context: bytes, value: str) -> str:
    return fernet(context).encrypt(value.encode()).decode()


def decrypt(context: bytes, token: str) -> str:
    """The value behind `token`; one no configured key reads raises Unprocessable (code
    `secret_unreadable`): the store must connect its Stripe account again."""
    try:
        return fernet(context).decrypt(token.encode()).decode()
    except InvalidToken:
        raise Unprocessable(
            "The Stripe credentials cannot be decrypted with the configured keys; "
            "connect the account again.",
            code="secret_unreadable",
        ) from None


def reencrypt(context: bytes, token: str) -> str:
    return fernet(context).rotate(token.encode()).decode()
