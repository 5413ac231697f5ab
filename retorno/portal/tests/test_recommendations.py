"""Recommendations on the tracking page: in the shopper's size (the size that fits, or the size
exchanged to), in stock, with a picture and a link to the shop, or nothing at all."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from retorno.core.actors import SYSTEM
from retorno.orders.catalog import product_upsert
from retorno.orders.models import Variant
from retorno.orders.tests.factories import line_payload, make_order
from retorno.returns.models import Return
from retorno.returns.selectors.recommendations import return_recommendations
from retorno.returns.services import ItemRequest, return_create
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db
SIZES = [str(n) for n in range(36, 46)]


def _shoes(store: Store, code: str, *, image: bool = True, url: bool = True, stock=None) -> None:
    stock = stock or {}
    product_upsert(
        store=store,
        external_id=code,
        title=f"Shoe {code}",
        category="shoes",
        image_url=f"https://shop.example.com/img/{code}.jpg" if image else "",
        url=f"https://shop.example.com/p/{code}" if url else "",
        variants=[
            {
                "sku": f"{code}-{size}",
                "options": {"size": size},
                "price": Decimal("59.95"),
                "stock": stock.get(size, 5),
            }
            for size in SIZES
        ],
    )


@pytest.fixture
def shoe_shop(store: Store) -> Store:
    _shoes(store, "runner")  # the one returned
    # Size 36 has far more stock: a stock-ordered pick would suggest it to anyone.
    _shoes(store, "boot", stock={"36": 500, "43": 2})
    _shoes(store, "sandal", image=False)  # no picture: never suggested
    _shoes(store, "clog", url=False)  # no page to link to: never suggested
    _shoes(store, "loafer", stock={"43": 0})  # size 43 sold out
    product_upsert(
        store=store,
        external_id="tee",
        title="T-shirt",
        category="apparel",
        image_url="https://shop.example.com/img/tee.jpg",
        url="https://shop.example.com/p/tee",
        variants=[{"sku": "TEE-M", "options": {"size": "M"}, "price": Decimal("19"), "stock": 9}],
    )
    return store


def _return(store: Store, *, reason: str, exchange_to: str = "") -> Return:
    order = make_order(
        store,
        lines=[
            line_payload(
                "l1", sku="runner-42", category="shoes", options={"size": "42"}, quantity=1
            )
        ],
    )
    variant = Variant.objects.get(sku=exchange_to).id if exchange_to else None
    return return_create(
        store=store,
        order_external_id=order.external_id,
        items=[ItemRequest(line="l1", quantity=1, reason=reason, exchange_variant_id=variant)],
        resolution="exchange" if exchange_to else "refund",
        method="self_ship",
        actor=SYSTEM,
    )


def _skus(returned: Return) -> list[str]:
    returned = Return.objects.prefetch_related("items__order_line__variant").get(id=returned.id)
    return [r.variant.sku for r in return_recommendations(return_request=returned)]


def test_a_too_small_shoe_brings_the_next_size_and_others_in_that_size(shoe_shop: Store) -> None:
    assert _skus(_return(shoe_shop, reason="too_small")) == ["runner-43", "boot-43"]


def test_the_size_exchanged_to_is_the_shopper_s_size(shoe_shop: Store) -> None:
    # The new runner in 44 is on its way: it is not suggested; the others come in 44.
    skus = _skus(_return(shoe_shop, reason="too_small", exchange_to="runner-44"))
    assert skus == ["boot-44", "loafer-44"]


def test_an_item_that_fitted_tells_the_size(shoe_shop: Store) -> None:
    assert _skus(_return(shoe_shop, reason="changed_mind")) == ["boot-42", "loafer-42"]


def test_nothing_without_a_picture_and_a_link(store: Store) -> None:
    _shoes(store, "runner", image=False)
    _shoes(store, "boot", url=False)
    returned = _return(store, reason="too_small")
    assert _skus(returned) == []
    body = Client().get(reverse("portal:tracking", args=[returned.tracking_token])).content
    assert b'id="recommendations"' not in body


def test_the_tracking_page_links_each_suggestion_with_its_picture(
    client: Client, shoe_shop: Store
) -> None:
    returned = _return(shoe_shop, reason="too_small")
    body = client.get(
        reverse("portal:tracking", args=[returned.tracking_token]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert 'href="https://shop.example.com/p/boot"' in body
    assert 'src="https://shop.example.com/img/boot.jpg"' in body
    assert "Tu talla siguiente, disponible" in body
    assert "boot-36" not in body
    assert ">36<" not in body


def test_a_product_that_runs_small_is_recommended_in_the_size_shoppers_kept(
    client: Client, store: Store
) -> None:
    """Shoppers who ordered the runner in 42 and found it too small kept 44 (the sizing
    module flags it runs small): the next shopper with a 42 too small is shown 44, not 43."""
    from django.utils import timezone

    from retorno.analytics.sizing import sizes_kept_for_return
    from retorno.analytics.tests.factories import give_back, sale

    _shoes(store, "runner", stock={"44": 50})
    _shoes(store, "boot")
    kept = Variant.objects.get(sku="runner-44").id

    def runner_42():
        return sale(
            store,
            quantity=1,
            sku="runner-42",
            title="Runner",
            category="shoes",
            product_id="runner",
            size="42",
        )

    for _ in range(10):  # enough returns to flag it (FLAG_MIN_N)
        give_back(
            store, runner_42(), reason="too_small", resolution="exchange", exchange_variant_id=kept
        )
    returned = give_back(store, runner_42(), reason="too_small")
    returned = Return.objects.prefetch_related("items__order_line__variant").get(id=returned.id)
    sizes = sizes_kept_for_return(return_request=returned, now=timezone.now())
    assert list(sizes.values()) == ["44"]
    picks = return_recommendations(return_request=returned, kept_sizes=sizes)
    assert [r.variant.sku for r in picks] == ["runner-44", "boot-44"]
    assert [r.variant.sku for r in return_recommendations(return_request=returned)] == [
        "runner-43",
        "boot-43",
    ]  # without the sizing module: the next size
    body = client.get(
        reverse("portal:tracking", args=[returned.tracking_token]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    recommended = body[body.index('id="recommendations"') :]
    assert "44" in recommended
    assert "43" not in recommended
