"""The demo's webhook sink (`retorno webhook-sink`) as a test receiver on 127.0.0.1: a store
endpoint pointed at it, every queued delivery sent, and what it logged read back."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from retorno.core.models import OutboxMessage, OutboxStatus
from retorno.core.outbox import outbox_deliver_one
from retorno.demo.webhook_endpoint import demo_webhook_endpoint
from retorno.stores.models import Store
from retorno.webhooks.services import DELIVER_KIND
from retorno.webhooks.sink import sink_server

PORTS = range(8590, 8600)


def sink_running(tmp_path: Path) -> Iterator[tuple[Any, Path]]:
    """The sink serving in a thread on a port of PORTS (the `webhook_sink` fixture)."""
    for port in PORTS:
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


def endpoint_at(store: Store, sink: tuple[Any, Path]) -> Path:
    """Give the store an endpoint at the sink; the file the sink logs to."""
    server, folder = sink
    url = f"http://127.0.0.1:{server.server_address[1]}/webhooks"
    demo_webhook_endpoint(store=store, url=url, secret_file=folder / "secret")
    return folder / "events.jsonl"


def deliver_all() -> None:
    for message in OutboxMessage.objects.filter(kind=DELIVER_KIND).order_by("id"):
        assert outbox_deliver_one(message.id) in (OutboxStatus.DELIVERED, "skipped")


def received(log: Path, event_type: str) -> list[dict[str, Any]]:
    """The data of each `event_type` event the sink logged (every one signed correctly)."""
    lines = [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []
    assert all(line["verified"] for line in lines)
    return [line["data"] for line in lines if line["type"] == event_type]
