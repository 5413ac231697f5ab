"""A booking no carrier took is told to the shopper, in their language, with the way to go on,
instead of leaving them waiting for a label; read as it arrives at a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from retorno.logistics.gateways import gateways_overridden
from retorno.logistics.models import BookingState, Shipment
from retorno.logistics.tests.factories import FakeCarriers, make_carriers
from retorno.notifications.models import Message, NotificationSettings
from retorno.notifications.tests.test_delivery import create_return, order_for
from retorno.returns.selectors.links import recovery_url
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db(transaction=True)

IRELAND = {"line1": "1 Grafton St", "city": "Dublin", "postal_code": "D02 X285", "country": "IE"}


@pytest.fixture
def shop(store: Store) -> Store:
    store.name = "Tienda Sol"
    store.save()
    make_carriers(store)
    return store


@pytest.fixture
def refusing(shop: Store) -> Iterator[FakeCarriers]:
    """Every carrier turns the booking down."""
    carriers = FakeCarriers()
    for code in ("rapido", "norte", "eco"):
        carriers.script(code, "reject")
    with gateways_overridden(carriers):
        yield carriers


def test_a_spanish_shopper_is_told_no_carrier_could_book_the_pickup(
    smtp_server, shop, refusing, texts
):
    NotificationSettings.objects.create(store=shop, sms_enabled=True)
    created = create_return(shop, order_for(shop, language="es", phone="+34600000010"))
    assert Shipment.objects.get(return_id=created.id).booking_state == BookingState.FAILED
    rma, link = created.rma, recovery_url(created)
    assert [mail.subject for mail in smtp_server.arrivals] == [
        f"Tu devolución {rma} está aprobada",
        f"No hemos podido reservar un transportista para tu devolución {rma}",
    ]
    mail = smtp_server.arrivals[-1]
    for part in (mail.text, mail.html):
        assert "Intentamos reservar la recogida de tu devolución" in part
        assert "ninguno de nuestros transportistas pudo aceptarla" in part
        assert "Por ahora no tienes que hacer nada" in part
        assert "Ver tus opciones" in part
        assert link in part
    assert "carrier" not in mail.text.lower()
    assert texts[-1]["text"] == (
        f"Tienda Sol: Aún no hemos podido reservar un transportista para tu devolución {rma}. "
        f"Nuestro equipo se pondrá en contacto contigo; tus opciones: {link}"
    )


def test_an_english_shopper_is_told_when_no_carrier_serves_the_address(smtp_server, shop):
    with gateways_overridden(FakeCarriers()):
        created = create_return(
            shop, order_for(shop, language="en", shipping_address=IRELAND), method="self_ship"
        )
    assert Shipment.objects.get(return_id=created.id).booking_state == BookingState.NO_CARRIER
    mail = smtp_server.arrivals[-1]
    assert mail.subject == f"We couldn't book a carrier for your return {created.rma}"
    for part in (mail.text, mail.html):
        assert "We tried to get a return label for your return" in part
        assert "Our returns team has been told" in part
        assert recovery_url(created) in part
    assert "shortly" not in mail.text.split("We couldn't book", 1)[-1]


def test_told_once_per_failed_booking(smtp_server, shop, refusing):
    created = create_return(shop, order_for(shop, language="en"))
    told = Message.objects.filter(return_id=created.id, kind="booking_failed", channel="email")
    assert told.count() == 1
