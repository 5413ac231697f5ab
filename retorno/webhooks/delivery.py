"""Sending a delivery: the outbox handler of `webhook.deliver`.

Each run is one HTTP request through the guarded outbound client (the URL is checked again at
connect time), signed with the secrets in force, with a 10-second timeout. Its outcome is
logged as an attempt, then:

- 2xx: delivered; a failing endpoint is well again.
- 410 Gone: the endpoint is disabled (the receiver says it no longer exists).
- anything else (another status, a timeout, a refused connection): tried again on the
  schedule of retorno.domain.webhooks (with jitter) until ten attempts are spent; then the
  delivery has failed, the endpoint is marked failing and the store's admins are e-mailed.

A replay is one request outside the schedule. A worker that dies mid-request leaves the outbox
message claimed; the sweeper hands it out again, so the delivery is still made (receivers
deduplicate on webhook-id, which stays the same).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from retorno.core import storecache
from retorno.core.errors import Unprocessable
from retorno.core.models import OutboxMessage
from retorno.core.outbound import outbound_client
from retorno.core.outbox import PermanentFailure, RetryAt, outbox_enqueue
from retorno.domain.webhooks import GONE, is_success, next_attempt_delay, signature_header
from retorno.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from retorno.webhooks.services import DELIVER_KIND, secrets_in_force

__all__ = ["DELIVER_KIND", "FAILING_KIND", "delivery_deliver"]

FAILING_KIND = "webhook.failing"
TIMEOUT_SECONDS = 10.0
# What of the receiver's answer is kept: enough to see an error message, never a whole page.
EXCERPT_CHARS = 500
_READ_BYTES = 4096


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    latency_ms: int
    excerpt: str = ""
    error: str = ""


def _send(endpoint: WebhookEndpoint, delivery: WebhookDelivery, now: datetime) -> Answer:
    body = delivery.event.body.encode()
    timestamp = int(now.timestamp())
    try:
        signature = signature_header(
            secrets_in_force(endpoint, now), delivery.event.public_id, timestamp, body
        )
    except Unprocessable as unreadable:
        return Answer(None, 0, error=unreadable.detail)
    headers = {
        "Content-Type": "application/json",
        "webhook-id": delivery.event.public_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }
    started = time.monotonic()
    try:
        with (
            outbound_client(timeout=TIMEOUT_SECONDS) as client,
            client.stream("POST", endpoint.url, content=body, headers=headers) as response,
        ):
            read = b""
            for chunk in response.iter_bytes():
                read += chunk
                if len(read) >= _READ_BYTES:
                    break
            status = response.status_code
    except httpx.HTTPError as failed:
        latency = int((time.monotonic() - started) * 1000)
        return Answer(None, latency, error=(str(failed) or type(failed).__name__)[:EXCERPT_CHARS])
    latency = int((time.monotonic() - started) * 1000)
    excerpt = read.decode("utf-8", "replace")[:EXCERPT_CHARS]
    return Answer(status, latency, excerpt=excerpt)


def _log(
    delivery: WebhookDelivery, answer: Answer, *, replay: bool, now: datetime, status: str
) -> None:
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts + 1,
        replay=replay,
        started_at=now,
        status_code=answer.status_code,
        latency_ms=answer.latency_ms,
        response_excerpt=answer.excerpt,
        error=answer.error,
    )
    fields: dict[str, Any] = {
        "attempts": F("attempts") + 1,
        "last_status_code": answer.status_code,
        "status": status,
        "updated_at": now,
    }
    if status == DeliveryStatus.DELIVERED:
        fields["delivered_at"] = now
        fields["next_attempt_at"] = None
    WebhookDelivery.objects.filter(id=delivery.id).update(**fields)


def delivery_deliver(message: OutboxMessage) -> dict[str, Any]:
    """Outbox handler: one request for the delivery in `message.payload` (see the module)."""
    replay = bool(message.payload.get("replay"))
    delivery = (
        WebhookDelivery.objects.select_related("endpoint", "event")
        .filter(id=message.payload["delivery_id"])
        .first()
    )
    if delivery is None:
        raise PermanentFailure("the delivery is gone (its endpoint was deleted)")
    endpoint = delivery.endpoint
    if not replay:
        if delivery.status == DeliveryStatus.DELIVERED:
            return {"status": "already delivered"}
        if not endpoint.enabled:
            WebhookDelivery.objects.filter(id=delivery.id).update(
                status=DeliveryStatus.SKIPPED, next_attempt_at=None
            )
            return {"status": "skipped", "reason": "endpoint disabled"}
    now = timezone.now()
    answer = _send(endpoint, delivery, now)
    if answer.status_code is not None and is_success(answer.status_code):
        with transaction.atomic():
            _log(delivery, answer, replay=replay, now=now, status=DeliveryStatus.DELIVERED)
            WebhookEndpoint.objects.filter(id=endpoint.id, failing_since__isnull=False).update(
                failing_since=None
            )
        return {"status": answer.status_code, "latency_ms": answer.latency_ms}
    reason = f"HTTP {answer.status_code}" if answer.status_code else answer.error
    if answer.status_code == GONE:
        with transaction.atomic():
            _log(delivery, answer, replay=replay, now=now, status=DeliveryStatus.FAILED)
            WebhookEndpoint.objects.filter(id=endpoint.id).update(
                enabled=False, disabled_reason="gone"
            )
            storecache.forget_changed("webhook_endpoints", endpoint.store_id)
        raise PermanentFailure("410 Gone: the endpoint was disabled")
    delay = None if replay else next_attempt_delay(message.attempts + 1, random.uniform(-1, 1))
    if delay is not None:
        with transaction.atomic():
            _log(delivery, answer, replay=replay, now=now, status=DeliveryStatus.PENDING)
            WebhookDelivery.objects.filter(id=delivery.id).update(next_attempt_at=now + delay)
        raise RetryAt(now + delay, reason)
    with transaction.atomic():
        _log(delivery, answer, replay=replay, now=now, status=DeliveryStatus.FAILED)
        if not replay:
            _mark_failing(endpoint, now)
    raise PermanentFailure(f"gave up: {reason}")


def _mark_failing(endpoint: WebhookEndpoint, now: datetime) -> None:
    """Mark the endpoint failing (if it was not already) and tell the store's admins, once per
    spell of failing: the notice's dedupe key is the moment the spell began."""
    marked = WebhookEndpoint.objects.filter(id=endpoint.id, failing_since__isnull=True).update(
        failing_since=now
    )
    if marked:
        outbox_enqueue(
            store_id=endpoint.store_id,
            kind=FAILING_KIND,
            dedupe_key=f"webhook-failing:{endpoint.id}:{now.isoformat()}",
            payload={"endpoint_id": endpoint.id},
        )
