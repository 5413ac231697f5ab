"""A simulated carrier's drop-off points near a postal code: shops and lockers that take parcels.

The same postal code always gets the same points (drawn from a hash of the carrier, the country
and the code), nearest first, each with its address, distance and opening hours per weekday, so
a demo and a test see a stable list. Served by `GET /carriers/<c>/drop-off-points`."""

from __future__ import annotations

import hashlib
from typing import Any

from retorno.integrations.carriers.simulator.carrier import ApiError
from retorno.integrations.carriers.simulator.config import SimCarrierConfig

MAX_POINTS = 10
DEFAULT_POINTS = 5
_KINDS = (
    ("shop", "Estanco {street}"),
    ("shop", "Papelería {street}"),
    ("locker", "Taquilla {carrier} {street}"),
    ("shop", "Librería {street}"),
    ("post_office", "Oficina {carrier} {street}"),
    ("shop", "Quiosco {street}"),
)
_STREETS = (
    "Mayor",
    "del Sol",
    "de la Estación",
    "Real",
    "del Carmen",
    "San Juan",
    "de Colón",
    "Nueva",
    "del Mercado",
    "de la Paz",
)
# Opening hours by kind: Monday to Friday, Saturday, Sunday ("" = closed).
_HOURS = {
    "shop": ("09:30-14:00, 17:00-20:30", "10:00-14:00", ""),
    "locker": ("00:00-24:00", "00:00-24:00", "00:00-24:00"),
    "post_office": ("08:30-20:30", "09:30-13:00", ""),
}
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _draws(*parts: object) -> bytes:
    return hashlib.sha256(":".join(map(str, parts)).encode()).digest()


def drop_off_points(config: SimCarrierConfig, query: dict[str, str]) -> dict[str, Any]:
    """The answer of `GET /carriers/<c>/drop-off-points?country=&postal_code=&limit=`: 400
    `invalid_request` without a country and postal code or with a bad limit, 422
    `method_not_offered` for a carrier without drop-off, 422 `not_serviceable` outside its
    coverage."""
    country = str(query.get("country") or "").strip().upper()
    postal_code = str(query.get("postal_code") or "").strip()
    if not country or not postal_code:
        raise ApiError(400, "invalid_request", "country and postal_code are required.")
    try:
        limit = int(query.get("limit") or DEFAULT_POINTS)
    except ValueError:
        raise ApiError(400, "invalid_request", "limit must be a whole number.") from None
    if not 1 <= limit <= MAX_POINTS:
        raise ApiError(400, "invalid_request", f"limit must be from 1 to {MAX_POINTS}.")
    if "drop_off" not in config.methods:
        raise ApiError(422, "method_not_offered", f"{config.name} does not offer drop_off.")
    if not config.serves(country, postal_code):
        raise ApiError(
            422, "not_serviceable", f"{config.name} does not serve {country} {postal_code}."
        )
    draws = _draws(config.seed, config.code, country, postal_code)
    points = []
    distance = 0
    for index in range(limit):
        kind, name = _KINDS[draws[index] % len(_KINDS)]
        street = _STREETS[draws[index + 10] % len(_STREETS)]
        distance += 150 + (draws[index + 20] % 8) * 90
        weekday, saturday, sunday = _HOURS[kind]
        points.append(
            {
                "id": f"{config.code.upper()}-{postal_code}-{index + 1}",
                "kind": kind,
                "name": name.format(street=street, carrier=config.name),
                "address": {
                    "line1": f"Calle {street}, {1 + draws[index + 5] % 120}",
                    "postal_code": postal_code,
                    "country": country,
                },
                "distance_m": distance,
                "opening_hours": {
                    day: (saturday if day == "sat" else sunday if day == "sun" else weekday)
                    for day in _DAYS
                },
            }
        )
    return {
        "carrier": config.code,
        "country": country,
        "postal_code": postal_code,
        "points": points,
    }
