"""Shoppers read their return's steps in words, never a code, and never an internal failure: a
carrier that did not answer or refused, a booking tried again, are for staff; the tracking page
says in plain words that no carrier is booked yet instead."""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from retorno.core import labels
from retorno.logistics.gateways import gateways_overridden
from retorno.logistics.tests.factories import FakeCarriers, approved_return, make_carriers
from retorno.logistics.tests.test_booking import deliver_bookings
from retorno.returns.models import Return, ReturnEvent
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db

INTERNAL = (
    "carrier_allocated",
    "carrier_unavailable",
    "carrier_rejected",
    "carrier_not_found",
    "booking_failed",
    "booking_retried",
)


@pytest.fixture
def fake_carriers() -> Iterator[FakeCarriers]:
    carriers = FakeCarriers()
    with gateways_overridden(carriers):
        yield carriers


def _failed_booking(store: Store, carriers: FakeCarriers) -> Return:
    """Every carrier refused the booking; one had not answered before, and an earlier try
    found no carrier: the trail holds each failure as staff read it."""
    make_carriers(store)
    for code in ("rapido", "norte", "eco"):
        carriers.script(code, "reject")
    made = approved_return(store, method="drop_off")
    deliver_bookings()
    for kind in ("carrier_unavailable", "carrier_not_found", "booking_retried"):
        ReturnEvent.objects.create(
            store=store,
            return_request=made,
            kind=kind,
            actor_kind="system",
            data={"carrier": "rapido"},
            created_at=timezone.now(),
        )
    return made


def test_the_tracking_page_shows_no_internal_failure(
    client: Client, store: Store, fake_carriers: FakeCarriers
) -> None:
    made = _failed_booking(store, fake_carriers)
    kinds = set(ReturnEvent.objects.filter(return_request=made).values_list("kind", flat=True))
    assert {"carrier_rejected", "booking_failed"} <= kinds
    for language in ("en", "es"):
        response = client.get(
            reverse("portal:tracking", args=[made.tracking_token]), HTTP_ACCEPT_LANGUAGE=language
        )
        body = html.unescape(response.content.decode())
        titles = [entry.title for entry in response.context["timeline"]]
        with_staff_words = []
        for kind in INTERNAL:
            with_staff_words += [kind, kind.replace("_", " "), kind.replace("_", " ").capitalize()]
        with translation.override(language):
            with_staff_words += [labels.label("event", kind) for kind in INTERNAL]
        assert [word for word in with_staff_words if word in body] == [], language
        with translation.override(language):
            shopper_titles = {str(text) for text in labels.SHOPPER_EVENT.values()}
        assert titles
        assert set(titles) <= shopper_titles
        assert response.context["next"].step == "booking_failed"
    translation.activate("en")  # the pages left the last language active in this thread
