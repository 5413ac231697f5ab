"""Writes and reads of the Stripe connector: the account (secret key and webhook secret
encrypted, API URL through the outbound-URL check) and the webhook events it receives.

An event is verified (`Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with
the endpoint's signing secret, the timestamp within `TOLERANCE_SECONDS` of now) and kept once per
event id; a refund event names a Stripe refund whose status the caller applies to Retorno's.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from retorno.connectors.stripe import crypto
from retorno.connectors.stripe.client import StripeClient, StripeRejected, StripeUnavailable
from retorno.connectors.stripe.models import StripeAccount, StripeEvent
from retorno.core.errors import NotFound, Unprocessable
from retorno.core.outbound import OutboundURLRefused, check_outbound_url
from retorno.orders.models import Order
from retorno.stores.models import Store

DEFAULT_API_URL = "https://api.stripe.com"
TOLERANCE_SECONDS = 300
REFUND_EVENTS = frozenset(
    {"refund.created", "refund.updated", "refund.failed", "charge.refund.updated"}
)


class InvalidSignature(Exception):
    """The Stripe-Signature header is missing, malformed, stale or does not verify."""


class UnknownAccount(Exception):
    """No store's Stripe account has this webhook token."""


# --- the account --------------------------------------------------------------------------------


def account_save(
    *, store: Store, secret_key: str, webhook_secret: str, api_base_url: str = ""
) -> StripeAccount:
    """Connect the store's Stripe account (or change it). The key must be a secret or
    restricted key (`sk_…`, `rk_…`), the webhook secret an endpoint's signing secret
    (`whsec_…`); both are stored encrypted. The webhook token stays when the account changes."""
    key = (secret_key or "").strip()
    secret = (webhook_secret or "").strip()
    if not key.startswith(("sk_", "rk_")) or len(key) < 12:
        raise Unprocessable(
            "secret_key is the account's secret key (sk_…) or a restricted key (rk_…) that "
            "may write refunds.",
            code="validation_error",
            field="secret_key",
        )
    if not secret.startswith("whsec_") or len(secret) < 12:
        raise Unprocessable(
            "webhook_secret is the webhook endpoint's signing secret (whsec_…).",
            code="validation_error",
            field="webhook_secret",
        )
    base = (api_base_url or "").strip() or DEFAULT_API_URL
    try:
        check_outbound_url(base)
    except OutboundURLRefused as refused:
        raise Unprocessable(
            f"api_base_url: {refused.message}",
            code="invalid_outbound_url",
            field="api_base_url",
            errors=[{"field": "api_base_url", "code": refused.code, "message": refused.message}],
        ) from None
    values = {
        "api_base_url": base.rstrip("/"),
        "key_encrypted": crypto.encrypt(crypto.KEY, key),
        "key_hint": key[:8],
        "webhook_secret_encrypted": crypto.encrypt(crypto.WEBHOOK_SECRET, secret),
        "check_error": "",
    }
    with transaction.atomic():
        account = StripeAccount.objects.select_for_update().filter(store=store).first()
        if account is None:
            return StripeAccount.objects.create(
                store=store, webhook_token=secrets.token_urlsafe(24), **values
            )
        for name, value in values.items():
            setattr(account, name, value)
        account.save()
    return account


def account_get(*, store: Store) -> StripeAccount:
    account = StripeAccount.objects.filter(store=store).first()
    if account is None:
        raise NotFound("This store has no Stripe account connected.", code="not_connected")
    return account


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    code: str
    message: str


def account_check(*, store: Store, client: StripeClient | None = None) -> CheckResult:
    """Read one refund with the stored key (nothing is written in Stripe); remembers when and
    what Stripe said. NotFound (`not_connected`) without an account."""
    account = account_get(store=store)
    client = client or client_for(account)
    try:
        client.refunds_peek()
    except StripeRejected as rejected:
        result = CheckResult(False, rejected.code, rejected.message)
    except StripeUnavailable as unavailable:
        result = CheckResult(False, "stripe_unavailable", str(unavailable))
    else:
        result = CheckResult(True, "", "")
    account.checked_at, account.check_error = timezone.now(), result.message[:500]
    account.save(update_fields=["checked_at", "check_error", "updated_at"])
    return result


def account_fallback_set(account: StripeAccount, adapter: str) -> None:
    account.fallback_payment_adapter = adapter
    account.save(update_fields=["fallback_payment_adapter", "updated_at"])


