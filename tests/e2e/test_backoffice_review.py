"""An agent reviews a return in a real browser: sign in, filter to "needs review", approve."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from retorno.accounts.services import membership_grant
from retorno.backoffice.tests.conftest import make_return
from retorno.returns.models import Return, ReturnEvent
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "agent-password-123"


@pytest.fixture
def review_world(transactional_db: None) -> dict[str, Any]:
    store = StoreFactory(slug="moda", name="Moda Norte", timezone="Europe/Madrid")
    agent = membership_grant(
        store=store, username="carlos", email="carlos@moda.test", role="agent", password=PASSWORD
    ).user
    agent.first_name, agent.last_name = "Carlos", "Ruiz"
    agent.save()
    pending = make_return(store, price="600.00", reason="defective", email="lola@example.com")
    for _ in range(3):
        make_return(store, reason="too_small")
    return {"store": store, "agent": agent, "pending": pending}


def test_agent_reviews_and_approves(
    page: Page, live_server: Any, review_world: dict[str, Any], shoot: Any
) -> None:
    pending: Return = review_world["pending"]
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/staff/returns")

    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
    page.get_by_label("Username").fill("carlos")
    page.get_by_label("Password").fill(PASSWORD)
    shoot(page, "backoffice-1-sign-in")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Returns")).to_be_visible()
    expect(page.locator("#queue tbody tr")).to_have_count(4)
    page.get_by_label("Needs review").check()
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#queue tbody tr")).to_have_count(1)
    expect(page.locator("#result-count")).to_have_text("1 return")
    shoot(page, "backoffice-2-queue-needs-review")

    page.get_by_role("link", name=pending.rma).click()
    expect(page.get_by_role("heading", name=pending.rma)).to_be_visible()
    expect(page.locator("#status")).to_have_text("Needs review")
    expect(page.locator("#decision")).to_contain_text(
        "Returns of this value are checked by our team."
    )
    page.get_by_label("Note (optional)").first.fill("Photos show the defect.")
    shoot(page, "backoffice-3-return")
    page.get_by_role("button", name="Approve return").click()

    expect(page.get_by_text("Return approved.")).to_be_visible()
    expect(page.locator("#status")).to_have_text("Approved")
    expect(page.locator("#timeline")).to_contain_text("Carlos Ruiz")
    expect(page.locator("#timeline")).to_contain_text("Photos show the defect.")
    expect(page.locator("#approve-form")).to_have_count(0)
    shoot(page, "backoffice-4-approved")

    pending.refresh_from_db()
    assert pending.status == "approved"
    event = ReturnEvent.objects.filter(return_request=pending).latest("id")
    assert (event.kind, event.actor_kind, event.actor_id, event.actor_label) == (
        "approved",
        "staff",
        str(review_world["agent"].pk),
        "Carlos Ruiz",
    )
