"""Shippo adapter against httpx.MockTransport fixtures.

The fixtures follow docs.goshippo.com: "Returns" (Shipment with extra.is_return, outbound
addresses), "Shipments" (rates[] with object_id, provider, servicelevel.token, amount, currency),
"Transactions" (status SUCCESS/ERROR, tracking_number, label_url, messages[]), "Refunds",
"Tracking" (GET /tracks/{carrier}/{tracking_number}: tracking_status and tracking_history items
with status, substatus.code, status_details, status_date, location, object_id), "Webhooks"
(track_updated: {"event": "track_updated", "data": <Tracking object>}) and "Webhook security"
(self-generated ?token= in the webhook URL).
"""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest

from retorno.domain.logistics.gateway import CarrierRejected, CarrierUnavailable, InvalidSignature
from retorno.domain.logistics.tracking import TrackingStatus, make_event
from retorno.integrations.carriers.shippo.adapter import ShippoGateway
from retorno.integrations.http import WEBHOOK_QUERY_HEADER
from retorno.integrations.tests.fixtures import booking_request

TRACK = {
    "carrier": "usps",
    "tracking_number": "9205590164917312751089",
    "tracking_status": {
        "object_id": "ts_3",
        "status": "TRANSIT",
        "substatus": {
            "code": "out_for_delivery",
            "text": "Out for delivery",
            "action_required": False,
        },
        "status_details": "Out for delivery",
        "status_date": "2026-03-03T07:00:00Z",
        "location": {"city": "Getafe", "state": "M", "zip": "28906", "country": "ES"},
    },
    "tracking_history": [
        {
            "object_id": "ts_1",
            "status": "PRE_TRANSIT",
            "substatus": None,
            "status_details": "Label created",
            "status_date": "2026-03-01T09:00:00Z",
            "location": None,
        },
        {
            "object_id": "ts_2",
            "status": "TRANSIT",
            "substatus": {"code": "package_accepted", "text": "Accepted", "action_required": False},
            "status_details": "Accepted at origin",
            "status_date": "2026-03-02T12:00:00Z",
            "location": {"city": "Oviedo", "state": "O", "zip": "33003", "country": "ES"},
        },
    ],
}


class FakeShippo:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.transaction_status = "SUCCESS"
        self.fail_with: int | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if self.fail_with:
            return httpx.Response(self.fail_with, json={"detail": "boom"})
        if request.method == "POST" and path == "/shipments/":
            return httpx.Response(
                201,
                json={
                    "object_id": "shp_1",
                    "status": "SUCCESS",
                    "rates": [
                        {
                            "object_id": "rate_a",
                            "provider": "USPS",
                            "servicelevel": {"token": "usps_priority"},
                            "amount": "8.10",
                            "currency": "USD",
                        },
                        {
                            "object_id": "rate_b",
                            "provider": "UPS",
                            "servicelevel": {"token": "ups_ground"},
                            "amount": "7.20",
                            "currency": "USD",
                        },
                    ],
                },
            )
        if request.method == "POST" and path == "/transactions/":
            return httpx.Response(
                201,
                json={
                    "object_id": "txn_1",
                    "status": self.transaction_status,
                    "tracking_number": "9205590164917312751089",
                    "label_url": "https://shippo-delivery.s3.amazonaws.com/label.pdf",
                    "tracking_url_provider": "https://tools.usps.com/go/TrackConfirmAction_input"
                    "?origTrackNum=9205590164917312751089",
                    "messages": [{"text": "Address invalid"}]
                    if self.transaction_status == "ERROR"
                    else [],
                },
            )
        if path == "/label.pdf":
            return httpx.Response(200, content=b"%PDF-1.5 fake")
        if request.method == "POST" and path == "/refunds/":
            return httpx.Response(
                201, json={"object_id": "ref_1", "status": "QUEUED", "transaction": "txn_1"}
            )
        if request.method == "GET" and path == "/tracks/usps/9205590164917312751089":
            return httpx.Response(200, json=TRACK)
        return httpx.Response(404, json={"detail": "Not found"})


