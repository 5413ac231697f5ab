"""Writes of a store's own settings: its first-run checklist's skipped steps, its brand."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from retorno.core.errors import NotFound, Unprocessable
from retorno.core.weblinks import is_web_link
from retorno.domain import onboarding
from retorno.domain.returns import method_prices
from retorno.stores.branding import FONTS
from retorno.stores.models import Store


def onboarding_step_set(*, store: Store, step: str, skipped: bool) -> Store:
    """Leave a first-run step for later (`skipped`) or take it up again."""
    if step not in onboarding.STEPS:
        raise NotFound("No such first-run step.", code="onboarding_step_not_found")
    with transaction.atomic():
        locked = Store.objects.select_for_update().get(pk=store.pk)
        now = locked.onboarding_skipped or []
        changed = onboarding.skip(now, step) if skipped else onboarding.resume(now, step)
        if changed != now:
            locked.onboarding_skipped = changed
            locked.save(update_fields=["onboarding_skipped", "updated_at"])
    store.onboarding_skipped = changed
    return store


HEX = re.compile(r"#[0-9a-fA-F]{6}")
BRANDING_FIELDS = (
    "logo_url",
    "favicon_url",
    "primary_colour",
    "accent_colour",
    "font",
    "support_email",
    "support_phone",
)


def branding_problems(values: dict[str, str]) -> dict[str, str]:
    """What is wrong with a brand, by field (codes: invalid_colour, invalid_link, invalid_font)."""
    problems: dict[str, str] = {}
    for name in ("primary_colour", "accent_colour"):
        if not HEX.fullmatch(values.get(name, "")):
            problems[name] = "invalid_colour"
    for name in ("logo_url", "favicon_url"):
        address = values.get(name, "")
        if address and not (is_web_link(address) and address.startswith("https://")):
            problems[name] = "invalid_link"
    if values.get("font") not in FONTS:
        problems["font"] = "invalid_font"
    return problems


def branding_save(*, store: Store, values: dict[str, str]) -> Store:
    """Save the portal's brand (what `branding_problems` refuses is never written)."""
    problems = branding_problems(values)
    if problems:
        raise Unprocessable("The brand has problems.", code="invalid_branding", fields=problems)
    changed = [n for n in BRANDING_FIELDS if getattr(store, n) != values.get(n, "")]
    for name in changed:
        setattr(store, name, values.get(name, ""))
    if changed:
        store.save(update_fields=[*changed, "updated_at"])
    return store


# The ways a shopper may send a return back, in the order the portal offers them ("keep the
# item" is the policy's decision, not the shopper's choice).
SHOPPER_METHODS = method_prices.SHOPPER_METHODS


def return_methods_save(
    *,
    store: Store,
    methods: list[str],
    prices: Mapping[str, Any] | None = None,
    locations: list[Any] | None = None,
) -> Store:
    """Offer shoppers these methods (at least one, of SHOPPER_METHODS, kept in its order), at
    the store's `prices` (a method left out keeps the policy's fee) and with the `locations` a
    return may be brought to ("in store" needs one). None keeps what is saved. Raises
    Unprocessable (invalid_return_methods, invalid_method_price, invalid_store_location,
    in_store_without_location) and writes nothing then."""
    try:
        checked_prices = method_prices.method_prices(
            store.return_method_prices if prices is None else prices, store.currency
        )
        checked_locations = method_prices.store_locations(
            store.store_locations if locations is None else locations
        )
        chosen = method_prices.offered_methods(methods, checked_locations)
    except method_prices.MethodSettingsError as exc:
        raise Unprocessable(str(exc), code=exc.code) from exc
    values = {
        "return_methods": chosen,
        "return_method_prices": method_prices.prices_document(checked_prices),
        "store_locations": [location.as_document() for location in checked_locations],
    }
    changed = [name for name, value in values.items() if getattr(store, name) != value]
    for name in changed:
        setattr(store, name, values[name])
    if changed:
        store.save(update_fields=[*changed, "updated_at"])
    return store
