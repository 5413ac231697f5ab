"""A store's webhook endpoints (admin scope): create, list, read, change, delete, rotate the
secret, the deliveries with each attempt, and replaying one. docs/webhooks.md."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from retorno.api.v1.auth import require_scope
from retorno.api.v1.routers.common import ERRORS, WRITE_ERRORS
from retorno.core.errors import NotFound
from retorno.domain.webhooks import EVENT_TYPES
from retorno.webhooks import selectors, services
from retorno.webhooks.models import WebhookDelivery, WebhookEndpoint

router = Router(tags=["webhooks"])

EventType = Literal[EVENT_TYPES]  # type: ignore[valid-type]


class EndpointIn(Schema):
    url: str = Field(..., min_length=1, max_length=2000)
    description: str = Field("", max_length=200)
    event_types: list[EventType] = Field(
        default_factory=list, max_length=len(EVENT_TYPES), description="Empty: every type."
    )


class EndpointPatch(Schema):
    url: str | None = Field(None, min_length=1, max_length=2000)
    description: str | None = Field(None, max_length=200)
    event_types: list[EventType] | None = Field(None, max_length=len(EVENT_TYPES))
    enabled: bool | None = None


class RotateIn(Schema):
    overlap_seconds: int | None = Field(
        None,
        ge=0,
        le=7 * 24 * 3600,
        description="How long the previous secret keeps signing (default 86400; 0 ends it now).",
    )


class EndpointOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str
    failing_since: datetime | None
    secret_hint: str = Field(description="The first characters of the current secret.")
    previous_secret_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime


class EndpointWithSecretOut(EndpointOut):
    secret: str = Field(description="whsec_…: shown this once, never again.")


class EndpointListOut(Schema):
    results: list[EndpointOut]


class AttemptOut(Schema):
    number: int
    replay: bool
    started_at: datetime
    status_code: int | None
    latency_ms: int
    response_excerpt: str
    error: str


class DeliveryOut(Schema):
    id: int
    event_id: str
    event_type: str
    status: str
    attempts: int
    last_status_code: int | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    attempt_log: list[AttemptOut]


class DeliveryListOut(Schema):
    results: list[DeliveryOut]


class DeliveryFilters(Schema):
    status: Literal["pending", "delivered", "failed", "skipped"] | None = None
    limit: int = Field(50, ge=1, le=200)


def endpoint_body(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": list(endpoint.event_types or []),
        "enabled": endpoint.enabled,
        "disabled_reason": endpoint.disabled_reason,
        "failing_since": endpoint.failing_since,
        "secret_hint": endpoint.secret_hint,
        "previous_secret_expires_at": endpoint.previous_secret_expires_at
        if endpoint.previous_secret_token
        else None,
        "created_at": endpoint.created_at,
        "updated_at": endpoint.updated_at,
    }


def delivery_body(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "event_id": delivery.event.public_id,
        "event_type": delivery.event.type,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "last_status_code": delivery.last_status_code,
        "next_attempt_at": delivery.next_attempt_at,
        "delivered_at": delivery.delivered_at,
        "created_at": delivery.created_at,
        "attempt_log": [
            {
                "number": a.number,
                "replay": a.replay,
                "started_at": a.started_at,
                "status_code": a.status_code,
                "latency_ms": a.latency_ms,
                "response_excerpt": a.response_excerpt,
                "error": a.error,
            }
            for a in delivery.attempt_log.all()
        ],
    }


@router.post(
    "/webhook-endpoints",
    response={201: EndpointWithSecretOut, **WRITE_ERRORS},
    summary="Add a webhook endpoint",
)
def endpoint_create(request: HttpRequest, payload: EndpointIn):
    """The URL must pass the outbound-URL check (https, a public address): 422
    `invalid_outbound_url` otherwise, with the check's code in `errors[]` (`url_scheme_not_allowed`,
    `url_address_not_allowed`, …), as for a carrier's URLs. The
    answer carries the signing secret, the only time it is shown."""
    api_key = require_scope(request, "admin")
    issued = services.endpoint_create(
        store=api_key.store,
        url=payload.url,
        description=payload.description,
        event_types=payload.event_types,
    )
    return Status(201, {**endpoint_body(issued.endpoint), "secret": issued.secret})


@router.get(
    "/webhook-endpoints", response={200: EndpointListOut, **ERRORS}, summary="Webhook endpoints"
)
def endpoint_list(request: HttpRequest):
    api_key = require_scope(request, "admin")
    return {
        "results": [
            endpoint_body(e) for e in selectors.endpoint_list_for_store(store=api_key.store)
        ]
    }


@router.get(
    "/webhook-endpoints/{endpoint_id}",
    response={200: EndpointOut, **ERRORS},
    summary="A webhook endpoint",
)
def endpoint_get(request: HttpRequest, endpoint_id: int):
    api_key = require_scope(request, "admin")
    return endpoint_body(
        selectors.endpoint_get_for_store(store=api_key.store, endpoint_id=endpoint_id)
    )


@router.patch(
    "/webhook-endpoints/{endpoint_id}",
    response={200: EndpointOut, **WRITE_ERRORS},
    summary="Change a webhook endpoint",
)
def endpoint_update(request: HttpRequest, endpoint_id: int, payload: EndpointPatch):
    """Fields left out keep their value. `enabled: true` turns an endpoint disabled by a 410
    back on and clears its failing mark."""
    api_key = require_scope(request, "admin")
    endpoint = services.endpoint_update(
        store=api_key.store, endpoint_id=endpoint_id, **payload.model_dump(exclude_none=True)
    )
    return endpoint_body(endpoint)


@router.delete(
    "/webhook-endpoints/{endpoint_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Delete a webhook endpoint",
)
def endpoint_delete(request: HttpRequest, endpoint_id: int):
    api_key = require_scope(request, "admin")
    services.endpoint_delete(store=api_key.store, endpoint_id=endpoint_id)
    return Status(204, None)


@router.post(
    "/webhook-endpoints/{endpoint_id}/rotate-secret",
    response={200: EndpointWithSecretOut, **WRITE_ERRORS},
    summary="Rotate a webhook endpoint's secret",
)
def endpoint_rotate_secret(request: HttpRequest, endpoint_id: int, payload: RotateIn):
    """A new secret, shown once. Until `previous_secret_expires_at` every message is signed
    with both secrets (two `v1,` signatures in `webhook-signature`)."""
    api_key = require_scope(request, "admin")
    overlap = (
        None if payload.overlap_seconds is None else timedelta(seconds=payload.overlap_seconds)
    )
    issued = services.endpoint_rotate_secret(
        store=api_key.store, endpoint_id=endpoint_id, overlap=overlap
    )
    return {**endpoint_body(issued.endpoint), "secret": issued.secret}


@router.get(
    "/webhook-endpoints/{endpoint_id}/deliveries",
    response={200: DeliveryListOut, **ERRORS},
    summary="A webhook endpoint's deliveries",
)
def delivery_list(request: HttpRequest, endpoint_id: int, filters: Query[DeliveryFilters]):
    """Newest first, each with every attempt: status, latency and the start of the answer."""
    api_key = require_scope(request, "admin")
    rows = selectors.delivery_list_for_endpoint(
        store=api_key.store, endpoint_id=endpoint_id, status=filters.status, limit=filters.limit
    )
    return {"results": [delivery_body(d) for d in rows]}


@router.post(
    "/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/replay",
    response={202: DeliveryOut, **WRITE_ERRORS},
    summary="Send a delivery again",
)
def delivery_replay(request: HttpRequest, endpoint_id: int, delivery_id: int):
    """Queues one more request with the same webhook-id and body (signed afresh); the answer
    is the delivery as it is now, the new attempt shows in its log once made."""
    api_key = require_scope(request, "admin")
    delivery = selectors.delivery_get_for_store(store=api_key.store, delivery_id=delivery_id)
    if delivery.endpoint_id != endpoint_id:
        raise NotFound("No such webhook delivery.", code="webhook_delivery_not_found")
    services.delivery_replay(store=api_key.store, delivery_id=delivery_id)
    delivery = selectors.delivery_get_for_store(store=api_key.store, delivery_id=delivery_id)
    return Status(202, delivery_body(delivery))
