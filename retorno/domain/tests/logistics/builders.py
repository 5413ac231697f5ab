"""Small builders so each test states only the facts it is about."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from retorno.domain.logistics import (
    AllocationRequest,
    CarrierProfile,
    Rate,
    ServiceArea,
)

NOW = datetime(2026, 9, 4, 12, 0, tzinfo=UTC)
EVERY_CAPABILITY = frozenset({"pickup", "label", "drop_off", "tracking_webhook", "tracking_poll"})


def carrier(code: str = "alpha", **facts: Any) -> CarrierProfile:
    base = facts.pop("base", "4.20")
    per_kg = facts.pop("per_kg", "0")
    values: dict[str, Any] = {
        "name": code.title(),
        "capabilities": EVERY_CAPABILITY,
        "service_areas": (ServiceArea("ES"),),
        "max_weight_grams": 30_000,
        "max_dimensions_cm": (120, 80, 80),
        "rates": {
            currency: Rate(currency, Decimal(base), Decimal(per_kg)) for currency in ("EUR", "USD")
        },
        "transit_days": 3,
    }
    values.update(facts)
    return CarrierProfile(code=code, **values)


def request(**facts: Any) -> AllocationRequest:
    values: dict[str, Any] = {
        "country": "ES",
        "postal_code": "28013",
        "weight_grams": 1_500,
        "dimensions_cm": (40, 30, 20),
        "declared_value": Decimal("59.90"),
        "currency": "EUR",
        "category": "shirts",
        "customer_tier": "",
        "method": "pickup",
    }
    values.update(facts)
    if isinstance(values["declared_value"], str):
        values["declared_value"] = Decimal(values["declared_value"])
    return AllocationRequest(**values)
