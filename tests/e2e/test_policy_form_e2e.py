"""A store owner changes the return policy through the form in a real browser, tries it on an
order, publishes it, and finds the same document in the advanced editor."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from retorno.accounts.services import membership_grant
from retorno.orders.tests.factories import line_payload, make_order
from retorno.policies.models import PolicyVersion
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "owner-password-123"


@pytest.fixture
def owner(transactional_db: None) -> dict[str, Any]:
    store = StoreFactory(slug="moda", name="Moda Norte", timezone="Europe/Madrid")
    membership_grant(
        store=store, username="elena", email="elena@moda.test", role="admin", password=PASSWORD
    )
    make_order(
        store,
        external_id="9001",
        delivered_days_ago=40,
        lines=[
            line_payload("9001-1", unit_price="80.00", tax="0.00", category="shoes"),
        ],
    )
    return {"store": store}


def test_owner_gives_shoes_a_longer_window_tries_it_and_publishes(
    page: Page, live_server: Any, owner: dict[str, Any], shoot: Any
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/staff/settings/policy/form")
    page.get_by_label("Username").fill("elena")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="ES").click()
    expect(page.get_by_role("heading", name="Política de devoluciones")).to_be_visible()
    expect(page.get_by_label("Días para devolver")).to_have_value("30")

    # Shoes delivered 40 days ago: out of the 30-day window, in with 60 days for shoes.
    page.get_by_label("Categoría 1", exact=True).fill("shoes")
    # "Días 1" is the first tier's and the first category's: the second is the category's.
    page.get_by_label("Días 1", exact=True).nth(1).fill("60")
    page.get_by_label("Número de pedido").fill("9001")
    page.get_by_role("button", name="Probar", exact=True).click()
    expect(page.locator("#try-lines tr[data-line='9001-1']")).to_have_attribute(
        "data-eligible", "1"
    )
    shoot(page, "policy-form")
    before = PolicyVersion.objects.filter(store=owner["store"]).count()
    page.get_by_role("button", name="Publicar una versión nueva").click()
    expect(page.get_by_role("status")).to_contain_text("publicada")
    latest = PolicyVersion.objects.filter(store=owner["store"]).order_by("-version").first()
    assert latest is not None
    assert PolicyVersion.objects.filter(store=owner["store"]).count() == before + 1
    shoes = [r for r in latest.document["rules"] if r["id"] == "window-category-shoes"]
    assert shoes == [
        {
            "id": "window-category-shoes",
            "description": "shoes: 60 days to return.",
            "when": {"category_in": ["shoes"]},
            "then": {"window_days": 60},
        }
    ]
    page.get_by_role("link", name="Avanzado (JSON)").click()
    expect(page.locator("textarea[name=document]")).to_contain_text("window-category-shoes")


def test_the_policy_form_on_a_phone(page: Page, live_server: Any, owner: dict[str, Any]) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/staff/settings/policy/form")
    page.get_by_label("Username").fill("elena")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Return policy")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
