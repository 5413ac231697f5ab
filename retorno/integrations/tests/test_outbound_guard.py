"""Every carrier adapter sends through the guarded outbound client, SDK-based ones included: with
private URLs refused, an account pointed at this machine never gets a connection."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from retorno.core.tests.servers import Recorder, recording_server
from retorno.domain.logistics.gateway import CarrierUnavailable
from retorno.integrations.carriers.registry import KINDS, carrier_gateway_for

SECRETS: dict[str, dict[str, Any]] = {
    "simulator": {"carrier": "rapido", "api_key": "sim-secret"},
    "easypost": {"api_key": "EZAK-secret"},
    "shippo": {"api_token": "shippo_live_secret", "carrier": "usps"},
}


def test_every_kind_is_covered() -> None:
    assert set(SECRETS) == set(KINDS)


@override_settings(RETORNO_ALLOW_PRIVATE_URLS=False)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]"])
def test_an_adapter_pointed_at_an_internal_address_never_connects(kind: str, host: str) -> None:
    with recording_server() as port:
        gateway = carrier_gateway_for(
            kind, {**SECRETS[kind], "base_url": f"https://{host}:{port}/"}
        )
        try:
            with pytest.raises(CarrierUnavailable, match="not a public address"):
                gateway.track("1Z999")
        finally:
            gateway.close()
        assert Recorder.seen == []


@override_settings(RETORNO_ALLOW_PRIVATE_URLS=True)
@pytest.mark.parametrize("kind", KINDS)
def test_with_private_urls_allowed_the_same_adapter_reaches_the_local_server(kind: str) -> None:
    with recording_server() as port:
        gateway = carrier_gateway_for(
            kind, {**SECRETS[kind], "base_url": f"http://127.0.0.1:{port}/"}
        )
        try:
            assert gateway.track("1Z999") == []  # the server answers {"ok": true}: no events
        finally:
            gateway.close()
        assert Recorder.seen, f"{kind} never reached the server"
