"""Which adapter serves a carrier account: `carrier_gateway_for(kind, config)`.

Adapters are imported by dotted path, lazily: the registry wires them without importing them at
module level (carrier adapters stay independent of each other, as import-linter checks, and a
process that only uses the simulator never imports the EasyPost or Shippo code).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from retorno.domain.logistics.gateway import CarrierGateway

ADAPTERS: Mapping[str, str] = {
    "simulator": "retorno.integrations.carriers.simulator.adapter:SimulatorGateway",
    "easypost": "retorno.integrations.carriers.easypost.adapter:EasyPostGateway",
    "shippo": "retorno.integrations.carriers.shippo.adapter:ShippoGateway",
}
KINDS = tuple(ADAPTERS)


@dataclass(frozen=True)
class KindKeys:
    """The config keys of a kind that a person sets (docs/carriers.md has them all): `settings`
    are shown and edited as they are; `secrets` are stored encrypted apart from the config and
    never shown again. The `required_*` ones must be set for the gateway to work."""

    settings: tuple[str, ...]
    secrets: tuple[str, ...]
    required_settings: tuple[str, ...] = ()
    required_secrets: tuple[str, ...] = ()


KIND_KEYS: Mapping[str, KindKeys] = {
    "simulator": KindKeys(
        settings=("base_url", "carrier"),
        secrets=("webhook_secret", "api_key"),
        required_settings=("base_url", "carrier"),
    ),
    "easypost": KindKeys(
        settings=("carrier", "service", "base_url"),
        secrets=("api_key", "webhook_secret"),
        required_secrets=("api_key",),
    ),
    "shippo": KindKeys(
        settings=("carrier", "servicelevel", "base_url"),
        secrets=("api_token", "webhook_token"),
        required_secrets=("api_token",),
    ),
}


class UnknownCarrierKind(ValueError):
    code = "unknown_carrier_kind"


def carrier_gateway_for(kind: str, config: Mapping[str, Any]) -> CarrierGateway:
    """A gateway for a carrier account of `kind` ("simulator", "easypost", "shippo") built from
    its decrypted config (keys per kind in docs/carriers.md). Unknown keys are an error, so a
    typo in an account's settings shows at once instead of being silently ignored."""
    path = ADAPTERS.get(kind)
    if path is None:
        raise UnknownCarrierKind(f"Unknown carrier kind {kind!r}; known: {', '.join(KINDS)}.")
    module_name, _, class_name = path.partition(":")
    gateway_class = getattr(importlib.import_module(module_name), class_name)
    try:
        return gateway_class(**dict(config))
    except TypeError as error:
        raise ValueError(f"Invalid {kind} carrier config: {error}") from None
