"""Reads of the Shopify connector for the API and the back office."""

from __future__ import annotations

from retorno.connectors import records
from retorno.connectors.shopify.models import (
    ShopifyBackfill,
    ShopifyConnection,
    ShopifyReturnLink,
    ShopifyWebhookReceipt,
)
from retorno.core.errors import NotFound
from retorno.orders.models import Product, Variant
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


def catalog_products(*, store: Store, limit: int) -> list[tuple[Product, list[Variant]]]:
    """The store's first `limit` products (by id) that have variants, with their variants."""
    found: list[tuple[Product, list[Variant]]] = []
    for product in Product.objects.filter(store=store).order_by("id").prefetch_related("variants"):
        variants = sorted(product.variants.all(), key=lambda v: v.id)
        if variants:
            found.append((product, variants))
        if len(found) >= limit:
            break
    return found


def backfill_percent(backfill: ShopifyBackfill | None) -> int | None:
    """How far a backfill is, 0–100 (None before the shop has said how many orders there are)."""
    if backfill is None:
        return None
    done = backfill.imported + backfill.refused
    return records.backfill_percent(backfill.status, done, backfill.total)


def backfill_running(*, store: Store) -> ShopifyBackfill | None:
    return ShopifyBackfill.objects.filter(store=store, status="running").order_by("-id").first()
