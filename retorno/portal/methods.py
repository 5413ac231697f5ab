"""The return-method step's cards: each way to send the parcel back with what it costs (the
store's price for it, or the policy's fee), what the shopper gets back with it and when, and, for
a drop-off, the points nearest the shopper; for a return in store, the store's own shops."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from retorno.core import labels
from retorno.domain.days import local_day
from retorno.domain.logistics.gateway import DropOffPoint
from retorno.domain.returns.method_prices import IN_STORE, StoreLocation, store_locations
from retorno.domain.returns.methods import method_terms
from retorno.logistics.selectors import drop_off_points_near
from retorno.orders.models import Order
from retorno.portal import display
from retorno.portal.pages import METHODS
from retorno.returns.selectors import ReturnQuote, quote_for_method
from retorno.returns.workflows import parcels
from retorno.stores.models import Store

HOW = {
    "pickup": gettext_lazy(
        "A courier collects the parcel at the address you give, on the day you choose."
    ),
    "drop_off": gettext_lazy(
        "Take the parcel to a drop-off point and show the QR code we send you: no printer needed."
    ),
    "self_ship": gettext_lazy(
        "Print the label at home, stick it on the parcel and hand it to the carrier."
    ),
    "in_store": gettext_lazy(
        "Bring the items to one of our shops with your return number: no label, no carrier."
    ),
}
DAYS = (
    ("mon", gettext_lazy("Monday")),
    ("tue", gettext_lazy("Tuesday")),
    ("wed", gettext_lazy("Wednesday")),
    ("thu", gettext_lazy("Thursday")),
    ("fri", gettext_lazy("Friday")),
    ("sat", gettext_lazy("Saturday")),
    ("sun", gettext_lazy("Sunday")),
)
POINTS_SHOWN = 5


@dataclass(frozen=True)
class PointView:
    name: str
    address: str
    distance: str
    today: str
    week: list[tuple[str, str]]


@dataclass(frozen=True)
class LocationView:
    name: str
    address: str
    today: str
    week: list[tuple[str, str]]


@dataclass(frozen=True)
class MethodCard:
    value: str
    name: str
    how: str
    price: str
    free: bool
    when: list[str]
    points: list[PointView] = field(default_factory=list)
    locations: list[LocationView] = field(default_factory=list)


def _price(fee: Decimal, currency: str) -> str:
    if fee <= 0:
        return _("Free")
    return _("%(amount)s, taken from what you get back") % {"amount": display.money(fee, currency)}


def _when(resolution: str, day: date, quote: ReturnQuote) -> str:
    words = {
        "refund": _("Refund of %(amount)s by %(date)s"),
        "store_credit": _("Store credit of %(amount)s by %(date)s"),
        "exchange": _("New item ships by %(date)s"),
    }
    amount = {
        "refund": quote.refund_amount,
        "store_credit": quote.store_credit_total_amount,
    }.get(resolution)
    return words[resolution] % {
        "date": display.long_date(day),
        "amount": display.money(amount, quote.currency) if amount is not None else "",
    }


def _distance(metres: int) -> str:
    if metres < 1000:
        return _("%(metres)s m") % {"metres": metres}
    return _("%(km)s km") % {"km": formats.number_format(Decimal(metres) / 1000, 1, use_l10n=True)}


def _hours(text: str) -> str:
    return text if text else _("Closed")


def point_view(point: DropOffPoint, today: date) -> PointView:
    hours = point.opening_hours
    return PointView(
        name=point.name,
        address=", ".join(p for p in (point.line1, point.postal_code) if p),
        distance=_distance(point.distance_m),
        today=_hours(hours.get(DAYS[today.weekday()][0], "")),
        week=[(str(name), _hours(hours.get(key, ""))) for key, name in DAYS],
    )


def location_view(location: StoreLocation, today: date) -> LocationView:
    hours = location.hours
    return LocationView(
        name=location.name,
        address=", ".join(p for p in (location.address, location.postal_code, location.city) if p),
        today=_hours(hours.get(DAYS[today.weekday()][0], "")),
        week=[(str(name), _hours(hours.get(key, ""))) for key, name in DAYS],
    )


def locations_for(store: Store) -> list[LocationView]:
    """The shops a return may be brought to, with today's hours in the store's time zone."""
    today = local_day(timezone.now(), store.timezone)
    return [location_view(loc, today) for loc in store_locations(store.store_locations)]


def method_cards(
    *,
    store: Store,
    order: Order,
    offered: list[str],
    quotes: dict[str, Any],
    first_pickup: date | None,
) -> list[MethodCard]:
    """One card per method offered, in the store's order. `quotes` are the resolutions on offer
    (their quotes, in the order they are offered); `first_pickup` the first pickup day. Each
    card prices its method as the store does and says what each resolution pays with it."""
    today = local_day(timezone.now(), store.timezone)
    points: list[PointView] = []
    if "drop_off" in offered:
        address = order.shipping_address or {}
        points = [
            point_view(point, today)
            for point in drop_off_points_near(
                store=store,
                country=str(address.get("country") or order.country or ""),
                postal_code=str(address.get("postal_code") or ""),
                limit=POINTS_SHOWN,
            )
        ]
    locations = locations_for(store) if IN_STORE in offered else []
    cards = []
    for method in offered:
        priced = {r: quote_for_method(q, store=store, method=method) for r, q in quotes.items()}
        fee = max((q.return_shipping_fee_amount for q in priced.values()), default=Decimal(0))
        when = [
            _when(
                resolution,
                method_terms(
                    method,
                    resolution=resolution,
                    timing=quote.refund_timing,
                    fee=fee,
                    requested_on=today,
                    pickup_on=first_pickup,
                    instant_exchange=quote.decision.instant_exchange,
                ).money_on,
                quote,
            )
            for resolution, quote in priced.items()
        ]
        cards.append(
            MethodCard(
                value=method,
                name=labels.shopper_label("method", method),
                how=str(HOW.get(method, "")),
                price=_price(fee, order.currency),
                free=fee <= 0,
                when=when,
                points=points if method == "drop_off" else [],
                locations=locations if method == IN_STORE else [],
            )
        )
    return cards


def methods_offered(
    store: Store, order: Order, items: list[dict[str, Any]], items_amount: Any
) -> list[str]:
    """The store's methods a shopper can use, in its order. Only what a carrier can take the
    parcel with from where the order went, as booking it would find, and a return in store
    when the store lists a shop; with nothing, the page says whom to ask instead of a choice
    that would fail."""
    chosen = store.return_methods or [*METHODS, IN_STORE]
    allowed = [m for m in METHODS if m in chosen] or ([] if IN_STORE in chosen else list(METHODS))
    offered = (
        list(
            parcels.methods_served_for_order(
                order=order, items=items, methods=allowed, declared_value=items_amount
            )
        )
        if allowed
        else []
    )
    if IN_STORE in chosen and store.store_locations:
        offered.append(IN_STORE)
    return offered
