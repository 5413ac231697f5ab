"""The portal carries the store's brand: logo, colours, a font from the safe list, favicon; and
its custom domain serves its portal (and only its portal) without opening ALLOWED_HOSTS."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from retorno.orders.models import Order
from retorno.portal.tests.test_portal import choose, confirm, lookup, options
from retorno.returns.models import Return
from retorno.stores.branding import FONTS
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db

DOMAIN = "returns.shop.example"


@pytest.fixture
def branded(shop: Store) -> Store:
    shop.font = "serif"
    shop.favicon_url = "https://cdn.shop.example/favicon.png"
    shop.logo_url = "https://cdn.shop.example/logo.svg"
    shop.primary_colour = "#7a1f3d"
    shop.custom_domain = "Returns.Shop.Example."
    shop.save()
    return shop


def test_the_domain_is_stored_as_a_host_name(branded: Store) -> None:
    branded.refresh_from_db()
    assert branded.custom_domain == DOMAIN
    for bad in ("https://returns.shop.example", "returns.shop.example:8443", "shop", "a b.com"):
        branded.custom_domain = bad
        with pytest.raises(ValidationError):
            branded.full_clean()


def test_two_stores_cannot_share_a_domain(branded: Store, other_store: Store) -> None:
    other_store.custom_domain = DOMAIN
    with pytest.raises(IntegrityError), transaction.atomic():
        other_store.save()
    other_store.custom_domain = ""
    other_store.save()  # many stores without a domain are fine


def test_pages_carry_font_favicon_logo_and_colours(client: Client, branded: Store) -> None:
    body = client.get(reverse("portal:store", args=[branded.slug])).content.decode()
    assert f"--font:{FONTS['serif']};" in body
    assert '<link rel="icon" href="https://cdn.shop.example/favicon.png">' in body
    assert '<img src="https://cdn.shop.example/logo.svg" alt="Shop"' in body
    assert "--primary:#7a1f3d;" in body


def test_an_unsafe_logo_or_favicon_is_not_used(client: Client, branded: Store) -> None:
    branded.favicon_url = "javascript:alert(1)"
    branded.logo_url = "data:image/svg+xml,<svg/>"
    branded.font = "comic-sans"  # not on the list (written past the form): the default font
    branded.save()
    body = client.get(reverse("portal:store", args=[branded.slug])).content.decode()
    assert "javascript:" not in body
    assert "data:image" not in body
    assert f"--font:{FONTS['system']};" in body


def test_the_custom_domain_serves_the_store_portal(client: Client, branded: Store) -> None:
    home = client.get("/", HTTP_HOST=DOMAIN)
    assert home.status_code == 302
    assert home["Location"] == f"/s/{branded.slug}/"
    page = client.get(f"/s/{branded.slug}/", HTTP_HOST=DOMAIN)
    assert page.status_code == 200
    assert "Return or exchange an item" in page.content.decode()


def test_a_whole_return_works_on_the_custom_domain_with_csrf(branded: Store, order: Order) -> None:
    client = Client(enforce_csrf_checks=True, HTTP_HOST=DOMAIN)
    page = client.get(f"/s/{branded.slug}/")
    token = page.cookies["csrftoken"].value
    found = client.post(
        f"/s/{branded.slug}/",
        {"number": "#5001", "email": "ana@example.com", "csrfmiddlewaretoken": token},
        HTTP_ORIGIN=f"http://{DOMAIN}",
    )
    assert found.status_code == 302
    assert found["Location"] == f"/s/{branded.slug}/order/"
    # A form from another site is still refused.
    forged = client.post(
        f"/s/{branded.slug}/",
        {"number": "#5001", "email": "ana@example.com", "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="http://evil.example",
    )
    assert forged.status_code == 403


def test_the_domain_serves_nothing_but_that_store_portal(
    client: Client, branded: Store, other_store: Store
) -> None:
    for path in (f"/s/{other_store.slug}/", "/staff/", "/api/v1/returns", "/admin/"):
        assert client.get(path, HTTP_HOST=DOMAIN).status_code == 404, path


def test_another_stores_tracking_link_is_not_found_on_the_domain(
    client: Client, branded: Store, order: Order, other_store: Store
) -> None:
    lookup(client, branded)
    choose(client, branded, order)
    options(client, branded)
    review = client.get(reverse("portal:review", args=[branded.slug]))
    client.post(
        reverse("portal:review", args=[branded.slug]), {"submission": review.context["submission"]}
    )
    token = Return.objects.get().tracking_token
    assert client.get(f"/r/{token}", HTTP_HOST=DOMAIN).status_code == 200
    Store.objects.filter(id=other_store.id).update(custom_domain="returns.other.example")
    assert client.get(f"/r/{token}", HTTP_HOST="returns.other.example").status_code == 404


def test_an_unknown_host_is_still_refused(client: Client, branded: Store) -> None:
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400
    assert client.get(f"/s/{branded.slug}/", HTTP_HOST="not-a-host_name").status_code == 400


def test_the_shoppers_links_lead_to_the_stores_domain(
    settings, client: Client, branded: Store, order: Order
) -> None:
    """Tracking, label, recovery and order links name the store's host name (with the
    platform's scheme), and they open there; a store without a domain keeps the platform's."""
    from urllib.parse import urlsplit

    from retorno.orders.selectors.links import order_return_url
    from retorno.returns.selectors.links import recovery_url, tracking_url
    from retorno.returns.workflows.shipping import label_public_url

    settings.RETORNO_PUBLIC_URL = "https://retorno.example.net"
    lookup(client, branded, number=order.number)
    choose(client, branded, order)
    options(client, branded)
    _page, token = confirm(client, branded)
    client.post(reverse("portal:review", args=[branded.slug]), {"submission": token})
    made = Return.objects.get(order=order)
    links = [tracking_url(made), recovery_url(made), label_public_url(made)]
    links.append(order_return_url(order, branded))
    assert {urlsplit(link).netloc for link in links} == {DOMAIN}
    assert {urlsplit(link).scheme for link in links} == {"https"}
    opened = Client().get(urlsplit(tracking_url(made)).path, HTTP_HOST=DOMAIN, secure=True)
    assert opened.status_code == 200
    assert made.rma in opened.content.decode()
    branded.custom_domain = ""
    branded.save()
    made.refresh_from_db()
    assert tracking_url(made) == f"https://retorno.example.net/r/{made.tracking_token}"
