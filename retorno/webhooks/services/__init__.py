"""Writes for webhooks: a store's endpoints (create, change, delete, rotate the secret), events
published to them, and replays.

Publishing runs inside the transaction of the change it reports (the return kernel's handlers,
a claim, an exchange order): the event, one delivery per subscribed endpoint and each
delivery's outbox message are written there, so a rolled-back change publishes nothing and a
committed one is delivered after commit, once per endpoint.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from retorno.core import storecache
from retorno.core.errors import Conflict, NotFound, Unprocessable
from retorno.core.outbound import OutboundURLRefused, check_outbound_url
from retorno.core.outbox import outbox_enqueue
from retorno.domain.webhooks import (
    SECRET_BYTES,
    WebhookError,
    event_types_check,
    secret_from_bytes,
    subscribes,
)
from retorno.stores.models import Store
from retorno.webhooks.crypto import decrypt_secret, encrypt_secret, reencrypt_secret
from retorno.webhooks.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from retorno.webhooks.services import objects

DELIVER_KIND = "webhook.deliver"
MAX_ENDPOINTS_PER_STORE = 20
# How long the previous secret keeps signing after a rotation, unless the call says otherwise:
# long enough for the receiver's configuration to be changed.
DEFAULT_ROTATION_OVERLAP = timedelta(hours=24)
MAX_ROTATION_OVERLAP = timedelta(days=7)


@dataclass(frozen=True)
class IssuedEndpoint:
    """An endpoint with its new secret in clear: shown once, never stored in clear."""

    endpoint: WebhookEndpoint
    secret: str


def _checked_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise Unprocessable("An endpoint needs a URL.", code="validation_error", field="url")
    if len(url) > 2000:
        raise Unprocessable("The URL is too long.", code="validation_error", field="url")
    try:
        check_outbound_url(url)
    except OutboundURLRefused as refused:
        # The same answer as a carrier's URLs: one code, the check's own code per field.
        raise Unprocessable(
            f"url: {refused.message}",
            code="invalid_outbound_url",
            field="url",
            errors=[{"field": "url", "code": refused.code, "message": refused.message}],
        ) from None
    return url


def _checked_types(types: Sequence[str]) -> list[str]:
    try:
        return event_types_check([str(t) for t in types])
    except WebhookError as error:
        raise Unprocessable(str(error), code=error.code, field="event_types") from None


def _new_secret() -> str:
    return secret_from_bytes(secrets.token_bytes(SECRET_BYTES))


def _hint(secret: str) -> str:
    return secret[:10]


def endpoint_create(
    *, store: Store, url: str, description: str = "", event_types: Sequence[str] = ()
) -> IssuedEndpoint:
    """Add an endpoint; its URL must pass the outbound-URL check (422 naming `url` otherwise).
    Returns the endpoint with its secret, the only time the secret is shown."""
    url = _checked_url(url)
    types = _checked_types(event_types)
    secret = _new_secret()
    with transaction.atomic():
        Store.objects.select_for_update().filter(id=store.id).first()  # count under a lock
        if WebhookEndpoint.objects.filter(store=store).count() >= MAX_ENDPOINTS_PER_STORE:
            raise Conflict(
                f"A store has at most {MAX_ENDPOINTS_PER_STORE} webhook endpoints.",
                code="too_many_endpoints",
            )
        endpoint = WebhookEndpoint.objects.create(
            store=store,
            url=url,
            description=description.strip(),
            event_types=types,
            secret_token=encrypt_secret(secret),
            secret_hint=_hint(secret),
        )
    return IssuedEndpoint(endpoint, secret)


def _locked(store: Store, endpoint_id: int) -> WebhookEndpoint:
    endpoint = (
        WebhookEndpoint.objects.select_for_update().filter(store=store, id=endpoint_id).first()
    )
    if endpoint is None:
        raise NotFound("No such webhook endpoint.", code="webhook_endpoint_not_found")
    return endpoint


def endpoint_update(
    *,
    store: Store,
    endpoint_id: int,
    url: str | None = None,
    description: str | None = None,
    event_types: Sequence[str] | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    """Change what is given. Enabling an endpoint (after a 410 or a pause) clears why it was
    disabled and its failing mark; deliveries that were skipped meanwhile are not resent (replay
    them)."""
    checked_url = _checked_url(url) if url is not None else None
    types = _checked_types(event_types) if event_types is not None else None
    with transaction.atomic():
        endpoint = _locked(store, endpoint_id)
        if checked_url is not None:
            endpoint.url = checked_url
        if description is not None:
            endpoint.description = description.strip()
        if types is not None:
            endpoint.event_types = types
        if enabled is not None:
            if enabled and not endpoint.enabled:
                endpoint.disabled_reason = ""
                endpoint.failing_since = None
            endpoint.enabled = enabled
        endpoint.save()
    return endpoint


def endpoint_delete(*, store: Store, endpoint_id: int) -> None:
    """Remove the endpoint with its deliveries and their log; queued deliveries to it end."""
    with transaction.atomic():
        _locked(store, endpoint_id).delete()


def endpoint_rotate_secret(
    *,
    store: Store,
    endpoint_id: int,
    overlap: timedelta | None = None,
    now: datetime | None = None,
) -> IssuedEndpoint:
    """Give the endpoint a new secret. For `overlap` (default 24 h, at most 7 days; zero ends
    the old one at once) messages carry a signature with each secret, so the receiver can
    switch whenever it likes within that time."""
    now = now or timezone.now()
    overlap = DEFAULT_ROTATION_OVERLAP if overlap is None else overlap
    if overlap < timedelta(0) or overlap > MAX_ROTATION_OVERLAP:
        raise Unprocessable(
            "The overlap is between 0 seconds and 7 days.",
            code="invalid_overlap",
            field="overlap_seconds",
        )
    secret = _new_secret()
    with transaction.atomic():
        endpoint = _locked(store, endpoint_id)
        endpoint.previous_secret_token = endpoint.secret_token if overlap else ""
        endpoint.previous_secret_expires_at = now + overlap if overlap else None
        endpoint.secret_token = encrypt_secret(secret)
        endpoint.secret_hint = _hint(secret)
        endpoint.save()
    return IssuedEndpoint(endpoint, secret)


def secrets_in_force(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The secrets that sign a message sent now: the current one, and the previous one while
    its overlap lasts."""
    found = [decrypt_secret(endpoint.secret_token)]
    if (
        endpoint.previous_secret_token
        and endpoint.previous_secret_expires_at is not None
        and now < endpoint.previous_secret_expires_at
    ):
        found.append(decrypt_secret(endpoint.previous_secret_token))
    return found


