"""Every carrier adapter survives any answer: random statuses and bodies (JSON of any shape,
JSON shaped almost like the carrier's, bytes that are not JSON) end in a value of the promised
types or in the gateway's own errors, never in an uncaught exception."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from requests.adapters import BaseAdapter

from retorno.domain.logistics.gateway import (
    Booking,
    CarrierRejected,
    CarrierUnavailable,
    InvalidSignature,
    RawTrackingEvent,
)
from retorno.integrations.carriers.easypost.adapter import SIGNATURE_HEADER as EASYPOST_HEADER
from retorno.integrations.carriers.easypost.adapter import EasyPostGateway, webhook_signature
from retorno.integrations.carriers.registry import KINDS
from retorno.integrations.carriers.shippo.adapter import ShippoGateway
from retorno.integrations.carriers.simulator.adapter import SimulatorGateway
from retorno.integrations.carriers.simulator.signing import SIGNATURE_HEADER as SIM_HEADER
from retorno.integrations.carriers.simulator.signing import signature_header
from retorno.integrations.http import WEBHOOK_QUERY_HEADER
from retorno.integrations.tests.fixtures import booking_request

SECRET = "whsec_fuzz"

# Words the adapters look for, so random bodies reach past the first lookup.
VOCABULARY = [
    "id",
    "object_id",
    "booking_id",
    "tracking_number",
    "tracking_code",
    "label_url",
    "label_pdf_url",
    "postage_label",
    "rates",
    "rate",
    "amount",
    "currency",
    "price_amount",
    "carrier",
    "provider",
    "service",
    "servicelevel",
    "token",
    "selected_rate",
    "status",
    "status_detail",
    "substatus",
    "code",
    "message",
    "messages",
    "error",
    "errors",
    "events",
    "event",
    "event_id",
    "data",
    "result",
    "description",
    "trackers",
    "tracking_details",
    "tracking_history",
    "tracking_status",
    "tracking_location",
    "location",
    "datetime",
    "status_date",
    "occurred_at",
    "pickup_slots",
    "start",
    "end",
    "transit_days",
    "pickup_window_start",
    "pickup_window_end",
    "drop_off_code",
    "refund_status",
    "city",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "2026-03-02T08:30:00Z",
            "9.10",
            "USD",
            "SUCCESS",
            "tracker.updated",
            "track_updated",
            "in_transit",
            "%PDF-1.4",
            "1e999",
            "NaN",
            "-0",
        ]
    ),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(VOCABULARY) | st.text(max_size=6), inner, max_size=6)
    ),
    max_leaves=30,
)


def _encode(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


bodies = st.one_of(
    json_values.map(_encode),
    st.binary(max_size=64),
    st.sampled_from([b"", b"<html>502 Bad Gateway</html>", b"{", b"null", b"%PDF-1.4 x"]),
)
statuses = st.sampled_from([200, 201, 204, 301, 400, 401, 404, 422, 429, 500, 503]) | st.integers(
    100, 599
)
answers = st.lists(st.tuples(statuses, bodies), min_size=1, max_size=5)

WHEN = "2026-03-02T08:30:00Z"
TRACKER = {
    "id": "trk_1",
    "tracking_code": "T1",
    "tracking_details": [
        {
            "status": "in_transit",
            "status_detail": "arrived_at_facility",
            "message": "m",
            "datetime": WHEN,
            "tracking_location": {"city": "MADRID", "country": "ES"},
        },
    ],
}
SHIPPO_TRACK = {
    "tracking_number": "T1",
    "tracking_status": {"object_id": "h2", "status": "DELIVERED", "status_date": WHEN},
    "tracking_history": [
        {
            "object_id": "h1",
            "status": "TRANSIT",
            "status_date": WHEN,
            "status_details": "d",
            "substatus": {"code": "package_accepted"},
            "location": {"city": "Madrid"},
        },
    ],
}
SIM_EVENT = {
    "tracking_number": "T1",
    "code": "in_transit",
    "occurred_at": WHEN,
    "event_id": "e1",
    "location": "Madrid",
    "description": "d",
    "carrier": "rapido",
}
PDF = b"%PDF-1.4 label"
# What each carrier answers when all goes well, call after call: the starting point of the
# "almost right" answers below.
GOOD: dict[str, dict[str, list[tuple[int, Any]]]] = {
    "simulator": {
        "book": [
            (
                201,
                {
                    "booking_id": "b1",
                    "tracking_number": "T1",
                    "label_url": "https://l/1.pdf",
                    "drop_off_code": "D1",
                    "pickup_window_start": WHEN,
                    "pickup_window_end": WHEN,
                    "price_amount": "5.00",
                    "currency": "EUR",
                },
            ),
            (200, PDF),
        ],
        "cancel": [(200, {"booking_id": "b1", "state": "cancelled"})],
        "track": [(200, {"events": [SIM_EVENT]})],
        "webhook": [(200, [SIM_EVENT])],
    },
    "shippo": {
        "book": [
            (
                201,
                {
                    "object_id": "s1",
                    "rates": [
                        {
                            "object_id": "r1",
                            "provider": "USPS",
                            "amount": "7.50",
                            "currency": "USD",
                            "servicelevel": {"token": "p"},
                        }
                    ],
                },
            ),
            (
                201,
                {
                    "status": "SUCCESS",
                    "object_id": "t1",
                    "tracking_number": "T1",
                    "label_url": "https://l/1.pdf",
                },
            ),
            (200, PDF),
        ],
        "cancel": [(201, {"status": "QUEUED"})],
        "track": [(200, SHIPPO_TRACK)],
        "webhook": [(200, {"event": "track_updated", "data": SHIPPO_TRACK})],
    },
    "easypost": {
        "book": [
            (
                201,
                {
                    "id": "shp_1",
                    "object": "Shipment",
                    "rates": [
                        {
                            "id": "rate_1",
                            "carrier": "USPS",
                            "service": "Priority",
                            "rate": "7.58",
                            "currency": "USD",
                        }
                    ],
                },
            ),
            (
                200,
                {
                    "id": "shp_1",
                    "object": "Shipment",
                    "tracking_code": "T1",
                    "postage_label": {"label_pdf_url": "https://l/1.pdf"},
                    "selected_rate": {"rate": "7.58", "currency": "USD"},
                },
            ),
            (200, PDF),
        ],
        "cancel": [(200, {"id": "shp_1", "object": "Shipment", "refund_status": "submitted"})],
        "track": [(200, {"trackers": [TRACKER]})],
        "webhook": [(200, {"description": "tracker.updated", "result": TRACKER})],
    },
}


@st.composite
def mutated(draw: st.DrawFn, value: Any) -> Any:
    """`value` with some of its parts replaced by anything, or left out."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            choice = draw(st.sampled_from(["keep"] * 6 + ["replace", "drop"]))
            if choice == "keep":
                result[key] = draw(mutated(item))
            elif choice == "replace":
                result[key] = draw(json_values)
        return result
    if isinstance(value, list):
        return [draw(mutated(item)) for item in value]
    if draw(st.integers(0, 7)) == 0:
        return draw(json_values)
    return value


