"""A store's refunds and its Stripe account (retorno.connectors.stripe, docs/integrations.md).

Connecting makes `stripe` the store's payment adapter (the one it had is kept, and is its
again on disconnecting). A refund event from Stripe settles the PENDING refund it names, with
the hooks of any other settlement: paid, it goes on the return's trail and tells the shopper;
failed, it is published as `refund.failed` and shown to the agent with Stripe's reason.
"""

from __future__ import annotations

from retorno.connectors.stripe import services as stripe
from retorno.connectors.stripe.models import StripeAccount
from retorno.connectors.stripe.payments import StripeGateway, outcome_of
from retorno.money.selectors import settings_for
from retorno.money.services import refunds as money_refunds
from retorno.money.services.settings import money_settings_save
from retorno.returns.workflows.publishing import refund_failed_publish
from retorno.returns.workflows.refunds import record_refunded
from retorno.stores.models import Store


def stripe_connect(
    *, store: Store, secret_key: str, webhook_secret: str, api_base_url: str = ""
) -> StripeAccount:
    account = stripe.account_save(
        store=store, secret_key=secret_key, webhook_secret=webhook_secret, api_base_url=api_base_url
    )
    current = settings_for(store).payment_adapter
    if current != StripeGateway.name:
        stripe.account_fallback_set(account, current)
        money_settings_save(store=store, payment_adapter=StripeGateway.name)
    return account


def stripe_disconnect(*, store: Store) -> None:
    """Disconnect; refunds go back to the adapter the store had before."""
    fallback = stripe.account_get(store=store).fallback_payment_adapter
    stripe.account_delete(store=store)
    if settings_for(store).payment_adapter == StripeGateway.name:
        money_settings_save(store=store, payment_adapter=fallback)


def stripe_event_apply(received: stripe.Received) -> str:
    """Apply a received event once; what it did (kept on the event)."""
    if received.duplicate:
        return "duplicate"
    refund = received.refund
    if refund is None:
        done = "ignored"
    else:
        metadata = refund.get("metadata") if isinstance(refund.get("metadata"), dict) else {}
        done = money_refunds.refund_provider_update(
            store=received.event.store,
            provider=StripeGateway.name,
            reference=str(refund.get("id") or ""),
            idempotency_key=str((metadata or {}).get("retorno_refund") or ""),
            outcome=outcome_of(refund),
            on_succeeded=record_refunded,
            on_failed=refund_failed_publish,
        )
    stripe.event_outcome(received.event, done)
    return done
