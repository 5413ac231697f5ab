"""The carrier gateway of an account: the integrations registry, or a test's stand-in.

Everything in logistics that talks to a carrier gets its gateway here, so tests can swap every
carrier for a fake with `gateways_overridden(factory)` and nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from retorno.domain.logistics.gateway import CarrierGateway
from retorno.integrations.carriers.registry import carrier_gateway_for
from retorno.logistics.crypto import decrypt_credentials
from retorno.logistics.models import CarrierAccount

GatewayFactory = Callable[[CarrierAccount], CarrierGateway]
_override: GatewayFactory | None = None


def account_config(account: CarrierAccount) -> dict[str, Any]:
    """What an adapter is built from: the account's config, its decrypted credentials, its code."""
    return {
        **(account.config or {}),
        **decrypt_credentials(account.credentials_encrypted),
        "code": account.code,
    }


# Gateways are built once per account version and process: building one opens an HTTP client
# (its TLS context alone costs tens of milliseconds), far more than ingesting a webhook batch.
_cache: dict[tuple[int, str, str], CarrierGateway] = {}
_CACHE_SIZE = 256


def gateway_for(account: CarrierAccount) -> CarrierGateway:
    if _override is not None:
        return _override(account)
    key = (account.id, account.updated_at.isoformat() if account.updated_at else "", account.kind)
    gateway = _cache.get(key)
    if gateway is None:
        gateway = carrier_gateway_for(account.kind, account_config(account))
        if len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[key] = gateway
    return gateway


@contextmanager
def gateways_overridden(factory: GatewayFactory) -> Iterator[None]:
    """Within the block every account's gateway comes from `factory` (tests)."""
    global _override
    previous, _override = _override, factory
    try:
        yield
    finally:
        _override = previous
