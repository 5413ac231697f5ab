"""A new store's owner is walked through the first-run checklist in a real browser: the
dashboard points to it, the brand is set with a preview that follows the form as it is typed,
the step is ticked from the store's data, a step is skipped; tablet and phone, Spanish."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from retorno.accounts.services import membership_grant
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "owner-password-123"


@pytest.fixture
def fresh(transactional_db: None) -> Any:
    store = StoreFactory(slug="nueva", name="Nueva Moda", timezone="Europe/Madrid")
    membership_grant(
        store=store, username="olga", email="olga@nueva.test", role="owner", password=PASSWORD
    )
    return store


def test_the_owner_sets_the_brand_from_the_checklist(
    page: Page, live_server: Any, fresh: Any, shoot: Any
) -> None:
    page.set_viewport_size({"width": 800, "height": 1100})
    page.goto(f"{live_server.url}/staff/login")
    page.get_by_label("Username").fill("olga")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    card = page.locator("#onboarding-card")
    expect(card).to_contain_text("0 of 7 steps done")
    card.get_by_role("link", name="Continue setting up").click()
    steps = page.locator("#onboarding-steps > li")
    expect(steps).to_have_count(7)
    shoot(page, "onboarding-1-checklist-tablet")

    page.locator("li[data-step='branding']").get_by_role("link", name="Set the brand").click()
    preview = page.locator("#brand-preview .bp-button")
    expect(preview).to_have_css("background-color", "rgb(31, 78, 121)")
    page.get_by_label("Main colour").fill("#ffe600")
    # The preview follows the form before anything is saved, the text turning black on yellow.
    expect(preview).to_have_css("background-color", "rgb(255, 230, 0)")
    expect(preview).to_have_css("color", "rgb(0, 0, 0)")
    page.get_by_label("Font").select_option("serif")
    shoot(page, "onboarding-2-branding-preview-tablet")
    page.get_by_role("button", name="Save the brand").click()
    expect(page.get_by_text("The brand is saved")).to_be_visible()
    fresh.refresh_from_db()
    assert fresh.primary_colour == "#ffe600"

    page.goto(f"{live_server.url}/staff/settings/start")
    expect(page.locator("li[data-step='branding']")).to_have_attribute("data-state", "done")
    shop = page.locator("li[data-step='shop']")
    shop.get_by_role("button", name="Skip for now").click()
    expect(page.locator("li[data-step='shop']")).to_have_attribute("data-state", "skipped")
    expect(page.locator("#onboarding-progress")).to_contain_text("1 of 7")

    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="ES", exact=True).click()
    expect(page.get_by_role("heading", name="Prepara tu tienda")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shoot(page, "onboarding-3-checklist-phone-es")
