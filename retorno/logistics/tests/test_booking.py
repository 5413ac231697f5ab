"""Allocation on approval, booking through the outbox, fallback when a carrier is down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from retorno.core.models import OutboxMessage, OutboxStatus
from retorno.core.outbox import outbox_deliver_one
from retorno.logistics.models import BookingState, Shipment
from retorno.logistics.tests.factories import (
    approved_return,
    approved_return_before_jobs,
    make_carrier,
)
from retorno.returns.models import ReturnEvent

pytestmark = pytest.mark.django_db


def deliver_bookings(*, later: timedelta = timedelta(0)) -> list[str]:
    now = timezone.now() + later
    return [
        outbox_deliver_one(m.id, now=now)
        for m in OutboxMessage.objects.filter(kind="logistics.book").order_by("id")
    ]


def kinds(return_request) -> list[str]:
    return list(
        ReturnEvent.objects.filter(return_request=return_request).values_list("kind", flat=True)
    )


def test_approval_allocates_explains_and_books_the_cheapest(store, carriers, fake_carriers):
    returned = approved_return(store)
    shipment = Shipment.objects.get(return_id=returned.id)
    assert shipment.booking_state == BookingState.PENDING
    assert shipment.candidates == ["rapido", "norte", "eco"]
    assert shipment.allocation["strategy"] == "cheapest"
    assert len(shipment.allocation["verdicts"]) == 3
    assert shipment.pickup_date is not None
    assert OutboxMessage.objects.filter(kind="logistics.book").count() == 1

    assert deliver_bookings() == [OutboxStatus.DELIVERED]

    shipment.refresh_from_db()
    assert shipment.booking_state == BookingState.BOOKED
    assert shipment.carrier_account.code == "rapido"
    assert shipment.tracking_number.startswith("RAPIDO")
    assert default_storage.open(shipment.label_file).read().startswith(b"%PDF")
    assert fake_carriers.gateways["rapido"].calls[0].reference == shipment.reference
    assert kinds(returned)[-2:] == ["carrier_allocated", "label_ready"]
    label_event = ReturnEvent.objects.get(return_request=returned, kind="label_ready")
    assert label_event.data["tracking_number"] == shipment.tracking_number
    assert label_event.data["label_url"].endswith(f"/r/{returned.tracking_token}/label.pdf")


def test_carrier_down_retries_with_backoff_then_falls_back(store, carriers, fake_carriers):
    fake_carriers.script("rapido", "down", "down", "down")
    returned = approved_return(store)
    message = OutboxMessage.objects.get(kind="logistics.book")

    assert deliver_bookings() == [OutboxStatus.PENDING]
    message.refresh_from_db()
    assert message.attempts == 1
    assert message.next_attempt_at > timezone.now()
    assert deliver_bookings() == ["skipped"]  # not due yet: backoff is respected

    assert deliver_bookings(later=timedelta(minutes=1)) == [OutboxStatus.PENDING]
    assert deliver_bookings(later=timedelta(minutes=10)) == [OutboxStatus.DELIVERED]

    shipment = Shipment.objects.get(return_id=returned.id)
    assert shipment.booking_state == BookingState.BOOKED
    assert shipment.carrier_account.code == "norte"
    assert [t["outcome"] for t in shipment.booking_log] == [
        "unavailable",
        "unavailable",
        "unavailable",
        "booked",
    ]
    # The same reference every time: a carrier that did book despite the timeout dedupes it.
    assert {c.reference for c in fake_carriers.gateways["rapido"].calls} == {shipment.reference}
    events = kinds(returned)
    assert events.count("carrier_unavailable") == 3
    assert events[-1] == "label_ready"


def test_rejection_moves_to_the_next_carrier_at_once(store, carriers, fake_carriers):
    fake_carriers.script("rapido", "reject")
    fake_carriers.script("norte", "reject")
    returned = approved_return(store)
    assert deliver_bookings() == [OutboxStatus.DELIVERED]
    shipment = Shipment.objects.get(return_id=returned.id)
    assert shipment.carrier_account.code == "eco"
    assert kinds(returned).count("carrier_rejected") == 2


def test_every_carrier_failing_is_recorded_not_lost(store, carriers, fake_carriers):
    for code in ("rapido", "norte", "eco"):
        fake_carriers.script(code, "reject")
    returned = approved_return(store)
    deliver_bookings()
    shipment = Shipment.objects.get(return_id=returned.id)
    assert shipment.booking_state == BookingState.FAILED
    assert kinds(returned)[-1] == "booking_failed"


def test_no_carrier_fits_is_explained(store, carriers, fake_carriers):
    for code in ("rapido", "norte", "eco"):
        make_carrier(store, code, service_areas=[{"country": "PT"}])
    returned = approved_return(store)
    shipment = Shipment.objects.get(return_id=returned.id)
    assert shipment.booking_state == BookingState.NO_CARRIER
    assert {v["code"] for v in shipment.allocation["verdicts"]} == {"not_serviceable"}
    assert not OutboxMessage.objects.filter(kind="logistics.book").exists()
    assert "carrier_not_found" in kinds(returned)


def test_store_without_carriers_books_nothing(store, fake_carriers):
    approved_return(store)
    assert not Shipment.objects.exists()


def test_redelivered_booking_books_once(store, carriers, fake_carriers):
    returned = approved_return(store)
    deliver_bookings()
    message = OutboxMessage.objects.get(kind="logistics.book")
    OutboxMessage.objects.filter(id=message.id).update(status=OutboxStatus.PENDING)
    deliver_bookings()
    assert len(fake_carriers.gateways["rapido"].calls) == 1
    assert kinds(returned).count("label_ready") == 1


def test_cancelling_the_return_cancels_the_booking(
    store, carriers, fake_carriers, django_capture_on_commit_callbacks
):
    from retorno.core.actors import SYSTEM
    from retorno.returns.services import return_cancel

    returned = approved_return(store)
    deliver_bookings()
    with django_capture_on_commit_callbacks(execute=True):
        return_cancel(store=store, rma=returned.rma, actor=SYSTEM)
    shipment = Shipment.objects.get(return_id=returned.id)
    assert shipment.booking_state == BookingState.CANCELLED
    assert fake_carriers.gateways["rapido"].cancelled == [shipment.booking_id]


def test_approval_queues_the_allocation_instead_of_running_it(store, carriers, fake_carriers):
    from retorno.returns.workflows.shipping import ALLOCATE_KIND

    returned = approved_return_before_jobs(store)
    # The approval's transaction only queues: no shipment, no allocation event yet.
    assert not Shipment.objects.filter(return_id=returned.id).exists()
    [job] = OutboxMessage.objects.filter(kind=ALLOCATE_KIND)
    assert job.payload["return_id"] == returned.id

    assert outbox_deliver_one(job.id) == OutboxStatus.DELIVERED
    shipment = Shipment.objects.get(return_id=returned.id)
    assert shipment.candidates == ["rapido", "norte", "eco"]
    assert kinds(returned)[-1] == "carrier_allocated"
    # Re-driven (a crash after the allocation committed): nothing is allocated twice.
    OutboxMessage.objects.filter(id=job.id).update(status=OutboxStatus.PENDING)
    assert outbox_deliver_one(job.id) == OutboxStatus.DELIVERED
    assert Shipment.objects.filter(return_id=returned.id).count() == 1
    assert kinds(returned).count("carrier_allocated") == 1


def test_a_return_cancelled_before_its_allocation_is_never_booked(store, carriers, fake_carriers):
    from retorno.core.actors import SYSTEM
    from retorno.returns.services import return_cancel
    from retorno.returns.workflows.shipping import ALLOCATE_KIND

    returned = approved_return_before_jobs(store)
    return_cancel(store=store, rma=returned.rma, actor=SYSTEM)
    job = OutboxMessage.objects.get(kind=ALLOCATE_KIND)
    assert outbox_deliver_one(job.id) == OutboxStatus.DELIVERED
    assert not Shipment.objects.filter(return_id=returned.id).exists()
    assert "carrier_allocated" not in kinds(returned)


def test_store_without_carriers_queues_no_allocation(store, fake_carriers):
    from retorno.returns.workflows.shipping import ALLOCATE_KIND

    approved_return(store)
    assert not OutboxMessage.objects.filter(kind=ALLOCATE_KIND).exists()


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://track.example.com/rapido/X1", "https://track.example.com/rapido/X1"),
        ("javascript:alert(1)", ""),
        ("", ""),
    ],
)
def test_the_carrier_s_tracking_page_is_kept_when_it_is_a_web_address(
    store, carriers, fake_carriers, given, kept
):
    import dataclasses

    gateway = fake_carriers.script("rapido")
    book = gateway.book

    def book_with_link(request):
        return dataclasses.replace(book(request), tracking_url=given)

    gateway.book = book_with_link  # type: ignore[method-assign]
    returned = approved_return(store)
    deliver_bookings()
    shipment = Shipment.objects.get(return_id=returned.id)
    assert shipment.booking_state == BookingState.BOOKED
    assert shipment.carrier_tracking_url == kept
