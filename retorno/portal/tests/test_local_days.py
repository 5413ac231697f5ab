"""The shopper's days are the store's: pickup dates offered, the refund's dates on the tracking
page and the day a pickup failed, around local midnight and the daylight-saving changes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from django.test import Client
from django.utils import formats, translation

from retorno.core.tests.clock import clock_moved_to
from retorno.domain.logistics.gateway import RawTrackingEvent
from retorno.logistics.gateways import gateways_overridden
from retorno.logistics.models import PickupRecovery, Shipment
from retorno.logistics.tests.factories import FakeCarriers, approved_return, make_carriers
from retorno.logistics.tests.test_booking import deliver_bookings
from retorno.portal.tracking import money_status
from retorno.returns.models import ReturnEvent
from retorno.returns.workflows.shipping import tracking_events_apply

pytestmark = pytest.mark.django_db


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def madrid(store):
    store.timezone = "Europe/Madrid"
    store.save(update_fields=["timezone"])
    return store


@pytest.mark.parametrize(
    ("moment", "first_offered"),
    [
        ("2026-01-12 22:30", date(2026, 1, 13)),  # Monday 23:30 in Madrid
        ("2026-01-12 23:30", date(2026, 1, 14)),  # Tuesday 00:30 in Madrid
        ("2026-03-29 21:30", date(2026, 3, 30)),  # Sunday 23:30 CEST, the day of the change
        ("2026-03-29 22:30", date(2026, 3, 31)),  # Monday 00:30 CEST
        ("2026-10-25 22:30", date(2026, 10, 26)),  # Sunday 23:30 CET, the day of the change
        ("2026-10-25 23:30", date(2026, 10, 27)),  # Monday 00:30 CET
    ],
)
def test_pickup_dates_offered_start_on_the_stores_tomorrow(madrid, moment, first_offered):
    make_carriers(madrid)
    returned = approved_return(madrid)
    with clock_moved_to(utc(moment)):
        page = Client().get(f"/r/{returned.tracking_token}/pickup")
    assert page.status_code == 200
    offered = re.findall(r'<option value="(\d{4}-\d{2}-\d{2})"', page.content.decode())
    assert offered
    assert offered[0] == first_offered.isoformat()


@pytest.mark.parametrize(
    ("resolved_at", "day"),
    [
        ("2026-01-12 22:30", date(2026, 1, 12)),
        ("2026-01-12 23:30", date(2026, 1, 13)),
        ("2026-10-25 22:30", date(2026, 10, 25)),
        ("2026-10-25 23:30", date(2026, 10, 26)),
    ],
)
def test_the_refund_is_dated_on_the_stores_day(madrid, resolved_at, day):
    make_carriers(madrid)
    returned = approved_return(madrid)
    resolved = ReturnEvent(return_request=returned, kind="resolved", created_at=utc(resolved_at))
    status = money_status(returned, [resolved])
    assert status is not None
    assert status.done
    assert status.on == day


def test_the_recovery_page_says_the_day_the_pickup_failed_in_the_stores_calendar(madrid):
    carriers = make_carriers(madrid)
    with gateways_overridden(FakeCarriers()):
        returned = approved_return(madrid)
        deliver_bookings()
    shipment = Shipment.objects.get(return_id=returned.id)
    tracking_events_apply(
        account=carriers[shipment.carrier_account.code],
        events=[
            RawTrackingEvent(
                tracking_number=shipment.tracking_number,
                raw_status="PICKUP_FAILED_NOT_HOME",
                occurred_at=utc("2026-01-12 23:30"),
                event_id="f1",
            )
        ],
    )
    PickupRecovery.objects.filter(return_id=returned.id).update(created_at=utc("2026-01-12 23:30"))
    page = Client().get(f"/r/{returned.tracking_token}/recovery", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    with translation.override("en"):
        tuesday, monday = (formats.date_format(date(2026, 1, d), "DATE_FORMAT") for d in (13, 12))
    text = page.content.decode()
    assert tuesday in text
    assert monday not in text
