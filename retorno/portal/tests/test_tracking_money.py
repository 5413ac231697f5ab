"""The tracking page's money: the amounts the domain computed, and the date and the moment the
refund itself follows (the return's refund timing, from every line)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from retorno.core.actors import SYSTEM
from retorno.domain.days import local_day
from retorno.domain.policies import default_policy_document
from retorno.orders.models import Order
from retorno.orders.tests.factories import line_payload, make_order
from retorno.policies.services import policy_publish
from retorno.returns.models import Return
from retorno.returns.services import ItemRequest, return_create
from retorno.returns.workflows.refunds import return_timing
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db


def _return(store: Store, order: Order, resolution: str, method: str = "self_ship") -> Return:
    return return_create(
        store=store,
        order_external_id=order.external_id,
        items=[
            ItemRequest(line=line.external_id, quantity=line.quantity, reason="changed_mind")
            for line in order.lines.all()
        ],
        resolution=resolution,
        method=method,
        actor=SYSTEM,
    )


def _page(client: Client, returned: Return, language: str):
    response = client.get(
        reverse("portal:tracking", args=[returned.tracking_token]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return response


def test_the_store_credit_total_keeps_its_cents(client: Client, shop: Store) -> None:
    # Paid 83.45; less the 5.00 return shipping is 78.45; a 10 % bonus of 7.845 is 7.85.
    order = make_order(
        shop,
        external_id="8001",
        lines=[line_payload("8001-1", quantity=1, unit_price="68.97", tax="14.48")],
    )
    returned = _return(shop, order, "store_credit")
    assert returned.refund_estimate_amount == Decimal("78.45")
    assert returned.store_credit_bonus_amount == Decimal("7.85")
    spanish = _page(client, returned, "es").content.decode()
    english = _page(client, returned, "en").content.decode()
    assert "86,30\xa0€" in spanish
    assert "85,00" not in spanish
    assert "€86.30" in english
    assert "€85.00" not in english


def test_the_expected_date_follows_the_latest_timing_of_all_lines(
    client: Client, shop: Store
) -> None:
    """The first line is refunded on approval, the second once inspected: the refund waits for
    the inspection, and so must the date and the sentence the page shows."""
    document = default_policy_document()
    document["base"]["refund_timing"] = "on_approval"
    document["rules"].append(
        {
            "id": "shoes-after-inspection",
            "description": "Shoes are checked before they are refunded.",
            "when": {"category_in": ["shoes"]},
            "then": {"refund_timing": "on_inspection"},
        }
    )
    policy_publish(store=shop, document=document, actor=SYSTEM)
    order = make_order(
        shop,
        external_id="8002",
        lines=[
            line_payload("8002-1", quantity=1, category="apparel"),
            line_payload("8002-2", quantity=1, category="shoes", sku="SHOE-42"),
        ],
    )
    returned = _return(shop, order, "refund")
    timings = [line["refund_timing"] for line in returned.decision["lines"]]
    assert timings == ["on_approval", "on_inspection"]
    assert return_timing(returned) == "on_inspection"

    response = _page(client, returned, "en")
    money = response.context["money"]
    approved = local_day(returned.created_at, shop.timezone)
    # Collection 2 days, transit 3, inspection 2, then 3 days for the bank.
    assert money.on == approved + timedelta(days=2 + 3 + 2 + 3)
    assert "Your refund is issued once we have checked the items." in response.content.decode()
    spanish = _page(client, returned, "es").content.decode()
    assert "Tu reembolso se emite cuando hemos revisado los artículos." in spanish
