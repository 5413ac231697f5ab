"""Background work goes to one Celery queue per kind (retorno.core.queues): outbox messages by
their kind when published, the scheduled tasks by the routes in the settings, and a worker takes
the queues it is told."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.core.management.base import CommandError
from kombu import Connection, pools

from config.celery import app
from retorno.core import outbox
from retorno.core.management.commands.worker import worker_queues
from retorno.core.queues import QUEUE_KINDS, queue_for_message, queue_name, task_routes

EXPECTED = {
    "notification.send": "celery",
    "refund.send": "celery",
    "charge.send": "celery",
    "exchange_order.created": "celery",
    "shopify.inbound": "celery",
    "logistics.allocate": "celery.bookings",
    "logistics.book": "celery.bookings",
    "webhook.deliver": "celery.webhooks",
    "webhook.failing": "celery.webhooks",
    "insight.classify": "celery.analytics",
    "orders.csv_import": "celery.imports",
}


def test_every_kind_of_outbox_message_has_its_queue():
    assert django_settings.CELERY_TASK_DEFAULT_QUEUE == "celery"
    for kind, queue in EXPECTED.items():
        assert queue_for_message(kind) == queue, kind
    # Every handler the apps register lands on one of the queues.
    registered = outbox.registered_kinds()
    assert set(EXPECTED) - {"shopify.inbound"} <= registered
    names = {queue_name(kind) for kind in QUEUE_KINDS}
    assert {queue_for_message(kind) for kind in registered} <= names


def test_scheduled_tasks_are_routed_to_their_queues():
    assert task_routes("celery") == django_settings.CELERY_TASK_ROUTES
    router = app.amqp.router
    assert router.route({}, "retorno.returns.tasks.shipments_poll")["queue"].name == (
        "celery.tracking"
    )
    assert router.route({}, "retorno.core.tasks.outbox_sweep")["queue"].name == "celery"
    assert (
        router.route({}, "retorno.returns.tasks.comments_classify_sweep")["queue"].name
        == "celery.analytics"
    )


@pytest.fixture
def memory_broker(settings) -> Iterator[Connection]:
    """Celery publishing for real, to kombu's in-process broker."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(broker_url="memory://", task_always_eager=False)
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    with Connection("memory://localhost") as conn:
        yield conn
        for kind in QUEUE_KINDS:
            conn.default_channel.queue_purge(queue_name(kind))
    app.conf.update(saved)
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def test_a_published_delivery_waits_on_its_kinds_queue(memory_broker):
    outbox.schedule_delivery(11, kind="logistics.book")
    outbox.schedule_delivery(12, kind="webhook.deliver")
    outbox.schedule_delivery(13, kind="notification.send")
    outbox.schedule_delivery(14, kind="insight.classify", countdown=30)  # a retry, later
    outbox.schedule_delivery(15, kind="orders.csv_import")
    channel = memory_broker.default_channel
    counts = {kind: channel._size(queue_name(kind)) for kind in QUEUE_KINDS}
    assert counts == {
        "outbox": 1,
        "bookings": 1,
        "tracking": 0,
        "webhooks": 1,
        "analytics": 1,
        "imports": 1,
    }


def test_a_worker_takes_the_queues_it_is_told():
    assert worker_queues(",".join(QUEUE_KINDS)) == (
        "celery,celery.bookings,celery.tracking,celery.webhooks,celery.analytics,celery.imports"
    )
    assert worker_queues("bookings, tracking") == "celery.bookings,celery.tracking"
    assert worker_queues("imports") == "celery.imports"
    with pytest.raises(CommandError, match="unknown queue 'mail'"):
        worker_queues("outbox,mail")
    with pytest.raises(CommandError):
        worker_queues(" , ")
