"""The demo store's webhook endpoint: `make run` points it at `retorno webhook-sink` on
127.0.0.1 and hands the sink the secret through a file, so signed events can be watched arriving
(var/webhook-sink/events.jsonl)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from retorno.stores.models import Store
from retorno.webhooks import selectors, services


def demo_webhook_endpoint(*, store: Store, url: str, secret_file: Path) -> int:
    """Give the store an endpoint at `url` (or a fresh secret for the one it has, the old one
    ending at once) and write its secret to `secret_file`. Returns the endpoint's id."""
    existing = [e for e in selectors.endpoint_list_for_store(store=store) if e.url == url]
    if existing:
        issued = services.endpoint_rotate_secret(
            store=store, endpoint_id=existing[0].id, overlap=timedelta(0)
        )
        services.endpoint_update(store=store, endpoint_id=existing[0].id, enabled=True)
    else:
        issued = services.endpoint_create(store=store, url=url, description="Demo webhook sink")
    secret_file.parent.mkdir(parents=True, exist_ok=True)
    secret_file.write_text(issued.secret + "\n")
    secret_file.chmod(0o600)
    return issued.endpoint.id
