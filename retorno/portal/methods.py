"""The return-method step's cards: each way to send the parcel back with what it costs, when the
money (or the new item) comes with it, and, for a drop-off, the points nearest the shopper."""

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
from retorno.domain.returns.methods import method_terms
from retorno.logistics.selectors import drop_off_points_near
from retorno.orders.models import Order
from retorno.portal import display
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
class MethodCard:
    value: str
    name: str
    how: str
    price: str
    free: bool
    when: list[str]
    points: list[PointView] = field(default_factory=list)


def _price(fee: Decimal, currency: str) -> str:
    if fee <= 0:
        return _("Free")
    return _("%(amount)s, taken from what you get back") % {"amount": display.money(fee, currency)}


def _when(resolution: str, day: date) -> str:
    words = {
        "refund": _("Refund by %(date)s"),
        "store_credit": _("Store credit by %(date)s"),
        "exchange": _("New item ships by %(date)s"),
    }
    return words[resolution] % {"date": display.long_date(day)}


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


def method_cards(
    *,
    store: Store,
    order: Order,
    offered: list[str],
    quotes: dict[str, Any],
    first_pickup: date | None,
) -> list[MethodCard]:
    """One card per method offered, in the store's order. `quotes` are the resolutions on offer
    (their quotes, in the order they are offered); `first_pickup` the first pickup day."""
    today = local_day(timezone.now(), store.timezone)
    fee = max((Decimal(q.return_shipping_fee_amount) for q in quotes.values()), default=Decimal(0))
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
    cards = []
    for method in offered:
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
            )
            for resolution, quote in quotes.items()
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
            )
        )
    return cards
