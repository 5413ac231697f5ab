"""An agent's day in the queue, in a real browser and from the keyboard: "/" searches, the
filters narrow, j and x pick two reviews and r rejects them after a confirmation that names how
many, o opens the next one, which the agent approves; the warehouse receives and grades it and
the agent, back on its page, reads the refund that followed and opens the message that told the
shopper. Screenshots of each step are kept
(test-output/screenshots/queue-walk-*)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from retorno.accounts.services import membership_grant
from retorno.backoffice.tests.conftest import make_return
from retorno.core.actors import Actor
from retorno.integrations.payments import registry
from retorno.integrations.payments.testing import FakeProvider
from retorno.money.models import MoneySettings, Refund
from retorno.returns.models import Return
from retorno.returns.workflows import inspection, receiving
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "agent-password-123"
WAREHOUSE = Actor(kind="staff", id="2", label="Warehouse Wu")


@pytest.fixture
def day(transactional_db: None) -> dict[str, Any]:
    store = StoreFactory(slug="moda", name="Moda Norte", timezone="Europe/Madrid")
    registry.register(FakeProvider(name="walk"))
    MoneySettings.objects.update_or_create(store=store, defaults={"payment_adapter": "walk"})
    agent = membership_grant(
        store=store, username="carlos", email="carlos@moda.test", role="agent", password=PASSWORD
    ).user
    agent.first_name, agent.last_name = "Carlos", "Ruiz"
    agent.save()
    reviews = [
        make_return(store, price="600.00", reason="defective", email=f"c{i}@example.com")
        for i in range(3)
    ]
    for _ in range(2):
        make_return(store, reason="too_small")
    return {"store": store, "reviews": reviews}


def test_an_agent_works_the_queue_from_the_keyboard_to_a_refund(
    page: Page, live_server: Any, day: dict[str, Any], shoot: Any
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/staff/returns")
    page.get_by_label("Username").fill("carlos")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(5)
    shoot(page, "queue-walk-1-queue")

    # "/" goes to the search box; Enter searches.
    page.locator("body").press("/")
    expect(page.locator("input[type=search]")).to_be_focused()
    page.keyboard.type("c2@example.com")
    page.keyboard.press("Enter")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-rma", day["reviews"][2].rma)
    page.get_by_role("link", name="Clear").click()
    expect(rows).to_have_count(5)

    page.get_by_label("Needs review").check()
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(3)
    expect(page.locator("#result-count")).to_have_text("3 returns")
    shoot(page, "queue-walk-2-needs-review")

    # j moves, x ticks, r asks to reject what is ticked.
    picked = [rows.nth(i).get_attribute("data-rma") for i in range(2)]
    page.locator("body").press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("#bulk-count")).to_have_text("2 selected")
    page.keyboard.press("r")
    expect(page.get_by_role("heading", name="Reject 2 returns?")).to_be_visible()
    page.locator("#bulk-confirm textarea, #bulk-confirm input[name=note]").first.fill(
        "Outside what the policy covers."
    )
    shoot(page, "queue-walk-3-reject-confirm")
    page.locator("#bulk-confirm-go").click()
    expect(page.get_by_text("2 returns rejected.")).to_be_visible()
    assert set(Return.objects.filter(rma__in=picked).values_list("status", flat=True)) == {
        "rejected"
    }
    # Back on the queue with its filters: the one review left.
    expect(rows).to_have_count(1)
    last = rows.first.get_attribute("data-rma")
    shoot(page, "queue-walk-4-after-reject")

    # o opens the row the cursor is on.
    page.locator("body").press("j")
    page.keyboard.press("o")
    expect(page.get_by_role("heading", name=last)).to_be_visible()
    page.get_by_label("Note (optional)").first.fill("Photos show the defect.")
    page.get_by_role("button", name="Approve return").click()
    expect(page.locator("#status")).to_have_text("Approved")

    # The warehouse receives and grades it; the refund follows the store's policy.
    receiving.return_receive(
        store=day["store"], rma=last, quantities={_line(last): 1}, actor=WAREHOUSE
    )
    inspection.return_inspect(
        store=day["store"], rma=last, grades={_line(last): "like_new"}, actor=WAREHOUSE
    )
    refund = Refund.objects.get(rma=last)
    assert (refund.state, refund.amount) == ("succeeded", Decimal("600.00")), refund.amount
    page.reload()
    expect(page.locator("#timeline")).to_contain_text("Refund")
    expect(page.locator("#money-rows tbody tr td").nth(1)).to_have_text("Refund")
    expect(page.locator("#money-rows tbody")).to_contain_text("€600.00")
    shoot(page, "queue-walk-5-refunded")

    # The message that told the shopper opens in the message log, with its status and tries.
    page.locator("#sent-messages").get_by_role("link", name="has been issued").click()
    expect(page.locator("#message-status")).to_have_text("Sent")
    expect(page.locator("#message-facts")).to_contain_text("Attempts")
    expect(page.locator("#message-body")).to_contain_text(last)
    shoot(page, "queue-walk-6-message")


def _line(rma: str) -> str:
    return Return.objects.get(rma=rma).items.get().order_line.external_id
