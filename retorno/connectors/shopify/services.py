"""Writes of the Shopify connector: the connection, webhooks received, their processing into
orders, and the backfill. The calls out to Shopify for returns are in `sync`.

A webhook is verified (HMAC-SHA256 of the raw body with the store's secret), stored once per
`X-Shopify-Webhook-Id`, and answered at once; the work is an outbox message (`shopify.inbound`),
so a slow database or a failing mapping never makes Shopify wait or lose the webhook.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from retorno.connectors import receipts
from retorno.connectors.intake import (
    checked_base_url,
    connection_store,
    fallback_set,
    order_delivered,
    order_import,
    reencrypt_all,
    signature_valid,
)
from retorno.connectors.shopify import crypto, queries
from retorno.connectors.shopify.client import AdminClient, ShopifyError
from retorno.connectors.shopify.mapping import MappingError, order_from_rest, parse_time
from retorno.connectors.shopify.models import (
    ShopifyBackfill,
    ShopifyConnection,
    ShopifyWebhookReceipt,
)
from retorno.core.errors import NotFound, Unprocessable
from retorno.orders.models import Order
from retorno.stores.models import Store

API_VERSION = "2026-04"
INBOUND_KIND = "shopify.inbound"
BACKFILL_KIND = "shopify.backfill"
MAX_BACKFILL_DAYS = receipts.MAX_BACKFILL_DAYS
DOMAIN_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}\.myshopify\.com$")
ORDER_TOPICS = {"orders/create", "orders/updated", "orders/edited", "orders/cancelled"}
FULFILLMENT_TOPICS = {"fulfillments/create", "fulfillments/update", "fulfillment_events/create"}
RETURN_TOPICS = {"returns/request"}
KNOWN_TOPICS = ORDER_TOPICS | FULFILLMENT_TOPICS | RETURN_TOPICS | {"refunds/create"}


class InvalidSignature(Exception):
    """The webhook's HMAC does not verify with the store's secret: nothing is stored."""


class UnknownShop(Exception):
    """No store is connected to the shop the webhook names."""


# --- the connection -----------------------------------------------------------------------------


def _checked_domain(domain: str) -> str:
    domain = (domain or "").strip().lower().removeprefix("https://").rstrip("/")
    if not DOMAIN_RE.match(domain):
        raise Unprocessable(
            "shop_domain must be the shop's myshopify.com domain (e.g. my-store.myshopify.com).",
            code="validation_error",
            field="shop_domain",
        )
    return domain


def connection_save(
    *,
    store: Store,
    shop_domain: str,
    access_token: str,
    webhook_secret: str,
    api_base_url: str = "",
    restock_location_id: str = "",
    refunds_in_shopify: bool = True,
) -> ShopifyConnection:
    """Connect the store to a shop, or change its connection. The token and secret are stored
    encrypted; the Admin API URL passes the outbound-URL check. A shop already connected to
    another store is refused (code `shop_taken`)."""
    domain = _checked_domain(shop_domain)
    token = (access_token or "").strip()
    secret = (webhook_secret or "").strip()
    if len(token) < 8:
        raise Unprocessable(
            "access_token is the custom app's Admin API access token.",
            code="validation_error",
            field="access_token",
        )
    if len(secret) < 8:
        raise Unprocessable(
            "webhook_secret is the custom app's API secret key, which signs its webhooks.",
            code="validation_error",
            field="webhook_secret",
        )
    base = checked_base_url(api_base_url.strip() or f"https://{domain}")
    values = {
        "shop_domain": domain,
        "api_base_url": base,
        "api_version": API_VERSION,
        "token_encrypted": crypto.encrypt(crypto.TOKEN, token),
        "token_hint": token[:6],
        "secret_encrypted": crypto.encrypt(crypto.SECRET, secret),
        "restock_location_id": restock_location_id.strip(),
        "refunds_in_shopify": refunds_in_shopify,
        "check_error": "",
    }
    return connection_store(
        ShopifyConnection,
        store=store,
        values=values,
        taken=Unprocessable(
            f"{domain} is connected to another store.", code="shop_taken", field="shop_domain"
        ),
    )


def connection_fallback_set(connection: ShopifyConnection, adapter: str) -> None:
    fallback_set(connection, adapter)


def credentials_reencrypt() -> tuple[int, list[str]]:
    """`retorno reencrypt-secrets`: every connection's token and secret with the current key."""
    return reencrypt_all(
        ShopifyConnection,
        {"token_encrypted": crypto.TOKEN, "secret_encrypted": crypto.SECRET},
        crypto.reencrypt,
        lambda connection: connection.shop_domain,
    )


def connection_delete(*, store: Store) -> None:
    """Disconnect: nothing more is sent to Shopify or taken from it. Webhooks received and the
    links between returns stay, for the record."""
    deleted, _ = ShopifyConnection.objects.filter(store=store).delete()
    if not deleted:
        raise NotFound("This store is not connected to Shopify.", code="not_connected")


def connection_get(*, store: Store) -> ShopifyConnection:
    connection = ShopifyConnection.objects.filter(store=store).first()
    if connection is None:
        raise NotFound("This store is not connected to Shopify.", code="not_connected")
    return connection


def admin_client(connection: ShopifyConnection, **kwargs: Any) -> AdminClient:
    return AdminClient(
        base_url=connection.api_base_url,
        version=connection.api_version,
        token=crypto.decrypt(crypto.TOKEN, connection.token_encrypted),
        **kwargs,
    )


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    shop_name: str
    locations: list[dict[str, str]]
    code: str
    message: str


