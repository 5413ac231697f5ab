"""An instant exchange, for shoppers the policy trusts, says so before confirming: the new item
ships first, the deadline, and what is charged if the original never comes back (the domain's
charge-back amount)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from retorno.core.actors import SYSTEM
from retorno.domain.policies import default_policy_document
from retorno.orders.models import Order, Variant
from retorno.policies.services import policy_publish
from retorno.portal.tests.test_portal import choose, lookup, options
from retorno.returns.models import Return
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db


def _instant(shop: Store, trusted: bool) -> None:
    document = default_policy_document()
    document["base"]["instant_exchange"] = trusted
    document["base"]["instant_exchange_return_days"] = 21
    policy_publish(store=shop, document=document, actor=SYSTEM)


def _to_review(client: Client, shop: Store, order: Order):
    lookup(client, shop)
    choose(client, shop, order, reason="too_small")
    page = client.get(reverse("portal:resolution", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE="en")
    field = next(name for name in page.context["form"].fields if name.startswith("exchange_"))
    options(
        client, shop, resolution="exchange", **{field: str(Variant.objects.get(sku="TEE-L").id)}
    )
    return page


def test_a_trusted_shopper_is_told_the_rule_and_the_amount(
    client: Client, shop: Store, order: Order
) -> None:
    _instant(shop, True)
    Variant.objects.filter(sku="TEE-L").update(price=Decimal("24.90"))
    options_page = _to_review(client, shop, order).content.decode()
    assert "Send yours back within 21 days, or we charge you for it" in options_page
    review = client.get(reverse("portal:review", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE="en")
    text = review.content.decode()
    assert 'id="instant-exchange"' in text
    # The difference is charged first; keeping the original too costs the rest: what it was
    # paid (€21.63 with its VAT).
    assert "Send yours back within 21 days." in text
    assert "we charge €21.63, the price of what you kept" in text
    spanish = client.get(
        reverse("portal:review", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "en un plazo de 21 días" in spanish
    assert "cobraremos 21,63\xa0€" in spanish

    client.post(
        reverse("portal:review", args=[shop.slug]), {"submission": review.context["submission"]}
    )
    tracking = client.get(
        reverse("portal:tracking", args=[Return.objects.get().tracking_token]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "we charge €21.63, the price of what you kept" in tracking


def test_without_trust_nothing_is_promised(client: Client, shop: Store, order: Order) -> None:
    _instant(shop, False)
    assert 'id="instant-exchange"' not in _to_review(client, shop, order).content.decode()
    review = client.get(reverse("portal:review", args=[shop.slug]))
    assert 'id="instant-exchange"' not in review.content.decode()
