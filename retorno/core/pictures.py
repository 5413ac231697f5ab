"""The picture shown for a product wherever a person sees one: the line's, the variant's or the
product's own, else one neutral drawing (never an empty box).

Store pictures come from the store's catalog, so only a web address or a path on this site is
used; anything else (a `javascript:` or `data:` address) falls back to the placeholder.
"""

from __future__ import annotations

from django.conf import settings
from django.templatetags.static import static

from retorno.core.weblinks import is_web_link

PLACEHOLDER = "core/product-placeholder.svg"


def placeholder_url() -> str:
    return static(PLACEHOLDER)


def usable(url: str | None) -> bool:
    """A picture address a page may load: http(s), or a path on this site (not `//host`)."""
    if not url:
        return False
    if url.startswith("/") and not url.startswith("//"):
        return len(url) <= 2000 and not any(c.isspace() for c in url)
    return is_web_link(url)


def picture_url(*candidates: str | None) -> str:
    """The first usable address among `candidates` (most specific first), else the
    placeholder's."""
    for url in candidates:
        if usable(url):
            return str(url)
    return placeholder_url()


def absolute(url: str) -> str:
    """`url` as an e-mail needs it: a path on this site gets the site's public address."""
    if url.startswith("/"):
        return f"{settings.RETORNO_PUBLIC_URL.rstrip('/')}{url}"
    return url


def line_picture(line: object) -> str:
    """An order line's picture: its own, its variant's, its product's, or the placeholder.
    Callers load `variant__product` with the lines (select_related) to keep it one query."""
    variant = getattr(line, "variant", None)
    return picture_url(
        getattr(line, "image_url", ""),
        *(_variant_candidates(variant) if variant is not None else ()),
    )


def variant_picture(variant: object) -> str:
    """A variant's picture, else its product's, else the placeholder."""
    return picture_url(*_variant_candidates(variant))


def _variant_candidates(variant: object) -> tuple[str, str]:
    product = getattr(variant, "product", None)
    return getattr(variant, "image_url", ""), getattr(product, "image_url", "")