def connection_check(*, store: Store, client: AdminClient | None = None) -> CheckResult:
    """Ask the shop who it is and where it keeps stock; remembers the answer (or the error)."""
    connection = connection_get(store=store)
    client = client or admin_client(connection)
    now = timezone.now()
    try:
        data = client.execute(queries.SHOP).data
    except ShopifyError as error:
        connection.checked_at, connection.check_error = now, error.message[:500]
        connection.save(update_fields=["checked_at", "check_error", "updated_at"])
        return CheckResult(False, connection.shop_name, [], error.code, error.message)
    shop = data.get("shop") or {}
    locations = [
        {"id": n["id"], "name": n["name"]} for n in (data.get("locations") or {}).get("nodes") or []
    ]
    connection.shop_name = str(shop.get("name") or "")[:255]
    connection.checked_at, connection.check_error = now, ""
    connection.save(update_fields=["shop_name", "checked_at", "check_error", "updated_at"])
    return CheckResult(True, connection.shop_name, locations, "", "")


# --- webhooks in --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    receipt_id: int
    duplicate: bool


def webhook_receive(*, headers: dict[str, str], body: bytes) -> Received:
    """Verify and keep one webhook, and queue its processing (in the same transaction).
    UnknownShop when no store is connected to the shop; InvalidSignature when the HMAC does not
    verify; Unprocessable (code `invalid_webhook`) when a header is missing. A webhook id seen
    before is a duplicate: answered the same, processed once."""
    lower = {k.lower(): v for k, v in headers.items()}
    domain = (lower.get("x-shopify-shop-domain") or "").strip().lower()
    connection = (
        ShopifyConnection.objects.select_related("store").filter(shop_domain=domain).first()
        if domain
        else None
    )
    if connection is None:
        raise UnknownShop(domain)
    secret = crypto.decrypt(crypto.SECRET, connection.secret_encrypted)
    if not signature_valid(secret, body, lower.get("x-shopify-hmac-sha256") or ""):
        raise InvalidSignature(domain)
    webhook_id = (lower.get("x-shopify-webhook-id") or "").strip()
    topic = (lower.get("x-shopify-topic") or "").strip()
    if not webhook_id or not topic or len(webhook_id) > 100 or len(topic) > 60:
        raise Unprocessable(
            "X-Shopify-Webhook-Id and X-Shopify-Topic are required.", code="invalid_webhook"
        )
    receipt_id, duplicate = receipts.receipt_keep(
        ShopifyWebhookReceipt,
        store=connection.store,
        key={"webhook_id": webhook_id},
        values={
            "topic": topic,
            "body": body.decode("utf-8", errors="replace"),
            "triggered_at": (lower.get("x-shopify-triggered-at") or "")[:40],
        },
        known=topic in KNOWN_TOPICS,
        kind=INBOUND_KIND,
        prefix="shopify",
    )
    return Received(receipt_id, duplicate)


def receipt_body(receipt: ShopifyWebhookReceipt) -> dict[str, Any]:
    try:
        body = json.loads(receipt.body)
    except ValueError:
        raise MappingError("body", "is not JSON.") from None
    if not isinstance(body, dict):
        raise MappingError("body", "is not a JSON object.")
    return body


def receipt_apply(store: Store, receipt: ShopifyWebhookReceipt) -> str:
    """Do what an order or fulfillment webhook says; a short note of what was done. Return
    requests and refunds are the return kernel's (returns.workflows.storefront)."""
    body = receipt_body(receipt)
    topic = receipt.topic
    if topic in ORDER_TOPICS:
        order = order_import(store, order_from_rest(body))
        return f"order {order.number}"
    if topic == "fulfillment_events/create":
        if str(body.get("status") or "").lower() != "delivered":
            return f"fulfillment event {body.get('status')}"
        when = parse_time(body.get("happened_at") or body.get("created_at"), "happened_at")
        assert when is not None
        found = order_delivered(store, str(body.get("order_id") or ""), when)
        return "delivered" if found else "delivered (order not yet in Retorno)"
    if topic in FULFILLMENT_TOPICS:
        if str(body.get("shipment_status") or "").lower() != "delivered":
            return f"fulfillment {body.get('shipment_status') or body.get('status')}"
        when = parse_time(body.get("updated_at"), "updated_at")
        assert when is not None
        shipped = Order.objects.filter(store=store, external_id=str(body.get("order_id"))).first()
        if shipped is not None and shipped.delivered_at is None:
            order_delivered(store, shipped.external_id, when)
        return "delivered"
    return "ignored"


def receipt_retry(*, store: Store, receipt_id: int) -> ShopifyWebhookReceipt:
    """Process a failed webhook again (after the store fixed what it lacked)."""
    return receipts.receipt_retry(
        ShopifyWebhookReceipt,
        store=store,
        receipt_id=receipt_id,
        kind=INBOUND_KIND,
        prefix="shopify",
        platform="Shopify",
    )


def backfill_start(*, store: Store, days: int, enqueue: bool = True) -> ShopifyBackfill:
    """Start importing the last `days` days of orders (one backfill at a time per store)."""
    connection_get(store=store)
    return receipts.backfill_create(
        ShopifyBackfill,
        store=store,
        days=days,
        kind=BACKFILL_KIND,
        prefix="shopify",
        enqueue=enqueue,
    )
