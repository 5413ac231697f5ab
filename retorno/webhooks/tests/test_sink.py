"""`retorno webhook-sink` (the demo's receiver on 127.0.0.1) accepts what Retorno signs for the
demo store's endpoint, logs it, and refuses a forged or stale message."""

from __future__ import annotations

import json
import threading
import time

import pytest

from retorno.core.models import OutboxMessage, OutboxStatus
from retorno.core.outbox import outbox_deliver_one
from retorno.demo.webhook_endpoint import demo_webhook_endpoint
from retorno.domain.webhooks import sign
from retorno.notifications.tests.test_delivery import create_return, order_for
from retorno.webhooks.services import DELIVER_KIND
from retorno.webhooks.sink import sink_server, verify
from retorno.webhooks.tests.receiver import PORTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def sink(tmp_path):
    for port in reversed(PORTS):
        try:
            server = sink_server(port, tmp_path / "secret", tmp_path / "events.jsonl")
            break
        except OSError:
            continue
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, tmp_path
    server.shutdown()
    server.server_close()


def test_the_demo_endpoint_delivers_signed_events_to_the_sink(store, sink):
    server, folder = sink
    url = f"http://127.0.0.1:{server.server_address[1]}/webhooks"
    first = demo_webhook_endpoint(store=store, url=url, secret_file=folder / "secret")
    # Run again (make run twice): the same endpoint, a fresh secret in the file.
    assert demo_webhook_endpoint(store=store, url=url, secret_file=folder / "secret") == first
    create_return(store, order_for(store))
    for message in OutboxMessage.objects.filter(kind=DELIVER_KIND):
        assert outbox_deliver_one(message.id) == OutboxStatus.DELIVERED

    lines = [json.loads(x) for x in (folder / "events.jsonl").read_text().splitlines()]
    assert {line["type"] for line in lines} >= {"return.requested", "return.approved"}
    assert all(line["verified"] for line in lines)


def test_a_forged_or_stale_message_is_refused():
    secret = "whsec_" + "QUJD" * 8
    body, now = b'{"type":"return.approved"}', time.time()
    good = {
        "webhook-id": "evt_1",
        "webhook-timestamp": str(int(now)),
        "webhook-signature": sign(secret, "evt_1", int(now), body),
    }
    assert verify([secret], good, body, now).status == 200
    assert verify([secret], good, body + b" ", now).status == 400
    assert verify(["whsec_" + "WFla" * 8], good, body, now).status == 400
    assert verify([secret], good, body, now + 600).reason == "timestamp too far from now"
