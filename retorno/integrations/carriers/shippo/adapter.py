"""CarrierGateway over Shippo's REST API, with httpx.

Followed documents (docs.goshippo.com): "Returns" (extra.is_return on a Shipment; keep the
outbound addresses, Shippo swaps them), "Shipments" and "Transactions" (create a shipment,
buy a rate as a transaction with label_file_type PDF_4x6), "Refunds", "Tracking" (GET
/tracks/{carrier}/{tracking_number}: tracking_status and tracking_history), "Webhooks"
(track_updated: the body's `data` is a Tracking object) and "Webhook security".

Webhook authentication: Shippo signs nothing by default. Its documented options are an IP
allowlist, a self-generated token in the webhook URL's query (?token=...), or HMAC arranged
through the account manager. Retorno uses the token: configure the webhook URL with
`?token=<webhook_token>`; the inbound view passes the request's query string under the
`X-Retorno-Webhook-Query` pseudo-header (retorno.integrations.http.WEBHOOK_QUERY_HEADER) and the
token is compared in constant time.

Config keys: api_token, carrier (Shippo carrier token used for rates and tracking, e.g.
"correos", "usps"; required for tracking), servicelevel (optional servicelevel token),
webhook_token, timeout, base_url (default https://api.goshippo.com/), code.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

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
from retorno.domain.logistics.status_maps import SHIPPO_STATUS_MAP
from retorno.domain.logistics.tracking import StatusMap
from retorno.integrations.http import (
    WEBHOOK_QUERY_HEADER,
    header,
    json_body,
    make_client,
    send,
    timestamp,
)

WEBHOOK_TOKEN_PARAM = "token"


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


class ShippoGateway:
    status_map = SHIPPO_STATUS_MAP

    def __init__(
        self,
        *,
        api_token: str,
        carrier: str = "",
        servicelevel: str = "",
        webhook_token: str = "",
        timeout: float | None = None,
        base_url: str = "https://api.goshippo.com/",
        code: str = "shippo",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not api_token:
            raise ValueError("Shippo needs an api_token.")
        self.code = code
        self.carrier = carrier
        self.servicelevel = servicelevel
        self.webhook_token = webhook_token
        self.client = make_client(
            base_url=base_url,
            timeout=timeout,
            headers={"Authorization": f"ShippoToken {api_token}"},
            transport=transport,
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = send(self.client, method, path, carrier=self.code, **kwargs)
        if not response.is_success:
            try:
                detail = response.json()
            except ValueError:
                detail = response.reason_phrase
            raise CarrierRejected(f"{self.code}: {response.status_code}: {detail}")
        data = json_body(response, carrier=self.code)
        if not isinstance(data, dict):
            raise CarrierUnavailable(f"{self.code}: unexpected answer to {method} {path}.")
        return data

    def _pick_rate(self, rates: list[dict[str, Any]]) -> dict[str, Any]:
        usable = [
            rate
            for rate in rates
            if (not self.carrier or str(rate.get("provider", "")).lower() == self.carrier.lower())
            and (
                not self.servicelevel
                or (rate.get("servicelevel") or {}).get("token") == self.servicelevel
            )
        ]
        if not usable:
            raise CarrierRejected(
                f"{self.code}: no rate for this return ({self.carrier or 'any'})."
            )
        return min(usable, key=lambda rate: Decimal(str(rate["amount"])))

    def book(self, request: BookingRequest) -> Booking:
        length, width, height = request.dimensions_cm
        shipment = self._call(
            "POST",
            "shipments/",
            json={
                # A return: the outbound addresses (store -> shopper) with extra.is_return;
                # Shippo swaps them on the label.
                "address_from": _address(request.recipient),
                "address_to": _address(request.sender),
                "parcels": [
                    {
                        "length": str(length),
                        "width": str(width),
                        "height": str(height),
                        "distance_unit": "cm",
                        "weight": str(request.weight_grams),
                        "mass_unit": "g",
                    }
                ],
                "extra": {"is_return": True, "reference_1": request.rma},
                "metadata": request.reference,
                "async": False,
            },
        )
        rate = self._pick_rate(list(shipment.get("rates") or ()))
        transaction = self._call(
            "POST",
            "transactions/",
            json={
                "rate": rate["object_id"],
                "label_file_type": "PDF_4x6",
                "metadata": request.reference,
                "async": False,
            },
        )
        status = transaction.get("status")
        if status in ("QUEUED", "WAITING"):
            raise CarrierUnavailable(f"{self.code}: the label is still being generated.")
        if status != "SUCCESS":
            messages = "; ".join(str(m.get("text", m)) for m in transaction.get("messages") or ())
            raise CarrierRejected(f"{self.code}: label purchase failed: {messages or status}.")
        label_url = str(transaction.get("label_url") or "")
        label_pdf = None
        if label_url:
            response = send(self.client, "GET", label_url, carrier=self.code)
            if response.is_success and response.content.startswith(b"%PDF"):
                label_pdf = response.content
        return Booking(
            carrier=self.code,
            booking_id=str(transaction["object_id"]),
            tracking_number=str(transaction.get("tracking_number") or ""),
            label_pdf=label_pdf,
            label_url=label_url,
            price_amount=Decimal(str(rate["amount"])),
            currency=str(rate.get("currency") or ""),
            raw=transaction,
        )

    def cancel(self, booking: Booking) -> None:
        refund = self._call(
            "POST", "refunds/", json={"transaction": booking.booking_id, "async": False}
        )
        if refund.get("status") == "ERROR":
            raise CarrierRejected(f"{self.code}: the refund of {booking.booking_id} failed.")

    def track(self, tracking_number: str) -> list[RawTrackingEvent]:
        if not self.carrier:
            raise CarrierRejected(f"{self.code}: tracking needs the `carrier` setting.")
        return self._track_events(self._call("GET", f"tracks/{self.carrier}/{tracking_number}"))

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> list[RawTrackingEvent]:
        query = parse_qs(header(headers, WEBHOOK_QUERY_HEADER))
        given = (query.get(WEBHOOK_TOKEN_PARAM) or [""])[-1]
        if not self.webhook_token or not given:
            raise InvalidSignature(f"{self.code}: webhook without its token (or no token set).")
        if not hmac.compare_digest(given.encode(), self.webhook_token.encode()):
            raise InvalidSignature(f"{self.code}: webhook token does not match.")
        try:
            payload = json.loads(body)
        except ValueError:
            raise CarrierRejected(f"{self.code}: webhook body is not JSON.") from None
        if not isinstance(payload, dict) or payload.get("event") != "track_updated":
            return []
        return self._track_events(payload.get("data") or {})

    def _track_events(self, track: Mapping[str, Any]) -> list[RawTrackingEvent]:
        tracking_number = str(track.get("tracking_number") or "")
        history = list(track.get("tracking_history") or ())
        current = track.get("tracking_status")
        if current and all(item.get("object_id") != current.get("object_id") for item in history):
            history.append(current)
        events = []
        for item in history:
            if not item or not item.get("status_date"):
                continue
            substatus = (item.get("substatus") or {}).get("code")
            raw = StatusMap.raw_code(str(item.get("status") or "UNKNOWN"), substatus)
            location = item.get("location") or {}
            place = ", ".join(
                str(part)
                for part in (location.get("city"), location.get("state"), location.get("country"))
                if part
            )
            occurred_at = timestamp(item["status_date"])
            events.append(
                RawTrackingEvent(
                    tracking_number=tracking_number,
                    raw_status=raw,
                    occurred_at=occurred_at,
                    event_id=str(
                        item.get("object_id")
                        or f"{tracking_number}:{occurred_at.isoformat()}:{raw}"
                    ),
                    location=place,
                    description=str(item.get("status_details") or ""),
                )
            )
        return events

    def close(self) -> None:
        self.client.close()
