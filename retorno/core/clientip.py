"""The address a request comes from, for limits that count per address."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR; behind RETORNO_TRUSTED_PROXIES proxies (each appending to X-Forwarded-For)
    the address the outermost of them saw. Entries further left are the client's to forge and
    are never read."""
    hops = settings.RETORNO_TRUSTED_PROXIES
    remote = str(request.META.get("REMOTE_ADDR", ""))
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < hops:
        return remote
    return forwarded[-hops]
