"""Secrets stored encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256, authenticated).

The keys come from RETORNO_ENCRYPTION_KEY (settings.RETORNO_ENCRYPTION_KEYS), apart from
SECRET_KEY: the first encrypts, all of them decrypt. Each key is any secret text, stretched to a
Fernet key with SHA-256 and a context naming what it protects, so a token of one kind of secret
never decrypts as another kind.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def fernet(context: bytes) -> MultiFernet:
    """The configured keys for secrets of `context`: the first encrypts, all decrypt."""
    secrets = [key.strip() for key in settings.RETORNO_ENCRYPTION_KEYS if key.strip()]
    keys = [
        Fernet(base64.urlsafe_b64encode(hashlib.sha256(context + s.encode()).digest()))
        for s in secrets
    ]
    return MultiFernet(keys)


# What `retorno reencrypt-secrets` runs: per kind of secret (its name, plural), a function that
# re-encrypts every stored one with the current key and answers (how many, the names of those
# no key reads). Each app that stores secrets registers its own in AppConfig.ready().
Reencrypter = Callable[[], tuple[int, list[str]]]
_reencrypters: dict[str, Reencrypter] = {}


def reencrypter_register(kind: str, reencrypter: Reencrypter) -> None:
    _reencrypters[kind] = reencrypter


def reencrypters() -> dict[str, Reencrypter]:
    return dict(_reencrypters)
