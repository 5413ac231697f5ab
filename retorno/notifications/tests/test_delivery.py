"""Messages to shoppers, end to end: a return is created through the service, the outbox sends
the message through a real SMTP server on 127.0.0.1, and the tests read what arrives."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from retorno.core.actors import SYSTEM, Actor
from retorno.core.models import OutboxMessage, OutboxStatus
from retorno.core.outbox import outbox_deliver_one, outbox_due_ids
from retorno.notifications.models import Message, MessageStatus, NotificationSettings
from retorno.notifications.selectors import messages_for_return
from retorno.notifications.services import message_deliver
from retorno.orders.tests.factories import line_payload, make_order
from retorno.returns import events
from retorno.returns.models import Return
from retorno.returns.services import (
    ItemRequest,
    return_approve,
    return_cancel,
    return_create,
    return_mark_in_transit,
    return_reject,
)
from retorno.returns.workflows.receiving import return_receive
from retorno.returns.workflows.resolving import return_resolve
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db(transaction=True)
NBSP = "\u00a0"
AGENT = Actor(kind="staff", id="7", label="Marta")


@pytest.fixture
def shop(store: Store) -> Store:
    store.name = "Tienda Sol"
    store.logo_url = "https://cdn.example.com/sol.png"
    store.primary_colour = "#0b5d1e"
    store.support_email = "ayuda@sol.example"
    store.support_phone = "+34 910 000 000"
    store.save()
    return store


def order_for(store: Store, *, language: str = "", tier: str = "", phone: str = "", **kwargs):
    external_id = kwargs.pop("external_id", None) or f"{Order_ids.next()}"
    return make_order(
        store,
        external_id=external_id,
        customer={
            "external_id": f"c-{external_id}",
            "email": f"ana.{external_id}@example.com",
            "name": "Ana García",
            "tier": tier,
            "language": language,
            "phone": phone,
        },
        **kwargs,
    )


class Order_ids:
    value = 5000

    @classmethod
    def next(cls) -> int:
        cls.value += 1
        return cls.value


def create_return(
    store: Store, order, *, resolution: str = "refund", method: str = "pickup", now=None
):
    line = order.lines.first()
    return return_create(
        store=store,
        order_external_id=order.external_id,
        items=[ItemRequest(line=line.external_id, quantity=1, reason="too_small")],
        resolution=resolution,
        method=method,
        actor=SYSTEM,
        now=now,
    )


def tracking_url(return_request: Return) -> str:
    return f"http://127.0.0.1:8000/r/{return_request.tracking_token}"


# --- what arrives ------------------------------------------------------------------------------


def test_spanish_shopper_gets_one_branded_spanish_email(smtp_server, shop):
    order = order_for(shop, language="es")
    created = create_return(shop, order)

    assert len(smtp_server.arrivals) == 1
    mail = smtp_server.arrivals[0]
    assert mail.rcpt_tos == [order.customer.email]
    assert mail.subject == f"Tu devolución {created.rma} está aprobada"
    assert "Tienda Sol" in str(mail.message["From"])
    assert str(mail.message["Reply-To"]) == "ayuda@sol.example"
    message = Message.objects.get()
    assert mail.message["Message-ID"] == f"<retorno.message.{message.id}@retorno.test>"
    for part in (mail.text, mail.html):
        assert created.rma in part
        assert tracking_url(created) in part
        assert f"21,63{NBSP}€" in part  # the unit's paid value
        assert f"16,63{NBSP}€" in part  # minus the 5,00 € return shipping fee
        assert "Hola, Ana:" in part
        assert "Recogida a domicilio" in part
        assert "T-shirt" in part
    assert "Seguir mi devolución" in mail.html
    assert "https://cdn.example.com/sol.png" in mail.html
    assert "#0b5d1e" in mail.html
    assert "ayuda@sol.example" in mail.text
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.language == "es"
    assert message.provider_message_id == mail.message["Message-ID"]
    assert message.sent_at is not None


def test_english_shopper_gets_english_amounts_and_tier_perk(smtp_server, shop):
    order = order_for(shop, language="en-GB", tier="gold")
    created = create_return(shop, order, resolution="store_credit")

    [mail] = smtp_server.arrivals
    assert mail.subject == f"Your return {created.rma} is approved"
    for part in (mail.text, mail.html):
        assert created.rma in part
        assert tracking_url(created) in part
        assert "€21.63" in part
        assert "As a Gold member, your return shipping is free." in part
        assert "€2.16" in part  # 10 % store-credit bonus on 21.63
        assert "€23.79" in part  # estimated store credit: 21.63 + 2.16
    assert "Track your return" in mail.html


def test_gold_perk_in_spanish(smtp_server, shop):
    order = order_for(shop, language="es", tier="gold")
    create_return(shop, order)
    [mail] = smtp_server.arrivals
    assert "Como miembro Oro, el envío de tu devolución es gratis." in mail.text
    assert "Gratis" in mail.text
    assert f"21,63{NBSP}€" in mail.text


def test_without_a_language_the_store_default_is_used(smtp_server, shop):
    shop.default_language = "es"
    shop.save()
    created = create_return(shop, order_for(shop, language=""))
    [mail] = smtp_server.arrivals
    assert mail.subject == f"Tu devolución {created.rma} está aprobada"


def test_unsupported_language_falls_back_to_the_store_default(smtp_server, shop):
    created = create_return(shop, order_for(shop, language="de"))
    [mail] = smtp_server.arrivals
    assert mail.subject == f"Your return {created.rma} is approved"


# --- exactly once ------------------------------------------------------------------------------


def test_rolled_back_change_sends_nothing(smtp_server, shop):
    order = order_for(shop, language="es")

    def create_then_fail() -> None:
        with transaction.atomic():
            create_return(shop, order)
            raise RuntimeError("the caller's transaction fails after the return was created")

    with pytest.raises(RuntimeError):
        create_then_fail()
    assert smtp_server.arrivals == []
    assert not Message.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_retried_delivery_of_a_sent_message_sends_nothing_more(smtp_server, shop):
    create_return(shop, order_for(shop))
    message = Message.objects.get()
    assert len(smtp_server.arrivals) == 1

    # The task is delivered again (broker redelivery): the outbox row is already done.
    assert outbox_deliver_one(message.outbox_message_id) == "skipped"
    # A worker crashed after sending but before the outbox recorded it: the row comes back.
    OutboxMessage.objects.filter(id=message.outbox_message_id).update(
        status=OutboxStatus.PENDING, next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    assert outbox_deliver_one(message.outbox_message_id) == OutboxStatus.DELIVERED
    outbox = OutboxMessage.objects.get(id=message.outbox_message_id)
    assert outbox.result == {"message_id": message.id, "skipped": "sent"}
    assert message_deliver(outbox) == {"message_id": message.id, "skipped": "sent"}

    assert len(smtp_server.arrivals) == 1


def test_effects_running_twice_for_one_event_queue_one_message(smtp_server, shop):
    created = create_return(shop, order_for(shop))
    with transaction.atomic():
        for event in created.events.all():
            events.event_handle(created, event)
            events.event_handle(created, event)
    assert Message.objects.count() == 1
    assert len(smtp_server.arrivals) == 1


def test_smtp_down_keeps_the_message_queued_until_the_sweeper_delivers_it(smtp, shop):
    created = create_return(shop, order_for(shop, language="es"))  # nobody listens on the port

    message = Message.objects.get()
    assert message.status == MessageStatus.QUEUED
    assert "Connection refused" in message.error or "ConnectionRefused" in message.error
    assert message.attempts == 1
    outbox = OutboxMessage.objects.get(id=message.outbox_message_id)
    assert outbox.status == OutboxStatus.PENDING
    assert outbox.next_attempt_at > timezone.now()

    smtp.start()
    later = outbox.next_attempt_at + timedelta(seconds=1)
    due = outbox_due_ids(now=later)
    assert due == [outbox.id]
    for outbox_id in due:  # what the sweeper does once the backoff has passed
        outbox_deliver_one(outbox_id, now=later)

    [mail] = smtp.arrivals
    assert created.rma in mail.text
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.error == ""
    assert message.attempts == 2
    assert outbox_due_ids(now=later + timedelta(hours=1)) == []


@pytest.fixture
def refusing_smtp(smtp):
    async def refuse(server, session, envelope, address, options):
        return "550 5.1.1 No such mailbox"

    smtp.inbox.handle_RCPT = refuse
    smtp.start()
    return smtp


def test_a_refused_address_fails_the_message_for_good(refusing_smtp, shop):
    create_return(shop, order_for(shop))
    message = Message.objects.get()
    assert message.status == MessageStatus.FAILED
    assert "550" in message.error
    outbox = OutboxMessage.objects.get(id=message.outbox_message_id)
    assert outbox.status == OutboxStatus.FAILED
    assert refusing_smtp.arrivals == []


# --- the steps of a return ------------------------------------------------------------------------


def test_each_step_sends_its_message_once(smtp_server, shop):
    order = order_for(shop, language="es")
    created = create_return(shop, order)
    rma = created.rma
    return_mark_in_transit(store=shop, rma=rma, actor=SYSTEM)
    line = order.lines.first().external_id
    return_receive(store=shop, rma=rma, quantities={line: 1}, actor=AGENT)
    return_resolve(store=shop, rma=rma, actor=AGENT)

    subjects = [mail.subject for mail in smtp_server.arrivals]
    assert subjects == [
        f"Tu devolución {rma} está aprobada",
        f"Tu devolución {rma} está en camino",
        f"Hemos recibido tu devolución {rma}",
        f"Tu reembolso de la devolución {rma} ya está emitido",
    ]
    assert f"16,63{NBSP}€" in smtp_server.arrivals[-1].text
    log = list(messages_for_return(shop, created.id))
    assert [m.kind for m in log] == ["created", "in_transit", "received", "refunded"]
    assert all(m.status == MessageStatus.SENT for m in log)


def test_review_then_approval_then_cancellation(smtp_server, shop):
    order = order_for(
        shop, lines=[line_payload(f"{Order_ids.next()}-1", quantity=1, unit_price="600.00")]
    )
    created = create_return(shop, order)
    assert created.status == "pending_review"
    return_approve(store=shop, rma=created.rma, actor=AGENT)
    return_cancel(store=shop, rma=created.rma, actor=SYSTEM)

    subjects = [mail.subject for mail in smtp_server.arrivals]
    assert subjects == [
        f"We've received your return request {created.rma}",
        f"Your return {created.rma} is approved",
        f"Your return {created.rma} has been cancelled",
    ]
    assert "reviewing it" in smtp_server.arrivals[0].text


def test_rejection_says_why(smtp_server, shop):
    order = order_for(
        shop,
        language="es",
        lines=[line_payload(f"{Order_ids.next()}-1", quantity=1, unit_price="600.00")],
    )
    created = create_return(shop, order)
    return_reject(store=shop, rma=created.rma, actor=AGENT, note="El artículo se ha usado.")
    mail = smtp_server.arrivals[-1]
    assert mail.subject == f"No hemos podido aprobar tu devolución {created.rma}"
    assert "Motivo: El artículo se ha usado." in mail.text


def test_label_ready_and_refunded_from_other_capabilities(smtp_server, shop):
    """Logistics (label_ready) and resolutions (refunded) will append these events later."""
    order = order_for(shop, language="es")
    created = create_return(shop, order, method="pickup")
    first = created.events.create(
        store=shop,
        kind="label_ready",
        actor_kind="system",
        data={
            "carrier": "Correos",
            "pickup_date": "2031-05-02",
            "label_url": "https://labels.example/l/1.pdf",
            "tracking_number": "PQ123",
        },
        created_at=timezone.now(),
    )
    second = created.events.create(
        store=shop,
        kind="label_ready",
        actor_kind="carrier",
        data={"carrier": "SEUR"},
        created_at=timezone.now(),
    )
    refunded = created.events.create(
        store=shop,
        kind="refunded",
        actor_kind="system",
        data={"amount": "16.63"},
        created_at=timezone.now(),
    )
    with transaction.atomic():
        for event in (first, second, refunded, refunded):
            events.event_handle(created, event)

    subjects = [mail.subject for mail in smtp_server.arrivals[1:]]
    assert subjects == [
        f"Tu recogida de la devolución {created.rma} está reservada",
        f"Tu recogida de la devolución {created.rma} está reservada",
        f"Tu reembolso de la devolución {created.rma} ya está emitido",
    ]
    label = smtp_server.arrivals[1]
    assert "2 de mayo de 2031" in label.text
    assert "Correos" in label.text
    assert "PQ123" in label.text
    assert "https://labels.example/l/1.pdf" in label.html
    assert "Calle Mayor 1" in label.text
    # Resolving afterwards says nothing new: the refund message went out already.
    resolved = created.events.create(
        store=shop, kind="resolved", actor_kind="staff", data={}, created_at=timezone.now()
    )
    with transaction.atomic():
        events.event_handle(created, resolved)
    assert len(smtp_server.arrivals) == 4


def test_history_is_not_sent(smtp_server, shop):
    """Steps replayed from the past (imports, the demo) do not email anyone."""
    order = order_for(shop)
    create_return(shop, order, now=timezone.now() - timedelta(days=3))
    assert smtp_server.arrivals == []
    assert not Message.objects.exists()


# --- channels and settings ---------------------------------------------------------------------


def test_sms_only_when_the_store_enables_it_and_there_is_a_phone(smtp_server, shop, texts):
    create_return(shop, order_for(shop, phone="+34600000001"))
    assert texts == []  # SMS is off by default

    NotificationSettings.objects.create(
        store=shop, sms_enabled=True, muted_kinds={"email": ["created"]}
    )
    created = create_return(shop, order_for(shop, phone="+34600000002", language="es"))
    create_return(shop, order_for(shop, phone=""))  # no phone, no SMS

    assert len(texts) == 1
    assert texts[0]["to"] == "+34600000002"
    assert created.rma in texts[0]["text"]
    assert tracking_url(created) in texts[0]["text"]
    assert texts[0]["text"].startswith("Tienda Sol: Tu devolución")
    sms = Message.objects.get(channel="sms")
    assert sms.status == MessageStatus.SENT
    assert texts[0]["reference"] == f"retorno.message.{sms.id}"
    # Email for "created" is muted in this store: only the first return's email went out.
    assert len(smtp_server.arrivals) == 1


def test_the_log_is_per_store(smtp_server, shop, other_store):
    created = create_return(shop, order_for(shop))
    assert [m.rma for m in messages_for_return(shop, created.id)] == [created.rma]
    assert list(messages_for_return(other_store, created.id)) == []


def test_admin_lists_and_filters_the_log(smtp_server, shop, admin_client):
    created = create_return(shop, order_for(shop))
    page = admin_client.get(
        "/admin/notifications/message/",
        {"status__exact": "sent", "channel__exact": "email", "q": created.rma},
    )
    assert page.status_code == 200
    assert created.rma in page.content.decode()
    detail = admin_client.get(f"/admin/notifications/message/{Message.objects.get().id}/change/")
    assert detail.status_code == 200


def test_amounts_are_stored_as_rendered(smtp_server, shop):
    """Delivery sends what was written: changing the store afterwards changes nothing sent."""
    create_return(shop, order_for(shop))
    message = Message.objects.get()
    assert "€16.63" in message.body_text
    assert Decimal("16.63") == Return.objects.get().refund_estimate_amount


# --- rendered at delivery, from the facts of the step ------------------------------------------


def test_message_is_queued_with_its_facts_and_rendered_by_its_delivery(smtp_server, shop):
    order = order_for(shop, language="es")
    with transaction.atomic():
        created = create_return(shop, order)
        queued = Message.objects.get()
        # Nothing is rendered inside the change: the outbox row carries what the text needs.
        assert queued.body_text == ""
        assert queued.subject == ""
        facts = OutboxMessage.objects.get(id=queued.outbox_message_id).payload["facts"]
        assert facts["kind"] == "created"
        assert facts["snapshot"]["rma"] == created.rma
        assert facts["snapshot"]["refund_estimate_amount"] == "16.63"

    [mail] = smtp_server.arrivals
    message = Message.objects.get()
    assert message.status == MessageStatus.SENT
    assert message.subject == mail.subject == f"Tu devolución {created.rma} está aprobada"
    assert created.rma in message.body_text
    assert created.rma in message.body_html
    assert f"16,63{NBSP}€" in message.body_text
    assert mail.message["Message-ID"] == f"<retorno.message.{message.id}@retorno.test>"


def test_a_retry_sends_the_text_rendered_by_the_first_attempt(smtp, shop):
    create_return(shop, order_for(shop))  # nobody listens: the first attempt fails
    message = Message.objects.get()
    assert message.status == MessageStatus.QUEUED
    first_text = message.body_text
    assert message.subject
    assert first_text

    outbox = OutboxMessage.objects.get(id=message.outbox_message_id)
    Store.objects.filter(id=shop.id).update(name="Another name")
    smtp.start()
    outbox_deliver_one(outbox.id, now=outbox.next_attempt_at + timedelta(seconds=1))

    [mail] = smtp.arrivals
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.body_text == first_text
    assert mail.message["Message-ID"] == f"<retorno.message.{message.id}@retorno.test>"


def test_resending_a_message_that_failed_before_rendering_renders_it(smtp_server, shop):
    from retorno.notifications.services import message_resend

    with transaction.atomic():
        created = create_return(shop, order_for(shop))
        message = Message.objects.get()
        OutboxMessage.objects.filter(id=message.outbox_message_id).update(
            status=OutboxStatus.FAILED
        )
        Message.objects.filter(id=message.id).update(status=MessageStatus.FAILED)
    assert smtp_server.arrivals == []

    message_resend(store=shop, message_id=message.id)

    [mail] = smtp_server.arrivals
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert created.rma in message.body_text
    assert mail.subject == message.subject
