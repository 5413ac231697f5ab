"""Failed pickups, told to the shopper: a carrier's scan comes in through the webhook, the return
records it, and what arrives at a real SMTP server on 127.0.0.1 (and the SMS adapter) is read.

Carriers are the in-memory fake gateways of the logistics tests; bookings and messages go
through the outbox exactly as in production (in-process, after commit).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from retorno.core.actors import SYSTEM
from retorno.logistics.gateways import gateways_overridden
from retorno.logistics.models import BookingState, LogisticsSettings, Shipment
from retorno.logistics.tests.factories import FakeCarriers, make_carriers, sign
from retorno.notifications.models import Message, NotificationSettings
from retorno.notifications.services import notify_return_event
from retorno.notifications.tests.test_delivery import create_return, order_for
from retorno.returns import events
from retorno.returns.models import Return, ReturnEvent
from retorno.returns.workflows import messages
from retorno.returns.workflows.recovery import RecoveryChoice, pickup_recovery_apply, recovery_url
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop(store: Store) -> Store:
    store.name = "Tienda Sol"
    store.logo_url = "https://cdn.example.com/sol.png"
    store.primary_colour = "#0b5d1e"
    store.support_email = "ayuda@sol.example"
    store.save()
    return store


@pytest.fixture
def fake_carriers(shop: Store) -> Iterator[FakeCarriers]:
    """The shop's three carriers, answered by in-memory gateways."""
    make_carriers(shop)
    carriers = FakeCarriers()
    with gateways_overridden(carriers):
        yield carriers


def booked_return(shop: Store, *, language: str, phone: str = "") -> tuple[Return, Shipment]:
    """An approved pickup return, booked with the carrier (its label_ready message sent)."""
    created = create_return(shop, order_for(shop, language=language, phone=phone))
    shipment = Shipment.objects.get(return_id=created.id, booking_state=BookingState.BOOKED)
    return created, shipment


def latest_shipment(return_request: Return) -> Shipment:
    shipment = (
        Shipment.objects.filter(return_id=return_request.id, booking_state=BookingState.BOOKED)
        .order_by("-attempt_number")
        .first()
    )
    assert shipment is not None
    return shipment


def carrier_says(shipment: Shipment, status: str, event_id: str, *, at: datetime | None = None):
    """The carrier's webhook, signed as the fake gateway expects."""
    account = shipment.carrier_account
    body = json.dumps(
        {
            "events": [
                {
                    "tracking_number": shipment.tracking_number,
                    "status": status,
                    "occurred_at": (at or datetime.now(UTC)).isoformat(),
                    "id": event_id,
                }
            ]
        }
    ).encode()
    response = Client().post(
        f"/api/v1/carriers/{account.webhook_code}/webhooks",
        body,
        content_type="application/json",
        headers={"X-Fake-Signature": sign(f"s3cret-{account.code}", body)},
    )
    assert response.status_code == 200, response.content
    return response


def rebook(return_request: Return) -> None:
    """The shopper picks a new date on the recovery page."""
    pickup_recovery_apply(
        store=return_request.store,
        rma=return_request.rma,
        choice=RecoveryChoice(
            action="reschedule", pickup_date=(timezone.now() + timedelta(days=3)).date()
        ),
        actor=SYSTEM,
    )


def pickup_failed_messages(return_request: Return, channel: str = "email") -> list[Message]:
    return list(
        Message.objects.filter(
            return_id=return_request.id, kind="pickup_failed", channel=channel
        ).order_by("id")
    )


# --- end to end through the carrier webhook ------------------------------------------------------


