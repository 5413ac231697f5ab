"""An admin reads, in a real browser and in both languages, what a return's comments say beside
the picked reasons, the customer's abuse signals with their evidence, and the comment-insight
panel."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from retorno.accounts.services import membership_grant
from retorno.core.actors import SYSTEM
from retorno.orders.tests.factories import line_payload, make_order
from retorno.returns.models import Return
from retorno.returns.services import ItemRequest, return_create
from retorno.returns.workflows import triage
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "admin-password-123"
# A shopper who sends back nearly everything, with what she wrote each time.
HISTORY = [
    ("too_small", "me aprieta de hombros", "Vestido camisero"),
    ("changed_mind", "Al final no me convence.", "Vaqueros mom"),
    ("other", "Lo he visto más barato en otra web.", "Cazadora vaquera"),
    ("too_large", "Me queda grande de pecho.", "Vestido de lino"),
    ("too_small", "Talla muy justa.", "Vaqueros slim"),
    ("too_small", "me queda enorme, necesito una talla menos", "Vestido camisero"),
]


@pytest.fixture
def insight_world(transactional_db: None) -> dict[str, Any]:
    store = StoreFactory(slug="moda", name="Moda Norte", timezone="Europe/Madrid")
    membership_grant(
        store=store, username="lucia", email="lucia@moda.test", role="admin", password=PASSWORD
    )
    latest = None
    for n, (reason, comment, title) in enumerate(HISTORY):
        number = f"80{n}"
        make_order(
            store,
            external_id=number,
            email="nerea@example.com",
            delivered_days_ago=25 - 4 * n,
            lines=[line_payload(f"{number}-1", title=title, sku=sku(title), quantity=1, tax="0")],
        )
        latest = return_create(
            store=store,
            order_external_id=number,
            items=[ItemRequest(line=f"{number}-1", quantity=1, reason=reason, comment=comment)],
            resolution="refund",
            method="pickup",
            actor=SYSTEM,
        )
        triage.return_comments_classify(latest)
    return {"store": store, "latest": latest}


def sku(title: str) -> str:
    return title.upper().replace(" ", "-")


def sign_in(page: Page, url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{url}/staff/login")
    page.get_by_label("Username").fill("lucia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_the_return_shows_the_comments_reading_and_the_signals_in_both_languages(
    page: Page, live_server: Any, insight_world: dict[str, Any], shoot: Any
) -> None:
    latest: Return = insight_world["latest"]
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/staff/returns/{latest.rma}")

    signals = page.locator("#signals")
    expect(signals.locator('[data-signal="serial_returner"]')).to_contain_text("Serial returner")
    expect(signals).to_contain_text("6 of 6 units bought in the last 365 days came back")
    reading = page.locator('[data-reading="too_large"]')
    expect(reading).to_contain_text("Too large")
    expect(reading).to_contain_text("Contradicts the picked reason")
    expect(reading).to_contain_text("me queda enorme")
    shoot(page, "insight-1-return-en")

    page.get_by_role("button", name="ES").click()
    expect(page.locator("#signals-h")).to_have_text("Señales de abuso")
    expect(page.locator('[data-reading="too_large"]')).to_contain_text("Contradice el motivo")
    shoot(page, "insight-2-return-es")

    page.goto(f"{live_server.url}/staff/insight/comments")
    expect(page.get_by_role("heading", name="Análisis de comentarios")).to_be_visible()
    rows = page.locator("#phrases tbody tr")
    expect(rows).to_have_count(6)
    expect(page.locator('#phrases tr[data-reason="better_price"]')).to_contain_text("barato")
    shoot(page, "insight-3-panel-es")

    page.get_by_role("button", name="EN").click()
    expect(page.get_by_role("heading", name="Top phrases per product and reason")).to_be_visible()
    expect(page.locator("#summary")).to_contain_text("6 comments")
    expect(page.locator("#summary")).to_contain_text("1 contradicting the picked reason")
    shoot(page, "insight-4-panel-en")
