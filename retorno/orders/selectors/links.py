"""The order's return link: a signed URL a store puts in its order e-mail, which opens the order
in the returns portal without typing the number and the e-mail.

Whoever holds the order e-mail can open the order anyway (the e-mail is the portal's proof), so
the link proves no more than that; it is signed with the site's keys (SECRET_KEY, and
SECRET_KEY_FALLBACKS while they rotate), bound to the store, and expires after
PORTAL_ORDER_LINK_DAYS (a year by default: longer than any return window). A link that does not
verify opens nothing and tells nothing about the order.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from retorno.orders.models import Order
from retorno.stores.models import Store
from retorno.stores.selectors import store_public_url

SALT = "retorno.orders.return-link"


def _max_age() -> timedelta:
    return timedelta(days=settings.PORTAL_ORDER_LINK_DAYS)


def order_return_token(order: Order) -> str:
    return signing.dumps({"s": order.store_id, "o": order.external_id}, salt=SALT, compress=True)


def order_return_url(order: Order, store: Store) -> str:
    """The absolute link for the order e-mail (`store` is the order's store, which the caller
    holds already: asking the order for it would read the store's wide row again), on the
    store's own domain when it has one."""
    path = reverse(
        "portal:order_link", kwargs={"slug": store.slug, "token": order_return_token(order)}
    )
    return store_public_url(store) + path


def order_from_return_token(*, store: Store, token: str) -> Order | None:
    """The store's order the token names, or None: tampered, expired, another store's, or an
    order no longer there all look the same."""
    if not token or len(token) > 400:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=_max_age())
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    if not isinstance(data, dict) or data.get("s") != store.id:
        return None
    external_id = data.get("o")
    if not isinstance(external_id, str):
        return None
    return Order.objects.filter(store=store, external_id=external_id).first()
