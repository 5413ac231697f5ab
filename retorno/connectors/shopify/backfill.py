"""The backfill: the last N days of a shop's orders through the Admin GraphQL API, page after
page, as a job (outbox message `shopify.backfill`) with its progress in `ShopifyBackfill`.

It keeps to the shop's rate limit: before a page it waits until the bucket (as the last answer
reported it) holds the page's requested cost; a THROTTLED answer waits what the bucket needs, a
429 waits its `Retry-After`. A 5xx or a timeout ends the run with a retry later (the cursor is
saved after every page, so the next run goes on from there); a refusal (bad token) fails it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from retorno.connectors.intake import order_import
from retorno.connectors.records import BackfillStatus
from retorno.connectors.shopify import queries
from retorno.connectors.shopify.client import (
    AdminClient,
    Cost,
    ShopifyRejected,
    ShopifyThrottled,
    ShopifyUnavailable,
)
from retorno.connectors.shopify.mapping import MappingError, order_from_graphql
from retorno.connectors.shopify.models import ShopifyBackfill

__all__ = ["BACKFILL_KIND", "backfill_deliver", "backfill_run"]
from retorno.connectors.shopify.services import BACKFILL_KIND, admin_client, connection_get
from retorno.core.errors import RetornoError
from retorno.core.outbox import RetryAt

# A wait longer than this gives the worker back and retries the run later.
MAX_INLINE_WAIT_SECONDS = 30.0
RETRY_LATER = timedelta(minutes=1)


def _search(backfill: ShopifyBackfill) -> str:
    return f"created_at:>='{backfill.since.strftime('%Y-%m-%dT%H:%M:%SZ')}'"


def backfill_run(
    backfill_id: int,
    *,
    client: AdminClient | None = None,
    sleep: Callable[[float], None] = time.sleep,
    on_page: Callable[[ShopifyBackfill], None] | None = None,
) -> ShopifyBackfill:
    """Run (or go on with) a backfill until it is done; raises RetryAt to be called again."""
    backfill = ShopifyBackfill.objects.select_related("store").get(id=backfill_id)
    if backfill.status != BackfillStatus.RUNNING:
        return backfill
    store = backfill.store
    client = client or admin_client(connection_get(store=store))
    search = _search(backfill)
    cost: Cost | None = None

    def call(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        nonlocal cost
        while True:
            if cost is not None and cost.requested:
                wait = cost.wait_for(cost.requested)
                if wait:
                    _wait(backfill, wait, sleep)
            try:
                answer = client.execute(query, variables)
            except ShopifyThrottled as throttled:
                _wait(backfill, throttled.wait, sleep)
                cost = None
                continue
            cost = answer.cost
            return answer.data

    try:
        if backfill.total is None:
            counted = call(queries.ORDERS_COUNT, {"query": search}).get("ordersCount") or {}
            backfill.total = int(counted.get("count") or 0)
            backfill.save(update_fields=["total"])
        while True:
            variables = {"query": search, "after": backfill.cursor or None}
            page = call(queries.ORDERS_PAGE, variables).get("orders") or {}
            for node in page.get("nodes") or []:
                try:
                    order_import(store, order_from_graphql(node))
                    backfill.imported += 1
                except (MappingError, RetornoError):
                    backfill.refused += 1
            info = page.get("pageInfo") or {}
            backfill.pages += 1
            backfill.cursor = info.get("endCursor") or backfill.cursor
            done = not info.get("hasNextPage")
            if done:
                backfill.status = BackfillStatus.DONE
                backfill.finished_at = timezone.now()
            backfill.save()
            if on_page is not None:
                on_page(backfill)
            if done:
                return backfill
    except ShopifyUnavailable as error:
        backfill.error = f"{error.message} Retrying from page {backfill.pages + 1}."[:500]
        backfill.save(update_fields=["error"])
        raise RetryAt(timezone.now() + RETRY_LATER, error.message) from None
    except ShopifyRejected as error:
        backfill.status, backfill.error = BackfillStatus.FAILED, error.message[:500]
        backfill.finished_at = timezone.now()
        backfill.save()
        return backfill


def _wait(backfill: ShopifyBackfill, seconds: float, sleep: Callable[[float], None]) -> None:
    if seconds > MAX_INLINE_WAIT_SECONDS:
        backfill.save()
        raise RetryAt(
            timezone.now() + timedelta(seconds=seconds), f"Shopify asked to wait {seconds:g} s."
        )
    backfill.waited_seconds += seconds
    sleep(seconds)


def backfill_deliver(message: Any) -> dict[str, Any]:
    """Outbox handler of `shopify.backfill`."""
    backfill = backfill_run(int(message.payload["backfill"]))
    return {"status": backfill.status, "imported": backfill.imported, "pages": backfill.pages}
