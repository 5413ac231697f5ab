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

    def _pick_rate(self, rates: list[Mapping[str, Any]]) -> Mapping[str, Any]:
        usable = [
            rate
            for rate in rates
            if (not self.carrier or text(rate.get("provider")).lower() == self.carrier.lower())
            and (
                not self.servicelevel
                or mapping(rate.get("servicelevel")).get("token") == self.servicelevel
            )
            and amount(rate.get("amount")) is not None
        ]
        if not usable:
            raise CarrierRejected(
                f"{self.code}: no rate for this return ({self.carrier or 'any'})."
            )
        return min(usable, key=lambda rate: amount(rate["amount"]) or Decimal(0))

    @carrier_answers_checked
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
        rate = self._pick_rate(objects(shipment.get("rates")))
        transaction = self._call(
            "POST",
            "transactions/",
            json={
                "rate": text(rate.get("object_id"), required=True),
                "label_file_type": "PDF_4x6",
                "metadata": request.reference,
                "async": False,
            },
        )
        status = transaction.get("status")
        if status in ("QUEUED", "WAITING"):
            raise CarrierUnavailable(f"{self.code}: the label is still being generated.")
        if status != "SUCCESS":
            messages = "; ".join(text(m.get("text")) for m in objects(transaction.get("messages")))
            raise CarrierRejected(f"{self.code}: label purchase failed: {messages or status}.")
        label_url = text(transaction.get("label_url"))
        label_pdf = None
        if label_url:
            response = send(self.client, "GET", label_url, carrier=self.code)
            if response.is_success and response.content.startswith(b"%PDF"):
                label_pdf = response.content
        return Booking(
            carrier=self.code,
            booking_id=text(transaction.get("object_id"), required=True),
            tracking_number=text(transaction.get("tracking_number")),
            label_pdf=label_pdf,
            label_url=label_url,
            tracking_url=text(transaction.get("tracking_url_provider")),
            price_amount=amount(rate.get("amount")),
            currency=text(rate.get("currency")),
            raw=transaction,
        )

    @carrier_answers_checked
    def cancel(self, booking: Booking) -> None:
        refund = self._call(
            "POST", "refunds/", json={"transaction": booking.booking_id, "async": False}
        )
        if refund.get("status") == "ERROR":
            raise CarrierRejected(f"{self.code}: the refund of {booking.booking_id} failed.")

    @carrier_answers_checked
    def track(self, tracking_number: str) -> list[RawTrackingEvent]:
        if not self.carrier:
            raise CarrierRejected(f"{self.code}: tracking needs the `carrier` setting.")
        return self._track_events(self._call("GET", f"tracks/{self.carrier}/{tracking_number}"))

    @webhook_body_checked
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
        return self._track_events(mapping(payload.get("data")))

    def _track_events(self, track: Mapping[str, Any]) -> list[RawTrackingEvent]:
        tracking_number = text(track.get("tracking_number"))
        history = objects(track.get("tracking_history"))
        current = mapping(track.get("tracking_status"))
        if current and all(item.get("object_id") != current.get("object_id") for item in history):
            history.append(current)
        events = []
        for item in history:
            if not item or not item.get("status_date"):
                continue
            substatus = text(mapping(item.get("substatus")).get("code")) or None
            raw = StatusMap.raw_code(text(item.get("status")) or "UNKNOWN", substatus)
            location = mapping(item.get("location"))
            place = ", ".join(
                text(part)
                for part in (location.get("city"), location.get("state"), location.get("country"))
                if part
            )
            occurred_at = timestamp(item.get("status_date"))
            events.append(
                RawTrackingEvent(
                    tracking_number=tracking_number,
                    raw_status=raw,
                    occurred_at=occurred_at,
                    event_id=text(item.get("object_id"))
                    or f"{tracking_number}:{occurred_at.isoformat()}:{raw}",
                    location=place,
                    description=text(item.get("status_details")),
                )
            )
        return events

    def close(self) -> None:
        self.client.close()
