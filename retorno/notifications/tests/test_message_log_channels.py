"""Every message sent is in the store's log, on every channel: e-mail and SMS, in the
shopper's language and in the store's own words, with its status and how many tries it took
(an e-mail the mail server missed once is sent by the retry and reads "2 tries"), in English
and Spanish."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from retorno.core.outbox import outbox_deliver_one, outbox_due_ids
from retorno.notifications.models import (
    Message,
    MessageStatus,
    MessageTemplate,
    NotificationSettings,
)
from retorno.notifications.tests.test_delivery import create_return, order_for
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db(transaction=True)

OWN_WORDS = {
    "en": ("{rma} is with us, {customer_name}", "Thank you for shopping with {store}."),
    "es": ("{rma} ya está con nosotros", "Gracias por comprar en {store}."),
}


@pytest.fixture
def sent(smtp: Any, store: Store, texts: list[dict[str, str]]) -> dict[str, Any]:
    """Two returns, one shopper in English and one in Spanish, told by e-mail and SMS in the
    store's words; the mail server is down for the first try and up for the retry."""
    NotificationSettings.objects.create(store=store, sms_enabled=True)
    for language, (subject, intro) in OWN_WORDS.items():
        MessageTemplate.objects.create(
            store=store, kind="approved", language=language, subject=subject, intro=intro
        )
    english = create_return(store, order_for(store, language="en", phone="+34600000001"))
    spanish = create_return(store, order_for(store, language="es", phone="+34600000002"))
    assert set(Message.objects.filter(channel="email").values_list("status", flat=True)) == {
        MessageStatus.QUEUED
    }
    smtp.start()
    later = timezone.now() + timedelta(hours=1)
    for outbox_id in outbox_due_ids(now=later):  # what the sweeper does after the backoff
        outbox_deliver_one(outbox_id, now=later)
    return {"en": english, "es": spanish, "smtp": smtp, "texts": texts}


def _rows(html: str) -> dict[str, str]:
    """Each row of the log by its message id, as text."""
    table = html.split('id="message-log"', 1)[1].split("</table>", 1)[0]
    found = re.findall(r'<tr data-message="(\d+)"[^>]*>(.*?)</tr>', table, re.S)
    return {mid: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for mid, row in found}


def test_every_message_is_listed_with_its_channel_status_and_tries(
    sent: dict[str, Any], store: Store, signed_in: Any
) -> None:
    messages = {(m.rma, m.channel): m for m in Message.objects.filter(store=store)}
    assert len(messages) == 4  # each return, by e-mail and by SMS
    assert {m.status for m in messages.values()} == {MessageStatus.SENT}
    assert len(sent["smtp"].arrivals) == 2
    assert len(sent["texts"]) == 2
    english_mail = messages[(sent["en"].rma, "email")]
    assert english_mail.attempts == 2

    agent = signed_in("agent")
    rows = _rows(agent.get(reverse("backoffice:messages")).content.decode())
    assert set(rows) == {str(m.id) for m in messages.values()}
    for (rma, channel), message in messages.items():
        row = rows[str(message.id)]
        assert rma in row
        assert ("E-mail" if channel == "email" else "SMS") in row
        assert "Sent" in row
        assert ("2 tries" in row) == (message.attempts == 2)
    assert f"{sent['en'].rma} is with us, Ana" in rows[str(english_mail.id)]

    sms_only = _rows(agent.get(reverse("backoffice:messages"), {"channel": "sms"}).content.decode())
    assert set(sms_only) == {str(m.id) for (_, c), m in messages.items() if c == "sms"}

    spanish = _rows(
        agent.get(reverse("backoffice:messages"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    )
    assert all("Enviado" in row for row in spanish.values())
    assert "2 intentos" in spanish[str(english_mail.id)]
    assert (
        f"{sent['es'].rma} ya está con nosotros"
        in spanish[str(messages[(sent["es"].rma, "email")].id)]
    )


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_message_reads_in_the_store_s_words_on_each_channel(
    sent: dict[str, Any], store: Store, signed_in: Any, language: str
) -> None:
    rma = sent[language].rma
    subject, intro = OWN_WORDS[language]
    agent = signed_in("agent")
    for channel in ("email", "sms"):
        message = Message.objects.get(store=store, rma=rma, channel=channel)
        assert message.language == language
        page = agent.get(
            reverse("backoffice:message", args=[message.id]), HTTP_ACCEPT_LANGUAGE=language
        ).content.decode()
        words = subject.replace("{rma}", rma).replace("{customer_name}", "Ana")
        assert words in page
        assert ("Español" if language == "es" else "English") in page
        if channel == "email":
            assert intro.replace("{store}", store.name) in page
            assert message.attempts == 2
        else:
            assert message.body_text in {t["text"] for t in sent["texts"]}
