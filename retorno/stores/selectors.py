"""Store reads for commands and pages that pick a store by its slug."""

from __future__ import annotations

from retorno.stores.branding import font_stack, is_host_name, normal_domain
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


def store_by_domain(domain: str) -> Store | None:
    """The store whose portal answers on host name `domain` (its custom domain), if any."""
    domain = normal_domain(domain)
    if not domain or not is_host_name(domain):
        return None
    return Store.objects.filter(custom_domain=domain).first()


def store_font_stack(store: Store) -> str:
    """The CSS font stack of the store's font (the default's when it is not on the safe list)."""
    return font_stack(store.font)
