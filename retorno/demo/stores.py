"""Creating stores from the command line (empty, or the demo)."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from retorno.accounts.services import api_key_create
from retorno.core.actors import Actor
from retorno.core.errors import Unprocessable
from retorno.domain.money import MoneyError, minor_units
from retorno.policies.services import policy_ensure_default
from retorno.stores.models import Store

CLI = Actor(kind="system", id="cli", label="Command line")


def store_create(
    *, slug: str, name: str, currency: str = "EUR", language: str = "en", api_key: str | None = None
) -> tuple[Store, str | None, bool]:
    """Create a store with the default policy and an API key; idempotent on the slug.

    Returns (store, plain API key or None when the store existed and no key was asked for, created).
    """
    if slugify(slug) != slug:
        raise Unprocessable(
            f"{slug!r} is not a valid slug (lowercase letters, digits, hyphens).",
            code="invalid_slug",
        )
    try:
        minor_units(currency.upper())
    except MoneyError as exc:
        raise Unprocessable(f"Unknown currency {currency!r}.", code="unknown_currency") from exc
    with transaction.atomic():
        store, created = Store.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "currency": currency.upper(), "default_language": language},
        )
        policy_ensure_default(store=store, actor=CLI)
        plain = None
        if created or api_key:
            _, plain = api_key_create(store=store, name="Default key", key=api_key)
    return store, plain, created
