"""The "Costs and recovery" tab and the policy simulator in a real browser, on a phone and on a
wide screen, in Spanish and English: the numbers drawn are the API's, every value text stays
inside its chart, and no table or chart is wider than its card (nor the page than the screen)."""

from __future__ import annotations

import copy
import json
import urllib.request
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from retorno.accounts.services import membership_grant
from retorno.accounts.tests.factories import issue_key
from retorno.analytics.tests.factories import AGENT, WAREHOUSE, give_back, receive_and_grade, sale
from retorno.domain.policies import default_policy_document
from retorno.orders.tests.factories import line_payload, make_order
from retorno.returns import services
from retorno.returns.workflows import inspection
from retorno.stores.models import Store
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "admin-password-123"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SCREENS = [("phone", PHONE), ("desktop", DESKTOP)]
LANGUAGES = ["en", "es"]


def _ask(store: Store, number: str, *, tier: str, days_after_delivery: int) -> None:
    order = make_order(
        store,
        external_id=number,
        tier=tier,
        email=f"{number}@example.com",
        lines=[line_payload(f"{number}-1", quantity=2, unit_price="50.00", tax="0.00")],
        placed_days_ago=50,
        delivered_days_ago=45,
    )
    services.return_create(
        store=store,
        order_external_id=number,
        items=[services.ItemRequest(line=f"{number}-1", quantity=1, reason="changed_mind")],
        resolution="refund",
        method="drop_off",
        actor=AGENT,
        now=order.delivered_at + timedelta(days=days_after_delivery),
    )


@pytest.fixture
def world(transactional_db: None) -> dict[str, Any]:
    store = StoreFactory(slug="casa", name="Casa Grande", timezone="Europe/Madrid")
    membership_grant(
        store=store, username="ana", email="ana@casa.test", role="admin", password=PASSWORD
    )
    # Dear goods (just under the review threshold): the money texts are long ("€2,999.94").
    for index in range(6):
        order = sale(store, quantity=2, sku=f"SOFA-{index}", title="Sofa", unit_price="499.99")
        ret = give_back(store, order, quantity=1, reason="defective")
        receive_and_grade(store, ret, "damaged" if index else "new")
        line = ret.items.get().order_line.external_id
        inspection.return_item_disposition_set(store=store, rma=ret.rma, line=line, actor=WAREHOUSE)
    _ask(store, "9001", tier="", days_after_delivery=3)
    _ask(store, "9002", tier="", days_after_delivery=25)
    _ask(store, "9003", tier="gold", days_after_delivery=40)
    return {"store": store, "key": issue_key(store, ("read", "write"), name="e2e").header}


def api(live_server: Any, key: str, path: str, body: Any = None) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{live_server.url}/api/v1{path}",
        headers={"Authorization": key, "Content-Type": "application/json"},
        data=None if body is None else json.dumps(body).encode(),
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def sign_in(page: Page, live_server: Any, language: str, path: str) -> None:
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}{path}")
    page.locator("input[name=username]").fill("ana")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")


# Everything that sticks out: the page wider than the screen, a table, figure or chart wider
# than the card it is in, a value text of a chart cut at the drawing's edge.
OVERFLOWS = """(scrolled) => {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1) out.push(`page ${doc.scrollWidth} > ${window.innerWidth}`);
  for (const card of document.querySelectorAll('main .card')) {
    const box = card.getBoundingClientRect();
    const style = getComputedStyle(card);
    const left = box.left + parseFloat(style.paddingLeft), right = box.right - parseFloat(style.paddingRight);
    for (const el of card.querySelectorAll('table, figure, svg, .table-wrap')) {
      const name = `${el.tagName.toLowerCase()}#${el.id || el.querySelector('[id]')?.id || el.closest('[id]')?.id}`;
      if (el.classList.contains('table-wrap') && scrolled.includes(el.querySelector('table')?.id)) continue;
      if (el.classList.contains('table-wrap') && el.scrollWidth > el.clientWidth + 1)
        out.push(`${name} needs a sideways scroll (${el.scrollWidth} > ${el.clientWidth})`);
      if (el.tagName === 'TABLE' && el.closest('.table-wrap')) continue;  // judged by its box
      const r = el.getBoundingClientRect();
      if (r.width && (r.right > right + 1 || r.left < left - 1))
        out.push(`${name} ${Math.round(r.left)}-${Math.round(r.right)} outside card ${Math.round(left)}-${Math.round(right)}`);
    }
  }
  for (const svg of document.querySelectorAll('svg.bars')) {
    const s = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll('text')) {
      const r = t.getBoundingClientRect();
      if (r.width && r.right > s.right + 1) out.push(`text "${t.textContent}" in #${svg.closest('figure')?.id} ends at ${Math.round(r.right)} > ${Math.round(s.right)}`);
    }
  }
  return out;
}"""


