"""What every shopper page shares: the store found by its slug, the page rendered with the
store's branding and time zone, the 404, the shopper as an actor, the pickup days offered."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy

from retorno.core.actors import Actor
from retorno.core.errors import NotFound
from retorno.core.pictures import usable
from retorno.domain.days import local_day, zone
from retorno.orders.models import Order
from retorno.portal import display
from retorno.returns import selectors
from retorno.returns.models import Return
from retorno.stores.models import Store
from retorno.stores.selectors import readable_on, store_by_slug, store_font_stack

PICKUP_DAYS_OFFERED = 6
METHODS = ("pickup", "drop_off", "self_ship")
NOT_COLLECTED = gettext_lazy(
    "No carrier collects at this address. Check the postal code and the country, or choose "
    "another way to send the parcel back."
)


def store_or_404(slug: str) -> Store:
    store = store_by_slug(slug)
    if store is None:
        raise NotFound("No such store.", code="store_not_found")
    return store


def page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    store: Store | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render a shopper page with the store's branding, dates in the store's time zone."""
    context = {**context, "store": store, "lang": display.language()}
    if store is not None:
        context["on_primary"] = readable_on(store.primary_colour)
        context["on_accent"] = readable_on(store.accent_colour)
        context["font_stack"] = store_font_stack(store)  # from the safe list, never free text
        context["favicon"] = store.favicon_url if usable(store.favicon_url) else ""
        context["logo"] = store.logo_url if usable(store.logo_url) else ""
        with timezone.override(zone(store.timezone)):
            response = TemplateResponse(request, template, context, status=status)
            response.render()
    else:
        response = TemplateResponse(request, template, context, status=status)
        response.render()
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


def not_found(request: HttpRequest, store: Store | None = None) -> HttpResponse:
    return page(request, "portal/not_found.html", {}, store=store, status=404)


def shopper(order: Order) -> Actor:
    return Actor(kind="shopper", id=str(order.customer_id), label=order.customer.email)


def pickup_dates(store: Store) -> list[tuple[str, str]]:
    """The next working days (Monday to Saturday) from tomorrow, in the store's time zone."""
    day = local_day(timezone.now(), store.timezone)
    out: list[tuple[str, str]] = []
    while len(out) < PICKUP_DAYS_OFFERED:
        day += timedelta(days=1)
        if day.weekday() == 6:
            continue
        out.append((day.isoformat(), f"{formats.date_format(day, 'l')} {display.long_date(day)}"))
    return out


def restart(store: Store) -> HttpResponseRedirect:
    return redirect("portal:store", slug=store.slug)


def return_or_404(request: HttpRequest, token: str) -> Return | HttpResponse:
    try:
        found = selectors.return_get_by_token(token=token)
    except NotFound:
        return not_found(request)
    on_domain = getattr(request, "portal_store", None)  # set by portal.domains
    if on_domain is not None and on_domain.id != found.store_id:
        return not_found(request, on_domain)  # another store's return, on a store's domain
    return found
