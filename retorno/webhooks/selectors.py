"""Reads for webhooks, always within one store: another store's endpoint is not found."""

from __future__ import annotations

from django.db.models import QuerySet

from retorno.core.errors import NotFound
from retorno.stores.models import Store
from retorno.webhooks.models import WebhookDelivery, WebhookEndpoint

DELIVERIES_PAGE = 50


def endpoint_list_for_store(*, store: Store) -> list[WebhookEndpoint]:
    return list(WebhookEndpoint.objects.for_store(store).order_by("id"))


def endpoint_get_for_store(*, store: Store, endpoint_id: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.for_store(store).filter(id=endpoint_id).first()
    if endpoint is None:
        raise NotFound("No such webhook endpoint.", code="webhook_endpoint_not_found")
    return endpoint


def delivery_list_for_endpoint(
    *, store: Store, endpoint_id: int, status: str | None = None, limit: int = DELIVERIES_PAGE
) -> list[WebhookDelivery]:
    """The endpoint's latest deliveries with their event and attempts (three queries)."""
    endpoint = endpoint_get_for_store(store=store, endpoint_id=endpoint_id)
    rows: QuerySet[WebhookDelivery] = WebhookDelivery.objects.filter(store=store, endpoint=endpoint)
    if status:
        rows = rows.filter(status=status)
    return list(
        rows.select_related("event").prefetch_related("attempt_log").order_by("-id")[:limit]
    )


def delivery_get_for_store(*, store: Store, delivery_id: int) -> WebhookDelivery:
    delivery = (
        WebhookDelivery.objects.filter(store=store, id=delivery_id)
        .select_related("event", "endpoint")
        .prefetch_related("attempt_log")
        .first()
    )
    if delivery is None:
        raise NotFound("No such webhook delivery.", code="webhook_delivery_not_found")
    return delivery
