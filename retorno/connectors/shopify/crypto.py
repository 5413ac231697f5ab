"""The Admin API token and the webhook secret, encrypted at rest with the keys that encrypt
carrier credentials (retorno.core.crypto), each under a context of its own."""

from __future__ import annotations

from retorno.connectors import intake

TOKEN = b"retorno.connectors.shopify.token.v1"
SECRET = b"retorno.connectors.shopify.webhook-secret.v1"


def encrypt(context: bytes, value: str) -> str:
    return intake.encrypt(context, value)


def decrypt(context: bytes, token: str) -> str:
    return intake.decrypt(context, token, platform="Shopify")


def reencrypt(context: bytes, token: str) -> str:
    return intake.reencrypt(context, token, platform="Shopify")
