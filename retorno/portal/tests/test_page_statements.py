"""The portal's heaviest pages read each thing once: the options step weighs exchange, store
credit and refund from one read of the order, the policy and the customer's history (the abuse
signals a policy rule asks for), and the carriers' rules once for every method."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from retorno.core.actors import SYSTEM
from retorno.domain.policies import default_policy_document
from retorno.orders.models import Order
from retorno.policies.services import policy_publish
from retorno.portal.tests.test_portal import choose, lookup
from retorno.returns import selectors
from retorno.returns.workflows.signals import quote_signals_forget
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db


def _policy_reading_signals(store: Store) -> None:
    document = default_policy_document()
    document["rules"] = [
        {
            "id": "abuse-review",
            "when": {"signal_any": ["serial_returner"]},
            "then": {"always_review": True},
        }
    ]
    policy_publish(store=store, document=document, actor=SYSTEM)


def _statements(client: Client, path: str, table: str, *, warm: bool = True) -> tuple[int, int]:
    if warm:
        client.get(path)  # the first request reads what a process keeps
    with CaptureQueriesContext(connection) as queries:
        page = client.get(path)
    assert page.status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    return len(sql), sum(f'FROM "{table}"' in s for s in sql)


def test_the_options_step_reads_the_customers_history_once(shop: Store, order: Order) -> None:
    _policy_reading_signals(shop)
    client = Client()
    lookup(client, shop, number=order.number)
    choose(client, shop, order)
    path = reverse("portal:resolution", args=[shop.slug])
    quote_signals_forget()
    _total, claims = _statements(client, path, "resolutions_claim", warm=False)
    assert claims == 1  # one history read, not one per resolution weighed
    # Opened again within the minute, under the same policy version: not read at all.
    total, claims = _statements(client, path, "resolutions_claim")
    assert claims == 0
    _policy_reading_signals(shop)  # a new version reads it again
    assert _statements(client, path, "resolutions_claim", warm=False)[1] == 1
    total_order_page, _ = _statements(
        client, reverse("portal:order", args=[shop.slug]), "resolutions_claim"
    )
    # The step adds the pickers, the sizes and the carriers to the order page's reads, and
    # no more reads of the order and the customer's history.
    assert total - total_order_page <= 10


def test_quotes_read_together_are_the_quotes_read_one_by_one(shop: Store, order: Order) -> None:
    _policy_reading_signals(shop)
    items = [{"line": f"{order.external_id}-1", "quantity": 1, "reason": "too_small"}]
    now = timezone.now()
    together = selectors.return_quotes_for_store(
        store=shop,
        external_id=order.external_id,
        items=items,
        resolutions=["exchange", "store_credit", "refund"],
        now=now,
        order=order,
    )
    for resolution, quote in together.items():
        alone = selectors.return_quote_for_store(
            store=shop, external_id=order.external_id, items=items, resolution=resolution, now=now
        )
        assert quote == alone
