"""Every number of the analytics pages that counts returns leads to the returns queue filtered
to exactly those returns: over a rich generated history (tiers that changed since, rebooked
shipments, rejected items, kept items, reviews and overrides), each link marked with the
returns it stands for (`data-returns`) is followed and the queue must count the same."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from retorno.accounts.services import membership_grant
from retorno.analytics.returns import DIMENSIONS
from retorno.analytics.tests.factories import RICH_PERIOD, rich_history
from retorno.orders.models import Customer

pytestmark = pytest.mark.django_db

KINDS = {
    "tier",
    "carrier",
    "outcome",
    "reason",
    "review_reason",
    "override_rule",
    "override_agent",
    "waiting",
    "region",
    "channel",
    "vendor",
    "sku",
    "product",
    "category",
    "resolution",
}
LINK = re.compile(r'<a [^>]*?href="([^"]+)"[^>]*?data-returns="(\d+)"')


def _counted_links(html: str) -> list[tuple[str, int]]:
    return [(href.replace("&amp;", "&"), int(n)) for href, n in LINK.findall(html)]


def test_every_count_lists_exactly_its_returns(client):
    store = rich_history()
    # Tiers change after the requests: the figures keep the tier each return was asked under.
    Customer.objects.filter(store=store, tier="gold").update(tier="platinum")
    membership_grant(
        store=store, username="ines", email="ines@rich.test", role="analyst", password="p-a-s-s"
    )
    client.login(username="ines", password="p-a-s-s")
    period = {"from_day": RICH_PERIOD["from"], "to_day": RICH_PERIOD["to"]}
    pages = [
        (reverse("backoffice:analytics"), {**period, "dimension": dimension})
        for dimension in DIMENSIONS
    ]
    pages += [
        (reverse("backoffice:analytics"), {**period, "basis": "order"}),
        (reverse("backoffice:analytics_operations"), period),
        (reverse("backoffice:analytics_money"), period),
    ]
    checked: dict[str, int] = {}
    for url, params in pages:
        response = client.get(url, params)
        assert response.status_code == 200, (url, params)
        for href, returns in _counted_links(response.content.decode()):
            if href in checked:
                assert checked[href] == returns, href
                continue
            queue = client.get(href)
            assert queue.status_code == 200, href
            assert queue.context["page"].total == returns, href
            checked[href] = returns
    kinds = {key for href in checked for key in KINDS if f"{key}=" in href}
    # Every kind of drill-down was followed (the warehouse aging's too when returns wait).
    assert kinds >= KINDS - {"waiting"}
    assert sum(checked.values()) > 500
