"""A store's money settings: which payment adapter pays its refunds and takes its charges."""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings

from retorno.core.errors import Unprocessable
from retorno.money import selectors
from retorno.money.models import (
    MoneySettings,
)
from retorno.stores.models import Store

# How long one payment call may hold a refund before someone else may re-drive it.
DEFAULT_ADAPTER = "manual"


def payment_adapter_for(store: Store) -> str:
    chosen = selectors.settings_for(store).payment_adapter
    return chosen or getattr(django_settings, "RETORNO_PAYMENT_ADAPTER", DEFAULT_ADAPTER)


def money_settings_save(*, store: Store, **values: Any) -> MoneySettings:
    """Create or update a store's money settings; unknown names are refused."""
    fields = {f.name for f in MoneySettings._meta.get_fields()} - {"id", "store"}
    unknown = set(values) - fields
    if unknown:
        raise Unprocessable(
            f"Unknown settings: {', '.join(sorted(unknown))}.", code="invalid_settings"
        )
    found, _ = MoneySettings.objects.update_or_create(store=store, defaults=values)
    return found
