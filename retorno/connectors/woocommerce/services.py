"""Writes of the WooCommerce connector: the connection, webhooks received and their processing
into orders, the backfill's start. Calls out for restocks and exchanges are in `sync`; the
backfill and the polling in `backfill`; refunds in `payments`.

A webhook is verified (base64 HMAC-SHA256 of the raw body with the webhook's secret), stored
once per `X-WC-Webhook-Delivery-ID`, and answered at once; the work is an outbox message
(`woocommerce.inbound`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.utils import timezone

from retorno.connectors import receipts
from retorno.connectors.intake import (
    checked_base_url,
    connection_store,
    fallback_set,
    order_import,
    reencrypt_all,
    signature_valid,
)
from retorno.connectors.values import MappingError
from retorno.connectors.woocommerce import crypto
from retorno.connectors.woocommerce.client import WooClient, WooError
from retorno.connectors.woocommerce.mapping import is_paid, order_from_woo
from retorno.connectors.woocommerce.models import WooBackfill, WooConnection, WooWebhookReceipt
from retorno.core.errors import NotFound, Unprocessable
from retorno.core.outbox import outbox_enqueue
from retorno.stores.models import Store

INBOUND_KIND = "woocommerce.inbound"
BACKFILL_KIND = "woocommerce.backfill"
POLL_KIND = "woocommerce.poll"
API_PATH = "/wp-json/wc/v3"
MAX_BACKFILL_DAYS = receipts.MAX_BACKFILL_DAYS
ORDER_TOPICS = frozenset({"order.created", "order.updated", "order.restored"})
KNOWN_TOPICS = ORDER_TOPICS | {"order.deleted"}


class InvalidSignature(Exception):
    """The webhook's signature does not verify with the store's secret: nothing is stored."""


class UnknownStore(Exception):
    """No Retorno store is connected to the site the webhook comes from."""


# --- the connection -----------------------------------------------------------------------------


def site_url(url: str) -> str:
    """A site's URL as webhooks name it, without the trailing slash, lower-case host."""
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{port}{parts.path.rstrip('/')}"


def connection_save(
    *,
    store: Store,
    store_url: str,
    consumer_key: str,
    consumer_secret: str,
    webhook_secret: str,
    api_base_url: str = "",
    refunds_in_woocommerce: bool = True,
    api_refund: bool = True,
    restock_with_refund: bool = False,
) -> WooConnection:
    """Connect the store to its WooCommerce site, or change the connection. The key, secret and
    webhook secret are stored encrypted; the REST API URL passes the outbound-URL check. A site
    already connected to another store is refused (code `store_url_taken`)."""
    url = site_url(store_url)
    if not url:
        raise Unprocessable(
            "store_url is the WordPress site's address (https://my-store.example).",
            code="validation_error",
            field="store_url",
        )
    key, secret = (consumer_key or "").strip(), (consumer_secret or "").strip()
    hook_secret = (webhook_secret or "").strip()
    for field, value, prefix in (("consumer_key", key, "ck_"), ("consumer_secret", secret, "cs_")):
        if not value.startswith(prefix) or len(value) < 7:
            raise Unprocessable(
                f"{field} is the REST API key's {field.replace('_', ' ')} ({prefix}…), from "
                "WooCommerce → Settings → Advanced → REST API.",
                code="validation_error",
                field=field,
            )
    if len(hook_secret) < 8:
        raise Unprocessable(
            "webhook_secret is the secret the store's webhooks are signed with (8 characters "
            "or more).",
            code="validation_error",
            field="webhook_secret",
        )
    base = checked_base_url(api_base_url.strip() or f"{url}{API_PATH}")
    values = {
        "store_url": url,
        "api_base_url": base,
        "key_encrypted": crypto.encrypt(crypto.KEY, key),
        "key_hint": key[:7],
        "secret_encrypted": crypto.encrypt(crypto.SECRET, secret),
        "webhook_secret_encrypted": crypto.encrypt(crypto.WEBHOOK_SECRET, hook_secret),
        "refunds_in_woocommerce": refunds_in_woocommerce,
        "api_refund": api_refund,
        "restock_with_refund": restock_with_refund,
        "check_error": "",
    }
    return connection_store(
        WooConnection,
        store=store,
        values=values,
        taken=Unprocessable(
            f"{url} is connected to another store.", code="store_url_taken", field="store_url"
        ),
    )


def connection_fallback_set(connection: WooConnection, adapter: str) -> None:
    fallback_set(connection, adapter)


def credentials_reencrypt() -> tuple[int, list[str]]:
    """`retorno reencrypt-secrets`: every connection's key and secrets with the current key."""
    return reencrypt_all(
        WooConnection,
        {
            "key_encrypted": crypto.KEY,
            "secret_encrypted": crypto.SECRET,
            "webhook_secret_encrypted": crypto.WEBHOOK_SECRET,
        },
        crypto.reencrypt,
        lambda connection: connection.store_url,
    )


def connection_get(*, store: Store) -> WooConnection:
    connection = WooConnection.objects.filter(store=store).first()
    if connection is None:
        raise NotFound("This store is not connected to WooCommerce.", code="not_connected")
    return connection


def connection_delete(*, store: Store) -> None:
    """Disconnect: nothing more is sent to WooCommerce or taken from it; webhooks received and
    calls made stay, for the record."""
    deleted, _ = WooConnection.objects.filter(store=store).delete()
    if not deleted:
        raise NotFound("This store is not connected to WooCommerce.", code="not_connected")


def woo_client(connection: WooConnection, **kwargs: Any) -> WooClient:
    return WooClient(
        base_url=connection.api_base_url,
        key=crypto.decrypt(crypto.KEY, connection.key_encrypted),
        secret=crypto.decrypt(crypto.SECRET, connection.secret_encrypted),
        **kwargs,
    )


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    store_name: str
    version: str
    currency: str
    code: str
    message: str


