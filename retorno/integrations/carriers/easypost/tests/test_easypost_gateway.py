"""EasyPost adapter, driving the official `easypost` client, against fixture responses served by
a `requests` transport adapter mounted on the session the client sends through (no network).

The fixtures follow docs.easypost.com: "Shipments" (Shipment object: id, rates[] with id,
carrier, service, rate, currency; buy returns postage_label.label_pdf_url, tracking_code,
selected_rate), "Returns" (is_return with the outbound addresses), "Refunds" (refund_status),
"Trackers" (Tracker object: id, tracking_code, status, tracking_details[] with status,
status_detail, message, datetime, tracking_location), "Events" / "Webhooks Guide" (Event with
description "tracker.updated" and result; X-Hmac-Signature "hmac-sha256-hex=" + hex HMAC-SHA256 of
the raw body keyed by the NFKD-normalised secret).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter

from retorno.domain.logistics.gateway import CarrierRejected, CarrierUnavailable, InvalidSignature
from retorno.domain.logistics.tracking import TrackingStatus, make_event
from retorno.integrations.carriers.easypost.adapter import EasyPostGateway, webhook_signature
from retorno.integrations.tests.fixtures import booking_request

TRACKER = {
    "id": "trk_c8e0edb5bb284caa934a0d3db23a148z",
    "object": "Tracker",
    "mode": "test",
    "tracking_code": "9400100000000000000000",
    "status": "in_transit",
    "carrier": "USPS",
    "tracking_details": [
        {
            "object": "TrackingDetail",
            "message": "Pre-Shipment Info Sent to USPS",
            "status": "pre_transit",
            "status_detail": "status_update",
            "datetime": "2026-03-01T10:00:00Z",
            "source": "USPS",
            "tracking_location": {"city": None, "state": None, "country": None, "zip": None},
        },
        {
            "object": "TrackingDetail",
            "message": "Arrived at USPS Facility",
            "status": "in_transit",
            "status_detail": "arrived_at_facility",
            "datetime": "2026-03-02T08:30:00Z",
            "source": "USPS",
            "tracking_location": {"city": "MADRID", "state": "MD", "country": "ES", "zip": "28001"},
        },
    ],
}


def _shipment(**extra: object) -> dict:
    return {
        "id": "shp_123",
        "object": "Shipment",
        "is_return": True,
        "rates": [
            {
                "id": "rate_ups",
                "carrier": "UPS",
                "service": "Ground",
                "rate": "9.10",
                "currency": "USD",
            },
            {
                "id": "rate_usps",
                "carrier": "USPS",
                "service": "Priority",
                "rate": "7.58",
                "currency": "USD",
            },
        ],
        **extra,
    }


def _response(request: requests.PreparedRequest, status: int, body: object) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.request = request
    response.url = str(request.url)
    if isinstance(body, bytes):
        response._content = body
    else:
        response._content = json.dumps(body).encode()
        response.headers["Content-Type"] = "application/json"
    return response


class FakeEasyPost(BaseAdapter):
    """Serves EasyPost's documented answers to whatever session it is mounted on."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[requests.PreparedRequest] = []
        self.fail_with: int | None = None
        self.timeout_error = False

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: object
    ) -> requests.Response:
        self.requests.append(request)
        if self.timeout_error:
            raise requests.ReadTimeout("read timed out")
        path = urlsplit(str(request.url)).path
        if self.fail_with:
            return _response(request, self.fail_with, {"error": {"code": "X", "message": "boom"}})
        if request.method == "POST" and path == "/v2/shipments":
            return _response(request, 201, _shipment())
        if request.method == "POST" and path == "/v2/shipments/shp_123/buy":
            return _response(
                request,
                200,
                _shipment(
                    tracking_code="9400100000000000000000",
                    selected_rate={
                        "id": "rate_usps",
                        "carrier": "USPS",
                        "rate": "7.58",
                        "currency": "USD",
                    },
                    postage_label={
                        "label_url": "https://easypost-files.s3.amazonaws.com/label.png",
                        "label_pdf_url": "https://easypost-files.s3.amazonaws.com/label.pdf",
                    },
                    tracker={
                        "id": "trk_1",
                        "tracking_code": "9400100000000000000000",
                        "public_url": "https://track.easypost.com/djE6dHJrXzE",
                    },
                ),
            )
        if path == "/label.pdf":
            return _response(request, 200, b"%PDF-1.4 fake")
        if request.method == "POST" and path == "/v2/shipments/shp_123/refund":
            return _response(request, 200, _shipment(refund_status="submitted"))
        if request.method == "GET" and path == "/v2/trackers":
            return _response(request, 200, {"trackers": [TRACKER], "has_more": False})
        return _response(request, 404, {"error": {"code": "NOT_FOUND", "message": path}})

    def close(self) -> None:
        pass


def _body(request: requests.PreparedRequest) -> dict:
    assert request.body is not None
    return json.loads(request.body)


def _query(request: requests.PreparedRequest) -> Mapping[str, list[str]]:
    return parse_qs(urlsplit(str(request.url)).query)


def _session(fake: FakeEasyPost) -> requests.Session:
    session = requests.Session()
    session.mount("https://", fake)
    session.mount("http://", fake)
    return session


@pytest.fixture
def fake() -> FakeEasyPost:
    return FakeEasyPost()


@pytest.fixture
def gateway(fake: FakeEasyPost) -> EasyPostGateway:
    return EasyPostGateway(
        api_key="EZTK_test", webhook_secret="sécret", requests_session=_session(fake)
    )


