"""An event is enqueued exactly once per subscribed endpoint: however often its source is
published (a handler run again, a replayed step, two processes at the same moment), and only for
endpoints that are enabled and subscribed to its type."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retorno.core.models import OutboxMessage
from retorno.domain.webhooks import EVENT_TYPES
from retorno.notifications.tests.test_delivery import create_return, order_for
from retorno.returns.events import event_handle
from retorno.returns.models import ReturnEvent
from retorno.stores.models import Store
from retorno.webhooks import services
from retorno.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from retorno.webhooks.services import DELIVER_KIND

URL = "http://127.0.0.1:8999/hooks"


def _publish(store: Store, source: str, event_type: str = "return.requested") -> None:
    services.webhook_publish(
        store=store,
        event_type=event_type,
        object_type="restock",
        ref={"sku": "S-1", "quantity": 1},
        source_key=source,
        now=timezone.now(),
    )


def _messages_for(deliveries: list[int]) -> int:
    keys = [f"webhook:{d}" for d in deliveries]
    return OutboxMessage.objects.filter(kind=DELIVER_KIND, dedupe_key__in=keys).count()


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    subscriptions=st.lists(
        st.lists(st.sampled_from(EVENT_TYPES[:4]), max_size=3), min_size=1, max_size=4
    ),
    enabled=st.lists(st.booleans(), min_size=4, max_size=4),
    publications=st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from(EVENT_TYPES[:4])), max_size=12
    ),
)
def test_each_source_reaches_each_subscribed_endpoint_once(
    store: Store, subscriptions, enabled, publications
):
    WebhookEndpoint.objects.filter(store=store).delete()
    endpoints = []
    for types, on in zip(subscriptions, enabled, strict=False):
        endpoint = services.endpoint_create(store=store, url=URL, event_types=types).endpoint
        if not on:
            services.endpoint_update(store=store, endpoint_id=endpoint.id, enabled=False)
        endpoints.append((endpoint.id, types, on))
    run = uuid.uuid4().hex
    first_type: dict[int, str] = {}
    for source, event_type in publications:
        first_type.setdefault(source, event_type)  # a source is published with one type
        _publish(store, f"{run}:{source}", first_type[source])

    expected = {
        (source, endpoint_id)
        for source, event_type in first_type.items()
        for endpoint_id, types, on in endpoints
        if on and (not types or event_type in types)
    }
    deliveries = WebhookDelivery.objects.filter(event__source_key__startswith=run)
    got = {(int(d.event.source_key.rsplit(":", 1)[1]), d.endpoint_id) for d in deliveries}
    assert got == expected
    assert deliveries.count() == len(expected)
    assert _messages_for([d.id for d in deliveries]) == len(expected)


@pytest.mark.django_db
def test_a_step_handled_again_publishes_nothing_more(store: Store):
    services.endpoint_create(store=store, url=URL)
    created = create_return(store, order_for(store))
    before = (WebhookEvent.objects.count(), WebhookDelivery.objects.count())
    assert before[0] >= 2  # return.requested and return.approved at least
    for event in ReturnEvent.objects.filter(return_request=created):
        event_handle(created, event)
    assert (WebhookEvent.objects.count(), WebhookDelivery.objects.count()) == before
    assert OutboxMessage.objects.filter(kind=DELIVER_KIND).count() == before[1]


@pytest.mark.django_db
def test_a_rolled_back_change_publishes_nothing(store: Store):
    services.endpoint_create(store=store, url=URL)

    def publish_then_fail() -> None:
        with transaction.atomic():
            _publish(store, "rolled-back")
            raise RuntimeError("the command failed")

    with pytest.raises(RuntimeError):
        publish_then_fail()
    assert WebhookEvent.objects.count() == 0
    assert OutboxMessage.objects.filter(kind=DELIVER_KIND).count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_same_source_published_at_once_by_several_processes_is_enqueued_once(store: Store):
    endpoints = [services.endpoint_create(store=store, url=URL).endpoint for _ in range(3)]
    start = threading.Barrier(6)
    errors: list[BaseException] = []

    def publish() -> None:
        try:
            start.wait(10)
            with transaction.atomic():
                _publish(store, "concurrent-source")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection, or the database cannot be dropped

    threads = [threading.Thread(target=publish) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert WebhookEvent.objects.filter(source_key="concurrent-source").count() == 1
    deliveries = list(WebhookDelivery.objects.values_list("id", "endpoint_id"))
    assert sorted(e for _, e in deliveries) == sorted(e.id for e in endpoints)
    assert _messages_for([d for d, _ in deliveries]) == len(endpoints)