def connection_check(*, store: Store, client: WooClient | None = None) -> CheckResult:
    """Ask the store its version and currency with the stored key; remembers the answer."""
    connection = connection_get(store=store)
    client = client or woo_client(connection)
    now = timezone.now()
    try:
        data = client.get("system_status").data
    except WooError as error:
        connection.checked_at, connection.check_error = now, error.message[:500]
        connection.save(update_fields=["checked_at", "check_error", "updated_at"])
        return CheckResult(False, connection.store_name, "", "", error.code, error.message)
    data = data if isinstance(data, dict) else {}
    environment = data.get("environment") or {}
    name = (data.get("store") or {}).get("name") or environment.get("site_url") or ""
    connection.store_name = str(name)[:255]
    connection.checked_at, connection.check_error = now, ""
    connection.save(update_fields=["store_name", "checked_at", "check_error", "updated_at"])
    return CheckResult(
        True,
        connection.store_name,
        str(environment.get("version") or ""),
        str((data.get("settings") or {}).get("currency") or ""),
        "",
        "",
    )


# --- webhooks in --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    receipt_id: int | None
    duplicate: bool
    ping: bool = False


def webhook_receive(*, headers: dict[str, str], body: bytes) -> Received:
    """Verify and keep one webhook delivery, and queue its processing (same transaction).

    WooCommerce first pings a new webhook with the unsigned form body `webhook_id=<id>`: it is
    answered, nothing is stored. UnknownStore when no store is connected to the site in
    X-WC-Webhook-Source; InvalidSignature when X-WC-Webhook-Signature does not verify;
    Unprocessable (code `invalid_webhook`) when the topic or delivery id is missing. A delivery
    id seen before is a duplicate: answered the same, processed once."""
    lower = {k.lower(): v for k, v in headers.items()}
    signature = lower.get("x-wc-webhook-signature") or ""
    if not signature and body.startswith(b"webhook_id="):
        return Received(None, False, ping=True)
    source = site_url(lower.get("x-wc-webhook-source") or "")
    connection = (
        WooConnection.objects.select_related("store").filter(store_url=source).first()
        if source
        else None
    )
    if connection is None:
        raise UnknownStore(source)
    secret = crypto.decrypt(crypto.WEBHOOK_SECRET, connection.webhook_secret_encrypted)
    if not signature_valid(secret, body, signature):
        raise InvalidSignature(source)
    delivery_id = (lower.get("x-wc-webhook-delivery-id") or "").strip()
    topic = (lower.get("x-wc-webhook-topic") or "").strip()
    if not delivery_id or not topic or len(delivery_id) > 100 or len(topic) > 60:
        raise Unprocessable(
            "X-WC-Webhook-Delivery-ID and X-WC-Webhook-Topic are required.",
            code="invalid_webhook",
        )
    receipt_id, duplicate = receipts.receipt_keep(
        WooWebhookReceipt,
        store=connection.store,
        key={"delivery_id": delivery_id},
        values={
            "webhook_id": (lower.get("x-wc-webhook-id") or "")[:40],
            "topic": topic,
            "body": body.decode("utf-8", errors="replace"),
        },
        known=topic in KNOWN_TOPICS,
        kind=INBOUND_KIND,
        prefix="woo",
    )
    return Received(receipt_id, duplicate)


def order_take(store: Store, body: dict[str, Any]) -> str:
    """An order as WooCommerce shows it, into Retorno (unpaid ones wait); a short note."""
    if not is_paid(body):
        return f"order {body.get('number') or body.get('id')} not paid ({body.get('status')})"
    order = order_import(store, order_from_woo(body))
    return f"order {order.number}"


def receipt_apply(store: Store, receipt: WooWebhookReceipt) -> str:
    try:
        body = json.loads(receipt.body)
    except ValueError:
        raise MappingError("body", "is not JSON.") from None
    if not isinstance(body, dict):
        raise MappingError("body", "is not a JSON object.")
    if receipt.topic in ORDER_TOPICS:
        return order_take(store, body)
    return f"{receipt.topic}: recorded"


def inbound_deliver(message: Any) -> dict[str, Any]:
    """Outbox handler of `woocommerce.inbound`: one stored webhook (connectors.receipts)."""
    return receipts.receipt_process(
        WooWebhookReceipt, message, lambda receipt: receipt_apply(receipt.store, receipt)
    )


def receipt_retry(*, store: Store, receipt_id: int) -> WooWebhookReceipt:
    """Process a failed webhook again (after the store fixed what it lacked)."""
    return receipts.receipt_retry(
        WooWebhookReceipt,
        store=store,
        receipt_id=receipt_id,
        kind=INBOUND_KIND,
        prefix="woo",
        platform="WooCommerce",
    )


def backfill_start(*, store: Store, days: int, enqueue: bool = True) -> WooBackfill:
    """Start importing the last `days` days of orders (one backfill at a time per store)."""
    connection_get(store=store)
    return receipts.backfill_create(
        WooBackfill, store=store, days=days, kind=BACKFILL_KIND, prefix="woo", enqueue=enqueue
    )


def polls_enqueue(*, now: Any = None, every_seconds: int = 300) -> int:
    """One poll of `orders?modified_after=` per connected store (the scheduled task), at most one
    per store per period."""
    now = now or timezone.now()
    slot = int(now.timestamp()) // every_seconds
    count = 0
    for store_id in WooConnection.objects.values_list("store_id", flat=True):
        outbox_enqueue(
            store_id=store_id, kind=POLL_KIND, dedupe_key=f"woo-poll:{store_id}:{slot}", payload={}
        )
        count += 1
    return count
