"""What a return's store credit buys (shop now) shows where the return shows: in the shopper's
messages (picture, size, units, amount) and on the staff return page; items sold out by
approval are not shown as bought."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from retorno.accounts.services import membership_grant
from retorno.money.tests.conftest import order_with, set_policy_base
from retorno.orders.models import Variant
from retorno.returns.models import Return
from retorno.returns.selectors.shop_now import shop_now_lines
from retorno.returns.workflows.messages import return_snapshot
from retorno.returns.workflows.tests.test_shop_now import catalogue, shop

pytestmark = pytest.mark.django_db(transaction=True)
NBSP = "\xa0"


def _picture(variant: Variant, url: str) -> None:
    Variant.objects.filter(id=variant.id).update(
        image_url=url, options={"size": "M", "colour": "navy"}
    )


def test_the_approval_message_lists_the_items_bought_with_the_credit(
    smtp_server, store, provider
) -> None:
    items = catalogue(store)
    _picture(items["bag"], "https://cdn.example.com/bag.jpg")
    order = order_with(store, quantity=1)
    order.customer.language = "es"
    order.customer.save(update_fields=["language"])
    returned = shop(store, order, [items["bag"]])
    assert returned.status == "approved"
    [mail] = [m for m in smtp_server.arrivals if returned.rma in m.subject]
    for part in (mail.text, mail.html):
        assert "Comprado con tu saldo en tienda" in part
        assert "Bag" in part
        assert "M · navy" in part
        assert f"15,00{NBSP}€" in part
    assert 'src="https://cdn.example.com/bag.jpg"' in mail.html


def test_items_sold_out_by_approval_are_not_shown_as_bought(store, provider) -> None:
    set_policy_base(store, refund_timing="on_approval")
    items = catalogue(store)
    Variant.objects.filter(id=items["coat"].id).update(stock=0)
    order = order_with(store, quantity=1)
    returned = shop(store, order, [items["coat"]])
    assert returned.status == "approved"
    [line] = shop_now_lines(returned)
    assert not line.reserved  # chosen, never reserved
    # The approval's message names what was chosen (it goes before the reservation); the
    # messages after it do not show it as bought.
    assert [item.sku for item in return_snapshot(returned).bought] == ["COAT-M"]
    assert return_snapshot(returned, status="received").bought == ()


def test_the_staff_return_page_shows_what_the_credit_buys(store, provider) -> None:
    items = catalogue(store)
    _picture(items["coat"], "https://cdn.example.com/coat.jpg")
    order = order_with(store, quantity=1)
    returned = shop(store, order, [items["bag"], items["coat"]])
    Variant.objects.filter(id=items["bag"].id).update(price=Decimal("99.00"))  # after reserving
    agent = membership_grant(
        store=store, username="agent.shop", email="agent@shop.test", role="agent", password="x"
    ).user
    client = Client()
    client.force_login(agent)
    page = client.get(reverse("backoffice:return", args=[returned.rma]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    section = html[html.index('id="shop-now"') :]
    assert "Bought with the store credit (shop now)" in section
    assert 'data-sku="BAG"' in section
    assert 'data-sku="COAT-M"' in section
    assert 'src="https://cdn.example.com/coat.jpg"' in section
    assert "M · navy" in section
    assert "€15.00" in section  # the price it was reserved at, not today's
    assert "€105.00" in section  # the total
    assert section.count(">Reserved<") == 2
    assert Return.objects.get(id=returned.id).shop_now
