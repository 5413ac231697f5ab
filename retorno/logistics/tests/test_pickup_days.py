"""Pickup days are the store's local days, at any hour: around local midnight (while UTC is
still on the day before, or already on the next) and on the days daylight saving changes. The
carrier is asked for a date only when the shopper chose one still ahead; otherwise it books the
first day it offers, and its window says the day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from retorno.core.actors import SYSTEM
from retorno.core.errors import Unprocessable
from retorno.domain.logistics.gateway import Booking, BookingRequest
from retorno.logistics.gateways import gateways_overridden
from retorno.logistics.models import BookingState, CarrierAccount, Shipment
from retorno.logistics.services.bookings import shipment_book
from retorno.logistics.tests.factories import FakeCarriers, approved_return_before_jobs
from retorno.returns.events import command
from retorno.returns.models import Return
from retorno.returns.workflows.parcels import shipment_plan_for_return
from retorno.returns.workflows.recovery import RecoveryChoice, pickup_recovery_apply

pytestmark = pytest.mark.django_db

MADRID = "Europe/Madrid"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def madrid_store(store):
    store.timezone = MADRID
    store.save(update_fields=["timezone"])
    return store


def planned(store, now: datetime, **changes) -> tuple[Return, Shipment]:
    returned = approved_return_before_jobs(store)
    if changes:
        Return.objects.filter(id=returned.id).update(**changes)
        returned.refresh_from_db()
    with command():
        shipment = shipment_plan_for_return(returned, now=now)
    assert shipment is not None
    return returned, shipment


# (moment in UTC, the store's today in Madrid, the next working day after it)
EDGES = [
    # Winter, UTC+1: a Monday just before and just after local midnight.
    ("2026-01-12 22:30", date(2026, 1, 12), date(2026, 1, 13)),
    ("2026-01-12 23:30", date(2026, 1, 13), date(2026, 1, 14)),
    # Summer, UTC+2.
    ("2026-07-13 21:30", date(2026, 7, 13), date(2026, 7, 14)),
    ("2026-07-13 22:30", date(2026, 7, 14), date(2026, 7, 15)),
    # Friday night in UTC is Saturday in Madrid; Sunday night in UTC is Monday in Madrid.
    ("2026-01-16 23:30", date(2026, 1, 17), date(2026, 1, 19)),
    ("2026-01-18 23:30", date(2026, 1, 19), date(2026, 1, 20)),
    # Last Sunday of March: the hour that does not exist, and midnight at the new offset.
    ("2026-03-29 01:30", date(2026, 3, 29), date(2026, 3, 30)),
    ("2026-03-29 21:30", date(2026, 3, 29), date(2026, 3, 30)),
    ("2026-03-29 22:30", date(2026, 3, 30), date(2026, 3, 31)),
    # Last Sunday of October: the hour that repeats, and midnight at the new offset.
    ("2026-10-25 01:30", date(2026, 10, 25), date(2026, 10, 26)),
    ("2026-10-25 22:30", date(2026, 10, 25), date(2026, 10, 26)),
    ("2026-10-25 23:30", date(2026, 10, 26), date(2026, 10, 27)),
]


@pytest.mark.parametrize(("moment", "today", "next_working_day"), EDGES)
def test_without_a_chosen_date_the_carrier_picks_its_first_day(
    madrid_store, carriers, fake_carriers, moment, today, next_working_day
):
    _, shipment = planned(madrid_store, utc(moment))
    # Until the carrier answers, the store's next working day stands in for the pickup day.
    assert shipment.pickup_date == next_working_day
    shipment_book(shipment_id=shipment.id, now=utc(moment))
    (request,) = fake_carriers.gateways["rapido"].calls
    assert request.pickup_date is None  # Retorno invents no date the carrier may not offer


@pytest.mark.parametrize(("moment", "today", "next_working_day"), EDGES)
def test_a_chosen_date_is_asked_for_while_it_is_ahead_in_the_stores_calendar(
    madrid_store, carriers, fake_carriers, moment, today, next_working_day
):
    _, ahead = planned(madrid_store, utc(moment), pickup_date=next_working_day)
    assert ahead.pickup_date == next_working_day
    shipment_book(shipment_id=ahead.id, now=utc(moment))
    assert fake_carriers.gateways["rapido"].calls[-1].pickup_date == next_working_day

    # Today (in Madrid) is no longer a day to collect: the carrier chooses.
    _, stale = planned(madrid_store, utc(moment), pickup_date=today)
    assert stale.pickup_date == next_working_day
    shipment_book(shipment_id=stale.id, now=utc(moment))
    assert fake_carriers.gateways["rapido"].calls[-1].pickup_date is None


def test_a_chosen_date_that_became_today_before_the_booking_is_not_asked_for(
    madrid_store, carriers, fake_carriers
):
    # Planned at 23:30 in Madrid for tomorrow; the booking runs after local midnight (a retry).
    _, shipment = planned(madrid_store, utc("2026-01-12 22:30"), pickup_date=date(2026, 1, 13))
    assert shipment.pickup_date == date(2026, 1, 13)
    shipment_book(shipment_id=shipment.id, now=utc("2026-01-12 23:05"))
    assert fake_carriers.gateways["rapido"].calls[-1].pickup_date is None


class WindowCarrier:
    """Books a pickup in a window given in UTC, as some carriers' APIs answer."""

    def __init__(self, start: str, end: str) -> None:
        self.start, self.end = utc(start), utc(end)
        self.calls: list[BookingRequest] = []

    def __call__(self, account: CarrierAccount) -> WindowCarrier:
        return self

    def book(self, request: BookingRequest) -> Booking:
        self.calls.append(request)
        return Booking(
            carrier="rapido",
            booking_id="bk-1",
            tracking_number="RAP1",
            label_pdf=b"%PDF-1.4 label",
            pickup_window_start=self.start,
            pickup_window_end=self.end,
        )


