"""Reads of the WooCommerce connector for the API and the back office, always for one store."""

from __future__ import annotations

from retorno.connectors import records
from retorno.connectors.woocommerce.models import (
    WooBackfill,
    WooCall,
    WooConnection,
    WooWebhookReceipt,
)
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


def backfill_latest(*, store: Store) -> WooBackfill | None:
    return WooBackfill.objects.filter(store=store).order_by("-id").first()


def backfill_percent(run: WooBackfill | None) -> int | None:
    """How far a backfill is, 0–100 (None before the store has said how many orders there are)."""
    if run is None:
        return None
    done = run.imported + run.skipped + run.refused
    return records.backfill_percent(run.status, done, run.total)


def calls_recent(*, store: Store, limit: int = 20) -> list[WooCall]:
    """The latest calls Retorno made to the store (refunds, restocks, exchange orders)."""
    return list(WooCall.objects.filter(store=store).order_by("-id")[:limit])