def test_failed_pickup_writes_to_a_spanish_shopper_at_once(smtp_server, shop, fake_carriers, texts):
    NotificationSettings.objects.create(store=shop, sms_enabled=True)
    created, shipment = booked_return(shop, language="es", phone="+34600000009")
    rma = created.rma
    assert [m.subject for m in smtp_server.arrivals] == [
        f"Tu devolución {rma} está aprobada",
        f"Tu recogida de la devolución {rma} está reservada",
    ]
    texts.clear()

    carrier_says(shipment, "PICKUP_FAILED_ADDRESS", "f1")

    event = ReturnEvent.objects.get(return_request=created, kind="pickup_failed")
    link = event.data["recovery_url"]
    assert link == recovery_url(created)
    assert link.endswith(f"/r/{created.tracking_token}/recovery")
    mail = smtp_server.arrivals[-1]
    assert len(smtp_server.arrivals) == 3
    assert mail.rcpt_tos == [created.customer.email]
    assert mail.subject == f"El transportista no ha podido recoger tu devolución {rma}"
    assert "Tienda Sol" in str(mail.message["From"])
    assert mail.message["Content-Language"] == "es"
    for part in (mail.text, mail.html):
        assert "El transportista no ha podido recoger tu paquete" in part
        assert "Hola, Ana:" in part
        assert "Motivo: El transportista no encontró la dirección, o estaba incompleta." in part
        assert "Revisa tu dirección y tu teléfono" in part
        assert "elige una nueva fecha de recogida" in part
        assert "Elige cómo seguir" in part
        assert link in part
        assert "Calle Mayor 1, 28013, Madrid" in part  # the address the carrier could not find
        assert shipment.tracking_number in part
        assert rma in part
    assert f'href="{link}"' in mail.html
    assert "#0b5d1e" in mail.html
    assert "https://cdn.example.com/sol.png" in mail.html
    assert "Why:" not in mail.text
    assert "carrier" not in mail.text
    [sms] = texts
    assert sms["to"] == "+34600000009"
    assert sms["text"] == (
        f"Tienda Sol: El transportista no ha podido recoger tu devolución {rma} "
        f"(dirección no encontrada). Elige otra fecha, corrige la dirección o cancela: {link}"
    )


def test_each_failure_is_its_own_message_and_a_redelivered_one_is_not(
    smtp_server, shop, fake_carriers
):
    created, shipment = booked_return(shop, language="en")

    carrier_says(shipment, "PICKUP_FAILED_NOT_HOME", "f1")
    # The carrier re-delivers the same scan (a webhook retry): stored once, told once.
    carrier_says(shipment, "PICKUP_FAILED_NOT_HOME", "f1")
    # The effects of the recorded event run again (a replay): still one message.
    first_event = ReturnEvent.objects.get(return_request=created, kind="pickup_failed")
    with transaction.atomic():
        events.event_handle(created, first_event)
    assert len(pickup_failed_messages(created)) == 1

    rebook(created)  # a new booking, a new label_ready message
    carrier_says(latest_shipment(created), "PICKUP_FAILED_NOT_READY", "f2")

    failures = pickup_failed_messages(created)
    assert len(failures) == 2
    assert len({m.event_id for m in failures}) == 2
    rma = created.rma
    subjects = [mail.subject for mail in smtp_server.arrivals]
    assert subjects == [
        f"Your return {rma} is approved",
        f"Your pickup for return {rma} is booked",
        f"The carrier couldn't collect your return {rma}",
        f"Your pickup for return {rma} is booked",
        f"The carrier couldn't collect your return {rma}",
    ]
    first, second = smtp_server.arrivals[2], smtp_server.arrivals[4]
    link = recovery_url(created)
    for part in (first.text, first.html):
        assert "Why: Nobody was at home when the carrier came." in part
        assert "Choose a day when someone can hand over the parcel" in part
        assert "Choose what to do next" in part
        assert link in part
    for part in (second.text, second.html):
        assert "Why: The parcel was not packed and ready when the carrier came." in part
        assert "Pack the items and choose a new pickup date." in part
        assert link in part
    # The second failure reaches the store's desk (2 failures by default): the shopper is told.
    assert "Our returns team has also been told" in second.text
    assert "Our returns team" not in first.text


def test_the_last_allowed_failure_cancels_with_one_message_saying_why(
    smtp_server, shop, fake_carriers, texts
):
    LogisticsSettings.objects.create(
        store=shop, failed_pickups_before_desk=1, failed_pickups_before_cancel=2
    )
    NotificationSettings.objects.create(store=shop, sms_enabled=True)
    created, shipment = booked_return(shop, language="es", phone="+34600000010")
    carrier_says(shipment, "PICKUP_FAILED_NOT_HOME", "f1")
    rebook(created)
    carrier_says(latest_shipment(created), "PICKUP_FAILED_REFUSED", "f2")

    created.refresh_from_db()
    assert created.status == "cancelled"
    cancelled = ReturnEvent.objects.get(return_request=created, kind="cancelled")
    assert "Cancelled after 2 failed pickup attempts" in cancelled.note
    rma = created.rma
    assert [mail.subject for mail in smtp_server.arrivals] == [
        f"Tu devolución {rma} está aprobada",
        f"Tu recogida de la devolución {rma} está reservada",
        f"El transportista no ha podido recoger tu devolución {rma}",
        f"Tu recogida de la devolución {rma} está reservada",
        f"Tu devolución {rma} se ha cancelado",
    ]
    last = smtp_server.arrivals[-1]
    for part in (last.text, last.html):
        assert (
            "El transportista lo ha intentado 2 veces, pero no ha podido recoger el paquete "
            f"de tu devolución {rma}, así que hemos cancelado la devolución."
        ) in part
        assert "Motivo, la última vez: No se entregó el paquete al transportista." in part
        assert "puedes iniciar una nueva devolución" in part
        assert "/recovery" not in part  # nothing left to recover
    # One cancellation per channel: the `cancelled` event that followed added nothing.
    assert Message.objects.filter(return_id=created.id, kind="cancelled").count() == 2
    assert len(pickup_failed_messages(created)) == 1
    assert texts[-1]["text"].startswith(f"Tienda Sol: Tu devolución {rma} se ha cancelado.")