def test_book_creates_a_return_shipment_and_buys_the_cheapest_rate(
    gateway: EasyPostGateway, fake: FakeEasyPost
) -> None:
    booking = gateway.book(booking_request())
    create = _body(fake.requests[0])["shipment"]
    assert create["is_return"] is True
    # Outbound addresses: from the store, to the shopper (EasyPost swaps them).
    assert create["from_address"]["zip"] == "28906"
    assert create["to_address"]["zip"] == "33003"
    assert create["parcel"]["weight"] == pytest.approx(42.3, abs=0.1)  # 1200 g in oz
    assert create["options"]["label_format"] == "PDF"
    # The official client authenticates with the API key as a bearer token.
    assert fake.requests[0].headers["Authorization"] == "Bearer EZTK_test"
    assert _body(fake.requests[1]) == {"rate": {"id": "rate_usps"}}
    assert booking.booking_id == "shp_123"
    assert booking.tracking_number == "9400100000000000000000"
    assert booking.price_amount == Decimal("7.58")
    assert booking.currency == "USD"
    assert booking.label_pdf == b"%PDF-1.4 fake"
    assert booking.tracking_url == "https://track.easypost.com/djE6dHJrXzE"


def test_rates_can_be_restricted_to_one_carrier(fake: FakeEasyPost) -> None:
    gateway = EasyPostGateway(api_key="k", carrier="UPS", requests_session=_session(fake))
    gateway.book(booking_request())
    assert _body(fake.requests[1]) == {"rate": {"id": "rate_ups"}}
    none = EasyPostGateway(api_key="k", carrier="DHL", requests_session=_session(fake))
    with pytest.raises(CarrierRejected):
        none.book(booking_request())


def test_errors_map_onto_the_port(gateway: EasyPostGateway, fake: FakeEasyPost) -> None:
    fake.fail_with = 503
    with pytest.raises(CarrierUnavailable):
        gateway.book(booking_request())
    fake.fail_with = 429
    with pytest.raises(CarrierUnavailable):
        gateway.book(booking_request())
    fake.fail_with = 422
    with pytest.raises(CarrierRejected):
        gateway.book(booking_request())
    fake.fail_with = None
    fake.timeout_error = True
    with pytest.raises(CarrierUnavailable):
        gateway.track("9400100000000000000000")


def test_non_json_error_pages_map_by_status(gateway: EasyPostGateway, fake: FakeEasyPost) -> None:
    fake.send = lambda request, **kwargs: _response(request, 502, b"<html>Bad Gateway</html>")  # type: ignore[method-assign]
    with pytest.raises(CarrierUnavailable):
        gateway.book(booking_request())
    fake.send = lambda request, **kwargs: _response(request, 400, b"<html>Bad Request</html>")  # type: ignore[method-assign]
    with pytest.raises(CarrierRejected):
        gateway.book(booking_request())


def test_cancel_refunds_the_label(gateway: EasyPostGateway, fake: FakeEasyPost) -> None:
    booking = gateway.book(booking_request())
    gateway.cancel(booking)
    assert urlsplit(str(fake.requests[-1].url)).path == "/v2/shipments/shp_123/refund"


def test_track_reads_the_tracker_details(gateway: EasyPostGateway, fake: FakeEasyPost) -> None:
    events = gateway.track("9400100000000000000000")
    assert _query(fake.requests[0])["tracking_code"] == ["9400100000000000000000"]
    assert [e.raw_status for e in events] == [
        "pre_transit:status_update",
        "in_transit:arrived_at_facility",
    ]
    assert events[1].location == "MADRID, MD, ES"
    normalised = [
        make_event(
            gateway.status_map,
            tracking_number=e.tracking_number,
            raw_status=e.raw_status,
            occurred_at=e.occurred_at,
        ).status
        for e in events
    ]
    assert normalised == [TrackingStatus.LABEL_CREATED, TrackingStatus.IN_TRANSIT]


def _event_body(description: str = "tracker.updated") -> bytes:
    return json.dumps(
        {
            "object": "Event",
            "id": "evt_1",
            "description": description,
            "mode": "test",
            "result": TRACKER,
        }
    ).encode()


def test_webhook_with_a_valid_hmac_is_parsed(gateway: EasyPostGateway) -> None:
    body = _event_body()
    events = gateway.parse_webhook({"X-Hmac-Signature": webhook_signature("sécret", body)}, body)
    assert len(events) == 2
    assert events[0].tracking_number == "9400100000000000000000"


def test_webhook_secret_is_nfkd_normalised() -> None:
    body = b"{}"
    composed = webhook_signature("s\u00e9cret", body)
    decomposed = webhook_signature("se\u0301cret", body)
    assert composed == decomposed


def test_other_events_carry_no_tracking(gateway: EasyPostGateway) -> None:
    body = _event_body("batch.updated")
    assert (
        gateway.parse_webhook({"X-Hmac-Signature": webhook_signature("sécret", body)}, body) == []
    )


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Hmac-Signature": "hmac-sha256-hex=00"},
        {"X-Hmac-Signature": webhook_signature("other", _event_body())},
    ],
)
def test_forged_webhooks_are_refused(gateway: EasyPostGateway, headers: dict) -> None:
    with pytest.raises(InvalidSignature):
        gateway.parse_webhook(headers, _event_body())


def test_tampered_body_is_refused(gateway: EasyPostGateway) -> None:
    signature = webhook_signature("sécret", _event_body())
    with pytest.raises(InvalidSignature):
        gateway.parse_webhook(
            {"X-Hmac-Signature": signature}, _event_body().replace(b"in_transit", b"delivered")
        )
