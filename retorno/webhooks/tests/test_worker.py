"""Production's path for a webhook, with real parts: a `retorno worker` process takes the
delivery from the broker and is killed (SIGKILL) while the receiver on 127.0.0.1 still holds its
request; a worker started afterwards with its scheduler sweeps the stale claim and delivers. The
receiver sees the same webhook-id twice (at-least-once: it deduplicates), and the delivery ends
delivered."""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import pytest
from django.conf import settings as django_settings

from retorno.notifications.tests.test_delivery import create_return, order_for
from retorno.stores.models import Store
from retorno.webhooks import services
from retorno.webhooks.models import DeliveryStatus, WebhookDelivery
from retorno.webhooks.tests.receiver import running_receiver

pytestmark = pytest.mark.django_db(transaction=True)

CLAIM_SECONDS = "12"


def _worker_env() -> dict[str, str]:
    return {
        # The worker decrypts the endpoint's secret with the key this process encrypted it with.
        "RETORNO_ENCRYPTION_KEY": django_settings.RETORNO_ENCRYPTION_KEYS[0],
        "RETORNO_ALLOW_PRIVATE_URLS": "true",
        "RETORNO_OUTBOX_CLAIM_SECONDS": CLAIM_SECONDS,
        "EMAIL_TIMEOUT": "1",
    }


def test_a_worker_killed_mid_delivery_still_delivers(store: Store, start_worker):
    with running_receiver(200) as receiver:
        hold = receiver.hold = threading.Event()
        issued = services.endpoint_create(
            store=store, url=receiver.url, event_types=["return.requested"]
        )
        start_worker(**_worker_env())
        first_worker = _latest_worker()
        create_return(store, order_for(store))

        assert receiver.arrived.wait(60), "the worker never sent the webhook"
        os.killpg(first_worker.pid, signal.SIGKILL)
        while _group_alive(first_worker):
            time.sleep(0.1)
        receiver.hold = None
        hold.set()  # the killed worker's request ends; nobody reads its answer
        assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING

        start_worker(beat=True, RETORNO_OUTBOX_SWEEP_SECONDS="1", **_worker_env())
        assert _wait_for(
            lambda: WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED, 90
        ), list(WebhookDelivery.objects.values("status", "attempts"))

    assert len(receiver.arrivals) == 2
    ids = {a.headers["webhook-id"] for a in receiver.arrivals}
    assert len(ids) == 1
    assert json.loads(receiver.arrivals[1].body)["type"] == "return.requested"
    delivery = WebhookDelivery.objects.get(endpoint=issued.endpoint)
    assert [a.status_code for a in delivery.attempt_log.all()] == [200]


_started: list = []


def _group_alive(worker) -> bool:
    worker.poll()  # reap the main process once it exits
    try:
        os.killpg(worker.pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _latest_worker():
    return _started[-1]


@pytest.fixture(autouse=True)
def _track_workers(monkeypatch):
    """Keep the worker processes start_worker launches, to kill the first one."""
    import subprocess

    real = subprocess.Popen

    def popen(*args, **kwargs):
        process = real(*args, **kwargs)
        _started.append(process)
        return process

    monkeypatch.setattr(subprocess, "Popen", popen)
    yield
    _started.clear()
