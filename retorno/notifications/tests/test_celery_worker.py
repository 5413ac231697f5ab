"""Production's path for background jobs, with real parts: a committed return publishes its
shopper e-mail's delivery to a broker (Redis, RabbitMQ), a `retorno worker` process started
later consumes it and sends the e-mail to an SMTP server on 127.0.0.1, exactly once; and when
the publish was lost, the worker's scheduler (`--beat`) sweeps the message out of the outbox."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from kombu import pools

from config.celery import app
from retorno.core import outbox
from retorno.core.queues import QUEUE_KINDS, queue_name
from retorno.notifications.models import Message, MessageStatus
from retorno.notifications.tests.test_delivery import create_return, order_for
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db(transaction=True)

BROKERS = {
    "redis": "redis://127.0.0.1:6379/0",
    "rabbitmq": "amqp://guest:guest@127.0.0.1:5672//",
}
READY_SECONDS = 60
DELIVERY_SECONDS = 60


def _database_url() -> str:
    """The test database, as the worker process must name it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture(params=sorted(BROKERS))
def broker(request: Any, settings: Any) -> Iterator[tuple[str, str]]:
    """This process publishes to the broker, on a queue of its own (suites may run side by
    side on one broker), as a web process with CELERY_BROKER_URL does."""
    url, queue = BROKERS[request.param], f"retorno-test-{uuid.uuid4().hex}"
    saved = {
        key: app.conf[key] for key in ("broker_url", "task_always_eager", "task_default_queue")
    }
    settings.CELERY_BROKER_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_TASK_DEFAULT_QUEUE = queue  # the kinds' queues are named after it
    app.conf.update(broker_url=url, task_always_eager=False, task_default_queue=queue)
    _fresh_connection_pools()
    yield url, queue
    with app.connection_for_write() as conn:  # leave nothing behind on the shared broker
        channel = conn.default_channel
        for name in (queue_name(kind, queue) for kind in QUEUE_KINDS):
            channel.queue_delete(name)
            channel.exchange_delete(name)  # Celery names the queue's exchange after it
            if url.startswith("redis"):  # kombu keeps an exchange's bindings in sets of its name
                channel.client.delete(f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")
    app.conf.update(saved)
    _fresh_connection_pools()


def _fresh_connection_pools() -> None:
    """Close the publishing connections, so the next broker gets pools of its own (what
    Celery does after a fork)."""
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def start_worker(
    broker: tuple[str, str], smtp_server: Any, tmp_path: Path
) -> Iterator[Callable[..., None]]:
    """Starts `retorno worker` with the production settings on the test database."""
    url, queue = broker
    log_path = tmp_path / "worker.log"
    started: list[subprocess.Popen] = []

    def start(*, beat: bool = False, **extra_env: str) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": url,
            "CELERY_QUEUE": queue,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_server.port),
            "DEFAULT_FROM_EMAIL": "returns@retorno.test",
            "RETORNO_VAR_DIR": str(tmp_path),
            "SECRET_KEY": "worker-test",
            **extra_env,
        }
        worker = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "retorno"),
                "worker",
                "--concurrency",
                "1",
                *(["--beat"] if beat else []),
            ],
            env=env,
            cwd=tmp_path,
            stdout=log_path.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(worker)
        deadline = time.monotonic() + READY_SECONDS
        while " ready." not in log_path.read_text():
            assert worker.poll() is None, log_path.read_text()[-3000:]
            assert time.monotonic() < deadline, log_path.read_text()[-3000:]
            time.sleep(0.2)

    yield start
    for worker in started:
        _stop_group(worker)


def _stop_group(worker: subprocess.Popen) -> None:
    """Stop the worker and its pool's child processes, and wait until none is left: one still
    connected would keep the test database from being dropped."""
    _signal_group(worker.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    while _group_alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _group_alive(worker):
        _signal_group(worker.pid, signal.SIGKILL)
        while _group_alive(worker):
            time.sleep(0.1)


def _signal_group(group: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, sig)


def _group_alive(worker: subprocess.Popen) -> bool:
    worker.poll()  # reap the main process once it exits
    try:
        os.killpg(worker.pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_a_worker_started_later_delivers_the_queued_email_once(
    store: Store, start_worker, smtp_server
):
    store.name, store.support_email = "Tienda Sol", "ayuda@sol.example"
    store.save()
    created = create_return(store, order_for(store))
    # Published and committed, but no worker yet: nothing is sent.
    time.sleep(1)
    assert smtp_server.arrivals == []
    assert Message.objects.get().status == MessageStatus.QUEUED

    start_worker()

    assert _wait_for(
        lambda: Message.objects.get().status == MessageStatus.SENT, DELIVERY_SECONDS
    ), Message.objects.values("status", "error").get()
    assert _wait_for(lambda: len(smtp_server.arrivals) == 1, 10)
    (mail,) = smtp_server.arrivals
    assert created.rma in mail.subject
    assert mail.rcpt_tos == [created.customer.email]
    time.sleep(2)  # a second delivery (a redelivered task, a second consumer) would show by now
    assert len(smtp_server.arrivals) == 1


def test_a_message_whose_publish_was_lost_is_delivered_by_the_sweeper(
    store: Store, start_worker, smtp_server, monkeypatch
):
    # The web process dies between its commit and the publish: nothing reaches the broker.
    monkeypatch.setattr(outbox, "schedule_delivery", lambda message_id, **kwargs: None)
    created = create_return(store, order_for(store))
    assert Message.objects.get().status == MessageStatus.QUEUED

    start_worker(beat=True, RETORNO_OUTBOX_SWEEP_SECONDS="1")

    assert _wait_for(
        lambda: Message.objects.get().status == MessageStatus.SENT, DELIVERY_SECONDS
    ), Message.objects.values("status", "error").get()
    assert _wait_for(lambda: len(smtp_server.arrivals) == 1, 10)
    assert created.rma in smtp_server.arrivals[0].subject
    time.sleep(3)  # later sweeps find it delivered and send nothing more
    assert len(smtp_server.arrivals) == 1