@pytest.mark.parametrize(
    ("start", "end", "day", "window"),
    [
        # 08:00-13:00 UTC in winter is 09:00-14:00 in Madrid.
        ("2026-01-14 08:00", "2026-01-14 13:00", date(2026, 1, 14), "09:00–14:00"),
        # 07:00-12:00 UTC in summer is 09:00-14:00 in Madrid.
        ("2026-07-15 07:00", "2026-07-15 12:00", date(2026, 7, 15), "09:00–14:00"),
        # A window opening at 23:30 UTC opens on the next day in Madrid.
        ("2026-01-13 23:30", "2026-01-14 04:00", date(2026, 1, 14), "00:30–05:00"),
        # Across the October change: 00:30 UTC is 02:30 CEST, 02:00 UTC is 03:00 CET.
        ("2026-10-25 00:30", "2026-10-25 02:00", date(2026, 10, 25), "02:30–03:00"),
    ],
)
def test_the_carriers_window_gives_the_day_and_the_hours_in_the_stores_zone(
    madrid_store, carriers, start, end, day, window
):
    _, shipment = planned(madrid_store, utc("2026-01-12 23:30"))
    carrier = WindowCarrier(start, end)
    with gateways_overridden(carrier):
        outcome = shipment_book(shipment_id=shipment.id, now=utc("2026-01-12 23:31"))
    assert outcome.state == "booked"
    shipment.refresh_from_db()
    assert shipment.pickup_date == day
    assert outcome.pickup_date == day
    assert outcome.pickup_window == window


