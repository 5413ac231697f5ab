"""End to end over real HTTP: Retorno (live server) ⇄ the carrier simulator.

approve → allocated and booked with the simulator (label stored) → the simulator's signed
webhooks reach /api/v1/carriers/<code>/webhooks → picked up (return in transit) → delivered to
the warehouse (return received). And a carrier that is down: retried, then the next one.

The store and the simulated carriers work in Europe/Madrid. Each test runs at the hour it is run,
and with Retorno's and the simulator's clocks moved to just before and just after Madrid's
midnight while UTC is still on the day before: pickup days must be the local ones.
"""

from __future__ import annotations

import time as time_module
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import httpx
import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from retorno.core.models import OutboxMessage
from retorno.core.outbox import outbox_deliver_one
from retorno.core.tests.clock import clock_moved_to
from retorno.integrations.carriers.simulator.config import DEFAULT_CARRIERS
from retorno.integrations.carriers.simulator.server import SimulatorServer
from retorno.logistics.demo import demo_carriers_ensure
from retorno.logistics.models import BookingState, CarrierAccount, Shipment
from retorno.logistics.tests.factories import RETURN_ADDRESS, approved_return
from retorno.returns.models import Return, ReturnEvent

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "e2e-webhook-secret"


# A Tuesday in winter (Madrid is UTC+1): the next day is a working day too, so the UTC and the
# Madrid "tomorrow" are two different pickup days.
TUESDAY = date(2026, 1, 13)


@pytest.fixture(
    params=[
        pytest.param(None, id="now"),
        # 22:30 in Madrid: the same day as in UTC.
        pytest.param((21, 30), id="21h30-utc-before-local-midnight"),
        # 00:30 in Madrid, the next day: UTC is still on the day before.
        pytest.param((23, 30), id="23h30-utc-after-local-midnight"),
    ]
)
def clock(request) -> Iterator[Callable[[], float]]:
    """Retorno's clock (and the simulator's, from the value it yields) at the test's hour."""
    if request.param is None:
        yield time_module.time
        return
    with clock_moved_to(datetime.combine(TUESDAY, time(*request.param), UTC)) as moved:
        yield moved


@pytest.fixture
def simulator(
    live_server, store, clock
) -> Iterator[tuple[SimulatorServer, dict[str, CarrierAccount]]]:
    store.return_address = RETURN_ADDRESS
    store.timezone = "Europe/Madrid"
    store.save(update_fields=["return_address", "timezone"])
    quiet = [
        replace(
            c,
            error_rate=0.0,
            timeout_rate=0.0,
            exception_rate=0.0,
            # The pickup outcome is drawn when the booking is made; tests force it to succeed.
            pickup_success_rate=1.0,
            step_seconds=3600,
            timeout_seconds=1.0,
            webhook_secret=SECRET,
        )
        for c in DEFAULT_CARRIERS
    ]
    server = SimulatorServer(quiet, port=0, tick_seconds=None, clock=clock).start()
    accounts = {
        a.code: a for a in demo_carriers_ensure(store, base_url=server.url, carriers=tuple(quiet))
    }
    for code, account in accounts.items():
        control(
            server,
            code,
            {
                "set": {
                    "webhook_url": f"{live_server.url}/api/v1/carriers/{account.webhook_code}/webhooks"
                }
            },
        )
    yield server, accounts
    server.stop()


def control(server: SimulatorServer, code: str, body: dict) -> dict:
    response = httpx.post(f"{server.url}/carriers/{code}/_control", json=body, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def kinds(returned: Return) -> list[str]:
    return list(ReturnEvent.objects.filter(return_request=returned).values_list("kind", flat=True))


def test_approve_book_pick_up_deliver_receive(simulator):
    server, accounts = simulator
    returned = approved_return(accounts["rapido"].store)  # Madrid 28013: auto-approved, booked
    shipment = Shipment.objects.get(return_id=returned.id)
    assert shipment.booking_state == BookingState.BOOKED, shipment.booking_log
    code = shipment.carrier_account.code
    assert shipment.tracking_number
    assert default_storage.open(shipment.label_file).read(4) == b"%PDF"
    assert "label_ready" in kinds(returned)

    control(server, code, {"next_pickup": "PICKED_UP"})
    control(server, code, {"advance": shipment.tracking_number, "steps": 2, "flush_webhooks": True})
    returned.refresh_from_db()
    assert returned.status == "in_transit", kinds(returned)

    control(
        server, code, {"advance": shipment.tracking_number, "steps": 10, "flush_webhooks": True}
    )
    returned.refresh_from_db()
    assert returned.status == "received", kinds(returned)
    shipment.refresh_from_db()
    assert shipment.status == "delivered_to_warehouse"
    received = ReturnEvent.objects.get(return_request=returned, kind="received")
    assert received.data["parcel_delivered"] is True


def test_carrier_down_is_retried_then_the_next_carrier_books(simulator):
    server, accounts = simulator
    store = accounts["rapido"].store
    bilbao = {"line1": "Gran Vía 1", "city": "Bilbao", "postal_code": "48001", "country": "ES"}
    first = approved_return(store, shipping_address=bilbao)  # rapido and norte both collect
    first_choice = Shipment.objects.get(return_id=first.id).candidates[0]
    # The first choice answers 503 to the next three bookings: retried with backoff, then the
    # next carrier in the ranking books it. Nothing is lost on the way.
    control(server, first_choice, {"fail_next_booking": "503", "times": 3})
    returned = approved_return(store, shipping_address=bilbao)
    shipment = Shipment.objects.get(return_id=returned.id)
    assert shipment.booking_state == BookingState.PENDING
    assert len(shipment.candidates) == 2
    message = OutboxMessage.objects.get(kind="logistics.book", payload__shipment_id=shipment.id)
    for minutes in (5, 15):
        outbox_deliver_one(message.id, now=timezone.now() + timedelta(minutes=minutes))
    shipment.refresh_from_db()
    assert shipment.booking_state == BookingState.BOOKED, shipment.booking_log
    assert shipment.carrier_account.code == shipment.candidates[1] != first_choice
    outcomes = [t["outcome"] for t in shipment.booking_log]
    assert outcomes == ["unavailable"] * 3 + ["booked"]
    assert kinds(returned).count("carrier_unavailable") == 3
