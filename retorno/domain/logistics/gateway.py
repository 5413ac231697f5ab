"""The port every carrier adapter implements, and the data that crosses it.

Adapters live in `retorno.integrations.carriers.<name>` and talk HTTP to the carrier; the rest of
Retorno only sees this protocol. Errors tell the caller whether trying again (or the next carrier)
can help: `CarrierUnavailable` is transient (timeouts, 5xx, rate limits), `CarrierRejected` is
final for this request (not serviceable, invalid address), `InvalidSignature` means an inbound
webhook is not from the carrier and must be dropped without storing anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol, runtime_checkable

from retorno.domain.errors import DomainError


class CarrierUnavailable(DomainError):
    code = "carrier_unavailable"


class CarrierRejected(DomainError):
    code = "carrier_rejected"


class InvalidSignature(DomainError):
    code = "invalid_signature"


@dataclass(frozen=True, slots=True)
class Address:
    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str = ""
    region: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class BookingRequest:
    """One booking: a pickup, a drop-off code or a prepaid label, from the shopper to the store.

    `reference` is stable per shipment attempt and doubles as the carrier's idempotency key, so
    a retried booking never creates a second pickup.
    """

    reference: str
    method: str  # "pickup" | "drop_off" | "label"
    rma: str
    sender: Address
    recipient: Address
    weight_grams: int
    dimensions_cm: tuple[int, int, int]
    declared_value: Decimal
    currency: str
    pickup_date: date | None = None


@dataclass(frozen=True, slots=True)
class Booking:
    carrier: str
    booking_id: str
    tracking_number: str
    label_pdf: bytes | None = None
    label_url: str = ""
    # The carrier's public tracking page for the shopper, when it has one.
    tracking_url: str = ""
    drop_off_code: str = ""
    pickup_window_start: datetime | None = None
    pickup_window_end: datetime | None = None
    price_amount: Decimal | None = None
    currency: str = ""
    raw: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RawTrackingEvent:
    """A tracking event as the carrier reports it; `event_id` identifies it for deduplication."""

    tracking_number: str
    raw_status: str
    occurred_at: datetime
    event_id: str = ""
    location: str = ""
    description: str = ""


class CarrierGateway(Protocol):
    code: str

    def book(self, request: BookingRequest) -> Booking: ...

    def cancel(self, booking: Booking) -> None: ...

    def track(self, tracking_number: str) -> list[RawTrackingEvent]: ...

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> list[RawTrackingEvent]:
        """Verify the signature (raise InvalidSignature) and return the events in the body."""
        ...


@dataclass(frozen=True, slots=True)
class DropOffPoint:
    """A place near the shopper that takes parcels for a carrier: a shop, a locker, an office.
    `opening_hours` maps "mon".."sun" to the hours as the carrier writes them ("" = closed)."""

    carrier: str
    point_id: str
    kind: str
    name: str
    line1: str
    postal_code: str
    country: str
    distance_m: int
    opening_hours: Mapping[str, str] = field(default_factory=dict)


@runtime_checkable
class DropOffPointFinder(Protocol):
    """What a gateway of a carrier that lists its drop-off points adds to the port."""

    code: str

    def drop_off_points(self, country: str, postal_code: str, limit: int) -> list[DropOffPoint]:
        """The carrier's points nearest the postal code, nearest first (CarrierRejected when
        it does not serve the code or takes no drop-offs)."""
        ...
