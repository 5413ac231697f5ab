"""The review page's amounts add up to what the return will refund, the outbound shipping
included when the policy gives it back."""

from __future__ import annotations

from django.test import Client

from retorno.money.tests.conftest import set_policy_base
from retorno.portal.tests.test_portal import choose, confirm, lookup, options


def test_the_review_shows_the_shipping_given_back_in_the_total(client: Client, shop, order):
    set_policy_base(shop, refund_shipping=True, return_shipping_fee="0")
    order.shipping_amount, order.shipping_tax_amount = 4, "0.84"
    order.save(update_fields=["shipping_amount", "shipping_tax_amount"])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    lookup(client, shop)
    choose(client, shop, order)
    options(client, shop)

    page, _ = confirm(client, shop)

    quote = page.context["quote"]
    body = page.content.decode()
    assert str(quote.shipping_refund_amount) == "4.84"
    assert quote.refund_amount == quote.items_amount + quote.shipping_refund_amount
    assert "Original shipping" in body
    assert "+€4.84" in body