def _wire(value: Any) -> bytes:
    return value if isinstance(value, bytes) else _encode(value)


@st.composite
def almost_right(draw: st.DrawFn, kind: str, operation: str) -> list[tuple[int, bytes]]:
    replies = []
    for status, body in GOOD[kind][operation]:
        if draw(st.integers(0, 9)) == 0:
            status = draw(statuses)
        replies.append((status, _wire(draw(mutated(body)))))
    return replies


FUZZ = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


class Script:
    """The carrier's answers, in order; the last one repeats."""

    def __init__(self, replies: list[tuple[int, bytes]]) -> None:
        self.replies = replies
        self.index = 0

    def next(self) -> tuple[int, bytes]:
        reply = self.replies[min(self.index, len(self.replies) - 1)]
        self.index += 1
        return reply


class ScriptAdapter(BaseAdapter):
    def __init__(self, script: Script) -> None:
        super().__init__()
        self.script = script

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        status, body = self.script.next()
        response = requests.Response()
        response.status_code = status
        response._content = body
        response.headers["Content-Type"] = "application/json"
        response.url = str(request.url)
        response.request = request
        return response

    def close(self) -> None:
        pass


def _httpx_reply(script: Script) -> httpx.Response:
    status, body = script.next()
    return httpx.Response(status, content=body, headers={"Content-Type": "application/json"})


