"""CarrierGateway over EasyPost's REST API v2, with the official `easypost` client (10.x).

Followed documents (docs.easypost.com): "Shipments" (create, buy, refund), "Returns" (is_return:
keep the outbound addresses, EasyPost swaps them), "Trackers" (list by tracking_code, create),
"Events" and "Webhooks Guide" (Event object; HMAC in X-Hmac-Signature as
"hmac-sha256-hex=<hex>", key = NFKD-normalised webhook secret, message = raw body; checked with
the client's `easypost.util.validate_webhook`).

Config keys: api_key, webhook_secret, carrier (restrict rates to one carrier, e.g. "USPS"),
service (e.g. "Priority"), timeout, base_url (default https://api.easypost.com/v2/), code.
EasyPost offers labels only: a "pickup" request still gets a label (the Pickup API is not used).

Errors keep the mapping of `retorno.integrations.http`: timeouts, connection errors, 429 and 5xx
become CarrierUnavailable; other non-2xx answers CarrierRejected.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, cast

import requests
from easypost import EasyPostClient
from easypost.easypost_object import EasyPostObject
from easypost.errors import ApiError, EasyPostError, SignatureVerificationError
from easypost.util import validate_webhook

from retorno.core import outbound
from retorno.core.outbound import CONNECT_TIMEOUT_SECONDS, DEFAULT_TIMEOUT_SECONDS, USER_AGENT
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
from retorno.integrations.http import (
    MALFORMED,
    amount,
    carrier_answers_checked,
    header,
    mapping,
    objects,
    text,
    timestamp,
    webhook_body_checked,
)

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
        requests_session: requests.Session | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("EasyPost needs an api_key.")
        self.code = code
        self.webhook_secret = webhook_secret
        self.carrier = carrier
        self.service = service
        seconds = DEFAULT_TIMEOUT_SECONDS if timeout is None else float(timeout)
        # requests takes a (connect, read) pair; easypost annotates `timeout` as int but hands it
        # to requests unchanged.
        self.timeout = (min(seconds, CONNECT_TIMEOUT_SECONDS), seconds)
        # EasyPost's client authenticates with "Authorization: Bearer <api key>" and builds
        # its URLs as api_base + "/shipments", so the base goes without its trailing slash.
        self.client = EasyPostClient(
            api_key, api_base=base_url.rstrip("/"), timeout=cast(int, self.timeout)
        )
        # easypost 10.x takes no session argument; its requestor sends through this attribute.
        # The outbound session applies the outbound-URL check at connect time (tests pass a
        # session with a fixture adapter mounted instead).
        self.client._requests_session = requests_session or outbound.requests_session(
            timeout=seconds
        )
        self.session: requests.Session = self.client._requests_session
        # The client raises a JsonError without the HTTP status for a body that is not JSON;
        # the response hook keeps the status so the error maps like any other answer.
        self._last_status = threading.local()
        self.client.subscribe_to_response_hook(self._remember_status)

    def _remember_status(self, **kwargs: Any) -> None:
        self._last_status.value = kwargs.get("http_status")

    def _call(self, what: str, call: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._last_status.value = None
        try:
            result = call(*args, **kwargs)
        except ApiError as error:
            status = error.http_status or self._last_status.value
            if status is None or status == 429 or status >= 500:
                raise CarrierUnavailable(f"{self.code}: {what} failed: {error.message}.") from None
            raise CarrierRejected(
                f"{self.code}: {error.code or status}: {error.message or 'rejected'}"
            ) from None
        except EasyPostError as error:
            raise CarrierUnavailable(f"{self.code}: {what} failed: {error.message}.") from None
        except MALFORMED as error:
            # The client reads error bodies assuming EasyPost's shape ({"error": {...}}); any
            # other body breaks it with AttributeError or TypeError.
            status = self._last_status.value
            raise CarrierUnavailable(
                f"{self.code}: {what} answered {status} with an unexpected body "
                f"({type(error).__name__})."
            ) from None
        if not isinstance(result, EasyPostObject):
            raise CarrierUnavailable(f"{self.code}: unexpected answer to {what}.")
        return result.to_dict()

    def _label_pdf(self, label_url: str) -> bytes | None:
        try:
            response = self.session.get(
                label_url,
                timeout=self.timeout,
                headers={"User-Agent": USER_AGENT},
                allow_redirects=False,
            )
        except requests.Timeout as error:
            raise CarrierUnavailable(f"{self.code}: GET {label_url} timed out ({error}).") from None
        except requests.RequestException as error:
            raise CarrierUnavailable(f"{self.code}: GET {label_url} failed: {error}.") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise CarrierUnavailable(
                f"{self.code}: GET {label_url} answered {response.status_code}."
            )
        if response.ok and response.content.startswith(b"%PDF"):
            return bytes(response.content)
        return None

    def _pick_rate(self, rates: list[Mapping[str, Any]]) -> Mapping[str, Any]:
        usable = [
            rate
            for rate in rates
            if (not self.carrier or text(rate.get("carrier")).lower() == self.carrier.lower())
            and (not self.service or text(rate.get("service")).lower() == self.service.lower())
            and amount(rate.get("rate")) is not None
        ]
        if not usable:
            raise CarrierRejected(
                f"{self.code}: no rate for this return ({self.carrier or 'any'})."
            )
        return min(usable, key=lambda rate: amount(rate["rate"]) or Decimal(0))

    @carrier_answers_checked
    def book(self, request: BookingRequest) -> Booking:
        length, width, height = request.dimensions_cm
        shipment = self._call(
            "POST shipments",
            self.client.shipment.create,
            # A return: give the outbound addresses (from the store to the shopper) and set
            # is_return; EasyPost swaps them on the label.
            from_address=_address(request.recipient),
            to_address=_address(request.sender),
            parcel={
                "length": round(length / 2.54, 1),
                "width": round(width / 2.54, 1),
                "height": round(height / 2.54, 1),
                "weight": round(request.weight_grams / 28.349523125, 1),
            },
            is_return=True,
            reference=request.reference,
            options={"label_format": "PDF", "label_size": "4x6"},
        )
        rate = self._pick_rate(objects(shipment.get("rates")))
        bought = self._call(
            f"POST shipments/{shipment['id']}/buy",
            self.client.shipment.buy,
            text(shipment.get("id"), required=True),
            rate={"id": text(rate.get("id"), required=True)},
        )
        label = mapping(bought.get("postage_label"))
        label_url = text(label.get("label_pdf_url") or label.get("label_url"))
        label_pdf = self._label_pdf(label_url) if label_url else None
        selected = mapping(bought.get("selected_rate")) or rate
        return Booking(
            carrier=self.code,
            booking_id=text(bought.get("id"), required=True),
            tracking_number=text(bought.get("tracking_code")),
            label_pdf=label_pdf,
            label_url=label_url,
            tracking_url=text(mapping(bought.get("tracker")).get("public_url")),
            price_amount=amount(selected.get("rate")),
            currency=text(selected.get("currency")),
            raw=bought,
        )

    @carrier_answers_checked
    def cancel(self, booking: Booking) -> None:
        refunded = self._call(
            f"POST shipments/{booking.booking_id}/refund",
            self.client.shipment.refund,
            booking.booking_id,
        )
        if refunded.get("refund_status") == "rejected":
            raise CarrierRejected(f"{self.code}: the refund of {booking.booking_id} was rejected.")

    @carrier_answers_checked
    def track(self, tracking_number: str) -> list[RawTrackingEvent]:
        found = self._call(
            "GET trackers", self.client.tracker.all, tracking_code=tracking_number, page_size=1
        )
        trackers = objects(found.get("trackers"))
        if trackers:
            tracker = trackers[0]
        else:
            body: dict[str, Any] = {"tracking_code": tracking_number}
            if self.carrier:
                body["carrier"] = self.carrier
            tracker = self._call("POST trackers", self.client.tracker.create, **body)
        return self._tracker_events(tracker)

    @webhook_body_checked
    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> list[RawTrackingEvent]:
        signature = header(headers, SIGNATURE_HEADER).strip()
        if not self.webhook_secret or not signature:
            raise InvalidSignature(f"{self.code}: webhook without a signature (or no secret set).")
        try:
            # The client's helper: NFKD-normalised secret, HMAC-SHA256 of the raw body, compared
            # in constant time; it then parses the body.
            event = validate_webhook(body, {SIGNATURE_HEADER: signature}, self.webhook_secret)
        except SignatureVerificationError:
            raise InvalidSignature(f"{self.code}: webhook signature does not match.") from None
        except ValueError:
            raise CarrierRejected(f"{self.code}: signed webhook body is not JSON.") from None
        if not isinstance(event, dict) or event.get("description") not in TRACKER_EVENTS:
            return []  # other events (batch, refund, ...) carry no tracking
        return self._tracker_events(mapping(event.get("result")))

    def _tracker_events(self, tracker: Mapping[str, Any]) -> list[RawTrackingEvent]:
        tracking_number = text(tracker.get("tracking_code"))
        events = []
        for detail in objects(tracker.get("tracking_details")):
            raw = StatusMap.raw_code(
                text(detail.get("status")) or "unknown", text(detail.get("status_detail")) or None
            )
            location = mapping(detail.get("tracking_location"))
            place = ", ".join(
                text(part)
                for part in (location.get("city"), location.get("state"), location.get("country"))
                if part
            )
            occurred_at = timestamp(detail.get("datetime"))
            events.append(
                RawTrackingEvent(
                    tracking_number=tracking_number,
                    raw_status=raw,
                    occurred_at=occurred_at,
                    # Tracking details have no id of their own: tracker + time + status is stable.
                    event_id=f"{text(tracker.get('id'))}:{occurred_at.isoformat()}:{raw}",
                    location=place,
                    description=text(detail.get("message") or detail.get("description")),
                )
            )
        return events

    def close(self) -> None:
        self.session.close()