@pytest.fixture
def fake() -> FakeShippo:
    return FakeShippo()


@pytest.fixture
def gateway(fake: FakeShippo) -> ShippoGateway:
    return ShippoGateway(
        api_token="shippo_test_x",
        carrier="usps",
        webhook_token="tok-123",
        transport=httpx.MockTransport(fake),
    )


def test_book_creates_a_return_and_buys_a_4x6_pdf_label(
    gateway: ShippoGateway, fake: FakeShippo
) -> None:
    booking = gateway.book(booking_request())
    shipment = json.loads(fake.requests[0].content)
    assert fake.requests[0].headers["Authorization"] == "ShippoToken shippo_test_x"
    assert shipment["extra"]["is_return"] is True
    assert shipment["address_from"]["zip"] == "28906"  # outbound: from the store
    assert shipment["address_to"]["zip"] == "33003"
    assert shipment["parcels"][0]["mass_unit"] == "g"
    transaction = json.loads(fake.requests[1].content)
    # carrier "usps" restricts the rates to USPS even though UPS is cheaper
    assert transaction == {
        "rate": "rate_a",
        "label_file_type": "PDF_4x6",
        "metadata": "shp_1-attempt-1",
        "async": False,
    }
    assert booking.booking_id == "txn_1"
    assert booking.tracking_number == "9205590164917312751089"
    assert booking.price_amount == Decimal("8.10")
    assert booking.label_pdf == b"%PDF-1.5 fake"
    assert booking.tracking_url.startswith("https://tools.usps.com/go/TrackConfirmAction")


def test_failed_and_pending_transactions(gateway: ShippoGateway, fake: FakeShippo) -> None:
    fake.transaction_status = "ERROR"
    with pytest.raises(CarrierRejected, match="Address invalid"):
        gateway.book(booking_request())
    fake.transaction_status = "QUEUED"
    with pytest.raises(CarrierUnavailable):
        gateway.book(booking_request())
    fake.fail_with = 502
    with pytest.raises(CarrierUnavailable):
        gateway.book(booking_request())


def test_cancel_requests_a_refund(gateway: ShippoGateway, fake: FakeShippo) -> None:
    gateway.cancel(gateway.book(booking_request()))
    assert json.loads(fake.requests[-1].content)["transaction"] == "txn_1"


def test_track_reads_history_and_current_status(gateway: ShippoGateway) -> None:
    events = gateway.track("9205590164917312751089")
    assert [e.raw_status for e in events] == [
        "PRE_TRANSIT",
        "TRANSIT:package_accepted",
        "TRANSIT:out_for_delivery",
    ]
    statuses = [
        make_event(
            gateway.status_map,
            tracking_number=e.tracking_number,
            raw_status=e.raw_status,
            occurred_at=e.occurred_at,
        ).status
        for e in events
    ]
    assert statuses == [
        TrackingStatus.LABEL_CREATED,
        TrackingStatus.PICKED_UP,
        TrackingStatus.OUT_FOR_DELIVERY,
    ]
    assert events[1].event_id == "ts_2"


def _webhook() -> bytes:
    return json.dumps({"event": "track_updated", "test": True, "data": TRACK}).encode()


def test_webhook_with_the_right_token_is_parsed(gateway: ShippoGateway) -> None:
    events = gateway.parse_webhook({WEBHOOK_QUERY_HEADER: "token=tok-123"}, _webhook())
    assert len(events) == 3


def test_other_webhook_events_are_ignored(gateway: ShippoGateway) -> None:
    body = json.dumps({"event": "transaction_created", "data": {}}).encode()
    assert gateway.parse_webhook({WEBHOOK_QUERY_HEADER: "token=tok-123"}, body) == []


@pytest.mark.parametrize("query", ["", "token=", "token=tok-124", "other=tok-123"])
def test_webhooks_without_the_token_are_refused(gateway: ShippoGateway, query: str) -> None:
    with pytest.raises(InvalidSignature):
        gateway.parse_webhook({WEBHOOK_QUERY_HEADER: query}, _webhook())