def test_capacity_counts_the_pickups_of_the_stores_today(madrid_store, carriers, fake_carriers):
    # Rápido collects one parcel a day and has one on Tuesday 13 January already.
    CarrierAccount.objects.filter(code="rapido").update(daily_pickup_capacity=1)
    _, first = planned(madrid_store, utc("2026-01-12 12:00"), pickup_date=date(2026, 1, 13))
    assert first.candidates[0] == "rapido"
    assert first.pickup_date == date(2026, 1, 13)
    # Monday 22:30 UTC is still Monday in Madrid: Tuesday's pickups are not today's.
    _, monday = planned(madrid_store, utc("2026-01-12 22:30"))
    assert monday.candidates[0] == "rapido"
    # 23:30 UTC is Tuesday in Madrid: Rápido's day is full.
    _, tuesday = planned(madrid_store, utc("2026-01-12 23:30"))
    assert "rapido" not in tuesday.candidates
    verdicts = {v["carrier"]: v["code"] for v in tuesday.allocation["verdicts"]}
    assert verdicts["rapido"] == "capacity_full"


@pytest.mark.parametrize(
    ("moment", "accepted", "refused"),
    [
        # Monday 23:30 in Madrid: Tuesday is tomorrow.
        ("2026-01-12 22:30", date(2026, 1, 13), date(2026, 1, 12)),
        # Tuesday 00:30 in Madrid (UTC still says Monday): Tuesday is today.
        ("2026-01-12 23:30", date(2026, 1, 14), date(2026, 1, 13)),
        # The March change: Monday 00:30 CEST while UTC says Sunday.
        ("2026-03-29 22:30", date(2026, 3, 31), date(2026, 3, 30)),
        # The October change: Sunday 23:30 CET (it would be Monday at the summer offset).
        ("2026-10-25 22:30", date(2026, 10, 26), date(2026, 10, 25)),
    ],
)
def test_a_new_pickup_date_after_a_failed_booking_is_from_the_stores_tomorrow(
    madrid_store, carriers, moment, accepted, refused
):
    rejecting = FakeCarriers()
    for code in carriers:
        rejecting.script(code, "reject")
    returned, shipment = planned(madrid_store, utc(moment))
    with gateways_overridden(rejecting):
        assert shipment_book(shipment_id=shipment.id, now=utc(moment)).state == "failed"

    with pytest.raises(Unprocessable) as refusal:
        pickup_recovery_apply(
            store=madrid_store,
            rma=returned.rma,
            choice=RecoveryChoice(action="reschedule", pickup_date=refused),
            actor=SYSTEM,
            now=utc(moment),
        )
    assert refusal.value.code == "invalid_pickup_date"
    pickup_recovery_apply(
        store=madrid_store,
        rma=returned.rma,
        choice=RecoveryChoice(action="reschedule", pickup_date=accepted),
        actor=SYSTEM,
        now=utc(moment),
    )
    rebooked = Shipment.objects.get(return_id=returned.id, booking_state=BookingState.PENDING)
    assert rebooked.pickup_date == accepted


def test_an_old_shipment_without_the_chosen_flag_still_asks_for_its_date(
    madrid_store, carriers, fake_carriers
):
    _, shipment = planned(madrid_store, utc("2026-01-12 10:00"))
    parcel = dict(shipment.parcel)
    del parcel["pickup_date_chosen"]
    Shipment.objects.filter(id=shipment.id).update(parcel=parcel)
    shipment_book(shipment_id=shipment.id, now=utc("2026-01-12 10:00"))
    assert fake_carriers.gateways["rapido"].calls[-1].pickup_date == date(2026, 1, 13)


def test_a_drop_off_has_no_pickup_day(madrid_store, carriers, fake_carriers):
    returned = approved_return_before_jobs(madrid_store, method="drop_off")
    with command():
        shipment = shipment_plan_for_return(returned, now=utc("2026-01-12 23:30"))
    assert shipment is not None
    assert shipment.pickup_date is None
    shipment_book(shipment_id=shipment.id, now=utc("2026-01-12 23:30"))
    request = fake_carriers.gateways[shipment.candidates[0]].calls[-1]
    assert request.method == "drop_off"
    assert request.pickup_date is None
