"""An analyst reads the analytics in a real browser: the numbers each chart draws are the API's,
the values show on hover, a bar leads to its returns, and the pages read in Spanish and English
on a phone."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from retorno.accounts.services import membership_grant
from retorno.accounts.tests.factories import issue_key
from retorno.analytics.tests.factories import WAREHOUSE, give_back, receive_and_grade, sale
from retorno.returns.workflows import receiving
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "analyst-password-123"


@pytest.fixture
def world(transactional_db: None) -> dict[str, Any]:
    store = StoreFactory(slug="moda", name="Moda Norte", timezone="Europe/Madrid")
    membership_grant(
        store=store, username="sofia", email="sofia@moda.test", role="analyst", password=PASSWORD
    )
    for n in range(12):
        order = sale(store, quantity=1, sku=f"J-{n}", title="Jeans", product_id="jeans", size="M")
        give_back(store, order, reason="too_small" if n < 11 else "too_large")
    charger = sale(store, quantity=40, sku="CHG", title="Charger", vendor="Volt")
    receive_and_grade(store, give_back(store, charger, quantity=3, reason="defective"), "D")
    mug = sale(store, quantity=60, sku="MUG", title="Mug", vendor="Casa", category="home")
    give_back(store, mug, quantity=2, reason="changed_mind", resolution="store_credit")
    waiting = give_back(store, mug, quantity=1, reason="damaged", resolution="exchange")
    line = waiting.items.get().order_line.external_id
    receiving.return_receive(store=store, rma=waiting.rma, quantities={line: 1}, actor=WAREHOUSE)
    return {"store": store, "key": issue_key(store, ("read",), name="charts").header}


def api(live_server: Any, key: str, path: str) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{live_server.url}/api/v1{path}", headers={"Authorization": key}
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def bars(page: Page, chart: str) -> dict[str, str]:
    return page.eval_on_selector_all(
        f"#{chart} g[data-key]",
        "els => Object.fromEntries(els.map(e => [e.dataset.key, e.dataset.value]))",
    )


def number(value: str) -> float | None:
    return float(value) if value else None


def sign_in(page: Page, live_server: Any, language: str) -> None:
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/staff/analytics?days=30")
    page.locator("input[name=username]").fill("sofia")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")


def test_the_charts_draw_the_apis_numbers(
    page: Page, live_server: Any, world: dict[str, Any], shoot: Any
) -> None:
    key = world["key"]
    sign_in(page, live_server, "en")
    expect(page.get_by_role("heading", name="Analytics", exact=True)).to_be_visible()
    shoot(page, "analytics-1-rate-en-phone")

    product = api(live_server, key, "/analytics/breakdown?dimension=product&days=30")
    drawn = bars(page, "breakdown-chart")
    assert drawn.keys() == {row["key"] for row in product["rows"]}
    for row in product["rows"]:
        assert number(drawn[row["key"]]) == row["rate_units"]["value"], row["key"]
    overview = api(live_server, key, "/analytics/overview?days=30")
    tile = page.locator("[data-figure=rate_units]")
    assert number(tile.get_attribute("data-value")) == overview["current"]["rate_units"]["value"]

    # The value shows on hover (the bar's <title>), and the bar leads to its returns.
    charger = page.locator("#breakdown-chart g[data-key=Charger]")
    assert "Charger: 7.5%" in charger.locator("title").text_content()
    charger.locator("rect").hover()
    charger.locator("rect").click()
    expect(page.locator("#drill-down")).to_contain_text("Charger")
    expect(page.locator("#result-count")).to_have_text("1 return")

    # Sizing and suppliers: the same numbers as /fit and /suppliers.
    page.goto(f"{live_server.url}/staff/analytics/sizing?days=30")
    fit = api(live_server, key, "/analytics/fit?days=30")
    drawn = bars(page, "fit-chart")
    for row in fit["products"]:
        assert number(drawn[row["product"]]) == row["fit_index"], row["product"]
    expect(page.locator("#flagged")).to_contain_text("Jeans")
    page.goto(f"{live_server.url}/staff/analytics/suppliers?days=30")
    suppliers = api(live_server, key, "/analytics/suppliers?days=30")
    drawn = bars(page, "supplier-chart")
    for row in suppliers["suppliers"]:
        assert number(drawn[row["supplier"]]) == row["defect_rate"]["value"], row["supplier"]
    shoot(page, "analytics-2-suppliers-en-phone")


def test_every_other_chart_draws_the_apis_numbers(
    page: Page, live_server: Any, world: dict[str, Any], shoot: Any
) -> None:
    """The reason groups, the outcomes, the cycle time and the warehouse aging: each mark's
    number is the API's, and a mark that leads somewhere leads to as many returns as it says."""
    key = world["key"]
    sign_in(page, live_server, "en")
    reasons = api(live_server, key, "/analytics/reasons?days=30")
    drawn = bars(page, "reason-chart")
    assert drawn.keys() == {g["code"] for g in reasons["groups"]}
    for group in reasons["groups"]:
        assert number(drawn[group["code"]]) == group["share"]["value"], group["code"]
    outcomes = api(live_server, key, "/analytics/outcomes?days=30")
    drawn = bars(page, "outcome-chart")
    assert drawn.keys() == {o["resolution"] for o in outcomes["outcomes"]}
    for outcome in outcomes["outcomes"]:
        assert number(drawn[outcome["resolution"]]) == outcome["share"]["value"]

    page.goto(f"{live_server.url}/staff/analytics/operations?days=30")
    cycle = api(live_server, key, "/analytics/cycle-time?days=30&segment=all")
    drawn = bars(page, "cycle-chart")
    (overall,) = cycle["segments"]
    assert drawn.keys() == {s["stage"] for s in overall["stages"]}
    for stage in overall["stages"]:
        assert number(drawn[stage["stage"]]) == stage["p50_days"], stage["stage"]
    aging = api(live_server, key, "/analytics/aging")
    drawn = bars(page, "aging-chart")
    assert {k: number(v) for k, v in drawn.items()} == {
        b["days_waiting"]: b["returns"] for b in aging["buckets"]
    }
    assert aging["total"] == 1
    shoot(page, "analytics-5-operations-en-phone")
    # The bar of the one waiting return leads to it.
    page.locator("#aging-chart g[data-key='0-2'] rect").click()
    expect(page.locator("#result-count")).to_have_text("1 return")


def test_spanish_on_a_wide_screen(
    page: Page, live_server: Any, world: dict[str, Any], shoot: Any
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "es")
    expect(page.get_by_role("heading", name="Analítica", exact=True)).to_be_visible()
    expect(page.locator("#breakdown-chart g[data-key=Charger] title")).to_have_text(
        "Charger: 7,5\u00a0%"
    )
    expect(page.locator("#heat-map")).to_contain_text("Jeans")
    shoot(page, "analytics-3-rate-es-wide")
    page.goto(f"{live_server.url}/staff/analytics/operations?days=30")
    expect(page.get_by_role("heading", name="Tiempo hasta el reembolso")).to_be_visible()
    shoot(page, "analytics-4-operations-es-wide")