def account_delete(*, store: Store) -> None:
    """Disconnect: no refund goes to Stripe any more; events received stay, for the record."""
    deleted, _ = StripeAccount.objects.filter(store=store).delete()
    if not deleted:
        raise NotFound("This store has no Stripe account connected.", code="not_connected")


def account_for(store_id: int) -> StripeAccount | None:
    return StripeAccount.objects.filter(store_id=store_id).first()


def client_for(account: StripeAccount) -> StripeClient:
    return StripeClient(
        base_url=account.api_base_url, secret_key=crypto.decrypt(crypto.KEY, account.key_encrypted)
    )


def payment_reference_of(store_id: int, order_external_id: str) -> str:
    """The order's payment at its provider (empty when the store never sent one)."""
    found = (
        Order.objects.filter(store_id=store_id, external_id=order_external_id)
        .values_list("payment_reference", flat=True)
        .first()
    )
    return str(found or "")


def credentials_reencrypt() -> tuple[int, list[str]]:
    """`retorno reencrypt-secrets`: every account's key and webhook secret with the current key."""
    done, unreadable = 0, []
    for account in StripeAccount.objects.all():
        try:
            account.key_encrypted = crypto.reencrypt(crypto.KEY, account.key_encrypted)
            account.webhook_secret_encrypted = crypto.reencrypt(
                crypto.WEBHOOK_SECRET, account.webhook_secret_encrypted
            )
        except Exception:
            unreadable.append(f"store {account.store_id}")
            continue
        account.save(update_fields=["key_encrypted", "webhook_secret_encrypted", "updated_at"])
        done += 1
    return done, unreadable


# --- webhooks in --------------------------------------------------------------------------------


def signature_valid(
    secret: str, body: bytes, header: str, *, now: float, tolerance: int = TOLERANCE_SECONDS
) -> bool:
    """Stripe's scheme: any `v1` signature of `<t>.<body>` matches and `t` is within
    `tolerance` seconds of `now` (a replayed old event is refused)."""
    timestamp, signatures = "", []
    for part in (header or "").split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            timestamp = value
        elif name == "v1":
            signatures.append(value)
    if not timestamp.isdigit() or not signatures:
        return False
    if abs(now - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return any(hmac.compare_digest(expected, s) for s in signatures)


@dataclass(frozen=True)
class Received:
    event: StripeEvent
    duplicate: bool
    refund: dict[str, Any] | None  # the refund object of a refund event


def webhook_receive(
    *, token: str, headers: dict[str, str], body: bytes, now: datetime | None = None
) -> Received:
    """Verify and keep one event. UnknownAccount for a token no store has; InvalidSignature
    when the signature does not verify or is too old; Unprocessable (`invalid_webhook`) for a
    body that is not a Stripe event. An event id seen before is a duplicate."""
    now = now or timezone.now()
    account = StripeAccount.objects.select_related("store").filter(webhook_token=token).first()
    if account is None or not token:
        raise UnknownAccount(token)
    lower = {k.lower(): v for k, v in headers.items()}
    secret = crypto.decrypt(crypto.WEBHOOK_SECRET, account.webhook_secret_encrypted)
    if not signature_valid(secret, body, lower.get("stripe-signature") or "", now=now.timestamp()):
        raise InvalidSignature()
    try:
        event = json.loads(body)
    except ValueError:
        event = None
    if (
        not isinstance(event, dict)
        or event.get("object") != "event"
        or not isinstance(event.get("id"), str)
        or not isinstance(event.get("type"), str)
        or not isinstance((event.get("data") or {}).get("object"), dict)
    ):
        raise Unprocessable("The body is not a Stripe event.", code="invalid_webhook")
    obj = event["data"]["object"]
    refund = obj if event["type"] in REFUND_EVENTS and obj.get("object") == "refund" else None
    store = account.store
    try:
        with transaction.atomic():
            stored = StripeEvent.objects.create(
                store=store,
                event_id=event["id"][:100],
                type=event["type"][:80],
                object_id=str(obj.get("id") or "")[:100],
                body=body.decode("utf-8", errors="replace"),
                received_at=now,
            )
    except IntegrityError:
        same = StripeEvent.objects.get(store=store, event_id=event["id"][:100])
        return Received(same, True, None)
    return Received(stored, False, refund)


def event_outcome(event: StripeEvent, outcome: str) -> None:
    event.outcome = outcome[:300]
    event.save(update_fields=["outcome"])
