"""A store's own words for its claim messages: used in the message the shopper receives (in
the message's language), Retorno's words where the store wrote none, and never another
store's words."""

from __future__ import annotations

import pytest

from retorno.money.tests.conftest import AGENT, order_with
from retorno.notifications.models import Message, MessageTemplate
from retorno.returns.workflows import claims
from retorno.returns.workflows.tests.test_claim_messages import open_claim, shopper_speaks

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_stores_words_in_the_claim_message_and_retornos_elsewhere(
    smtp_server, store, other_store, provider
):
    MessageTemplate.objects.create(
        store=store,
        kind="claim_opened",
        language="es",
        subject="{store}: tu reclamación {claim} ya está con nosotros",
        headline="Gracias, {customer_name}",
        intro="Sentimos lo del pedido {order}.",
    )
    for language in ("es", "en"):  # another store's words, for every message here
        for kind in ("claim_opened", "claim_rejected"):
            MessageTemplate.objects.create(
                store=other_store, kind=kind, language=language, subject="OTHER STORE {claim}"
            )
    order = order_with(store, quantity=1, unit_price="20.00")
    shopper_speaks(order, "es")
    claim = open_claim(store, order)

    [opened] = Message.objects.filter(kind="claim_opened")
    assert opened.subject == f"{store.name}: tu reclamación {claim.number} ya está con nosotros"
    first_name = claims.claim_snapshot(claim).customer_name
    assert first_name
    for part in (opened.body_text, opened.body_html):
        assert f"Gracias, {first_name}" in part
        assert f"Sentimos lo del pedido {order.number}." in part
        assert "El artículo llegó dañado" in part  # the rest of the message stays
    # Spanish rejection: the store wrote nothing for it, so Retorno's words.
    claims.claim_reject(store=store, number=claim.number, note="Entregado.", actor=AGENT)
    [rejected] = Message.objects.filter(kind="claim_rejected")
    assert rejected.subject == f"Tu reclamación {claim.number} no ha podido aceptarse"
    assert not Message.objects.filter(subject__contains="OTHER STORE").exists()
    subjects = [mail.subject for mail in smtp_server.arrivals]
    assert subjects == [opened.subject, rejected.subject]
