"""CarrierGateway over EasyPost's REST API v2, with httpx.

Followed documents (docs.easypost.com): "Shipments" (create, buy, refund), "Returns" (is_return:
keep the outbound addresses, EasyPost swaps them), "Trackers" (list by tracking_code, create),
"Events" and "Webhooks Guide" (Event object; HMAC in X-Hmac-Signature as
"hmac-sha256-hex=<hex>", key = NFKD-normalised webhook secret, message = raw body).

Config keys: api_key, webhook_secret, carrier (restrict rates to one carrier, e.g. "USPS"),
service (e.g. "Priority"), timeout, base_url (default https://api.easypost.com/v2/), code.
EasyPost offers labels only: a "pickup" request still gets a label (the Pickup API is not used).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import httpx

from retorno.domain.logistics.gateway import (
    Address,
    Booking,
    BookingRequest,
    CarrierRejected,
    CarrierUnavailable,
    InvalidSignature,
    RawTrackingEvent,
)
from retorno.domain.logistics.status_maps import EASYPOST_STATUS_MAP
from retorno.domain.logistics.tracking import StatusMap
from retorno.integrations.http import header, json_body, make_client, send

SIGNATURE_HEADER = "X-Hmac-Signature"
SIGNATURE_PREFIX = "hmac-sha256-hex="
TRACKER_EVENTS = ("tracker.created", "tracker.updated")


def _address(address: Address) -> dict[str, str]:
    return {
        "name": address.name,
        "street1": address.line1,
        "street2": address.line2,
        "city": address.city,
        "state": address.region,
        "zip": address.postal_code,
        "country": address.country,
        "phone": address.phone,
        "email": address.email,
    }


def _time(value: object) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def webhook_signature(secret: str, body: bytes) -> str:
    """The X-Hmac-Signature value EasyPost sends for `body`."""
    key = unicodedata.normalize("NFKD", secret).encode("utf-8")
    return SIGNATURE_PREFIX + hmac.new(key, body, hashlib.sha256).hexdigest()


class EasyPostGateway:
    status_map = EASYPOST_STATUS_MAP

    def __init__(
        self,
        *,
        api_key: str,
        webhook_secret: str = "",
        carrier: str = "",
        service: str = "",
        timeout: float | None = None,
        base_url: str = "https://api.easypost.com/v2/",
        code: str = "easypost",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("EasyPost needs an api_key.")
        self.code = code
        self.webhook_secret = webhook_secret
        self.carrier = carrier
        self.service = service
        # EasyPost authenticates with HTTP Basic: the API key as user, no password.
        self.client = make_client(
            base_url=base_url, timeout=timeout, auth=(api_key, ""), transport=transport
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = send(self.client, method, path, carrier=self.code, **kwargs)
        if not response.is_success:
            try:
                error = response.json().get("error", {})
            except (ValueError, AttributeError):
                error = {}
            raise CarrierRejected(
                f"{self.code}: {error.get('code') or response.status_code}: "
                f"{error.get('message') or response.reason_phrase}"
            )
        data = json_body(response, carrier=self.code)
        if not isinstance(data, dict):
            raise CarrierUnavailable(f"{self.code}: unexpected answer to {method} {path}.")
        return data

    def _pick_rate(self, rates: list[dict[str, Any]]) -> dict[str, Any]:
        usable = [
            rate
            for rate in rates
            if (not self.carrier or rate.get("carrier", "").lower() == self.carrier.lower())
            and (not self.service or rate.get("service", "").lower() == self.service.lower())
        ]
        if not usable:
            raise CarrierRejected(
                f"{self.code}: no rate for this return ({self.carrier or 'any'})."
            )
        return min(usable, key=lambda rate: Decimal(str(rate["rate"])))

    def book(self, request: BookingRequest) -> Booking:
        length, width, height = request.dimensions_cm
        shipment = self._call(
            "POST",
            "shipments",
            json={
                "shipment": {
                    # A return: give the outbound addresses (from the store to the shopper) and
                    # set is_return; EasyPost swaps them on the label.
                    "from_address": _address(request.recipient),
                    "to_address": _address(request.sender),
                    "parcel": {
                        "length": round(length / 2.54, 1),
                        "width": round(width / 2.54, 1),
                        "height": round(height / 2.54, 1),
                        "weight": round(request.weight_grams / 28.349523125, 1),
                    },
                    "is_return": True,
                    "reference": request.reference,
                    "options": {"label_format": "PDF", "label_size": "4x6"},
                }
            },
        )
        rate = self._pick_rate(list(shipment.get("rates") or ()))
        bought = self._call(
            "POST", f"shipments/{shipment['id']}/buy", json={"rate": {"id": rate["id"]}}
        )
        label = bought.get("postage_label") or {}
        label_url = label.get("label_pdf_url") or label.get("label_url") or ""
        label_pdf = None
        if label_url:
            response = send(self.client, "GET", label_url, carrier=self.code)
            if response.is_success and response.content.startswith(b"%PDF"):
                label_pdf = response.content
        selected = bought.get("selected_rate") or rate
        return Booking(
            carrier=self.code,
            booking_id=str(bought["id"]),
            tracking_number=str(bought.get("tracking_code") or ""),
            label_pdf=label_pdf,
            label_url=label_url,
            price_amount=Decimal(str(selected["rate"])) if selected.get("rate") else None,
            currency=str(selected.get("currency") or ""),
            raw=bought,
        )

    def cancel(self, booking: Booking) -> None:
        refunded = self._call("POST", f"shipments/{booking.booking_id}/refund")
        if refunded.get("refund_status") == "rejected":
            raise CarrierRejected(f"{self.code}: the refund of {booking.booking_id} was rejected.")

    def track(self, tracking_number: str) -> list[RawTrackingEvent]:
        found = self._call(
            "GET", "trackers", params={"tracking_code": tracking_number, "page_size": "1"}
        )
        trackers = found.get("trackers") or []
        if trackers:
            tracker = trackers[0]
        else:
            body: dict[str, Any] = {"tracking_code": tracking_number}
            if self.carrier:
                body["carrier"] = self.carrier
            tracker = self._call("POST", "trackers", json={"tracker": body})
        return self._tracker_events(tracker)

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> list[RawTrackingEvent]:
        signature = header(headers, SIGNATURE_HEADER).strip()
        if not self.webhook_secret or not signature:
            raise InvalidSignature(f"{self.code}: webhook without a signature (or no secret set).")
        if not hmac.compare_digest(webhook_signature(self.webhook_secret, body), signature):
            raise InvalidSignature(f"{self.code}: webhook signature does not match.")
        try:
            event = json.loads(body)
        except ValueError:
            raise CarrierRejected(f"{self.code}: signed webhook body is not JSON.") from None
        if not isinstance(event, dict) or event.get("description") not in TRACKER_EVENTS:
            return []  # other events (batch, refund, ...) carry no tracking
        return self._tracker_events(event.get("result") or {})

    def _tracker_events(self, tracker: Mapping[str, Any]) -> list[RawTrackingEvent]:
        tracking_number = str(tracker.get("tracking_code") or "")
        events = []
        for detail in tracker.get("tracking_details") or ():
            raw = StatusMap.raw_code(
                str(detail.get("status") or "unknown"), detail.get("status_detail") or None
            )
            location = detail.get("tracking_location") or {}
            place = ", ".join(
                str(part)
                for part in (location.get("city"), location.get("state"), location.get("country"))
                if part
            )
            occurred_at = _time(detail["datetime"])
            events.append(
                RawTrackingEvent(
                    tracking_number=tracking_number,
                    raw_status=raw,
                    occurred_at=occurred_at,
                    # Tracking details have no id of their own: tracker + time + status is stable.
                    event_id=f"{tracker.get('id', '')}:{occurred_at.isoformat()}:{raw}",
                    location=place,
                    description=str(detail.get("message") or detail.get("description") or ""),
                )
            )
        return events

    def close(self) -> None:
        self.client.close()
