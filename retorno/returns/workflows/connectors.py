"""A store's platform connection and its payment adapter: connecting with refunds through the
platform makes the platform's adapter the store's (remembering the one it had); connecting
without, or disconnecting, gives the store its earlier adapter back. Shopify and WooCommerce
alike (storefront, woocommerce)."""

from __future__ import annotations

from collections.abc import Callable

from retorno.money.selectors import settings_for
from retorno.money.services.settings import money_settings_save
from retorno.stores.models import Store


def adapter_choose(
    *,
    store: Store,
    adapter: str,
    wanted: bool,
    fallback: str,
    remember: Callable[[str], None],
) -> None:
    current = settings_for(store).payment_adapter
    if wanted and current != adapter:
        remember(current)
        money_settings_save(store=store, payment_adapter=adapter)
    elif not wanted and current == adapter:
        money_settings_save(store=store, payment_adapter=fallback)


def adapter_release(*, store: Store, adapter: str, fallback: str) -> None:
    if settings_for(store).payment_adapter == adapter:
        money_settings_save(store=store, payment_adapter=fallback)
