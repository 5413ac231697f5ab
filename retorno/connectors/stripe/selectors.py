"""Reads of the Stripe connector, always for one store."""

from __future__ import annotations

from retorno.connectors.stripe.models import StripeAccount, StripeEvent
from retorno.stores.models import Store


def account_for_store(*, store: Store) -> StripeAccount | None:
    return StripeAccount.objects.for_store(store).first()


def events_recent(*, store: Store, limit: int = 50) -> list[StripeEvent]:
    """The latest events Stripe sent the store, newest first, with what each did."""
    return list(StripeEvent.objects.for_store(store).order_by("-id")[:limit])
