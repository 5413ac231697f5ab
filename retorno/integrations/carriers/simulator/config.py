"""Configuration of the simulated carriers: coverage, prices, speed, reliability, webhooks.

A config file is JSON: {"seed": 7, "step_seconds": 30, "webhook_url": "...", "webhook_secret":
"...", "carriers": [{"code": "rapido", ...}, ...]}; top-level values are defaults for every
carrier. Without a file the three demo carriers of DEFAULT_CARRIERS are served.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from retorno.domain.logistics.carriers import (
    Capability,
    CarrierProfile,
    PostalRange,
    Rate,
    ServiceArea,
    normalise_postal_code,
)
from retorno.domain.logistics.status_maps import SimulatorCode

METHODS = ("pickup", "drop_off", "label")
PICKUP_FAILURES = (
    SimulatorCode.PICKUP_FAILED_NOT_HOME,
    SimulatorCode.PICKUP_FAILED_ADDRESS,
    SimulatorCode.PICKUP_FAILED_NOT_READY,
    SimulatorCode.PICKUP_FAILED_REFUSED,
    SimulatorCode.PICKUP_FAILED_CARRIER,
)
# How often each reason causes a failed pickup, roughly as couriers report them.
DEFAULT_FAILURE_WEIGHTS = {
    SimulatorCode.PICKUP_FAILED_NOT_HOME.value: 55,
    SimulatorCode.PICKUP_FAILED_ADDRESS.value: 15,
    SimulatorCode.PICKUP_FAILED_NOT_READY.value: 15,
    SimulatorCode.PICKUP_FAILED_REFUSED.value: 5,
    SimulatorCode.PICKUP_FAILED_CARRIER.value: 10,
}


class ConfigError(ValueError):
    pass


def check_local_url(url: str) -> str:
    """Webhooks only go to this machine: http(s) to 127.0.0.1, ::1 or localhost."""
    if not url:
        return url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    local = host == "localhost"
    if not local:
        try:
            local = ipaddress.ip_address(host).is_loopback
        except ValueError:
            local = False
    if parts.scheme not in ("http", "https") or not local:
        raise ConfigError(f"Webhook URL {url!r} must be http(s) to 127.0.0.1/localhost.")
    return url


@dataclass(frozen=True, slots=True)
class Coverage:
    country: str
    prefixes: tuple[str, ...] = ()
    ranges: tuple[tuple[str, str], ...] = ()

    def serves(self, country: str, postal_code: str) -> bool:
        if country.upper() != self.country:
            return False
        if not self.prefixes and not self.ranges:
            return True
        code = normalise_postal_code(postal_code)
        if code.startswith(self.prefixes):
            return True
        return any(PostalRange(low, high).contains(code) for low, high in self.ranges)


@dataclass(frozen=True, slots=True)
class SimCarrierConfig:
    code: str
    name: str
    tracking_prefix: str
    coverage: tuple[Coverage, ...]
    methods: tuple[str, ...] = METHODS
    currency: str = "EUR"
    base_amount: Decimal = Decimal("4.90")
    per_kg_amount: Decimal = Decimal("0.50")
    pickup_surcharge_amount: Decimal = Decimal("0.00")
    transit_days: int = 2
    max_weight_grams: int = 30_000
    max_dimensions_cm: tuple[int, int, int] = (120, 80, 80)
    # Reliability: probability that a pickup succeeds at the first visit, that a moving parcel
    # hits an exception scan, that any API call answers 5xx or hangs past `timeout_seconds`.
    pickup_success_rate: float = 0.9
    exception_rate: float = 0.02
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    timeout_seconds: float = 30.0
    failure_weights: Mapping[str, int] = field(
        default_factory=lambda: dict(DEFAULT_FAILURE_WEIGHTS)
    )
    # The tracking timeline moves one step every `step_seconds`; `seed` makes every parcel's
    # story the same on every run (it is mixed with the tracking number).
    step_seconds: float = 30.0
    seed: int = 7
    pickup_days_offered: int = 5
    webhook_url: str = ""
    webhook_secret: str = "sim-webhook-secret"
    api_key: str = ""

    def __post_init__(self) -> None:
        if not self.code or not self.code.replace("-", "").replace("_", "").isalnum():
            raise ConfigError(f"Carrier code {self.code!r} must be letters, digits, - or _.")
        unknown = set(self.methods) - set(METHODS)
        if unknown:
            raise ConfigError(f"{self.code}: unknown methods {sorted(unknown)}.")
        for rate in (
            self.pickup_success_rate,
            self.exception_rate,
            self.error_rate,
            self.timeout_rate,
        ):
            if not 0 <= rate <= 1:
                raise ConfigError(f"{self.code}: rates are probabilities between 0 and 1.")
        if self.step_seconds <= 0:
            raise ConfigError(f"{self.code}: step_seconds must be > 0.")
        bad = set(self.failure_weights) - {code.value for code in PICKUP_FAILURES}
        if bad:
            raise ConfigError(f"{self.code}: unknown failure reasons {sorted(bad)}.")
        check_local_url(self.webhook_url)

    def serves(self, country: str, postal_code: str) -> bool:
        return any(area.serves(country, postal_code) for area in self.coverage)

    def quote(self, weight_grams: int, method: str) -> Decimal:
        started_kg = -(-weight_grams // 1000)
        price = self.base_amount + self.per_kg_amount * started_kg
        if method == "pickup":
            price += self.pickup_surcharge_amount
        return price.quantize(Decimal("0.01"))

    def profile(self) -> CarrierProfile:
        """The same carrier as allocation sees it, so a demo store can mirror the simulator."""
        capabilities = {Capability(method) for method in self.methods}
        capabilities.add(Capability.TRACKING_WEBHOOK)
        capabilities.add(Capability.TRACKING_POLL)
        return CarrierProfile(
            code=self.code,
            name=self.name,
            capabilities=frozenset(capabilities),
            service_areas=tuple(
                ServiceArea(
                    country=area.country,
                    postal_prefixes=area.prefixes,
                    postal_ranges=tuple(PostalRange(low, high) for low, high in area.ranges),
                )
                for area in self.coverage
            ),
            max_weight_grams=self.max_weight_grams,
            max_dimensions_cm=self.max_dimensions_cm,
            rates={
                self.currency: Rate(
                    currency=self.currency,
                    base_amount=self.base_amount,
                    per_kg_amount=self.per_kg_amount,
                )
            },
            transit_days=self.transit_days,
        )

    def public(self) -> dict[str, Any]:
        """What GET /carriers/<code>/ shows: everything but the secrets."""
        return {
            "code": self.code,
            "name": self.name,
            "methods": list(self.methods),
            "currency": self.currency,
            "base_amount": str(self.base_amount),
            "per_kg_amount": str(self.per_kg_amount),
            "pickup_surcharge_amount": str(self.pickup_surcharge_amount),
            "transit_days": self.transit_days,
            "max_weight_grams": self.max_weight_grams,
            "max_dimensions_cm": list(self.max_dimensions_cm),
            "coverage": [
                {
                    "country": area.country,
                    "prefixes": list(area.prefixes),
                    "ranges": [list(pair) for pair in area.ranges],
                }
                for area in self.coverage
            ],
            "pickup_success_rate": self.pickup_success_rate,
            "step_seconds": self.step_seconds,
            "webhook_url": self.webhook_url,
        }


NORTH_ES_PREFIXES = (
    "01",  # Álava
    "15",  # A Coruña
    "20",  # Gipuzkoa
    "26",  # La Rioja
    "27",  # Lugo
    "31",  # Navarra
    "32",  # Ourense
    "33",  # Asturias
    "36",  # Pontevedra
    "39",  # Cantabria
    "48",  # Bizkaia
)

DEFAULT_CARRIERS: tuple[SimCarrierConfig, ...] = (
    SimCarrierConfig(
        code="rapido",
        name="Rápido Express",
        tracking_prefix="RAP",
        coverage=(Coverage("ES"),),
        methods=("pickup", "label"),
        base_amount=Decimal("3.90"),
        per_kg_amount=Decimal("0.40"),
        pickup_surcharge_amount=Decimal("1.00"),
        transit_days=2,
        max_weight_grams=30_000,
        pickup_success_rate=0.85,
        exception_rate=0.03,
    ),
    SimCarrierConfig(
        code="norte",
        name="Norte Logística",
        tracking_prefix="NOR",
        coverage=(Coverage("ES", prefixes=NORTH_ES_PREFIXES, ranges=(("09000", "09999"),)),),
        methods=("pickup", "drop_off", "label"),
        base_amount=Decimal("5.50"),
        per_kg_amount=Decimal("0.30"),
        transit_days=1,
        max_weight_grams=20_000,
        pickup_success_rate=0.95,
        exception_rate=0.01,
    ),
    SimCarrierConfig(
        code="eco",
        name="Eco Envíos",
        tracking_prefix="ECO",
        coverage=(Coverage("ES"), Coverage("PT")),
        methods=("drop_off",),
        base_amount=Decimal("2.50"),
        per_kg_amount=Decimal("0.20"),
        transit_days=4,
        max_weight_grams=10_000,
        max_dimensions_cm=(60, 40, 40),
        pickup_success_rate=1.0,
        exception_rate=0.02,
    ),
)

_DECIMALS = {"base_amount", "per_kg_amount", "pickup_surcharge_amount"}
_DEFAULTABLE = {
    "seed",
    "step_seconds",
    "webhook_url",
    "webhook_secret",
    "error_rate",
    "timeout_rate",
}


def carrier_from_dict(
    data: Mapping[str, Any], defaults: Mapping[str, Any] | None = None
) -> SimCarrierConfig:
    """One carrier from its JSON form (unknown keys are an error: a typo should not pass)."""
    known = {f.name for f in fields(SimCarrierConfig)}
    merged = {key: value for key, value in (defaults or {}).items() if key in _DEFAULTABLE}
    merged.update(data)
    unknown = set(merged) - known
    if unknown:
        raise ConfigError(f"Unknown carrier settings: {sorted(unknown)}.")
    values: dict[str, Any] = {}
    for key, value in merged.items():
        if key in _DECIMALS:
            values[key] = Decimal(str(value))
        elif key == "coverage":
            values[key] = tuple(
                Coverage(
                    country=str(area["country"]).upper(),
                    prefixes=tuple(normalise_postal_code(p) for p in area.get("prefixes", ())),
                    ranges=tuple(
                        (normalise_postal_code(low), normalise_postal_code(high))
                        for low, high in area.get("ranges", ())
                    ),
                )
                for area in value
            )
        elif key in ("methods", "max_dimensions_cm"):
            values[key] = tuple(value)
        elif key == "failure_weights":
            values[key] = dict(value)
        else:
            values[key] = value
    try:
        return SimCarrierConfig(**values)
    except TypeError as error:
        raise ConfigError(str(error)) from None


def load_config(path: str | Path | None = None, **overrides: Any) -> tuple[SimCarrierConfig, ...]:
    """The carriers from a JSON file, or the demo carriers; `overrides` (seed, step_seconds,
    webhook_url, webhook_secret, error_rate, timeout_rate) apply to every carrier."""
    if path is None:
        carriers = DEFAULT_CARRIERS
    else:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        defaults = {key: value for key, value in document.items() if key != "carriers"}
        carriers = tuple(carrier_from_dict(item, defaults) for item in document["carriers"])
    given = {key: value for key, value in overrides.items() if value is not None}
    if given:
        carriers = tuple(replace(carrier, **given) for carrier in carriers)
    codes = [carrier.code for carrier in carriers]
    if len(set(codes)) != len(codes):
        raise ConfigError("Two simulated carriers share a code.")
    return carriers
