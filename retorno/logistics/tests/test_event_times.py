"""A carrier event that says it happened at a time that cannot be (year 1, year 9999, next week)
is never stored: in a webhook the batch is refused with a 422 naming the event, from polling the
event is dropped and the rest of the parcel's history kept. Stored, a scan in 9999 would stay the
parcel's latest for ever, and every real scan after it would be placed before it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from retorno.api.tests.client import problem
from retorno.domain.logistics.gateway import RawTrackingEvent
from retorno.logistics.models import Shipment, TrackingEvent
from retorno.logistics.tests.factories import make_carrier
from retorno.logistics.tests.test_tracking import T0, booked, post_events
from retorno.returns.models import Return
from retorno.returns.workflows.shipping import shipments_poll

pytestmark = pytest.mark.django_db

IMPOSSIBLE = [
    datetime(9999, 12, 31, tzinfo=UTC),
    datetime(1999, 12, 31, 23, 59, tzinfo=UTC),
    datetime.now(UTC) + timedelta(days=3),
]


@pytest.mark.parametrize("when", IMPOSSIBLE, ids=["9999", "1999", "in-3-days"])
def test_a_webhook_with_an_impossible_event_time_is_a_422_naming_it(
    store, carriers, fake_carriers, when
):
    returned, shipment = booked(store)

    response = post_events(shipment, [("PICKED_UP", T0, "e1"), ("DELIVERED", when, "e2")])

    body = problem(response, 422, "invalid_webhook")
    assert "events[1].occurred_at" in body["detail"]
    assert shipment.tracking_number in body["detail"]
    assert not TrackingEvent.objects.exists()
    assert Shipment.objects.get(id=shipment.id).status == shipment.status
    assert Return.objects.get(id=returned.id).status == "approved"


def test_a_webhook_at_the_edges_of_the_range_is_stored(store, carriers, fake_carriers):
    _, shipment = booked(store)
    soon = datetime.now(UTC) + timedelta(hours=23)

    response = post_events(shipment, [("PICKED_UP", T0, "e1"), ("IN_TRANSIT", soon, "e2")])

    assert response.status_code == 200, response.content
    assert response.json()["stored"] == 2


def test_polling_drops_an_impossible_event_and_keeps_the_rest(store, carriers, fake_carriers):
    make_carrier(store, "rapido", capabilities=["pickup", "label", "tracking_poll"])
    returned, shipment = booked(store)
    number = shipment.tracking_number
    fake_carriers.gateways["rapido"].tracks[number] = [
        RawTrackingEvent(number, "PICKED_UP", T0, event_id="p1"),
        RawTrackingEvent(number, "DELIVERED", datetime(9999, 12, 31, tzinfo=UTC), event_id="p2"),
    ]

    shipments_poll()

    assert list(TrackingEvent.objects.values_list("raw_status", flat=True)) == ["PICKED_UP"]
    assert Return.objects.get(id=returned.id).status == "in_transit"
    # A later real scan is the parcel's latest: nothing from 9999 sits above it.
    fake_carriers.gateways["rapido"].tracks[number].append(
        RawTrackingEvent(number, "IN_TRANSIT", T0 + timedelta(hours=3), event_id="p3")
    )
    shipments_poll()
    assert Shipment.objects.get(id=shipment.id).status == "in_transit"
