"""A return whose booking no carrier took (every one refused or stayed down, or none can take the
parcel at all) reaches the failed-pickup desk at once, with why and with the desk's actions, and
the shopper sees it on the tracking and recovery pages. The desk is in the menu of the roles
that act on it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from retorno.accounts.models import Membership
from retorno.logistics.models import (
    BookingState,
    PickupRecovery,
    RecoveryState,
    Shipment,
)
from retorno.logistics.tests.factories import approved_return
from retorno.logistics.tests.test_booking import deliver_bookings
from retorno.returns import events
from retorno.returns.models import Return, ReturnEvent

pytestmark = pytest.mark.django_db

IRELAND = {"line1": "1 Grafton St", "city": "Dublin", "postal_code": "D02 X285", "country": "IE"}


def staff_client(store, role: str) -> Client:
    user = get_user_model().objects.create_user(username=f"{role}-user", password="x")
    Membership.objects.create(user=user, store=store, role=role)
    client = Client()
    client.force_login(user)
    return client


def kinds(returned: Return) -> list[str]:
    return list(
        ReturnEvent.objects.filter(return_request=returned)
        .order_by("id")
        .values_list("kind", flat=True)
    )


def refused_everywhere(store, fake_carriers, *, method: str = "pickup") -> Return:
    for code in ("rapido", "norte", "eco"):
        fake_carriers.script(code, "reject")
    returned = approved_return(store, method=method)
    deliver_bookings()
    return returned


def test_a_booking_every_carrier_refused_is_at_the_desk_with_why(store, carriers, fake_carriers):
    returned = refused_everywhere(store, fake_carriers)
    shipment = Shipment.objects.get(return_id=returned.id)
    assert shipment.booking_state == BookingState.FAILED
    case = PickupRecovery.objects.get(return_id=returned.id)
    assert (case.state, case.reason, case.shipment_id) == (
        RecoveryState.AT_DESK,
        "booking_failed",
        shipment.id,
    )
    page = staff_client(store, "agent").get("/staff/pickups", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert returned.rma in text
    assert "No carrier could book it" in text
    for code, name in (("rapido", "Rápido"), ("norte", "Norte"), ("eco", "Eco")):
        assert f"{name}: refused the booking ({code}: not_serviceable) (1 try)" in text
    assert 'value="retry"' in text
    assert 'value="label"' in text
    assert 'value="drop_off"' in text
    spanish = staff_client(store, "admin").get("/staff/pickups", HTTP_ACCEPT_LANGUAGE="es")
    assert "Ningún transportista pudo reservarla" in spanish.content.decode()
    assert "rechazó la reserva" in spanish.content.decode()


def test_carriers_that_stayed_down_are_counted_per_carrier(store, carriers, fake_carriers):
    for code in ("rapido", "norte", "eco"):
        fake_carriers.script(code, "down", "down", "down")
    returned = approved_return(store)
    for minutes in (0, 1, 3, 5, 8, 12, 20, 30, 45):
        deliver_bookings(later=timedelta(minutes=minutes))
    assert Shipment.objects.get(return_id=returned.id).booking_state == BookingState.FAILED
    text = staff_client(store, "agent").get("/staff/pickups", HTTP_ACCEPT_LANGUAGE="en")
    assert "Rápido: did not answer" in text.content.decode()
    assert "(3 tries)" in text.content.decode()


def test_no_carrier_for_the_address_is_at_the_desk_with_each_carriers_verdict(
    store, carriers, fake_carriers
):
    returned = approved_return(store, shipping_address=IRELAND)
    assert "carrier_not_found" in kinds(returned)
    case = PickupRecovery.objects.get(return_id=returned.id)
    assert (case.state, case.reason, case.carrier_account) == (
        RecoveryState.AT_DESK,
        "no_carrier",
        None,
    )
    text = staff_client(store, "agent").get("/staff/pickups", HTTP_ACCEPT_LANGUAGE="en")
    body = text.content.decode()
    assert "No carrier can take it" in body
    assert "Rápido: does not serve this address" in body
    # Filtered by reason, as the desk filters failed pickups.
    assert (
        returned.rma
        in staff_client(store, "admin").get("/staff/pickups?reason=no_carrier").content.decode()
    )
    assert returned.rma not in Client().get("/staff/pickups?reason=booking_failed").content.decode()


def test_a_replayed_event_opens_no_second_case(store, carriers, fake_carriers):
    returned = refused_everywhere(store, fake_carriers)
    failed = ReturnEvent.objects.get(return_request=returned, kind="booking_failed")
    events.event_handle(returned, failed)
    assert PickupRecovery.objects.filter(return_id=returned.id).count() == 1


@pytest.mark.parametrize(
    ("method", "action", "new_method", "kind", "case_state"),
    [
        ("self_ship", "retry", "self_ship", "booking_retried", "rebooked"),
        ("pickup", "retry", "pickup", "pickup_rebooked", "rebooked"),
        ("self_ship", "reschedule", "pickup", "switched_to_pickup", "rebooked"),
        ("pickup", "drop_off", "drop_off", "switched_to_drop_off", "drop_off"),
        ("pickup", "label", "self_ship", "switched_to_label", "label"),
    ],
)
def test_the_desk_retries_or_switches_the_method_and_books_at_once(
    store, carriers, fake_carriers, method, action, new_method, kind, case_state
):
    returned = refused_everywhere(store, fake_carriers, method=method)
    day = (timezone.now() + timedelta(days=4)).date().isoformat()
    agent = staff_client(store, "agent")
    response = agent.post(
        f"/staff/pickups/{returned.rma}",
        {"action": action, "pickup_date": day if action == "reschedule" else ""},
    )
    assert response.status_code == 302
    returned.refresh_from_db()
    assert returned.method == new_method
    assert returned.status == "approved"
    assert PickupRecovery.objects.get(return_id=returned.id).state == case_state
    assert kinds(returned)[-2:] == [kind, "carrier_allocated"]
    deliver_bookings()  # the carriers answer this time
    booked = Shipment.objects.get(return_id=returned.id, booking_state=BookingState.BOOKED)
    assert booked.method == new_method
    assert booked.attempt_number == 2
    assert "label_ready" in kinds(returned)
    assert (
        f'action="/staff/pickups/{returned.rma}"'
        not in agent.get("/staff/pickups").content.decode()
    )


def test_the_desk_cancels(store, carriers, fake_carriers):
    returned = refused_everywhere(store, fake_carriers)
    staff_client(store, "agent").post(f"/staff/pickups/{returned.rma}", {"action": "cancel"})
    returned.refresh_from_db()
    assert returned.status == "cancelled"
    assert PickupRecovery.objects.get(return_id=returned.id).state == RecoveryState.CANCELLED


@pytest.mark.parametrize(
    ("role", "in_menu", "acts"),
    [
        ("admin", True, True),
        ("agent", True, True),
        ("warehouse", False, False),
        ("finance", False, False),
        ("analyst", False, False),
    ],
)
def test_the_desk_is_in_the_menu_of_the_roles_that_act_on_it(
    store, carriers, fake_carriers, role, in_menu, acts
):
    returned = refused_everywhere(store, fake_carriers)
    client = staff_client(store, role)
    home = client.get("/staff/", follow=True).content.decode()
    assert (f'href="{reverse("backoffice:pickups_desk")}"' in home) is in_menu
    desk = client.get("/staff/pickups").content.decode()
    assert (f'action="/staff/pickups/{returned.rma}"' in desk) is acts


def test_the_shopper_sees_it_on_the_tracking_page_not_a_label_to_come(
    store, carriers, fake_carriers
):
    returned = refused_everywhere(store, fake_carriers, method="self_ship")
    for language, words in (
        ("en", "We couldn't book a carrier for your return yet."),
        ("es", "Aún no hemos podido reservar un transportista para tu devolución."),
    ):
        page = Client().get(f"/r/{returned.tracking_token}", HTTP_ACCEPT_LANGUAGE=language)
        text = page.content.decode()
        assert words in text
        assert f'href="/r/{returned.tracking_token}/recovery"' in text
        assert "shortly" not in text


def test_the_recovery_page_explains_a_failed_booking_and_books_the_choice(
    store, carriers, fake_carriers
):
    returned = refused_everywhere(store, fake_carriers)
    page = Client().get(f"/r/{returned.tracking_token}/recovery", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "We couldn't book a carrier for your return" in text
    assert "None" not in text  # no carrier name for a booking nobody took
    choices = [v for v, _l in page.context["form"].fields["action"].choices]
    assert choices == ["reschedule", "update_address", "drop_off", "label", "cancel"]
    posted = Client().post(f"/r/{returned.tracking_token}/recovery", {"action": "drop_off"})
    assert posted.status_code == 302
    returned.refresh_from_db()
    assert returned.method == "drop_off"
    assert PickupRecovery.objects.get(return_id=returned.id).state == (
        RecoveryState.SWITCHED_TO_DROP_OFF
    )


def test_the_recovery_page_offers_only_what_a_carrier_takes_and_checks_a_new_address(
    store, carriers, fake_carriers
):
    from retorno.logistics.models import CarrierAccount

    # Only Eco takes drop-offs; nobody sells labels.
    CarrierAccount.objects.filter(code__in=["rapido", "norte"]).update(capabilities=["pickup"])
    CarrierAccount.objects.filter(code="eco").update(capabilities=["drop_off"])
    returned = refused_everywhere(store, fake_carriers)
    page = Client().get(f"/r/{returned.tracking_token}/recovery")
    choices = [v for v, _l in page.context["form"].fields["action"].choices]
    assert choices == ["reschedule", "update_address", "drop_off", "cancel"]
    posted = Client().post(
        f"/r/{returned.tracking_token}/recovery",
        {
            "action": "update_address",
            "pickup_date": page.context["form"].fields["pickup_date"].choices[1][0],
            **IRELAND,
            "name": "Ana",
        },
    )
    assert posted.status_code == 422
    assert "No carrier collects at this address" in str(posted.context["form"].errors)
    returned.refresh_from_db()
    assert returned.pickup_address.get("country") != "IE"