# The simulator's one grid that scrolls sideways on a phone by design: the old → new matrix is
# read across and down.
SIMULATOR_SCROLLED = ["sim-matrix"]


def bars(page: Page, chart: str) -> dict[str, str]:
    return page.eval_on_selector_all(
        f"#{chart} g[data-key]",
        "els => Object.fromEntries(els.map(e => [e.dataset.key, e.dataset.value]))",
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("screen", "viewport"), SCREENS)
def test_costs_and_recovery(
    page: Page,
    live_server: Any,
    world: dict[str, Any],
    shoot: Any,
    screen: str,
    viewport: dict[str, int],
    language: str,
) -> None:
    page.set_viewport_size(viewport)
    sign_in(page, live_server, language, "/staff/analytics/money?days=30")
    heading = "Coste por devolución" if language == "es" else "Cost per return"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    costs = api(live_server, world["key"], "/analytics/costs?days=30")
    drawn = bars(page, "cost-chart")
    for line in costs["lines"]:
        amount = float(line["amount"]) * (-1 if line["key"] == "fees" else 1)
        assert float(drawn[line["key"]]) == amount, line["key"]
    recovery = api(live_server, world["key"], "/analytics/recovery?days=30")
    for name in ("disposition", "category", "grade"):
        drawn = bars(page, f"recovery-{name}-chart")
        assert drawn.keys() == {row["key"] for row in recovery[name]}, name
        for row in recovery[name]:
            value = row["recovery_rate"]["value"]
            assert drawn[row["key"]] == ("" if value is None else repr(float(value))), name
    # The value shows on hover: the bar's <title>.
    new = page.locator("#recovery-grade-chart g[data-key=new]")
    new.locator("text.value").hover()
    assert new.locator("title").text_content()
    found = page.evaluate(OVERFLOWS, [])
    assert not found, "\n".join(found)
    shoot(page, f"money-{language}-{screen}")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("screen", "viewport"), SCREENS)
def test_the_simulator_in_the_policy_editor(
    page: Page,
    live_server: Any,
    world: dict[str, Any],
    shoot: Any,
    screen: str,
    viewport: dict[str, int],
    language: str,
) -> None:
    page.set_viewport_size(viewport)
    sign_in(page, live_server, language, "/staff/settings/policy")
    draft = copy.deepcopy(default_policy_document())
    draft["base"]["window_days"] = 14
    draft["rules"] = [r for r in draft["rules"] if r["id"] != "gold-window"]
    page.locator("#policy-document").fill(json.dumps(draft, indent=2))
    page.locator("#s-days").select_option("90")
    page.locator("#simulate-button").click()
    title = "Simulador de políticas" if language == "es" else "Policy simulator"
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()

    answer = api(live_server, world["key"], "/policy/simulate", {"document": draft, "days": 90})
    tiles = page.eval_on_selector_all(
        "#sim-tiles [data-figure]",
        "els => Object.fromEntries(els.map(e => [e.dataset.figure, e.dataset.value]))",
    )
    assert int(tiles["requests"]) == answer["requests"] == 9
    # The late request and the gold customer's fall outside the 14 days.
    assert int(tiles["changed"]) == answer["changes"]["total"] == 2
    cells = {(c["old"], c["new"]): c["count"] for c in answer["matrix"] if c["count"]}
    for (old, new), count in cells.items():
        cell = page.locator(f"#sim-matrix tr[data-old={old}] td[data-new={new}]")
        assert cell.get_attribute("data-count") == str(count)
    # The days-since-delivery histogram draws the API's counts (later days in the last bar).
    drawn = page.eval_on_selector_all(
        "#sim-histogram g[data-days]",
        "els => Object.fromEntries(els.map(e => [e.dataset.days, Number(e.dataset.value)]))",
    )
    last = max(int(d) for d in drawn)
    expected: dict[int, int] = {}
    for bar in answer["days_since_delivery"]["histogram"]:
        expected[min(bar["days"], last)] = expected.get(min(bar["days"], last), 0) + bar["requests"]
    assert {int(d): n for d, n in drawn.items() if n} == expected
    # The gold customer refused by the draft is highlighted.
    expect(page.locator("[data-figure=top-tier-refused]")).to_have_attribute("data-value", "1")
    found = page.evaluate(OVERFLOWS, SIMULATOR_SCROLLED)
    assert not found, "\n".join(found)
    shoot(page, f"simulator-{language}-{screen}")