def _public_id() -> str:
    return "evt_" + secrets.token_hex(12)


Listening = list[tuple[int, list[str]]]


def endpoints_listening(*, store: Store) -> Listening:
    """The store's enabled endpoints with the types each is subscribed to (one query, kept per
    process a few seconds: storecache)."""

    def read() -> tuple[tuple[int, tuple[str, ...]], ...]:
        rows = WebhookEndpoint.objects.filter(store=store, enabled=True)
        return tuple(
            (endpoint_id, tuple(types or []))
            for endpoint_id, types in rows.values_list("id", "event_types")
        )

    kept = storecache.remembered("webhook_endpoints", store.id, read)
    return [(endpoint_id, list(types)) for endpoint_id, types in kept]


storecache.forget_on_change(WebhookEndpoint, "webhook_endpoints")


def webhook_publish(
    *,
    store: Store,
    event_type: str,
    object_type: str,
    ref: Any,
    source_key: str,
    now: datetime,
    listening: Listening | None = None,
) -> WebhookEvent | None:
    """Publish `event_type` about the object `ref` (rendered as the API shows it) to the
    store's enabled endpoints subscribed to it, inside the caller's transaction. Once per
    `source_key`: publishing the same source again (a handler run twice, a replayed event)
    adds nothing, and each endpoint gets the event at most once. None when no endpoint wants it
    (nothing is rendered or written then). `listening` is endpoints_listening's answer when the
    caller has it already (read in the same transaction)."""
    if listening is None:
        listening = endpoints_listening(store=store)
    wanted = [endpoint_id for endpoint_id, types in listening if subscribes(types, event_type)]
    if not wanted:
        return None
    public_id = _public_id()
    body = {
        "id": public_id,
        "type": event_type,
        "timestamp": now,
        "store": store.slug,
        "object": object_type,
        "data": objects.object_render(object_type, store, ref),
    }
    WebhookEvent.objects.bulk_create(
        [
            WebhookEvent(
                store=store,
                public_id=public_id,
                type=event_type,
                source_key=source_key,
                body=json.dumps(body, cls=DjangoJSONEncoder, separators=(",", ":")),
                created_at=now,
            )
        ],
        ignore_conflicts=True,
    )
    event = WebhookEvent.objects.get(store=store, source_key=source_key)
    _deliveries_enqueue(event, wanted, now=now)
    return event


