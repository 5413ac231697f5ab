"""Store reads for commands and pages that pick a store by its slug."""

from __future__ import annotations

from retorno.stores.models import Store


def store_by_slug(slug: str) -> Store | None:
    return Store.objects.filter(slug=slug).first()


def stores_by_slug() -> list[Store]:
    return list(Store.objects.order_by("slug"))


def stores_by_name() -> list[Store]:
    return list(Store.objects.order_by("name"))


def store_slugs_first(limit: int) -> list[str]:
    """The slugs of the first `limit` stores made (enough to tell one store from several)."""
    return list(Store.objects.order_by("id").values_list("slug", flat=True)[:limit])
