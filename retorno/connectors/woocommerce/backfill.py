"""Orders read from the store's REST API, page by page: the backfill (the last N days, outbox
`woocommerce.backfill`, progress in `WooBackfill`) and the polling (`woocommerce.poll`):
WooCommerce does not retry a webhook and disables it after 5 failed deliveries, so every few
minutes the connector reads `orders?modified_after=` from the last modification it saw.

Pages come oldest first (`orderby`, `order=asc`) with `X-WP-Total` and `X-WP-TotalPages`; the
backfill keeps the last page done, so a run stopped by an unavailable store goes on from the
next. A 429 waits its `Retry-After` (over 30 s: the job is retried later); a 5xx or a timeout
retries the job later; a refusal (a bad key) fails the backfill.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from retorno.connectors.records import BackfillStatus
from retorno.connectors.values import MappingError
from retorno.connectors.woocommerce.client import (
    Answer,
    WooClient,
    WooRejected,
    WooThrottled,
    WooUnavailable,
)
from retorno.connectors.woocommerce.models import WooBackfill, WooConnection
from retorno.connectors.woocommerce.services import connection_get, order_take, woo_client
from retorno.core.errors import RetornoError
from retorno.core.outbox import PermanentFailure, RetryAt
from retorno.stores.models import Store

PER_PAGE = 50
MAX_INLINE_WAIT_SECONDS = 30.0
RETRY_LATER = timedelta(minutes=1)
# Polls read again a little before the last modification seen (clocks, same-second changes).
POLL_OVERLAP = timedelta(seconds=60)


def _gmt(value: Any) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _fetch(
    client: WooClient,
    params: dict[str, Any],
    on_wait: Callable[[float], None],
) -> Answer:
    while True:
        try:
            return client.get("orders", params)
        except WooThrottled as throttled:
            if throttled.wait > MAX_INLINE_WAIT_SECONDS:
                raise RetryAt(
                    timezone.now() + timedelta(seconds=throttled.wait), throttled.message
                ) from None
            on_wait(throttled.wait)


def _take(store: Store, order: dict[str, Any]) -> str:
    """'imported', 'skipped' (not paid) or 'refused' (cannot be an order)."""
    try:
        note = order_take(store, order)
    except (MappingError, RetornoError):
        return "refused"
    return "skipped" if "not paid" in note else "imported"


def backfill_run(
    backfill_id: int,
    *,
    client: WooClient | None = None,
    sleep: Callable[[float], None] = time.sleep,
    on_page: Callable[[WooBackfill], None] | None = None,
) -> WooBackfill:
    """Run (or go on with) a backfill until it is done; raises RetryAt to be called again."""
    backfill = WooBackfill.objects.select_related("store").get(id=backfill_id)
    if backfill.status != BackfillStatus.RUNNING:
        return backfill
    store = backfill.store
    client = client or woo_client(connection_get(store=store))

    def wait(seconds: float) -> None:
        backfill.waited_seconds += seconds
        sleep(seconds)

    try:
        while True:
            answer = _fetch(
                client,
                {
                    "after": _gmt(backfill.since),
                    "dates_are_gmt": "true",
                    "orderby": "id",
                    "order": "asc",
                    "per_page": PER_PAGE,
                    "page": backfill.page + 1,
                },
                wait,
            )
            for order in answer.data if isinstance(answer.data, list) else []:
                outcome = _take(store, order)
                setattr(backfill, outcome, getattr(backfill, outcome) + 1)
            backfill.page += 1
            backfill.total = answer.total if answer.total is not None else backfill.total
            backfill.total_pages = answer.total_pages
            done = not answer.data or backfill.page >= (answer.total_pages or 0)
            if done:
                backfill.status = BackfillStatus.DONE
                backfill.finished_at = timezone.now()
            backfill.error = ""
            backfill.save()
            if on_page is not None:
                on_page(backfill)
            if done:
                return backfill
    except WooUnavailable as error:
        backfill.error = f"{error.message} Retrying from page {backfill.page + 1}."[:500]
        backfill.save()
        raise RetryAt(timezone.now() + RETRY_LATER, error.message) from None
    except WooRejected as error:
        backfill.status, backfill.error = BackfillStatus.FAILED, error.message[:500]
        backfill.finished_at = timezone.now()
        backfill.save()
        return backfill
    except RetryAt:
        backfill.save()
        raise


def backfill_deliver(message: Any) -> dict[str, Any]:
    """Outbox handler of `woocommerce.backfill`."""
    backfill = backfill_run(int(message.payload["backfill"]))
    return {"status": backfill.status, "imported": backfill.imported, "pages": backfill.page}


def poll_run(
    store: Store, *, client: WooClient | None = None, sleep: Callable[[float], None] = time.sleep
) -> dict[str, int]:
    """Read the orders modified since the last poll (the first poll starts now: older orders are
    the backfill's) and take each; remembers the latest modification read after every page."""
    connection = WooConnection.objects.get(store=store)
    client = client or woo_client(connection)
    now = timezone.now()
    counts = {"imported": 0, "skipped": 0, "refused": 0, "pages": 0}
    if not connection.polled_through:
        connection.polled_through, connection.polled_at = _gmt(now), now
        connection.save(update_fields=["polled_through", "polled_at", "updated_at"])
        return counts
    since = datetime.fromisoformat(connection.polled_through + "+00:00") - POLL_OVERLAP
    page = 1
    while True:
        answer = _fetch(
            client,
            {
                "modified_after": _gmt(since),
                "dates_are_gmt": "true",
                "orderby": "modified",
                "order": "asc",
                "per_page": PER_PAGE,
                "page": page,
            },
            sleep,
        )
        orders = answer.data if isinstance(answer.data, list) else []
        for order in orders:
            counts[_take(store, order)] += 1
            modified = str(order.get("date_modified_gmt") or "")
            if modified > connection.polled_through:
                connection.polled_through = modified[:30]
        counts["pages"] += 1
        connection.polled_at = now
        connection.save(update_fields=["polled_through", "polled_at", "updated_at"])
        if not orders or page >= (answer.total_pages or 0):
            return counts
        page += 1


def poll_deliver(message: Any) -> dict[str, Any]:
    """Outbox handler of `woocommerce.poll`."""
    store = Store.objects.get(id=message.store_id)
    if not WooConnection.objects.filter(store=store).exists():
        return {"skipped": "not connected"}
    try:
        return poll_run(store)
    except WooUnavailable as error:
        raise RuntimeError(error.message) from None  # the outbox's backoff
    except WooRejected as error:
        raise PermanentFailure(error.message) from None
