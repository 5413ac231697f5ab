"""Reads of the WooCommerce connector for the API."""

from __future__ import annotations

from retorno.connectors.woocommerce.models import WooBackfill, WooConnection, WooWebhookReceipt
from retorno.core.errors import NotFound
from retorno.stores.models import Store


def connection_for_store(*, store: Store) -> WooConnection | None:
    return WooConnection.objects.filter(store=store).first()


def backfill_get(*, store: Store, backfill_id: int) -> WooBackfill:
    found = WooBackfill.objects.filter(store=store, id=backfill_id).first()
    if found is None:
        raise NotFound("No such backfill.", code="backfill_not_found")
    return found


def backfill_running(*, store: Store) -> WooBackfill | None:
    return WooBackfill.objects.filter(store=store, status="running").order_by("-id").first()


def receipts_recent(*, store: Store, limit: int = 50) -> list[WooWebhookReceipt]:
    return list(WooWebhookReceipt.objects.filter(store=store).order_by("-id")[:limit])
