"""A store admin writes a carrier allocation rule with the form in a real browser (desktop and a
tablet held upright, English and Spanish): a mistake is shown on the rule's field in the page's
language, "Try it" ranks the carriers under the draft in the order they would be tried, publishing writes the document the JSON editor then shows."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from retorno.accounts.services import membership_grant
from retorno.logistics.models import AllocationRuleSet
from retorno.logistics.tests.factories import make_carriers
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "admin-password-123"
SIZES = {"desktop": {"width": 1280, "height": 900}, "tablet": {"width": 820, "height": 1180}}
WORDS = {
    "en": {
        "heading": "Allocation rules",
        "name": "Name (short code)",
        "max_weight": "Up to weight (grams)",
        "min_weight": "From weight (grams)",
        "rank": "Rank the carriers by",
        "strategy": "Fastest",
        "try": "Try it",
        "publish": "Publish new version",
        "published": "published",
        "advanced": "Advanced (JSON)",
        "never": "the rule would never apply",
        "excluded": "Excluded by rule light-parcels.",
    },
    "es": {
        "heading": "Reglas de asignación",
        "name": "Nombre (código corto)",
        "max_weight": "Hasta el peso (gramos)",
        "min_weight": "Desde el peso (gramos)",
        "rank": "Ordenar los transportistas por",
        "strategy": "La más rápida",
        "try": "Probar",
        "publish": "Publicar nueva versión",
        "published": "publicada",
        "advanced": "Avanzado (JSON)",
        "never": "la regla no se aplicaría nunca",
        "excluded": "Excluido por la regla light-parcels.",
    },
}


@pytest.fixture
def admin(transactional_db: None) -> dict[str, Any]:
    store = StoreFactory(slug="moda", name="Moda Norte", timezone="Europe/Madrid")
    membership_grant(
        store=store, username="elena", email="elena@moda.test", role="admin", password=PASSWORD
    )
    make_carriers(store)
    return {"store": store}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", WORDS)
def test_an_admin_writes_a_rule_tries_it_and_publishes(
    page: Page, live_server: Any, admin: dict[str, Any], shoot: Any, size: str, lang: str
) -> None:
    words = WORDS[lang]
    page.set_viewport_size(SIZES[size])
    page.goto(f"{live_server.url}/staff/carriers/rules/form")
    page.get_by_label("Username").fill("elena")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if lang == "es":
        page.get_by_role("button", name="ES").click()
    expect(page.get_by_role("heading", name=words["heading"], exact=True)).to_be_visible()

    block = page.locator("#rule-1")
    block.get_by_label(words["name"]).fill("light-parcels")
    block.get_by_label(words["min_weight"]).fill("3000")
    block.get_by_label(words["max_weight"]).fill("2000")  # below the minimum: never fires
    block.get_by_label(words["rank"]).select_option("fastest")
    block.locator("input[name='rule-0-carriers_not_in'][value='rapido']").check()
    page.get_by_role("button", name=words["publish"]).click()
    expect(page.locator("#rules-form-errors")).to_be_visible()
    expect(page.locator("#rule-1 .err")).to_contain_text(words["never"])
    assert AllocationRuleSet.objects.count() == 0

    page.locator("#rule-1").get_by_label(words["min_weight"]).fill("")
    page.locator("#t-postal").fill("28001")
    page.get_by_role("button", name=words["try"], exact=True).click()
    expect(page.locator("#try-result")).to_be_visible()
    expect(page.locator("#try-verdicts tr[data-carrier='rapido']")).to_have_attribute(
        "data-kept", "0"
    )
    # In the order they would be tried (fastest first), the dropped carrier last, with why.
    rows = page.locator("#try-verdicts tbody tr")
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.carrier)") == [
        "norte",
        "eco",
        "rapido",
    ]
    expect(rows.last).to_contain_text(words["excluded"])
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shoot(page, f"carrier-rules-form-{size}-{lang}")
    assert AllocationRuleSet.objects.count() == 0

    page.get_by_role("button", name=words["publish"]).click()
    expect(page.get_by_role("status")).to_contain_text(words["published"])
    published = AllocationRuleSet.objects.get(store=admin["store"])
    assert published.document == {
        "schema": 1,
        "rules": [
            {
                "id": "light-parcels",
                "when": {"weight_lte": 2000},
                "strategy": "fastest",
                "carrier_not_in": ["rapido"],
            }
        ],
    }
    expect(page.locator("#rule-1")).to_have_attribute("data-rule", "light-parcels")
    page.get_by_role("link", name=words["advanced"]).click()
    expect(page.locator("textarea[name=document]")).to_contain_text("light-parcels")