# --- the message itself, from the event's data --------------------------------------------------

REASONS = {
    "customer_not_available": "Nobody was at home when the carrier came.",
    "wrong_address": "The carrier could not find the address, or it was incomplete.",
    "item_not_ready": "The parcel was not packed and ready when the carrier came.",
    "refused": "The parcel was not handed over to the carrier.",
    "not_serviceable": "The carrier cannot collect at this address.",
    "carrier_issue": "The carrier had a problem on their side and could not come.",
    "": "The carrier did not tell us why.",
}
RAZONES = {
    "customer_not_available": "No había nadie en casa cuando pasó el transportista.",
    "wrong_address": "El transportista no encontró la dirección, o estaba incompleta.",
    "item_not_ready": "El paquete no estaba embalado y listo cuando pasó el transportista.",
    "refused": "No se entregó el paquete al transportista.",
    "not_serviceable": "El transportista no puede recoger en esta dirección.",
    "carrier_issue": "El transportista tuvo un problema por su parte y no pudo pasar.",
    "": "El transportista no nos ha indicado el motivo.",
}


def failed_pickup(created: Return, event_id: int, reason: str, **data) -> list[Message]:
    link = recovery_url(created)
    return notify_return_event(
        store=created.store,
        return_snapshot=messages.return_snapshot(created),
        event_kind="pickup_failed",
        event_id=event_id,
        occurred_at=timezone.now(),
        note=f"Pickup failed ({reason or 'no reason given'}).",
        data={
            "carrier": "rapido",
            "tracking_number": "RAPIDO00000042",
            "reason": reason,
            "failures": 1,
            "step": "outreach",
            "recovery_url": link,
            "shipment_id": 1,
            **data,
        },
    )


@pytest.mark.parametrize("reason", list(REASONS))
def test_every_reason_in_plain_words_in_both_languages(smtp_server, shop, reason):
    english = create_return(shop, order_for(shop, language="en"))
    spanish = create_return(shop, order_for(shop, language="es"))
    failed_pickup(english, 101, reason)
    failed_pickup(spanish, 102, reason)

    en_mail, es_mail = smtp_server.arrivals[-2:]
    assert en_mail.subject == f"The carrier couldn't collect your return {english.rma}"
    assert es_mail.subject == f"El transportista no ha podido recoger tu devolución {spanish.rma}"
    for mail, created, text in ((en_mail, english, REASONS), (es_mail, spanish, RAZONES)):
        for part in (mail.text, mail.html):
            assert text[reason] in part
            assert recovery_url(created) in part
            assert "RAPIDO00000042" in part
            if reason:
                assert reason not in part  # never the raw code


def test_same_event_twice_sends_once_two_events_send_twice(smtp_server, shop):
    created = create_return(shop, order_for(shop, language="en"))
    before = len(smtp_server.arrivals)
    with transaction.atomic():
        assert len(failed_pickup(created, 501, "refused")) == 1
        assert failed_pickup(created, 501, "refused") == []
    assert len(failed_pickup(created, 502, "carrier_issue")) == 1
    assert len(smtp_server.arrivals) == before + 2
    assert "It was not your fault." in smtp_server.arrivals[-1].text


def test_a_store_can_mute_failed_pickup_texts_but_not_lose_the_email(smtp_server, shop, texts):
    NotificationSettings.objects.create(
        store=shop, sms_enabled=True, muted_kinds={"sms": ["pickup_failed"]}
    )
    created = create_return(shop, order_for(shop, language="en", phone="+34600000011"))
    texts.clear()
    failed_pickup(created, 601, "wrong_address")
    assert texts == []
    assert smtp_server.arrivals[-1].subject.startswith("The carrier couldn't collect")
