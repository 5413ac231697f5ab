"""What the store connectors (Shopify, WooCommerce) do alike: their secrets encrypted at rest,
the store's API URL through the outbound-URL check, webhook bodies verified by a base64
HMAC-SHA256 (both platforms sign that way), and orders written through order intake with the
options and category the store's catalogue knows for a SKU."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from cryptography.fernet import InvalidToken
from django.db import IntegrityError, models, transaction

from retorno.core.crypto import fernet
from retorno.core.errors import Unprocessable
from retorno.core.outbound import OutboundURLRefused, check_outbound_url
from retorno.orders.models import Order, Variant
from retorno.orders.services import order_upsert
from retorno.stores.models import Store

C = TypeVar("C", bound=models.Model)


def encrypt(context: bytes, value: str) -> str:
    return fernet(context).encrypt(value.encode()).decode()


def decrypt(context: bytes, token: str, *, platform: str) -> str:
    """The value behind `token`; one no configured key reads raises Unprocessable (code
    `secret_unreadable`): the store must connect again with its credentials."""
    try:
        return fernet(context).decrypt(token.encode()).decode()
    except InvalidToken:
        raise Unprocessable(
            f"The {platform} credentials cannot be decrypted with the configured keys; "
            "connect the store again.",
            code="secret_unreadable",
        ) from None


def reencrypt(context: bytes, token: str, *, platform: str) -> str:
    try:
        return fernet(context).rotate(token.encode()).decode()
    except InvalidToken:
        raise Unprocessable(
            f"The {platform} credentials cannot be decrypted with the configured keys.",
            code="secret_unreadable",
        ) from None


def checked_base_url(url: str, field: str = "api_base_url") -> str:
    """`url` without its trailing slash, once it passes the outbound-URL check (422
    `invalid_outbound_url` naming the field otherwise)."""
    try:
        check_outbound_url(url)
    except OutboundURLRefused as refused:
        raise Unprocessable(
            f"{field}: {refused.message}",
            code="invalid_outbound_url",
            field=field,
            errors=[{"field": field, "code": refused.code, "message": refused.message}],
        ) from None
    return url.rstrip("/")


def signature_valid(secret: str, body: bytes, header: str) -> bool:
    """Whether `header` is the base64 HMAC-SHA256 of `body` with `secret` (constant time)."""
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, (header or "").strip().encode())


def _with_catalog_options(store: Store, data: dict[str, Any]) -> dict[str, Any]:
    """Lines whose SKU the store's catalog knows take its options (size, colour) and category;
    the others keep the platform's variant title."""
    skus = [line["sku"] for line in data["lines"]]
    known = {
        sku: (options, category)
        for sku, options, category in Variant.objects.filter(store=store, sku__in=skus).values_list(
            "sku", "options", "product__category"
        )
    }
    for line in data["lines"]:
        title = line.pop("variant_title", "")
        options, category = known.get(line["sku"], ({}, ""))
        if not line.get("options"):
            line["options"] = options or ({"variant": title} if title else {})
        if category and not line.get("category"):
            line["category"] = category
    return data


def order_import(store: Store, data: dict[str, Any]) -> Order:
    """Write one mapped order (create or update)."""
    order, _ = order_upsert(store=store, data=_with_catalog_options(store, data))
    return order


def order_delivered(store: Store, order_id: str, when: datetime) -> bool:
    """A fulfillment of the order was delivered at `when`: the order's delivery date, unless a
    later one is known. False when the order is not (yet) in Retorno."""
    order = Order.objects.filter(store=store, external_id=order_id).first()
    if order is None:
        return False
    if order.delivered_at is None or order.delivered_at < when:
        order.delivered_at = when
        order.intake_digest = ""  # changed outside the intake: the next intake writes again
        order.save(update_fields=["delivered_at", "intake_digest", "updated_at"])
    return True


def connection_store(
    model: type[C], *, store: Store, values: dict[str, Any], taken: Unprocessable
) -> C:
    """Write the store's connection (one per store); `taken` is raised when the platform's
    account is already connected to another store (its unique key)."""
    try:
        with transaction.atomic():
            connection, _ = model._default_manager.update_or_create(store=store, defaults=values)
    except IntegrityError:
        raise taken from None
    return connection


def fallback_set(connection: Any, adapter: str) -> None:
    """Remember the payment adapter the store had before its platform's."""
    connection.fallback_payment_adapter = adapter
    connection.save(update_fields=["fallback_payment_adapter", "updated_at"])


def reencrypt_all(
    model: type[C],
    fields: dict[str, bytes],
    reencrypt_one: Callable[[bytes, str], str],
    name: Callable[[C], str],
) -> tuple[int, list[str]]:
    """`retorno reencrypt-secrets`: every connection's `fields` (field → encryption context)
    with the current key; (done, names of the connections no configured key reads)."""
    done, unreadable = 0, []
    for connection in model._default_manager.all():
        try:
            for field, context in fields.items():
                setattr(connection, field, reencrypt_one(context, getattr(connection, field)))
        except Unprocessable:
            unreadable.append(name(connection))
            continue
        connection.save(update_fields=[*fields, "updated_at"])
        done += 1
    return done, unreadable
