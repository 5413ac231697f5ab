"""Reads of the Shopify connector for the API and the back office."""

from __future__ import annotations

from retorno.connectors.shopify.models import (
    ShopifyBackfill,
    ShopifyConnection,
    ShopifyReturnLink,
    ShopifyWebhookReceipt,
)
from retorno.core.errors import NotFound
from retorno.stores.models import Store


def connection_for_store(*, store: Store) -> ShopifyConnection | None:
    return ShopifyConnection.objects.filter(store=store).first()


def backfill_get(*, store: Store, backfill_id: int) -> ShopifyBackfill:
    found = ShopifyBackfill.objects.filter(store=store, id=backfill_id).first()
    if found is None:
        raise NotFound("No such backfill.", code="backfill_not_found")
    return found


def backfill_latest(*, store: Store) -> ShopifyBackfill | None:
    return ShopifyBackfill.objects.filter(store=store).order_by("-id").first()


def receipts_recent(*, store: Store, limit: int = 20) -> list[ShopifyWebhookReceipt]:
    return list(ShopifyWebhookReceipt.objects.filter(store=store).order_by("-id")[:limit])


def return_links_recent(*, store: Store, limit: int = 20) -> list[ShopifyReturnLink]:
    return list(ShopifyReturnLink.objects.filter(store=store).order_by("-id")[:limit])
