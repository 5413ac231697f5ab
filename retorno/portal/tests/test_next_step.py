"""The confirmation and tracking pages say what happens next for the return's actual state, in
Spanish and in English; the tracking page shows the parcel's codes (drop-off QR, carrier link)."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.urls import reverse

from retorno.core.actors import SYSTEM
from retorno.domain.policies import default_policy_document
from retorno.logistics.gateways import gateways_overridden
from retorno.logistics.tests.factories import (
    FakeCarriers,
    approved_return,
    approved_return_before_jobs,
    make_carriers,
)
from retorno.logistics.tests.test_booking import deliver_bookings
from retorno.orders.tests.factories import make_order
from retorno.policies.services import policy_publish
from retorno.returns import services
from retorno.returns.models import Return
from retorno.returns.services import ItemRequest
from retorno.returns.workflows.receiving import return_receive
from retorno.returns.workflows.resolving import return_resolve
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_carriers() -> Iterator[FakeCarriers]:
    carriers = FakeCarriers()
    with gateways_overridden(carriers):
        yield carriers


def _publish(store: Store, **base: object) -> None:
    document = default_policy_document()
    document["base"].update(base)
    policy_publish(store=store, document=document, actor=SYSTEM)


def _requested(store: Store, method: str = "pickup") -> Return:
    order = make_order(store)
    return services.return_create(
        store=store,
        order_external_id=order.external_id,
        items=[ItemRequest(line=order.lines.get().external_id, quantity=1, reason="changed_mind")],
        resolution="refund",
        method=method,
        actor=SYSTEM,
    )


def in_review(store: Store, carriers: FakeCarriers) -> Return:
    _publish(store, always_review=True)
    return _requested(store)


def rejected(store: Store, carriers: FakeCarriers) -> Return:
    held = in_review(store, carriers)
    return services.return_reject(
        store=store, rma=held.rma, actor=SYSTEM, note="The item was worn."
    )


def cancelled(store: Store, carriers: FakeCarriers) -> Return:
    made = _requested(store)
    return services.return_cancel(store=store, rma=made.rma, actor=SYSTEM)


def kept(store: Store, carriers: FakeCarriers) -> Return:
    _publish(store, keep_item=True, return_shipping_cost="30.00")
    return _requested(store)


def pickup_pending(store: Store, carriers: FakeCarriers) -> Return:
    return approved_return_before_jobs(store, method="pickup")  # no carrier booked it yet


def _booked(method: str) -> Callable[[Store, FakeCarriers], Return]:
    def build(store: Store, carriers: FakeCarriers) -> Return:
        make_carriers(store)
        made = approved_return(store, method=method)
        deliver_bookings()
        return made

    return build


def booking_failed(store: Store, carriers: FakeCarriers) -> Return:
    make_carriers(store)
    for code in ("rapido", "norte", "eco"):
        carriers.script(code, "reject")
    made = approved_return(store, method="drop_off")
    deliver_bookings()
    return made


def on_its_way(store: Store, carriers: FakeCarriers) -> Return:
    made = approved_return_before_jobs(store, method="self_ship")
    return services.return_mark_in_transit(store=store, rma=made.rma, actor=SYSTEM)


def received(store: Store, carriers: FakeCarriers) -> Return:
    made = approved_return_before_jobs(store, method="self_ship")
    line = made.items.get().order_line.external_id
    return return_receive(store=store, rma=made.rma, quantities={line: 1}, actor=SYSTEM)


def completed(store: Store, carriers: FakeCarriers) -> Return:
    made = received(store, carriers)
    return return_resolve(store=store, rma=made.rma, actor=SYSTEM)


STATES = [
    (in_review, "in_review", "Our team is checking your return", "Nuestro equipo está revisando"),
    (rejected, "rejected", "We could not accept your return", "No hemos podido aceptar"),
    (cancelled, "cancelled", "This return is cancelled", "Esta devolución está cancelada"),
    (kept, "keep", "Keep the items: nothing to send back", "Quédate los artículos"),
    (pickup_pending, "pickup_pending", "We are booking the carrier pickup", "reservando la"),
    (_booked("pickup"), "pickup_booked", "Your pickup is booked", "Tu recogida está reservada"),
    (_booked("self_ship"), "label_ready", "Your return label is ready", "Tu etiqueta de"),
    (_booked("drop_off"), "drop_off_ready", "Your drop-off code is ready", "Tu código de entrega"),
    (
        booking_failed,
        "booking_failed",
        "We couldn't book a carrier for your return yet.",
        "Aún no hemos podido reservar un transportista",
    ),
    (on_its_way, "on_its_way", "Your parcel is on its way to us", "Tu paquete viene de camino"),
    (received, "received", "Your parcel has arrived", "Tu paquete ha llegado"),
    (completed, "completed", "Your return is complete", "Tu devolución está completada"),
]


@pytest.mark.parametrize(
    ("build", "step", "english", "spanish"), STATES, ids=[s[1] for s in STATES]
)
def test_the_confirmation_and_tracking_pages_say_what_happens_next(
    client: Client,
    store: Store,
    fake_carriers: FakeCarriers,
    build: Callable[[Store, FakeCarriers], Return],
    step: str,
    english: str,
    spanish: str,
) -> None:
    returned = Return.objects.get(id=build(store, fake_carriers).id)
    pages = {
        "done": reverse("portal:done", args=[store.slug, returned.tracking_token]),
        "tracking": reverse("portal:tracking", args=[returned.tracking_token]),
    }
    for name, url in pages.items():
        for language, text in (("en", english), ("es", spanish)):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, (name, language)
            assert response.context["next"].step == step, (name, language)
            body = html.unescape(response.content.decode())
            assert text in body, (name, language)
            if step != "on_its_way":
                assert "on its way to us" not in body
                assert "viene de camino" not in body
            if name == "done":  # bad news is not dressed as a success
                assert ('class="card success"' in body) is (step not in BAD_NEWS), language


BAD_NEWS = {"rejected", "cancelled", "booking_failed"}


def test_a_return_in_review_is_not_said_to_be_on_its_way(client: Client, store: Store) -> None:
    _publish(store, always_review=True)
    held = _requested(store)
    done = client.get(
        reverse("portal:done", args=[store.slug, held.tracking_token]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Being checked by our team" in done  # the status
    assert "Your return is on its way" not in done
    assert "Do not send anything yet." in done


def test_the_rejection_note_is_shown(
    client: Client, store: Store, fake_carriers: FakeCarriers
) -> None:
    returned = rejected(store, fake_carriers)
    body = client.get(reverse("portal:tracking", args=[returned.tracking_token])).content.decode()
    assert "The item was worn." in body


def test_the_drop_off_code_is_shown_with_its_qr_code_and_the_carrier_link(
    client: Client, store: Store, fake_carriers: FakeCarriers
) -> None:
    returned = _booked("drop_off")(store, fake_carriers)
    response = client.get(
        reverse("portal:tracking", args=[returned.tracking_token]), HTTP_ACCEPT_LANGUAGE="es"
    )
    parcel = response.context["parcel"]
    assert parcel.drop_off_code.startswith("DO-")
    body = response.content.decode()
    assert f'<p class="code" id="drop-off-code">{parcel.drop_off_code}</p>' in body
    assert '<svg role="img" viewBox=' in body
    assert "<title>Código de entrega</title>" in body
    assert "<script" not in body
    assert f'<span id="tracking-number">{parcel.tracking_number}</span>' in body
    assert (
        f'href="https://track.example.com/{parcel.tracking_number[:-8].lower()}/'
        f'{parcel.tracking_number}"' in body
    )
    assert "Síguelo en la web del transportista" in body


def test_the_qr_code_holds_the_drop_off_code(
    client: Client, store: Store, fake_carriers: FakeCarriers
) -> None:
    import segno

    returned = _booked("drop_off")(store, fake_carriers)
    response = client.get(reverse("portal:tracking", args=[returned.tracking_token]))
    code = response.context["parcel"].drop_off_code
    expected = segno.make(code, error="m", micro=False)
    assert expected.svg_inline(scale=4, border=2, omitsize=True).split('d="')[1] in str(
        response.context["drop_off_qr"]
    )


def test_a_carrier_link_that_is_not_a_web_address_is_not_a_link(
    client: Client, store: Store, fake_carriers: FakeCarriers
) -> None:
    from retorno.logistics.models import Shipment

    returned = _booked("self_ship")(store, fake_carriers)
    Shipment.objects.filter(return_id=returned.id).update(
        carrier_tracking_url="javascript:alert(1)"
    )
    response = client.get(reverse("portal:tracking", args=[returned.tracking_token]))
    body = response.content.decode()
    assert response.context["parcel"].tracking_number in body
    assert "javascript:" not in body
    assert 'id="carrier-link"' not in body


def _by(method: str, then: str) -> Callable[[Store, FakeCarriers], Return]:
    """A return by `method` held for review, then left there, rejected or cancelled."""

    def build(store: Store, carriers: FakeCarriers) -> Return:
        _publish(store, always_review=True)
        held = _requested(store, method=method)
        if then == "rejected":
            return services.return_reject(store=store, rma=held.rma, actor=SYSTEM, note="Worn.")
        if then == "cancelled":
            return services.return_cancel(store=store, rma=held.rma, actor=SYSTEM)
        return held

    return build


SEND_NOW = {
    "self_ship": ("Send the parcel to:", "Envía el paquete a:"),
    "drop_off": (
        "Take the parcel to a collection point and show your return number.",
        "Lleva el paquete a un punto de recogida",
    ),
}


@pytest.mark.parametrize("method", list(SEND_NOW))
@pytest.mark.parametrize("then", ["in_review", "rejected", "cancelled"])
def test_the_parcel_card_tells_to_send_only_while_the_parcel_is_to_leave(
    client: Client, store: Store, fake_carriers: FakeCarriers, then: str, method: str
) -> None:
    """A return in review (or rejected, or cancelled) is told not to send anything: the parcel
    card does not say where to send it; once approved, it does."""
    store.return_address = {"line1": "Nave 14", "city": "Getafe", "postal_code": "28906"}
    store.save(update_fields=["return_address"])
    returned = _by(method, then)(store, fake_carriers)
    for language, text in zip(("en", "es"), SEND_NOW[method], strict=True):
        body = html.unescape(
            client.get(
                reverse("portal:tracking", args=[returned.tracking_token]),
                HTTP_ACCEPT_LANGUAGE=language,
            ).content.decode()
        )
        assert text not in body, language
        assert "Nave 14" not in body, language
        # Refused or cancelled: no parcel card at all; in review: how to send it comes later.
        assert ('id="parcel"' in body) is (then == "in_review"), language
        if then == "in_review":
            assert LATER[language] in body, language


LATER = {
    "en": "We will tell you how to send it once your return is approved.",
    "es": "Te diremos cómo enviarlo en cuanto se apruebe tu devolución.",
}


@pytest.mark.parametrize("method", list(SEND_NOW))
def test_an_approved_return_is_told_where_to_send_its_parcel(
    client: Client, store: Store, method: str
) -> None:
    store.return_address = {"line1": "Nave 14", "city": "Getafe", "postal_code": "28906"}
    store.save(update_fields=["return_address"])
    returned = approved_return_before_jobs(store, method=method)
    for language, text in zip(("en", "es"), SEND_NOW[method], strict=True):
        body = html.unescape(
            client.get(
                reverse("portal:tracking", args=[returned.tracking_token]),
                HTTP_ACCEPT_LANGUAGE=language,
            ).content.decode()
        )
        assert text in body, language
        if method == "self_ship":
            assert "Nave 14" in body, language
