"""Inbound webhooks: signatures, idempotency, out-of-order events, the return moving, failed
pickups (outreach, desk, cancel) and the shopper's recovery choice."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from retorno.api.tests.client import ApiClient, problem
from retorno.core.actors import SYSTEM
from retorno.core.models import OutboxMessage
from retorno.logistics.models import (
    BookingState,
    LogisticsSettings,
    PickupAttempt,
    PickupRecovery,
    RecoveryState,
    Shipment,
    TrackingEvent,
)
from retorno.logistics.selectors import carrier_stats_for_store, desk_list_for_store
from retorno.logistics.tests.factories import approved_return, sign
from retorno.logistics.tests.test_booking import deliver_bookings
from retorno.returns.models import Return, ReturnEvent
from retorno.returns.workflows.recovery import RecoveryChoice, pickup_recovery_apply
from retorno.returns.workflows.shipping import shipments_poll

pytestmark = pytest.mark.django_db

T0 = (datetime.now(UTC) - timedelta(days=5)).replace(microsecond=0)


def booked(store) -> tuple[Return, Shipment]:
    returned = approved_return(store)
    deliver_bookings()
    shipment = Shipment.objects.get(return_id=returned.id, booking_state=BookingState.BOOKED)
    return returned, shipment


def post_events(shipment: Shipment, events: list[tuple[str, datetime, str]], *, secret=None):
    account = shipment.carrier_account
    body = json.dumps(
        {
            "events": [
                {
                    "tracking_number": shipment.tracking_number,
                    "status": status,
                    "occurred_at": at.isoformat(),
                    "id": event_id,
                }
                for status, at, event_id in events
            ]
        }
    ).encode()
    signature = sign(secret or f"s3cret-{account.code}", body)
    return Client().post(
        f"/api/v1/carriers/{account.webhook_code}/webhooks",
        body,
        content_type="application/json",
        headers={"X-Fake-Signature": signature},
    )


def test_forged_signature_is_401_and_stores_nothing(store, carriers, fake_carriers):
    returned, shipment = booked(store)
    response = post_events(shipment, [("PICKED_UP", T0, "e1")], secret="forged")
    problem(response, 401, "invalid_signature")
    assert not TrackingEvent.objects.exists()
    assert Return.objects.get(id=returned.id).status == "approved"


def test_unknown_webhook_code_is_404(db):
    problem(
        Client().post("/api/v1/carriers/nope/webhooks", b"{}", content_type="application/json"),
        404,
        "carrier_not_found",
    )


def test_pickup_then_delivery_moves_the_return(store, carriers, fake_carriers):
    returned, shipment = booked(store)
    response = post_events(
        shipment, [("PICKUP_SCHEDULED", T0, "e0"), ("PICKED_UP", T0 + timedelta(hours=3), "e1")]
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"received": 2, "stored": 2, "unknown_codes": [], "status_changes": 1}
    returned.refresh_from_db()
    assert returned.status == "in_transit"
    event = ReturnEvent.objects.get(return_request=returned, kind="in_transit")
    assert event.actor_kind == "carrier"
    assert event.data["tracking_number"] == shipment.tracking_number

    post_events(
        shipment,
        [
            ("IN_TRANSIT", T0 + timedelta(hours=8), "e2"),
            ("DELIVERED", T0 + timedelta(days=1), "e3"),
        ],
    )
    returned.refresh_from_db()
    assert returned.status == "received"
    received = ReturnEvent.objects.get(return_request=returned, kind="received")
    assert received.data["parcel_delivered"] is True
    assert received.data["units_counted"] is False
    assert all(i.quantity_received == 0 for i in returned.items.all())  # the warehouse counts
    shipment.refresh_from_db()
    assert shipment.status == "delivered_to_warehouse"
    attempt = PickupAttempt.objects.get()
    assert attempt.succeeded
    assert attempt.attempt_number == 1


def test_repeated_events_are_stored_once(store, carriers, fake_carriers):
    returned, shipment = booked(store)
    batch = [("PICKED_UP", T0, "e1"), ("PICKED_UP", T0, "e1")]
    assert post_events(shipment, batch).json()["stored"] == 1
    assert post_events(shipment, batch).json() == {
        "received": 2,
        "stored": 0,
        "unknown_codes": [],
        "status_changes": 0,
    }
    assert TrackingEvent.objects.count() == 1
    assert ReturnEvent.objects.filter(return_request=returned, kind="in_transit").count() == 1


def test_an_event_refused_as_a_duplicate_moves_nothing(store, carriers, fake_carriers):
    returned, shipment = booked(store)
    assert post_events(shipment, [("PICKUP_SCHEDULED", T0, "e1")]).json()["stored"] == 1
    # The carrier sends event e1 again with another status: it is not stored, so it must not
    # move the shipment or the return either.
    replayed = post_events(shipment, [("PICKED_UP", T0 + timedelta(hours=2), "e1")])
    assert replayed.json() == {
        "received": 1,
        "stored": 0,
        "unknown_codes": [],
        "status_changes": 0,
    }
    shipment.refresh_from_db()
    assert shipment.status == "pickup_scheduled"
    returned.refresh_from_db()
    assert returned.status == "approved"
    assert not ReturnEvent.objects.filter(return_request=returned, kind="in_transit").exists()
    assert not PickupAttempt.objects.exists()
    # In a batch, only the stored events count: the new e2 moves the parcel, the replayed e1
    # (delivered, later than e2) does not.
    mixed = post_events(
        shipment,
        [
            ("DELIVERED", T0 + timedelta(days=1), "e1"),
            ("IN_TRANSIT", T0 + timedelta(hours=5), "e2"),
        ],
    )
    assert mixed.json()["stored"] == 1
    assert mixed.json()["status_changes"] == 1
    shipment.refresh_from_db()
    assert shipment.status == "in_transit"
    returned.refresh_from_db()
    assert returned.status == "in_transit"


def test_out_of_order_events_are_placed_by_time(store, carriers, fake_carriers):
    returned, shipment = booked(store)
    post_events(shipment, [("DELIVERED", T0 + timedelta(days=2), "e3")])
    post_events(shipment, [("IN_TRANSIT", T0 + timedelta(days=1), "e2"), ("PICKED_UP", T0, "e1")])
    shipment.refresh_from_db()
    assert shipment.status == "delivered_to_warehouse"  # a late stale scan does not reopen it
    returned.refresh_from_db()
    assert returned.status == "received"
    response = ApiClient(None, authorization=None)
    del response


def test_unknown_codes_are_kept(store, carriers, fake_carriers):
    _, shipment = booked(store)
    body = post_events(shipment, [("TELEPORTED", T0, "x1")]).json()
    assert body["unknown_codes"] == ["TELEPORTED"]
    assert body["stored"] == 1
    assert TrackingEvent.objects.get().status == "unknown"


def test_events_arriving_before_the_booking_is_saved_are_attached(store, carriers, fake_carriers):
    from retorno.domain.logistics.gateway import RawTrackingEvent
    from retorno.returns.workflows.shipping import tracking_events_apply

    returned = approved_return(store)
    gateway = fake_carriers.script("rapido")
    shipment = Shipment.objects.get(return_id=returned.id)
    from retorno.logistics.adapters import booking_request

    early = gateway.book(booking_request(shipment))  # the carrier booked; we crashed before saving
    tracking_events_apply(
        account=carriers["rapido"],
        events=[
            RawTrackingEvent(
                tracking_number=early.tracking_number,
                raw_status="PICKED_UP",
                occurred_at=T0,
                event_id="p",
            )
        ],
    )
    assert TrackingEvent.objects.get().shipment_id is None
    deliver_bookings()  # the outbox re-drives: same reference, same booking
    shipment.refresh_from_db()
    assert shipment.tracking_number == early.tracking_number
    assert TrackingEvent.objects.get().shipment_id == shipment.id
    assert Return.objects.get(id=returned.id).status == "in_transit"


def test_failed_pickup_writes_to_the_shopper_and_the_choice_rebooks(store, carriers, fake_carriers):
    returned, shipment = booked(store)
    post_events(shipment, [("PICKUP_FAILED_NOT_HOME", T0, "f1")])
    event = ReturnEvent.objects.get(return_request=returned, kind="pickup_failed")
    assert event.data["reason"] == "customer_not_available"
    assert event.data["step"] == "outreach"
    assert event.data["recovery_url"].endswith(f"/r/{returned.tracking_token}/recovery")
    case = PickupRecovery.objects.get()
    assert case.state == RecoveryState.AWAITING_SHOPPER

    page = Client().get(f"/r/{returned.tracking_token}/recovery")
    assert page.status_code == 200
    new_day = (timezone.now() + timedelta(days=3)).date()
    while new_day.weekday() == 6:
        new_day += timedelta(days=1)
    response = Client().post(
        f"/r/{returned.tracking_token}/recovery",
        {"action": "reschedule", "pickup_date": new_day.isoformat()},
    )
    assert response.status_code == 302, response.content[:2000]
    shipment.refresh_from_db()
    assert shipment.booking_state == BookingState.SUPERSEDED
    case.refresh_from_db()
    assert case.state == RecoveryState.REBOOKED
    deliver_bookings()
    second = Shipment.objects.get(return_id=returned.id, attempt_number=2)
    assert second.booking_state == BookingState.BOOKED
    assert second.pickup_date == new_day
    # Picked up on the second attempt: a recovery, measured per carrier.
    post_events(second, [("PICKED_UP", T0 + timedelta(days=3), "p2")])
    stats = carrier_stats_for_store(store)["rapido"]
    assert stats.first_attempts == 1
    assert stats.first_attempt_success_rate == 0
    assert stats.recovery_rate == 1


def test_switch_to_drop_off(store, carriers, fake_carriers):
    returned, shipment = booked(store)
    post_events(shipment, [("PICKUP_FAILED_ADDRESS", T0, "f1")])
    pickup_recovery_apply(
        store=store, rma=returned.rma, choice=RecoveryChoice(action="drop_off"), actor=SYSTEM
    )
    deliver_bookings()
    returned.refresh_from_db()
    assert returned.method == "drop_off"
    second = Shipment.objects.get(return_id=returned.id, attempt_number=2)
    assert second.method == "drop_off"
    assert second.drop_off_code.startswith("DO-")
    assert ReturnEvent.objects.filter(return_request=returned, kind="label_ready").count() == 2


def test_failures_escalate_to_the_desk_then_cancel(store, carriers, fake_carriers):
    LogisticsSettings.objects.create(
        store=store, failed_pickups_before_desk=2, failed_pickups_before_cancel=3
    )
    returned, shipment = booked(store)
    for attempt in (1, 2, 3):
        post_events(
            shipment, [("PICKUP_FAILED_NOT_HOME", T0 + timedelta(days=attempt), f"f{attempt}")]
        )
        if attempt == 2:
            assert [c.rma for c in desk_list_for_store(store=store)] == [returned.rma]
            assert list(desk_list_for_store(store=store, carrier="norte")) == []
            assert list(desk_list_for_store(store=store, reason="customer_not_available"))
        if attempt < 3:
            pickup_recovery_apply(
                store=store,
                rma=returned.rma,
                choice=RecoveryChoice(
                    action="reschedule", pickup_date=(timezone.now() + timedelta(days=2)).date()
                ),
                actor=SYSTEM,
            )
            deliver_bookings()
            shipment = (
                Shipment.objects.filter(return_id=returned.id).order_by("-attempt_number").first()
            )
    returned.refresh_from_db()
    assert returned.status == "cancelled"
    assert (
        "Cancelled after 3 failed pickup"
        in ReturnEvent.objects.get(return_request=returned, kind="cancelled").note
    )
    assert not desk_list_for_store(store=store).exists()


def test_polling_for_carriers_without_webhooks(store, carriers, fake_carriers):
    from retorno.domain.logistics.gateway import RawTrackingEvent
    from retorno.logistics.tests.factories import make_carrier

    make_carrier(store, "rapido", capabilities=["pickup", "label", "tracking_poll"])
    returned, shipment = booked(store)
    fake_carriers.gateways["rapido"].tracks[shipment.tracking_number] = [
        RawTrackingEvent(
            tracking_number=shipment.tracking_number,
            raw_status="PICKED_UP",
            occurred_at=T0,
            event_id="p",
        ),
    ]
    assert shipments_poll() == 1
    assert shipments_poll() == 1  # polled again: nothing new stored
    assert TrackingEvent.objects.count() == 1
    assert Return.objects.get(id=returned.id).status == "in_transit"
    assert OutboxMessage.objects.exists()
