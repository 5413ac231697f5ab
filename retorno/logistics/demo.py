"""The demo store's carriers: the three simulated carriers of `retorno carrier-sim`
(rapido, norte, eco), mirrored as carrier accounts with the same coverage, prices and speed.

Called by the demo generator (retorno.demo) with the store; idempotent.
"""

from __future__ import annotations

from typing import Any

from retorno.core.actors import SYSTEM
from retorno.integrations.carriers.simulator.config import DEFAULT_CARRIERS, SimCarrierConfig
from retorno.logistics.models import CarrierAccount
from retorno.logistics.services.accounts import carrier_account_save
from retorno.stores.models import Store

DEMO_SIMULATOR_URL = "http://127.0.0.1:8055"


def simulator_account_data(carrier: SimCarrierConfig, base_url: str) -> dict[str, Any]:
    """A carrier account's fields for one simulated carrier (its allocation profile included)."""
    profile = carrier.profile()
    return {
        "name": carrier.name,
        "kind": "simulator",
        "enabled": True,
        "config": {"base_url": base_url, "carrier": carrier.code},
        "capabilities": sorted(str(c) for c in profile.capabilities),
        "service_areas": [
            {
                "country": area.country,
                "postal_prefixes": list(area.postal_prefixes),
                "postal_ranges": [[r.low, r.high] for r in area.postal_ranges],
            }
            for area in profile.service_areas
        ],
        "max_weight_grams": carrier.max_weight_grams,
        "max_dimensions_cm": list(carrier.max_dimensions_cm),
        "rates": {
            carrier.currency: {
                "base_amount": str(carrier.base_amount + carrier.pickup_surcharge_amount),
                "per_kg_amount": str(carrier.per_kg_amount),
            }
        },
        "transit_days": carrier.transit_days,
    }


def demo_carriers_ensure(
    store: Store,
    *,
    base_url: str | None = None,
    carriers: tuple[SimCarrierConfig, ...] = DEFAULT_CARRIERS,
) -> list[CarrierAccount]:
    """Create or refresh the store's accounts for the simulated carriers, with each carrier's
    webhook secret stored encrypted. They call the simulator at `base_url`; without one, an
    account keeps the address it has (a new one gets DEMO_SIMULATOR_URL). Returns the accounts,
    in the simulator's order.
    """
    known = {
        code: str((config or {}).get("base_url") or "")
        for code, config in CarrierAccount.objects.filter(
            store=store, code__in=[c.code for c in carriers]
        ).values_list("code", "config")
    }
    accounts = []
    for carrier in carriers:
        credentials: dict[str, Any] = {"webhook_secret": carrier.webhook_secret}
        if carrier.api_key:
            credentials["api_key"] = carrier.api_key
        url = base_url or known.get(carrier.code) or DEMO_SIMULATOR_URL
        account, _ = carrier_account_save(
            store=store,
            code=carrier.code,
            data=simulator_account_data(carrier, url.rstrip("/")),
            credentials=credentials,
            actor=SYSTEM,
        )
        accounts.append(account)
    return accounts
