"""A worker that dies after the SMTP server took an e-mail, before recording it, leaves the
message to the sweeper once its claim is old. By then the return may have moved on and the
shopper been told of it: that message is not sent late (recorded as skipped, with why). The
claim outlasts the slowest e-mail a live worker can send, and the start-up check says so.
Against a real SMTP server on 127.0.0.1."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from retorno.core.actors import SYSTEM
from retorno.core.models import OutboxMessage, OutboxStatus
from retorno.core.outbox import claim_timeout, outbox_deliver_one, outbox_due_ids
from retorno.notifications import checks
from retorno.notifications.models import Message, MessageKind, MessageStatus
from retorno.notifications.tests.test_delivery import create_return, order_for
from retorno.returns.services import return_mark_in_transit

pytestmark = pytest.mark.django_db(transaction=True)


class WorkerDied(BaseException):
    """What the process sees when it is killed: nothing after it runs."""


def _crash_after_sending(store):
    """Create a return whose first e-mail reaches the SMTP server but whose worker dies
    before recording it: the message stays queued, its outbox row claimed."""
    with (
        mock.patch("retorno.notifications.services._record_sent", side_effect=WorkerDied),
        pytest.raises(WorkerDied),
    ):
        create_return(store, order_for(store))
    message = Message.objects.get(kind=MessageKind.CREATED)
    assert message.status == MessageStatus.QUEUED
    outbox = OutboxMessage.objects.get(id=message.outbox_message_id)
    assert outbox.status == OutboxStatus.PROCESSING
    return message, outbox


def _sweep(at):
    """What the sweeper does at `at`: re-drive what is due, stale claims included."""
    for outbox_id in outbox_due_ids(now=at):
        outbox_deliver_one(outbox_id, now=at)


def test_a_message_the_return_has_moved_past_is_not_sent_after_the_newer_one(smtp_server, store):
    message, outbox = _crash_after_sending(store)
    assert [mail.subject for mail in smtp_server.arrivals] == [
        f"Your return {message.rma} is approved"
    ]
    # The parcel travels; the shopper is told at once.
    return_mark_in_transit(store=store, rma=message.rma, actor=SYSTEM)
    assert len(smtp_server.arrivals) == 2
    in_transit = Message.objects.get(kind=MessageKind.IN_TRANSIT)
    assert in_transit.status == MessageStatus.SENT

    # Within the claim the crashed delivery is left alone; after it, the sweeper takes it.
    _sweep(outbox.claimed_at + claim_timeout() - timedelta(seconds=1))
    assert OutboxMessage.objects.get(id=outbox.id).status == OutboxStatus.PROCESSING
    _sweep(outbox.claimed_at + claim_timeout() + timedelta(seconds=1))

    assert len(smtp_server.arrivals) == 2  # the first e-mail did not come again, late
    message.refresh_from_db()
    assert message.status == MessageStatus.SKIPPED
    assert message.skipped_reason == "the shopper was already told of a later step (in_transit)"
    assert message.subject == f"Your return {message.rma} is approved"  # what was not sent
    done = OutboxMessage.objects.get(id=outbox.id)
    assert done.status == OutboxStatus.DELIVERED
    assert done.result["skipped"] == "skipped"


def test_a_message_still_current_is_delivered_by_the_sweeper(smtp_server, store):
    """Nothing newer was told: the step is still the return's, the e-mail goes (with the same
    Message-ID as the copy the dead worker sent, so mail systems can tell them apart)."""
    message, outbox = _crash_after_sending(store)

    _sweep(outbox.claimed_at + claim_timeout() + timedelta(seconds=1))

    first, second = smtp_server.arrivals
    assert first.message["Message-ID"] == second.message["Message-ID"]
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_a_failed_message_is_not_sent_after_a_later_one_either(smtp, store):
    """The SMTP server was down for the first message and back for the next step."""
    created = create_return(store, order_for(store))  # nobody listens: stays queued
    approved = Message.objects.get(kind=MessageKind.CREATED)
    assert approved.status == MessageStatus.QUEUED
    smtp.start()
    return_mark_in_transit(store=store, rma=created.rma, actor=SYSTEM)
    retry_at = OutboxMessage.objects.get(id=approved.outbox_message_id).next_attempt_at

    _sweep(retry_at + timedelta(seconds=1))

    assert [mail.subject for mail in smtp.arrivals] == [f"Your return {created.rma} is on its way"]
    approved.refresh_from_db()
    assert approved.status == MessageStatus.SKIPPED


def test_staff_see_why_a_message_was_not_sent(smtp_server, store, signed_in):
    message, outbox = _crash_after_sending(store)
    return_mark_in_transit(store=store, rma=message.rma, actor=SYSTEM)
    _sweep(outbox.claimed_at + claim_timeout() + timedelta(seconds=1))

    page = signed_in("agent").get(
        reverse("backoffice:return", args=[message.rma]), headers={"Accept-Language": "es"}
    )

    assert "No enviado: ya se le había contado un paso posterior." in page.content.decode()


def test_the_claim_outlasts_the_slowest_email_and_the_check_says_so(settings):
    assert claim_timeout() == timedelta(seconds=settings.RETORNO_OUTBOX_CLAIM_SECONDS)
    assert claim_timeout().total_seconds() > checks.slowest_email_seconds()
    call_command("check")  # the configuration everyone runs passes

    settings.EMAIL_TIMEOUT = 30  # 30 s per SMTP step: 300 s for one e-mail
    with pytest.raises(SystemCheckError, match=r"notifications\.E001"):
        call_command("check")
    settings.RETORNO_OUTBOX_CLAIM_SECONDS = 301
    call_command("check")
