from __future__ import annotations

import pytest

from retorno.integrations.carriers.easypost.adapter import EasyPostGateway
from retorno.integrations.carriers.registry import UnknownCarrierKind, carrier_gateway_for
from retorno.integrations.carriers.shippo.adapter import ShippoGateway
from retorno.integrations.carriers.simulator.adapter import SimulatorGateway


def test_each_kind_builds_its_gateway() -> None:
    simulator = carrier_gateway_for(
        "simulator",
        {"base_url": "http://127.0.0.1:8055", "carrier": "norte", "webhook_secret": "s"},
    )
    assert isinstance(simulator, SimulatorGateway) and simulator.code == "norte"
    assert isinstance(carrier_gateway_for("easypost", {"api_key": "k"}), EasyPostGateway)
    assert isinstance(
        carrier_gateway_for("shippo", {"api_token": "t", "carrier": "usps"}), ShippoGateway
    )


def test_unknown_kind_and_unknown_keys_are_errors() -> None:
    with pytest.raises(UnknownCarrierKind):
        carrier_gateway_for("pigeon", {})
    with pytest.raises(ValueError, match="Invalid easypost carrier config"):
        carrier_gateway_for("easypost", {"api_key": "k", "apikey": "typo"})
