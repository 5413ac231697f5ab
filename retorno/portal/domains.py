"""A store's own host name serves its returns portal (returns.example.com → /s/<slug>/).

Django refuses a Host that is not in ALLOWED_HOSTS, and custom domains are data, not settings.
This middleware runs first: a Host outside ALLOWED_HOSTS that is a store's custom domain is
accepted for this request only, and the request is kept to that store's shopper pages (its
portal, tracking links, static files, the language switch); the staff pages, the API and other
stores' portals are not served there. Any other unknown Host is left to Django, which refuses
it (400) as before.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.request import split_domain_port, validate_host
from django.urls import reverse

from retorno.stores.selectors import store_by_domain

# What a custom domain serves besides its own store's /s/<slug>/ pages.
SHARED_PREFIXES = ("/r/", "/static/", "/media/portal/", "/language", "/health")


def _raw_host(request: HttpRequest) -> str:
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in request.META:
        return str(request.META["HTTP_X_FORWARDED_HOST"])
    return str(request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", ""))


class StoreDomainMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        host = _raw_host(request)
        domain, _port = split_domain_port(host)
        if not domain or validate_host(domain, settings.ALLOWED_HOSTS):
            return self.get_response(request)  # the platform's own host (or Django refuses)
        store = store_by_domain(domain)
        if store is None:
            return self.get_response(request)  # Django answers 400 DisallowedHost
        # Accepted for this request only: the store's domain is its Host from here on.
        request.get_host = lambda: host  # type: ignore[method-assign]
        request.portal_store = store  # type: ignore[attr-defined]
        own = f"/s/{store.slug}/"
        if request.path in ("", "/"):
            return HttpResponseRedirect(reverse("portal:store", args=[store.slug]))
        if not (request.path.startswith(own) or request.path.startswith(SHARED_PREFIXES)):
            raise Http404("Not served on a store's domain.")  # the site's 404 page
        return self.get_response(request)
