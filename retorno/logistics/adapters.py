"""ORM ⇄ domain for logistics: carrier profiles, booking requests, tracking events."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from retorno.core.errors import invalid_amount
from retorno.domain.logistics import (
    STATUS_MAPS,
    Capability,
    CarrierProfile,
    CarrierStats,
    FailedPickupReason,
    PostalRange,
    Rate,
    ServiceArea,
    StatusMap,
    TrackingEvent,
    TrackingStatus,
)
from retorno.domain.logistics.gateway import Address, BookingRequest
from retorno.domain.money import MoneyError, parse_amount
from retorno.logistics.models import CarrierAccount, Shipment
from retorno.logistics.models import TrackingEvent as TrackingEventRow

DEFAULT_DIMENSIONS_CM = (40, 30, 15)
RATE_AMOUNTS = ("base_amount", "per_kg_amount")


def rates_check(rates: Mapping[str, Any] | None) -> None:
    """Refuse a carrier's prices that their currency cannot express (EUR 4.905, JPY 350.5):
    422 `invalid_amount` naming the field (`rates.EUR.base_amount`). Checked when an account is
    saved; prices stored before are read as they are (a booking rounds them to the currency)."""
    for currency, rate in (rates or {}).items():
        for name in RATE_AMOUNTS:
            value = rate.get(name) if isinstance(rate, Mapping) else None
            if value is None:
                continue
            try:
                parse_amount(str(value), str(currency).upper())
            except MoneyError as exc:
                if exc.code != "unknown_currency":  # that one the profile's check refuses
                    raise invalid_amount(exc.message, field=f"rates.{currency}.{name}") from None


def carrier_profile(account: CarrierAccount, stats: CarrierStats | None = None) -> CarrierProfile:
    """The allocation view of an account. Raises CarrierError when the profile is unusable."""
    return CarrierProfile(
        code=account.code,
        name=account.name,
        enabled=account.enabled,
        capabilities=frozenset(Capability(c) for c in account.capabilities or ()),
        service_areas=tuple(_service_area(area) for area in account.service_areas or ()),
        max_weight_grams=account.max_weight_grams,
        max_dimensions_cm=_three(account.max_dimensions_cm or (120, 80, 80)),
        max_length_plus_girth_cm=account.max_length_plus_girth_cm,
        rates={
            currency: Rate(
                currency=currency,
                base_amount=Decimal(str(rate.get("base_amount", "0"))),
                per_kg_amount=Decimal(str(rate.get("per_kg_amount", "0"))),
            )
            for currency, rate in (account.rates or {}).items()
        },
        transit_days=account.transit_days,
        daily_pickup_capacity=account.daily_pickup_capacity,
        stats=stats,
    )


def _service_area(area: Mapping[str, Any]) -> ServiceArea:
    return ServiceArea(
        country=str(area.get("country", "")),
        postal_prefixes=tuple(str(p) for p in area.get("postal_prefixes") or ()),
        postal_ranges=tuple(
            PostalRange(str(low), str(high)) for low, high in area.get("postal_ranges") or ()
        ),
    )


def parcel_dimensions(values: Iterable[Any] | None) -> tuple[int, int, int]:
    """A parcel's three sides from stored values; the default size when they are missing."""
    return _three(values or DEFAULT_DIMENSIONS_CM)


def _three(values: Iterable[Any]) -> tuple[int, int, int]:
    sides = tuple(int(v) for v in values)
    if len(sides) != 3:
        return DEFAULT_DIMENSIONS_CM
    return sides[0], sides[1], sides[2]


def address(data: Mapping[str, Any]) -> Address:
    return Address(
        name=str(data.get("name", "")),
        line1=str(data.get("line1", "")),
        line2=str(data.get("line2", "")),
        city=str(data.get("city", "")),
        region=str(data.get("region", "")),
        postal_code=str(data.get("postal_code", "")),
        country=str(data.get("country", "")).upper(),
        phone=str(data.get("phone", "")),
        email=str(data.get("email", "")),
    )


def booking_request(shipment: Shipment, *, today: date | None = None) -> BookingRequest:
    """The booking of `shipment` as the gateway takes it, from the parcel stored on it.

    A pickup asks for the date the shopper chose while it is after `today` (the store's day);
    otherwise for no date, and the carrier books the first day it offers."""
    parcel = shipment.parcel
    method = {"self_ship": "label"}.get(shipment.method, shipment.method)
    pickup_date = shipment.pickup_date if method == "pickup" else None
    if pickup_date is not None and (
        not parcel.get("pickup_date_chosen", True) or (today is not None and pickup_date <= today)
    ):
        pickup_date = None
    return BookingRequest(
        reference=shipment.reference,
        method=method,
        rma=shipment.rma,
        sender=address(parcel.get("sender", {})),
        recipient=address(parcel.get("recipient", {})),
        weight_grams=int(parcel.get("weight_grams") or 1000),
        dimensions_cm=_three(parcel.get("dimensions_cm") or DEFAULT_DIMENSIONS_CM),
        declared_value=Decimal(str(parcel.get("declared_value") or "0")),
        currency=str(parcel.get("currency") or "EUR"),
        pickup_date=pickup_date,
    )


def status_map_for(account: CarrierAccount) -> StatusMap:
    return STATUS_MAPS[account.kind]


def tracking_event(row: TrackingEventRow, carrier: str) -> TrackingEvent:
    return TrackingEvent(
        carrier=carrier,
        tracking_number=row.tracking_number,
        raw_status=row.raw_status,
        status=TrackingStatus(row.status),
        occurred_at=row.occurred_at,
        location=row.location,
        description=row.description,
        failure_reason=FailedPickupReason(row.failure_reason) if row.failure_reason else None,
    )
