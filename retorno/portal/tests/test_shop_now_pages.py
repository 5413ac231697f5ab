"""Shop now on the portal: the shopper choosing store credit browses the catalogue (search,
pictures, sizes, stock), fills a basket, sees what the credit pays and what is left or charged,
and the return made carries the basket (retorno.returns.workflows.shop_now settles it)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from retorno.orders.catalog import product_upsert
from retorno.orders.models import Order, Variant
from retorno.portal.tests.test_portal import choose, confirm, lookup, options
from retorno.returns.models import Return
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db


def shop_url(store: Store, **query: str) -> str:
    url = reverse("portal:shop", args=[store.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def started(client: Client, shop: Store, order: Order) -> None:
    lookup(client, shop, number=order.number)
    choose(client, shop, order)


def add(client: Client, shop: Store, sku: str, units: int = 1):
    variant = Variant.objects.get(store=shop, sku=sku)
    return client.post(
        shop_url(shop), {"action": "add", "variant": variant.id, "units": units, "q": "", "page": 1}
    )


def test_the_options_step_offers_shop_now_with_the_credit(client: Client, shop, order) -> None:
    started(client, shop, order)
    page = client.get(reverse("portal:resolution", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert 'id="shop-now"' in html
    assert shop_url(shop) in html


def test_the_catalogue_shows_pictures_sizes_and_stock_and_finds_by_words(
    client: Client, shop, order
) -> None:
    started(client, shop, order)
    Variant.objects.filter(sku="TEE-XL").update(stock=0)
    page = client.get(shop_url(shop), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    titles = [card.title for card in page.context["cards"]]
    assert titles == ["Hoodie", "Organic T-shirt"]  # no gift card bought with credit
    tee = page.context["cards"][1]
    assert tee.picture.endswith("t-shirt.svg")
    sizes = {v.name.split(" · ")[0]: v for v in tee.variants}
    assert not sizes["Size: XL"].available
    assert sizes["Size: S"].stock_text == "In stock"
    html = page.content.decode()
    assert f'id="v{Variant.objects.get(sku="TEE-XL").id}" value=' in html
    assert "disabled" in html
    found = client.get(shop_url(shop, q="hood"))
    assert [c.title for c in found.context["cards"]] == ["Hoodie"]
    assert client.get(shop_url(shop, q="nothing-like-it")).context["cards"] == []


def test_a_basket_within_the_credit_leaves_the_rest_and_the_return_carries_it(
    client: Client, shop, order
) -> None:
    product_upsert(
        store=shop,
        external_id="socks",
        title="Socks",
        category="apparel",
        variants=[
            {"sku": "SOCK-M", "options": {"size": "M"}, "price": Decimal("9.50"), "stock": 4}
        ],
    )
    started(client, shop, order)
    assert add(client, shop, "SOCK-M").status_code == 302
    page = client.get(shop_url(shop), HTTP_ACCEPT_LANGUAGE="en")
    basket = page.context["basket"]
    credit = page.context["credit"]
    assert basket.split.total == Decimal("9.50")
    assert basket.split.from_credit == Decimal("9.50")
    assert basket.split.credit_left == credit - Decimal("9.50")
    assert basket.split.to_pay == 0
    assert "Store credit left for later" in page.content.decode()

    used = client.post(shop_url(shop), {"action": "use"})
    assert used["Location"] == reverse("portal:resolution", args=[shop.slug])
    options_page = client.get(used["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert options_page.context["form"]["resolution"].value() == "store_credit"
    assert "1 item for €9.50" in options_page.content.decode()
    assert options(client, shop, resolution="store_credit").status_code == 302
    review, token = confirm(client, shop)
    assert 'id="shop-now-review"' in review.content.decode()
    client.post(reverse("portal:review", args=[shop.slug]), {"submission": token})
    made = Return.objects.get(order=order)
    assert made.resolution == "store_credit"
    assert made.shop_now == [{"variant": Variant.objects.get(sku="SOCK-M").id, "units": 1}]
    # The tracking page keeps showing what the credit buys, without the link to change it.
    tracking = client.get(
        reverse("portal:tracking", args=[made.tracking_token]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert tracking.context["shop_basket"].split.from_credit == Decimal("9.50")
    html = tracking.content.decode()
    assert 'id="shop-now-tracking"' in html
    assert "1 × Socks" in html
    assert "Change the items you buy with your credit" not in html


def test_a_dearer_basket_shows_what_is_charged_and_a_refund_carries_no_basket(
    client: Client, shop, order
) -> None:
    started(client, shop, order)
    add(client, shop, "HOOD-M", units=2)
    page = client.get(shop_url(shop), HTTP_ACCEPT_LANGUAGE="es")
    basket = page.context["basket"]
    assert basket.split.total == Decimal("98.00")
    assert basket.split.to_pay == Decimal("98.00") - page.context["credit"]
    assert "A pagar, con cargo a tu método de pago original" in page.content.decode()
    # The shopper changes their mind: a refund buys nothing.
    assert options(client, shop, resolution="refund").status_code == 302
    _review, token = confirm(client, shop)
    client.post(reverse("portal:review", args=[shop.slug]), {"submission": token})
    made = Return.objects.get(order=order)
    assert made.shop_now == []
    tracking = client.get(reverse("portal:tracking", args=[made.tracking_token]))
    assert tracking.context["shop_basket"] is None
    assert 'id="shop-now-tracking"' not in tracking.content.decode()


@pytest.mark.parametrize(
    ("sku", "units", "message"),
    [
        ("TEE-S", 9, "Only 5 of that item are left."),
        ("GIFT-50", 1, "That item is not on sale here."),
    ],
)
def test_what_cannot_be_bought_is_refused_on_the_page(
    client: Client, shop, order, sku, units, message
) -> None:
    started(client, shop, order)
    refused = add(client, shop, sku, units)
    assert refused.status_code == 422
    assert message in refused.content.decode()
    assert refused.context["basket"].rows == []


def test_without_a_return_started_the_shop_sends_the_shopper_back(client: Client, shop) -> None:
    response = client.get(shop_url(shop))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:store", args=[shop.slug])


def test_the_shop_shows_the_shoppers_size_first(client: Client, shop, order) -> None:
    started(client, shop, order)  # a T-shirt in M, too small: the next size, L
    page = client.get(shop_url(shop), HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["size"] == "L"
    tee = next(c for c in page.context["cards"] if c.title == "Organic T-shirt")
    marked = [v.name for v in tee.variants if v.your_size]
    assert marked == ["Size: L · Colour: navy"]
    assert [v.name for v in tee.variants if v.checked] == marked
    hoodie = next(c for c in page.context["cards"] if c.title == "Hoodie")
    assert not any(v.your_size for v in hoodie.variants)  # no L: its size in stock is chosen
    assert [v.checked for v in hoodie.variants] == [True]
    assert "Your size" in page.content.decode()
