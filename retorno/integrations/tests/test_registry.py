from __future__ import annotations

import importlib
import inspect

import pytest

from retorno.integrations.carriers.easypost.adapter import EasyPostGateway
from retorno.integrations.carriers.registry import (
    ADAPTERS,
    KIND_KEYS,
    KINDS,
    UnknownCarrierKind,
    carrier_gateway_for,
)
from retorno.integrations.carriers.shippo.adapter import ShippoGateway
from retorno.integrations.carriers.simulator.adapter import SimulatorGateway


def test_each_kind_builds_its_gateway() -> None:
    simulator = carrier_gateway_for(
        "simulator",
        {"base_url": "http://127.0.0.1:8055", "carrier": "norte", "webhook_secret": "s"},
    )
    assert isinstance(simulator, SimulatorGateway)
    assert simulator.code == "norte"
    assert isinstance(carrier_gateway_for("easypost", {"api_key": "k"}), EasyPostGateway)
    assert isinstance(
        carrier_gateway_for("shippo", {"api_token": "t", "carrier": "usps"}), ShippoGateway
    )


def test_unknown_kind_and_unknown_keys_are_errors() -> None:
    with pytest.raises(UnknownCarrierKind):
        carrier_gateway_for("pigeon", {})
    with pytest.raises(ValueError, match="Invalid easypost carrier config"):
        carrier_gateway_for("easypost", {"api_key": "k", "apikey": "typo"})


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_lists_the_keys_a_person_sets_and_its_gateway_takes_them(kind: str) -> None:
    """The back office asks for these keys: each must be one its gateway accepts, settings
    and secrets apart, and the gateway builds from the required ones alone."""
    keys = KIND_KEYS[kind]
    module_name, _, class_name = ADAPTERS[kind].partition(":")
    gateway_class = getattr(importlib.import_module(module_name), class_name)
    accepted = set(inspect.signature(gateway_class.__init__).parameters)
    assert set(keys.settings) | set(keys.secrets) <= accepted
    assert not set(keys.settings) & set(keys.secrets)
    assert set(keys.required_settings) <= set(keys.settings)
    assert set(keys.required_secrets) <= set(keys.secrets)
    required = {
        name: "http://127.0.0.1:9" if name == "base_url" else "x"
        for name in (*keys.required_settings, *keys.required_secrets)
    }
    assert carrier_gateway_for(kind, required) is not None
