"""Webhooks delivered to a real receiver on 127.0.0.1: signed so that an independent
implementation of Standard Webhooks (the `standardwebhooks` package) accepts them, retried on
the schedule, disabled by 410, marked failing (admins e-mailed) when every attempt failed, and
never sent to another store's endpoint."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from retorno.accounts.services import membership_grant
from retorno.api.tests.client import ApiClient
from retorno.core.models import OutboxMessage, OutboxStatus
from retorno.core.outbox import outbox_deliver_one
from retorno.domain.webhooks import MAX_ATTEMPTS, RETRY_SCHEDULE
from retorno.notifications.tests.test_delivery import create_return, order_for
from retorno.stores.models import Store
from retorno.webhooks import services
from retorno.webhooks.delivery import FAILING_KIND
from retorno.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from retorno.webhooks.services import DELIVER_KIND
from retorno.webhooks.tests.receiver import running_receiver

pytestmark = pytest.mark.django_db


def _messages(kind: str = DELIVER_KIND) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=kind).order_by("id"))


def _deliver_due(now=None) -> list[str]:
    """What a sweeper pass at `now` does for webhook messages."""
    now = now or timezone.now()
    return [
        outbox_deliver_one(m.id, now=now)
        for m in _messages()
        if m.status == OutboxStatus.PENDING and m.next_attempt_at <= now
    ]


def _endpoint(store: Store, url: str, *types: str):
    return services.endpoint_create(
        store=store, url=url, event_types=list(types or ["return.requested"])
    )


def test_an_event_arrives_signed_and_an_independent_implementation_verifies_it(
    store: Store, admin_key
):
    with running_receiver(200) as receiver:
        issued = _endpoint(store, receiver.url)
        created = create_return(store, order_for(store))

        assert _deliver_due() == [OutboxStatus.DELIVERED]

    (arrival,) = receiver.arrivals
    verified = Webhook(issued.secret).verify(arrival.body, arrival.headers)
    assert verified["type"] == "return.requested"
    assert verified["store"] == store.slug
    assert verified["object"] == "return"
    assert arrival.headers["webhook-id"] == verified["id"]
    # The object as the API shows it: rendered when the command that opened (and approved) the
    # return ended, and nothing changed it since.
    shown = json.loads(ApiClient(admin_key).get(f"/returns/{created.rma}").content)
    assert verified["data"] == shown
    assert shown["rma"] == created.rma
    # A changed body or another secret does not verify.
    with pytest.raises(WebhookVerificationError):
        Webhook(issued.secret).verify(arrival.body.replace(b"return", b"retorn"), arrival.headers)
    other = services.endpoint_rotate_secret(
        store=store, endpoint_id=issued.endpoint.id, overlap=timedelta(0)
    )
    with pytest.raises(WebhookVerificationError):
        Webhook(other.secret).verify(arrival.body, arrival.headers)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED
    (attempt,) = delivery.attempt_log.all()
    assert attempt.status_code == 200
    assert '"received": 1' in attempt.response_excerpt


def test_a_receiver_that_fails_then_succeeds_gets_it_once_more(store: Store):
    with running_receiver(500, 200) as receiver:
        _endpoint(store, receiver.url)
        create_return(store, order_for(store))
        start = timezone.now()

        assert _deliver_due(start) == [OutboxStatus.PENDING]
        (message,) = _messages()
        wait = message.next_attempt_at - start
        # The second attempt 5 s later, give or take the jitter.
        assert RETRY_SCHEDULE[1] * 0.85 <= wait <= RETRY_SCHEDULE[1] * 1.15
        assert _deliver_due(start + timedelta(seconds=1)) == []  # not due yet
        assert _deliver_due(message.next_attempt_at) == [OutboxStatus.DELIVERED]
        assert _deliver_due(start + timedelta(days=4)) == []

    assert len(receiver.arrivals) == 2
    first, second = receiver.arrivals
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 200]


def test_410_gone_disables_the_endpoint_and_nothing_more_is_sent(store: Store):
    with running_receiver(410) as receiver:
        issued = _endpoint(store, receiver.url)
        create_return(store, order_for(store))
        assert _deliver_due() == [OutboxStatus.FAILED]
        create_return(store, order_for(store))
        assert _deliver_due(timezone.now() + timedelta(days=4)) == []

    assert len(receiver.arrivals) == 1
    endpoint = WebhookEndpoint.objects.get(id=issued.endpoint.id)
    assert not endpoint.enabled
    assert endpoint.disabled_reason == "gone"
    assert WebhookDelivery.objects.count() == 1


def test_after_the_last_attempt_the_endpoint_is_failing_and_admins_are_told_in_spanish(
    store: Store,
):
    store.default_language = "es"
    store.save()
    membership_grant(store=store, username="ana", email="ana@tienda.example", role="admin")
    membership_grant(store=store, username="luis", email="luis@tienda.example", role="agent")
    with running_receiver(503) as receiver:
        issued = _endpoint(store, receiver.url)
        create_return(store, order_for(store))
        now = timezone.now()
        for _attempt in range(MAX_ATTEMPTS):
            _deliver_due(now)
            now += timedelta(days=2)

    assert len(receiver.arrivals) == MAX_ATTEMPTS
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempt_log.count() == MAX_ATTEMPTS
    endpoint = WebhookEndpoint.objects.get(id=issued.endpoint.id)
    assert endpoint.failing_since is not None
    assert endpoint.enabled  # failing, not disabled: new events are still sent
    (notice,) = _messages(FAILING_KIND)
    assert outbox_deliver_one(notice.id) == OutboxStatus.DELIVERED
    (sent,) = mail.outbox
    assert sent.to == ["ana@tienda.example"]
    assert receiver.url[:40] in sent.subject
    assert "intentos" in sent.body  # Spanish
    assert f"/settings/webhooks/{endpoint.id}" in sent.body


def test_a_failing_endpoint_that_accepts_again_is_well(store: Store):
    with running_receiver(200) as receiver:
        issued = _endpoint(store, receiver.url)
        WebhookEndpoint.objects.filter(id=issued.endpoint.id).update(failing_since=timezone.now())
        create_return(store, order_for(store))
        assert _deliver_due() == [OutboxStatus.DELIVERED]
    assert WebhookEndpoint.objects.get(id=issued.endpoint.id).failing_since is None


def test_nothing_reaches_another_stores_endpoint(store: Store, other_store: Store):
    with running_receiver(200) as ours, running_receiver(200) as theirs:
        _endpoint(store, ours.url)
        _endpoint(other_store, theirs.url)
        create_return(store, order_for(store))
        create_return(store, order_for(store))
        _deliver_due()

    assert len(ours.arrivals) == 2
    assert theirs.arrivals == []
    assert {json.loads(a.body)["store"] for a in ours.arrivals} == {store.slug}


def test_during_a_rotation_both_secrets_sign(store: Store):
    with running_receiver(200) as receiver:
        old = _endpoint(store, receiver.url)
        new = services.endpoint_rotate_secret(store=store, endpoint_id=old.endpoint.id)
        create_return(store, order_for(store))
        _deliver_due()

    (arrival,) = receiver.arrivals
    assert len(arrival.headers["webhook-signature"].split(" ")) == 2
    Webhook(old.secret).verify(arrival.body, arrival.headers)
    Webhook(new.secret).verify(arrival.body, arrival.headers)


def test_a_replay_sends_the_same_event_again_once(store: Store):
    with running_receiver(200) as receiver:
        _endpoint(store, receiver.url)
        create_return(store, order_for(store))
        _deliver_due()
        delivery = WebhookDelivery.objects.get()
        services.delivery_replay(store=store, delivery_id=delivery.id)
        assert _deliver_due() == [OutboxStatus.DELIVERED]
        assert _deliver_due(timezone.now() + timedelta(days=4)) == []

    assert len(receiver.arrivals) == 2
    assert receiver.arrivals[0].body == receiver.arrivals[1].body
    assert [a.replay for a in delivery.attempt_log.all()] == [False, True]


def test_the_url_is_checked_again_when_connecting(store: Store, settings):
    with running_receiver(200) as receiver:
        issued = _endpoint(store, receiver.url)
        create_return(store, order_for(store))
        # Saved while private addresses were allowed; production refuses them at connect time.
        settings.RETORNO_ALLOW_PRIVATE_URLS = False
        assert _deliver_due() == [OutboxStatus.PENDING]

    assert receiver.arrivals == []
    (attempt,) = WebhookDelivery.objects.get(endpoint=issued.endpoint).attempt_log.all()
    assert attempt.status_code is None
    assert "http" in attempt.error or "public" in attempt.error
