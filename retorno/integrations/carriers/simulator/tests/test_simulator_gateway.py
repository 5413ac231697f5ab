"""The simulator adapter against the simulator itself, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from datetime import datetime

import httpx
import pytest

from retorno.domain.logistics.gateway import (
    Address,
    CarrierRejected,
    CarrierUnavailable,
    InvalidSignature,
)
from retorno.domain.logistics.status_maps import SIMULATOR_STATUS_MAP
from retorno.domain.logistics.tracking import (
    FailedPickupReason,
    TrackingStatus,
    current_status,
    make_event,
)
from retorno.integrations.carriers.simulator.adapter import SimulatorGateway
from retorno.integrations.carriers.simulator.carrier import SimCarrier
from retorno.integrations.carriers.simulator.config import DEFAULT_CARRIERS
from retorno.integrations.carriers.simulator.server import SimulatorServer
from retorno.integrations.carriers.simulator.signing import SIGNATURE_HEADER, signature_header

from .conftest import SECRET, SHOPPER, Receiver, booking_request


def control(simulator: SimulatorServer, carrier: str, **body: object) -> dict:
    response = httpx.post(f"{simulator.url}/carriers/{carrier}/_control", json=body)
    response.raise_for_status()
    return response.json()


def statuses(events: list) -> list[TrackingStatus]:
    return [
        make_event(
            SIMULATOR_STATUS_MAP,
            tracking_number=e.tracking_number,
            raw_status=e.raw_status,
            occurred_at=e.occurred_at,
        ).status
        for e in events
    ]


def test_quote_prices_the_parcel_and_offers_slots(gateway: SimulatorGateway) -> None:
    quote = gateway.quote(booking_request(weight_grams=1200))
    # rapido: 3.90 + 0.40 per started kg (2 kg) + 1.00 pickup surcharge
    assert str(quote.price_amount) == "5.70"
    assert quote.currency == "EUR"
    assert len(quote.pickup_slots) == 10
    start, end = quote.pickup_slots[0]
    assert start.tzinfo is not None
    assert start < end
    assert start.weekday() < 5


def test_booking_is_idempotent_and_comes_with_a_label(gateway: SimulatorGateway) -> None:
    first = gateway.book(booking_request("ref-42"))
    again = gateway.book(booking_request("ref-42"))
    other = gateway.book(booking_request("ref-43"))

    assert first.booking_id == again.booking_id
    assert first.tracking_number == again.tracking_number
    assert other.tracking_number != first.tracking_number
    assert first.tracking_number.startswith("RAP")
    assert first.carrier == "rapido"
    assert first.pickup_window_start is not None
    assert first.pickup_window_end is not None
    assert first.label_pdf is not None
    assert first.label_pdf.startswith(b"%PDF")
    assert first.label_url.endswith("/label.pdf")
    assert first.tracking_url.endswith(f"/tracking/{first.tracking_number}")
    assert str(first.price_amount) == "5.70"


def test_same_key_with_another_request_is_rejected(gateway: SimulatorGateway) -> None:
    gateway.book(booking_request("ref-1"))
    with pytest.raises(CarrierRejected, match="idempotency_key_reused"):
        gateway.book(booking_request("ref-1", weight_grams=5000))


def test_drop_off_gets_a_code_and_its_label_shows_it(simulator: SimulatorServer) -> None:
    eco = SimulatorGateway(base_url=simulator.url, carrier="eco", webhook_secret=SECRET)
    booking = eco.book(booking_request("ref-drop", method="drop_off"))
    assert booking.drop_off_code
    assert len(booking.drop_off_code) == 9
    assert booking.pickup_window_start is None
    assert booking.label_pdf is not None
    assert booking.label_pdf.startswith(b"%PDF")
    assert statuses(eco.track(booking.tracking_number)) == [TrackingStatus.LABEL_CREATED]


def test_not_serviceable_and_wrong_method_are_rejected(simulator: SimulatorServer) -> None:
    norte = SimulatorGateway(base_url=simulator.url, carrier="norte")
    madrid = Address(name="A", line1="B", city="Madrid", postal_code="28013", country="ES")
    with pytest.raises(CarrierRejected, match="not_serviceable"):
        norte.book(booking_request(sender=madrid))
    # norte serves the Burgos range 09000-09999 besides its northern prefixes
    burgos = replace(madrid, postal_code="09001", city="Burgos")
    assert norte.book(booking_request("burgos", sender=burgos)).tracking_number.startswith("NOR")
    eco = SimulatorGateway(base_url=simulator.url, carrier="eco")
    with pytest.raises(CarrierRejected, match="method_not_offered"):
        eco.book(booking_request(method="pickup"))


def test_tracking_advances_through_the_timeline(
    simulator: SimulatorServer, gateway: SimulatorGateway
) -> None:
    control(simulator, "rapido", next_pickup="PICKED_UP")
    booking = gateway.book(booking_request("ref-track"))
    assert statuses(gateway.track(booking.tracking_number)) == [TrackingStatus.PICKUP_SCHEDULED]

    control(simulator, "rapido", advance=booking.tracking_number)
    events = gateway.track(booking.tracking_number)
    assert statuses(events)[-1] is TrackingStatus.PICKED_UP

    control(simulator, "rapido", advance=booking.tracking_number, steps=20)
    events = gateway.track(booking.tracking_number)
    normalised = statuses(events)
    assert normalised[-1] is TrackingStatus.DELIVERED_TO_WAREHOUSE
    assert TrackingStatus.IN_TRANSIT in normalised
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
    assert len({e.event_id for e in events}) == len(events)
    # The same parcel tells the same story when asked again.
    assert gateway.track(booking.tracking_number) == events


def test_forced_failed_pickup_carries_its_reason(
    simulator: SimulatorServer, gateway: SimulatorGateway
) -> None:
    control(simulator, "rapido", next_pickup="PICKUP_FAILED_NOT_HOME")
    booking = gateway.book(booking_request("ref-fail"))
    control(simulator, "rapido", advance=booking.tracking_number, steps=5)
    raw = gateway.track(booking.tracking_number)
    events = [
        make_event(
            SIMULATOR_STATUS_MAP,
            tracking_number=e.tracking_number,
            raw_status=e.raw_status,
            occurred_at=e.occurred_at,
        )
        for e in raw
    ]
    assert current_status(events) is TrackingStatus.PICKUP_FAILED
    assert events[-1].failure_reason is FailedPickupReason.CUSTOMER_NOT_AVAILABLE


def test_cancel_before_pickup_then_too_late_after(
    simulator: SimulatorServer, gateway: SimulatorGateway
) -> None:
    booking = gateway.book(booking_request("ref-cancel"))
    gateway.cancel(booking)
    gateway.cancel(booking)  # cancelling twice is harmless
    assert statuses(gateway.track(booking.tracking_number))[-1] is TrackingStatus.CANCELLED

    control(simulator, "rapido", next_pickup="PICKED_UP")
    moved = gateway.book(booking_request("ref-moved"))
    control(simulator, "rapido", advance=moved.tracking_number)
    with pytest.raises(CarrierRejected, match="not_cancellable"):
        gateway.cancel(moved)


@pytest.mark.parametrize("mode", ["500", "503", "429"])
def test_server_errors_are_unavailable_and_nothing_is_booked(
    simulator: SimulatorServer, gateway: SimulatorGateway, mode: str
) -> None:
    control(simulator, "rapido", fail_next_booking=mode)
    with pytest.raises(CarrierUnavailable):
        gateway.book(booking_request("ref-5xx"))
    assert simulator.carriers["rapido"].bookings == {}
    # The retry goes through.
    assert gateway.book(booking_request("ref-5xx")).tracking_number


def test_timeout_is_unavailable(simulator: SimulatorServer) -> None:
    impatient = SimulatorGateway(base_url=simulator.url, carrier="rapido", timeout=0.2)
    control(simulator, "rapido", fail_next_tracking="timeout")
    # The simulator hangs longer than the client waits: "timed out" (not the answer that
    # would follow the hang) shows the client gave up first.
    with pytest.raises(CarrierUnavailable, match="timed out"):
        impatient.track("RAP0000000000")


def test_booked_but_answer_lost_then_retry_returns_the_same_booking(
    simulator: SimulatorServer,
) -> None:
    impatient = SimulatorGateway(base_url=simulator.url, carrier="rapido", timeout=0.3)
    control(simulator, "rapido", fail_next_booking="timeout_after_booking")
    with pytest.raises(CarrierUnavailable):
        impatient.book(booking_request("ref-lost"))
    assert len(simulator.carriers["rapido"].bookings) == 1
    booking = impatient.book(booking_request("ref-lost"))
    assert booking.booking_id in simulator.carriers["rapido"].bookings
    assert len(simulator.carriers["rapido"].bookings) == 1


def test_carrier_down_is_unavailable() -> None:
    gone = SimulatorGateway(base_url="http://127.0.0.1:9", carrier="rapido", timeout=0.5)
    with pytest.raises(CarrierUnavailable):
        gone.book(booking_request())


def test_api_key_is_required_when_configured(receiver: Receiver) -> None:
    from retorno.integrations.carriers.simulator.config import DEFAULT_CARRIERS

    locked = replace(DEFAULT_CARRIERS[0], api_key="k-123", error_rate=0, timeout_rate=0)
    with SimulatorServer([locked], port=0, tick_seconds=None) as server:
        with pytest.raises(CarrierRejected, match="unauthorized"):
            SimulatorGateway(base_url=server.url, carrier="rapido").book(booking_request())
        keyed = SimulatorGateway(base_url=server.url, carrier="rapido", api_key="k-123")
        assert keyed.book(booking_request()).tracking_number


# -- webhooks ----------------------------------------------------------------------------------


def _signed(body: bytes, *, secret: str = SECRET, at: float | None = None) -> dict[str, str]:
    return {SIGNATURE_HEADER: signature_header(secret, int(at or time.time()), body)}


EVENT = {
    "event_id": "RAP1-00",
    "carrier": "rapido",
    "tracking_number": "RAP1",
    "code": "PICKED_UP",
    "occurred_at": "2026-03-02T10:00:00.000Z",
    "location": "Oviedo",
    "description": "Parcel collected",
}


def test_webhook_with_a_valid_signature_is_parsed(gateway: SimulatorGateway) -> None:
    body = json.dumps([EVENT]).encode()
    [event] = gateway.parse_webhook(_signed(body), body)
    assert event.tracking_number == "RAP1"
    assert event.raw_status == "PICKED_UP"
    assert event.event_id == "RAP1-00"
    assert event.occurred_at.isoformat() == "2026-03-02T10:00:00+00:00"


def test_header_lookup_ignores_case(gateway: SimulatorGateway) -> None:
    body = json.dumps([EVENT]).encode()
    headers = {k.lower(): v for k, v in _signed(body).items()}
    assert len(gateway.parse_webhook(headers, body)) == 1


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(
            lambda body: (_signed(body), body.replace(b"PICKED_UP", b"DELIVERED")),
            id="tampered body",
        ),
        pytest.param(
            lambda body: (_signed(body, secret="not-the-secret"), body), id="wrong secret"
        ),
        pytest.param(
            lambda body: (_signed(body, at=time.time() - 3600), body), id="stale timestamp"
        ),
        pytest.param(
            lambda body: (_signed(body, at=time.time() + 3600), body), id="future timestamp"
        ),
        pytest.param(lambda body: ({}, body), id="no signature"),
        pytest.param(lambda body: ({SIGNATURE_HEADER: "garbage"}, body), id="malformed header"),
    ],
)
def test_forged_webhooks_are_refused(gateway: SimulatorGateway, forge) -> None:
    headers, body = forge(json.dumps([EVENT]).encode())
    with pytest.raises(InvalidSignature):
        gateway.parse_webhook(headers, body)


def test_the_timestamp_cannot_be_swapped(gateway: SimulatorGateway) -> None:
    body = json.dumps([EVENT]).encode()
    old = signature_header(SECRET, int(time.time()) - 3600, body)
    replayed = old.replace(old.split(",")[0], f"t={int(time.time())}")
    with pytest.raises(InvalidSignature):
        gateway.parse_webhook({SIGNATURE_HEADER: replayed}, body)


def test_webhooks_are_pushed_signed_in_batches_and_retried(
    simulator: SimulatorServer, gateway: SimulatorGateway, receiver: Receiver
) -> None:
    references = [f"ref-batch-{n}" for n in range(60)]
    for reference in references:
        booking = gateway.book(booking_request(reference))
        control(simulator, "rapido", advance=booking.tracking_number)
    # 60 bookings x 2 events (scheduled, then the pickup outcome) = 120 events pending.
    receiver.fail_next = 1
    first = control(simulator, "rapido", flush_webhooks=True)["webhooks"]
    assert first == {"delivered": 0, "pending": 120, "dead": 0}
    assert receiver.requests == []

    second = control(simulator, "rapido", flush_webhooks=True)["webhooks"]
    assert second == {"delivered": 120, "pending": 0, "dead": 0}
    sizes = [len(batch) for batch in receiver.batches()]
    assert sizes == [100, 20]

    events = []
    for headers, body in receiver.requests:
        events.extend(gateway.parse_webhook(headers, body))
    assert len(events) == 120
    assert len({e.event_id for e in events}) == 120
    assert {e.tracking_number for e in events} == {
        b["tracking_number"] for b in simulator.carriers["rapido"].bookings.values()
    }


def test_background_loop_pushes_webhooks(receiver: Receiver) -> None:
    from retorno.integrations.carriers.simulator.config import DEFAULT_CARRIERS

    fast = replace(
        DEFAULT_CARRIERS[1],
        error_rate=0,
        timeout_rate=0,
        step_seconds=0.05,
        webhook_url=receiver.url,
        webhook_secret=SECRET,
    )
    with SimulatorServer([fast], port=0, tick_seconds=0.05) as server:
        norte = SimulatorGateway(base_url=server.url, carrier="norte", webhook_secret=SECRET)
        booking = norte.book(booking_request("ref-loop", sender=SHOPPER))
        deadline = time.monotonic() + 30  # generous: a loaded CI machine
        while time.monotonic() < deadline:
            codes = [e["code"] for batch in receiver.batches() for e in batch]
            if "DELIVERED" in codes or (
                codes.count("PICKUP_SCHEDULED")
                and any(c.startswith("PICKUP_FAILED") for c in codes)
            ):
                break
            time.sleep(0.05)
    delivered = [e for batch in receiver.batches() for e in batch]
    assert delivered
    assert all(e["tracking_number"] == booking.tracking_number for e in delivered)
    assert delivered[0]["code"] == "PICKUP_SCHEDULED"


def test_webhook_targets_must_be_local(simulator: SimulatorServer) -> None:
    response = httpx.post(
        f"{simulator.url}/carriers/rapido/_control",
        json={"set": {"webhook_url": "https://example.com/hooks"}},
    )
    assert response.status_code == 400


def test_state_survives_a_restart(tmp_path, receiver: Receiver) -> None:
    from retorno.integrations.carriers.simulator.config import DEFAULT_CARRIERS

    carriers = [replace(c, error_rate=0, timeout_rate=0) for c in DEFAULT_CARRIERS]
    with SimulatorServer(carriers, port=0, state_dir=tmp_path, tick_seconds=None) as server:
        first = SimulatorGateway(base_url=server.url, carrier="rapido").book(booking_request())
    with SimulatorServer(carriers, port=0, state_dir=tmp_path, tick_seconds=None) as server:
        gateway = SimulatorGateway(base_url=server.url, carrier="rapido")
        assert gateway.book(booking_request()).booking_id == first.booking_id
        assert gateway.track(first.tracking_number)


@pytest.mark.parametrize(
    ("moment", "first_day"),
    [
        # Monday 23:30 in Madrid: Tuesday is the first day offered.
        ("2026-01-12T22:30:00+00:00", "2026-01-13"),
        # Tuesday 00:30 in Madrid while UTC is still on Monday: Wednesday.
        ("2026-01-12T23:30:00+00:00", "2026-01-14"),
        # The March change: Monday 00:30 CEST while UTC says Sunday 22:30.
        ("2026-03-29T22:30:00+00:00", "2026-03-31"),
        # The October change: Sunday 23:30 CET (Monday at the summer offset).
        ("2026-10-25T22:30:00+00:00", "2026-10-26"),
    ],
)
def test_pickup_days_are_the_carriers_local_days(moment, first_day) -> None:
    at = datetime.fromisoformat(moment).timestamp()
    carrier = SimCarrier(
        DEFAULT_CARRIERS[0], clock=lambda: at, state_dir=None, stop=threading.Event()
    )
    days = carrier.pickup_dates()
    assert days[0].isoformat() == first_day
    assert all(day.weekday() < 5 for day in days)
