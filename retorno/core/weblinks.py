"""Addresses that may become a link a person clicks: carrier tracking pages, product pages.

They come from outside (a carrier's answer, the store's catalog), so only plain web addresses
pass: a `javascript:` or `data:` address in a link would run in the shopper's page.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def is_web_link(address: str) -> bool:
    """True for an absolute http(s) address with a host and no credentials in it."""
    if not address or len(address) > 2000 or any(c.isspace() for c in address):
        return False
    try:
        parts = urlsplit(address)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and "@" not in parts.netloc