def build(kind: str, script: Script) -> Any:
    if kind == "simulator":
        return SimulatorGateway(
            base_url="https://sim.example",
            carrier="rapido",
            webhook_secret=SECRET,
            transport=httpx.MockTransport(lambda request: _httpx_reply(script)),
        )
    if kind == "shippo":
        return ShippoGateway(
            api_token="t",
            carrier="usps",
            webhook_token=SECRET,
            transport=httpx.MockTransport(lambda request: _httpx_reply(script)),
        )
    if kind == "easypost":
        session = requests.Session()
        session.mount("https://", ScriptAdapter(script))
        return EasyPostGateway(api_key="k", webhook_secret=SECRET, requests_session=session)
    raise AssertionError(f"no fuzz set-up for carrier kind {kind}")


def signed(kind: str, body: bytes) -> dict[str, str]:
    if kind == "simulator":
        return {SIM_HEADER: signature_header(SECRET, int(time.time()), body)}
    if kind == "shippo":
        return {WEBHOOK_QUERY_HEADER: f"token={SECRET}"}
    return {EASYPOST_HEADER: webhook_signature(SECRET, body)}


def test_every_kind_is_fuzzed() -> None:
    for kind in KINDS:
        build(kind, Script([(200, b"{}")])).close()


def _text(value: object) -> bool:
    return isinstance(value, str)


def _event_ok(event: object) -> bool:
    return (
        isinstance(event, RawTrackingEvent)
        and all(
            _text(v)
            for v in (
                event.tracking_number,
                event.raw_status,
                event.event_id,
                event.location,
                event.description,
            )
        )
        and isinstance(event.occurred_at, dt.datetime)
        and event.occurred_at.utcoffset() == dt.timedelta(0)
    )


def _booking_ok(booking: object) -> bool:
    if not isinstance(booking, Booking):
        return False
    times = (booking.pickup_window_start, booking.pickup_window_end)
    return (
        all(_text(v) and v for v in (booking.booking_id,))
        and all(
            _text(v)
            for v in (
                booking.tracking_number,
                booking.label_url,
                booking.drop_off_code,
                booking.currency,
            )
        )
        and (booking.label_pdf is None or isinstance(booking.label_pdf, bytes))
        and all(t is None or (isinstance(t, dt.datetime) and t.tzinfo is not None) for t in times)
        and (
            booking.price_amount is None
            or (isinstance(booking.price_amount, Decimal) and booking.price_amount.is_finite())
        )
    )


OPERATIONS: dict[str, Callable[[Any], bool]] = {
    "book": lambda gateway: _booking_ok(gateway.book(booking_request())),
    "cancel": lambda gateway: gateway.cancel(Booking("c", "b_1", "1Z")) is None,
    "track": lambda gateway: all(_event_ok(e) for e in gateway.track("1Z999")),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("operation", OPERATIONS)
@FUZZ
@given(data=st.data())
def test_calls_end_in_promised_values_or_gateway_errors(
    kind: str, operation: str, data: st.DataObject
) -> None:
    replies = data.draw(answers | almost_right(kind, operation))
    gateway = build(kind, Script(replies))
    try:
        assert OPERATIONS[operation](gateway), f"{kind}.{operation} returned a malformed value"
    except (CarrierUnavailable, CarrierRejected):
        pass
    finally:
        gateway.close()


def test_the_good_answers_are_good() -> None:
    """The starting points are answers the adapters accept (else the mutations prove little)."""
    for kind in KINDS:
        for operation, check in OPERATIONS.items():
            gateway = build(kind, Script([(s, _wire(b)) for s, b in GOOD[kind][operation]]))
            assert check(gateway), (kind, operation)
        body = _wire(GOOD[kind]["webhook"][0][1])
        events = build(kind, Script([])).parse_webhook(signed(kind, body), body)
        assert events, kind
        assert all(_event_ok(e) for e in events), (kind, events)


@pytest.mark.parametrize("kind", KINDS)
@FUZZ
@given(data=st.data())
def test_signed_webhooks_of_any_shape_end_in_events_or_a_rejection(
    kind: str, data: st.DataObject
) -> None:
    body = data.draw(bodies | mutated(GOOD[kind]["webhook"][0][1]).map(_wire))
    gateway = build(kind, Script([(200, b"{}")]))
    try:
        events = gateway.parse_webhook(signed(kind, body), body)
        assert all(_event_ok(e) for e in events), events
    except CarrierRejected:
        pass
    except InvalidSignature as error:  # pragma: no cover - the signature is right
        raise AssertionError(f"{kind}: a correctly signed body was refused: {error}") from None
    finally:
        gateway.close()
