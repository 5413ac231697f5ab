"""Store reads for commands and pages that pick a store by its slug."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from retorno.core import storecache
from retorno.stores.branding import FONTS, font_stack, is_host_name, normal_domain
from retorno.stores.branding import readable_on as readable_on
from retorno.stores.models import Store


def store_kept(store_id: int) -> Store:
    """The store as this process read it lately (storecache: forgotten at once when saved here,
    within STORE_SETTINGS_CACHE_SECONDS elsewhere), for jobs that only show it (an e-mail's
    name, colours, logo, reply-to): its row is the widest a job reads. A copy of its own, to
    read, never to save."""
    kept = storecache.remembered("store", store_id, lambda: Store.objects.get(id=store_id))
    own = copy.copy(kept)
    own._state = copy.copy(kept._state)
    own._state.fields_cache = {}
    return own


storecache.forget_on_change(Store, "store", store_of=lambda store: store.id)


def store_by_slug(slug: str) -> Store | None:
    return Store.objects.filter(slug=slug).first()


def store_by_id(store_id: int) -> Store:
    return Store.objects.get(pk=store_id)


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


def store_public_url(store: Store) -> str:
    """Where the store's shoppers reach Retorno (links in messages, the API's shopper links):
    its own host name when it has a custom domain (served by retorno.portal.domains), with the
    platform's scheme and port, else the platform's public address."""
    base = settings.RETORNO_PUBLIC_URL.rstrip("/")
    if not store.custom_domain:
        return base
    parts = urlsplit(base)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme or 'https'}://{store.custom_domain}{port}"


def store_font_stack(store: Store) -> str:
    """The CSS font stack of the store's font (the default's when it is not on the safe list)."""
    return font_stack(store.font)


def font_codes() -> list[str]:
    """The codes of the portal's safe fonts, in their order."""
    return list(FONTS)


def brand_preview(values: Mapping[str, Any]) -> dict[str, str]:
    """What a preview of a brand draws with: its colours, the text colour readable on each
    (readable_on), the font's stack and the logo's address."""
    primary = values.get("primary_colour") or "#1f4e79"
    accent = values.get("accent_colour") or "#f2a900"
    return {
        "primary": primary,
        "accent": accent,
        "on_primary": readable_on(primary),
        "on_accent": readable_on(accent),
        "font": font_stack(values.get("font") or ""),
        "logo": values.get("logo_url") or "",
    }


def font_stacks() -> dict[str, str]:
    """Each safe font's CSS stack, by code."""
    return dict(FONTS)
