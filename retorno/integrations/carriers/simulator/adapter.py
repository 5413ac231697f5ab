"""CarrierGateway for a carrier hosted by the Retorno carrier simulator, over HTTP.

Config keys (see `carrier_gateway_for("simulator", config)`): base_url (e.g.
"http://127.0.0.1:8055"), carrier (the simulated carrier's code, e.g. "rapido"), webhook_secret,
api_key (only if the simulated carrier requires one), timeout (seconds, default 10),
max_clock_skew (seconds a webhook timestamp may differ from our clock, default 300), code (the
gateway's code, default the carrier's code).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import httpx

from retorno.domain.logistics.gateway import (
    Address,
    Booking,
    BookingRequest,
    CarrierRejected,
    CarrierUnavailable,
    DropOffPoint,
    InvalidSignature,
    RawTrackingEvent,
)
from retorno.domain.logistics.status_maps import SIMULATOR_STATUS_MAP
from retorno.integrations.carriers.simulator.signing import SIGNATURE_HEADER, verify_signature
from retorno.integrations.http import (
    amount,
    carrier_answers_checked,
    header,
    json_body,
    make_client,
    mapping,
    objects,
    send,
    text,
    timestamp,
    webhook_body_checked,
)

logger = logging.getLogger(__name__)

DEFAULT_MAX_CLOCK_SKEW_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class Quote:
    price_amount: Decimal
    currency: str
    transit_days: int
    pickup_slots: tuple[tuple[dt.datetime, dt.datetime], ...]


def _address_json(address: Address) -> dict[str, str]:
    return {
        "name": address.name,
        "line1": address.line1,
        "line2": address.line2,
        "city": address.city,
        "postal_code": address.postal_code,
        "region": address.region,
        "country": address.country,
        "phone": address.phone,
        "email": address.email,
    }


def _parse_time(value: object) -> dt.datetime | None:
    if not value:
        return None
    return timestamp(value)


class SimulatorGateway:
    """One simulated carrier (one path prefix of the simulator) behind the CarrierGateway port."""

    status_map = SIMULATOR_STATUS_MAP

    def __init__(
        self,
        *,
        base_url: str,
        carrier: str,
        webhook_secret: str = "",
        api_key: str = "",
        timeout: float | None = None,
        max_clock_skew: float = DEFAULT_MAX_CLOCK_SKEW_SECONDS,
        code: str | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not base_url or not carrier:
            raise ValueError("The simulator gateway needs base_url and carrier.")
        self.code = code or carrier
        self.carrier = carrier
        self.webhook_secret = webhook_secret
        self.max_clock_skew = float(max_clock_skew)
        self.clock = clock
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else None
        self.client = make_client(
            base_url=f"{base_url.rstrip('/')}/carriers/{carrier}/",
            timeout=timeout,
            headers=headers,
            transport=transport,
        )

    # -- helpers -----------------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = send(self.client, method, path, carrier=self.code, **kwargs)
        if response.is_success:
            return response
        try:
            error = mapping(mapping(response.json()).get("error"))
        except ValueError:
            error = {}
        reason = str(error.get("code") or f"http_{response.status_code}")
        message = str(error.get("message") or response.reason_phrase)
        raise CarrierRejected(f"{self.code}: {reason}: {message}")

    def _body(self, request: BookingRequest) -> dict[str, Any]:
        return {
            "reference": request.reference,
            "method": request.method,
            "rma": request.rma,
            "sender": _address_json(request.sender),
            "recipient": _address_json(request.recipient),
            "weight_grams": request.weight_grams,
            "dimensions_cm": list(request.dimensions_cm),
            "declared_value": str(request.declared_value),
            "currency": request.currency,
            "pickup_date": request.pickup_date.isoformat() if request.pickup_date else None,
        }

    # -- extras beyond the port (used by the demo and the tests) -----------------------------

    @carrier_answers_checked
    def quote(self, request: BookingRequest) -> Quote:
        data = mapping(
            json_body(self._request("POST", "quote", json=self._body(request)), carrier=self.code)
        )
        slots = tuple(
            (timestamp(slot["start"]), timestamp(slot["end"]))
            for slot in objects(data.get("pickup_slots"))
        )
        price = amount(data["price_amount"])
        if price is None:
            raise ValueError("a quote without a price")
        return Quote(
            price_amount=price,
            currency=text(data["currency"], required=True),
            transit_days=int(text(data["transit_days"], required=True)),
            pickup_slots=slots,
        )

    @carrier_answers_checked
    def fetch_label(self, booking: Booking) -> bytes:
        response = self._request("GET", f"bookings/{booking.booking_id}/label.pdf")
        if not response.content.startswith(b"%PDF"):
            raise CarrierUnavailable(f"{self.code}: the label is not a PDF.")
        return response.content

    # -- the port ----------------------------------------------------------------------------

    @carrier_answers_checked
    def book(self, request: BookingRequest) -> Booking:
        """Book with `request.reference` as the Idempotency-Key (a retry returns the same
        booking) and download the label. A label that fails to download leaves label_pdf None
        and label_url set: the booking exists and must not be lost."""
        response = self._request(
            "POST",
            "bookings",
            json=self._body(request),
            headers={"Idempotency-Key": request.reference},
        )
        data = mapping(json_body(response, carrier=self.code))
        booking = Booking(
            carrier=self.code,
            booking_id=text(data.get("booking_id"), required=True),
            tracking_number=text(data.get("tracking_number")),
            label_url=text(data.get("label_url")),
            tracking_url=text(data.get("tracking_url")),
            drop_off_code=text(data.get("drop_off_code")),
            pickup_window_start=_parse_time(data.get("pickup_window_start")),
            pickup_window_end=_parse_time(data.get("pickup_window_end")),
            price_amount=amount(data.get("price_amount")),
            currency=text(data.get("currency")),
            raw=data,
        )
        try:
            label = self.fetch_label(booking)
        except (CarrierUnavailable, CarrierRejected) as error:
            logger.warning(
                "%s: booked %s but the label failed: %s", self.code, booking.booking_id, error
            )
            return booking
        return replace(booking, label_pdf=label)

    @carrier_answers_checked
    def drop_off_points(self, country: str, postal_code: str, limit: int) -> list[DropOffPoint]:
        """The simulator's drop-off points nearest `postal_code` (docs/carriers.md)."""
        params = {"country": country, "postal_code": postal_code, "limit": str(limit)}
        data = mapping(
            json_body(self._request("GET", "drop-off-points", params=params), carrier=self.code)
        )
        return [
            DropOffPoint(
                carrier=self.code,
                point_id=text(point.get("id"), required=True),
                kind=text(point.get("kind")),
                name=text(point.get("name"), required=True),
                line1=text(mapping(point.get("address")).get("line1")),
                postal_code=text(mapping(point.get("address")).get("postal_code")),
                country=text(mapping(point.get("address")).get("country")),
                distance_m=int(text(point.get("distance_m"), required=True)),
                opening_hours={
                    str(day): str(hours)
                    for day, hours in mapping(point.get("opening_hours")).items()
                },
            )
            for point in objects(data.get("points"))
        ]

    @carrier_answers_checked
    def cancel(self, booking: Booking) -> None:
        self._request("POST", f"bookings/{booking.booking_id}/cancel")

    @carrier_answers_checked
    def track(self, tracking_number: str) -> list[RawTrackingEvent]:
        data = mapping(
            json_body(self._request("GET", f"tracking/{tracking_number}"), carrier=self.code)
        )
        return [self._event(item) for item in objects(data.get("events"))]

    @webhook_body_checked
    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> list[RawTrackingEvent]:
        signature = header(headers, SIGNATURE_HEADER)
        if not signature or not verify_signature(
            self.webhook_secret,
            signature,
            body,
            now=self.clock(),
            max_skew_seconds=self.max_clock_skew,
        ):
            raise InvalidSignature(f"{self.code}: webhook signature missing, wrong or stale.")
        try:
            payload = json.loads(body)
        except ValueError:
            raise CarrierRejected(f"{self.code}: signed webhook body is not JSON.") from None
        items = payload if isinstance(payload, list) else [payload]
        events = []
        for item in items:
            if not isinstance(item, dict):
                raise CarrierRejected(f"{self.code}: webhook items must be objects.")
            if item.get("carrier") not in (None, self.carrier):
                logger.warning(
                    "%s: ignoring a webhook event of carrier %s", self.code, item.get("carrier")
                )
                continue
            events.append(self._event(item))
        return events

    def _event(self, item: Mapping[str, Any]) -> RawTrackingEvent:
        try:
            return RawTrackingEvent(
                tracking_number=text(item.get("tracking_number"), required=True),
                raw_status=text(item.get("code"), required=True),
                occurred_at=timestamp(item.get("occurred_at")),
                event_id=text(item.get("event_id")),
                location=text(item.get("location")),
                description=text(item.get("description")),
            )
        except ValueError:
            raise CarrierRejected(f"{self.code}: malformed tracking event {item!r}.") from None

    def close(self) -> None:
        self.client.close()
