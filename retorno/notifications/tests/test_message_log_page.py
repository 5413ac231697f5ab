"""The store's message log for staff: every message with its channel, status and words,
filtered, paged newest first, never another store's, and sent again on request."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from retorno.notifications.models import Message, MessageStatus
from retorno.notifications.tests.test_delivery import create_return, order_for
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db(transaction=True)


def log_ids(response: Any) -> list[int]:
    return [m.id for m in response.context["page"].results]


def test_the_log_lists_this_store_s_messages_newest_first(
    smtp_server: Any, store: Store, other_store: Store, signed_in: Any
) -> None:
    first = create_return(store, order_for(store))
    second = create_return(store, order_for(store))
    create_return(other_store, order_for(other_store))
    client = signed_in("agent")
    response = client.get(reverse("backoffice:messages"))
    assert response.status_code == 200
    ours = list(Message.objects.filter(store=store).order_by("-created_at", "-id"))
    assert log_ids(response) == [m.id for m in ours]
    html = response.content.decode()
    assert first.rma in html
    assert second.rma in html
    only = client.get(reverse("backoffice:messages"), {"q": first.rma.lower()})
    assert {m.rma for m in only.context["page"].results} == {first.rma}
    assert log_ids(client.get(reverse("backoffice:messages"), {"status": "failed"})) == []


def test_the_log_pages_by_cursor(
    smtp_server: Any, store: Store, signed_in: Any, settings: Any
) -> None:
    for _ in range(3):
        create_return(store, order_for(store))
    from retorno.notifications import selectors

    everything = [m.id for m in Message.objects.filter(store=store).order_by("-created_at", "-id")]
    walked: list[int] = []
    cursor = None
    while True:
        page = selectors.message_log_for_store(
            store=store, filters=selectors.MessageLogFilters(), after=cursor, per_page=2
        )
        walked += [m.id for m in page.results]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert walked == everything
    back = selectors.message_log_for_store(
        store=store, filters=selectors.MessageLogFilters(), before=page.previous_cursor, per_page=2
    )
    assert [m.id for m in back.results] == everything[-len(page.results) - 2 : -len(page.results)]


def test_a_message_shows_its_words_and_is_sent_again_as_a_new_message(
    smtp_server: Any, store: Store, signed_in: Any
) -> None:
    create_return(store, order_for(store))
    sent = Message.objects.get(store=store)
    assert sent.status == MessageStatus.SENT
    client = signed_in("agent")
    page = client.get(reverse("backoffice:message", args=[sent.id])).content.decode()
    assert sent.subject in page
    assert sent.rma in page
    response = client.post(reverse("backoffice:message_send", args=[sent.id]))
    assert response.status_code == 302
    again = Message.objects.exclude(id=sent.id).get(store=store)
    assert (again.subject, again.body_text, again.recipient) == (
        sent.subject,
        sent.body_text,
        sent.recipient,
    )
    assert again.status == MessageStatus.SENT
    assert len(smtp_server.arrivals) == 2
    assert smtp_server.arrivals[1].subject == sent.subject


def test_a_failed_message_is_tried_again_itself(
    smtp_server: Any, store: Store, signed_in: Any
) -> None:
    smtp_server.stop()
    create_return(store, order_for(store))
    message = Message.objects.get(store=store)
    Message.objects.filter(id=message.id).update(status=MessageStatus.FAILED, error="refused")
    smtp_server.start()
    signed_in("agent").post(reverse("backoffice:message_send", args=[message.id]))
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert Message.objects.filter(store=store).count() == 1


def test_other_stores_and_roles_see_nothing(smtp_server: Any, store: Store, signed_in: Any) -> None:
    create_return(store, order_for(store))
    message = Message.objects.get(store=store)
    assert signed_in("warehouse").get(reverse("backoffice:messages")).status_code == 403
    other = signed_in("other_agent")
    assert other.get(reverse("backoffice:message", args=[message.id])).status_code == 404
    assert other.post(reverse("backoffice:message_send", args=[message.id])).status_code == 404
    assert Message.objects.count() == 1


def test_the_log_in_spanish(smtp_server: Any, store: Store, signed_in: Any) -> None:
    create_return(store, order_for(store))
    html = (
        signed_in("agent")
        .get(reverse("backoffice:messages"), HTTP_ACCEPT_LANGUAGE="es")
        .content.decode()
    )
    assert "Mensajes" in html
    assert "Enviado" in html
