"""Content-Security-Policy on every response: scripts and styles come from this site, or are
inline with the request's nonce (`{{ csp_nonce }}` in templates); no inline event handlers, no
plugins, no framing, forms post only here.

Images may also come from any https address: a store's logo and its product pictures are
hosted by the store."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

HEADER = "Content-Security-Policy"


def policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data: https:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = SimpleLazyObject(lambda: secrets.token_urlsafe(18))
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = policy(str(nonce))
        return response


def csp_nonce(request: HttpRequest) -> dict[str, object]:
    """Template context: `csp_nonce` for an inline <script> or <style> that must stay inline."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