def _deliveries_enqueue(event: WebhookEvent, endpoint_ids: list[int], *, now: datetime) -> None:
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                store_id=event.store_id,
                endpoint_id=endpoint_id,
                event=event,
                next_attempt_at=now,
            )
            for endpoint_id in endpoint_ids
        ],
        ignore_conflicts=True,
    )
    for delivery_id in WebhookDelivery.objects.filter(
        event=event, endpoint_id__in=endpoint_ids
    ).values_list("id", flat=True):
        # The dedupe key is the delivery: however often this runs, one message per delivery.
        outbox_enqueue(
            store_id=event.store_id,
            kind=DELIVER_KIND,
            dedupe_key=f"webhook:{delivery_id}",
            payload={"delivery_id": delivery_id},
        )


def delivery_replay(
    *, store: Store, delivery_id: int, now: datetime | None = None
) -> WebhookDelivery:
    """Send a delivery again, now, once (its schedule is not restarted): the same webhook-id and
    body, signed afresh. Allowed for a disabled endpoint too: that is how a store checks a
    receiver it fixed before enabling the endpoint."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update().filter(store=store, id=delivery_id).first()
        )
        if delivery is None:
            raise NotFound("No such webhook delivery.", code="webhook_delivery_not_found")
        outbox_enqueue(
            store_id=store.id,
            kind=DELIVER_KIND,
            dedupe_key=f"webhook-replay:{delivery.id}:{secrets.token_hex(8)}",
            payload={"delivery_id": delivery.id, "replay": True},
        )
        if delivery.status != DeliveryStatus.DELIVERED:
            delivery.status = DeliveryStatus.PENDING
            delivery.next_attempt_at = now
            delivery.save(update_fields=["status", "next_attempt_at", "updated_at"])
    return delivery


def endpoint_secrets_reencrypt() -> tuple[int, list[str]]:
    """Encrypt every endpoint's secrets with the current key, one endpoint at a time: (how many,
    "store/endpoint id" of those no configured key reads, left as they are)."""
    done, unreadable = 0, []
    for endpoint_id in WebhookEndpoint.objects.order_by("id").values_list("id", flat=True):
        with transaction.atomic():
            endpoint = (
                WebhookEndpoint.objects.select_for_update()
                .select_related("store")
                .get(id=endpoint_id)
            )
            try:
                fields = {"secret_token": reencrypt_secret(endpoint.secret_token)}
                if endpoint.previous_secret_token:
                    fields["previous_secret_token"] = reencrypt_secret(
                        endpoint.previous_secret_token
                    )
            except Unprocessable:
                unreadable.append(f"{endpoint.store.slug}/{endpoint.id}")
                continue
            WebhookEndpoint.objects.filter(id=endpoint.id).update(**fields)
            done += 1
    return done, unreadable
