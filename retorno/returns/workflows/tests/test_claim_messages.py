"""Claim e-mails: opened (number, items, what happens next), resolved (the refund's amount, the
replacement) and rejected (why), in the shopper's language, once each; and a claim refused for
units already claimed writes nothing and sends nothing."""

from __future__ import annotations

import pytest

from retorno.core.errors import Unprocessable
from retorno.money.models import Claim, ClaimLine
from retorno.money.tests.conftest import (
    AGENT,
    order_with,
    variant_pair,
)
from retorno.notifications.models import Message, NotificationSettings
from retorno.notifications.services import notify_claim_event
from retorno.orders.models import Customer
from retorno.returns.workflows import claims

pytestmark = pytest.mark.django_db(transaction=True)
NBSP = "\u00a0"


def shopper_speaks(order, language: str) -> None:
    Customer.objects.filter(id=order.customer_id).update(language=language)


def open_claim(store, order, units: int = 1, reason: str = "damaged_in_transit") -> Claim:
    return claims.claim_open(
        store=store,
        order_external_id=order.external_id,
        reason=reason,
        lines={order.lines.get().external_id: units},
        actor=AGENT,
    )


def messages(kind: str) -> list[Message]:
    return list(Message.objects.filter(kind=kind).order_by("id"))


def test_opened_claim_is_confirmed_in_spanish(smtp_server, store, provider):
    order = order_with(store, quantity=2, unit_price="20.00")
    shopper_speaks(order, "es")
    claim = open_claim(store, order)

    [message] = messages("claim_opened")
    assert (message.language, message.status, message.claim_number) == ("es", "sent", claim.number)
    assert message.return_id is None
    assert message.rma == ""
    [mail] = smtp_server.arrivals
    assert mail.rcpt_tos == [order.customer.email]
    assert mail.subject == f"Hemos recibido tu reclamación {claim.number}"
    assert mail.message["X-Retorno-Claim"] == claim.number
    for part in (mail.text, mail.html):
        assert claim.number in part
        assert order.number in part
        assert "El artículo llegó dañado" in part
        assert f"20,00{NBSP}€" in part  # the claimed unit's paid value
        assert "No tienes que devolver nada" in part
        assert "Seguir mi devolución" not in part  # a claim has no tracking page


def test_resolved_by_refund_and_replacement_says_what_the_shopper_gets(
    smtp_server, store, provider
):
    old, _new = variant_pair(store, stock=4)
    old.stock = 3
    old.save()
    order = order_with(store, quantity=2, unit_price="20.00", variant=old)
    claim = open_claim(store, order)
    claims.claim_resolve(store=store, number=claim.number, resolution="both", actor=AGENT)

    [message] = messages("claim_resolved")
    assert message.subject == f"Your claim {claim.number} is resolved"
    assert "A refund of €20.00 to your original payment method is on its way." in message.body_text
    assert "We're sending you a replacement" in message.body_text
    replacement = claim.exchanges.get()
    assert replacement.number in message.body_text
    assert len(smtp_server.arrivals) == 2


def test_a_typed_amount_is_what_the_message_says(smtp_server, store, provider):
    order = order_with(store, quantity=2, unit_price="20.00")
    claim = open_claim(store, order, units=2)
    claims.claim_resolve(
        store=store, number=claim.number, resolution="refund", amount="12.50", actor=AGENT
    )
    [message] = messages("claim_resolved")
    assert "€12.50" in message.body_text
    assert "replacement" not in message.body_text


def test_rejected_claim_says_why_once(smtp_server, store, provider):
    order = order_with(store, quantity=1, unit_price="20.00")
    shopper_speaks(order, "es")
    claim = open_claim(store, order, reason="never_arrived")
    with pytest.raises(Unprocessable):
        claims.claim_reject(store=store, number=claim.number, note=" ", actor=AGENT)
    assert messages("claim_rejected") == []  # refused: nothing sent

    claims.claim_reject(
        store=store,
        number=claim.number,
        actor=AGENT,
        note="El transportista confirma la entrega con firma.",
    )
    [message] = messages("claim_rejected")
    assert message.subject == f"Tu reclamación {claim.number} no ha podido aceptarse"
    assert "El transportista confirma la entrega con firma." in message.body_text
    # Queuing the same step again (a retried job) adds nothing.
    snapshot = claims.claim_snapshot(Claim.objects.get(id=claim.id))
    assert notify_claim_event(store=store, claim_snapshot=snapshot, kind="claim_rejected") == []
    assert len(messages("claim_rejected")) == 1
    assert len(smtp_server.arrivals) == 2


def test_sms_too_when_the_store_uses_it(smtp_server, store, provider, texts):
    NotificationSettings.objects.create(store=store, sms_enabled=True)
    order = order_with(store, quantity=1, unit_price="20.00")
    Customer.objects.filter(id=order.customer_id).update(phone="+34600000000")
    claim = open_claim(store, order)
    assert {m.channel for m in messages("claim_opened")} == {"email", "sms"}
    [text] = texts
    assert claim.number in text["text"]
    assert text["to"] == "+34600000000"


# --- a line's units are claimed once ------------------------------------------------------------


def test_units_already_claimed_are_refused_and_nothing_is_written(smtp_server, store, provider):
    order = order_with(store, quantity=3, unit_price="20.00")
    first = open_claim(store, order, units=2)
    assert len(messages("claim_opened")) == 1

    with pytest.raises(Unprocessable) as caught:
        open_claim(store, order, units=2)  # only one unit is left
    assert caught.value.code == "already_claimed"
    assert caught.value.extra == {"line": order.lines.get().external_id, "units_left": 1}
    assert Claim.objects.count() == 1
    assert ClaimLine.objects.count() == 1
    assert len(messages("claim_opened")) == 1  # nothing sent for the refused claim

    open_claim(store, order, units=1)  # the unit that is left
    with pytest.raises(Unprocessable) as caught:
        open_claim(store, order, units=1)
    assert caught.value.code == "already_claimed"

    # A resolved claim keeps its units; a rejected one frees them.
    claims.claim_resolve(store=store, number=first.number, resolution="refund", actor=AGENT)
    with pytest.raises(Unprocessable):
        open_claim(store, order, units=1)
    second = Claim.objects.exclude(id=first.id).get()
    claims.claim_reject(store=store, number=second.number, note="Duplicate.", actor=AGENT)
    again = open_claim(store, order, units=1)
    assert again.state == "open"
    assert Claim.objects.count() == 3
