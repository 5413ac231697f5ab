"""An agent reads what a shopper was sent and sends it again, in a real browser (phone size)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from retorno.accounts.services import membership_grant
from retorno.backoffice.tests.conftest import make_return
from retorno.notifications.models import Message
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "agent-password-123"


@pytest.fixture
def sent(transactional_db: None, settings: Any) -> dict[str, Any]:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    store = StoreFactory(slug="moda", name="Moda Norte", timezone="Europe/Madrid")
    membership_grant(
        store=store, username="carlos", email="carlos@moda.test", role="agent", password=PASSWORD
    )
    ret = make_return(store, email="lola@example.com")
    return {"store": store, "return": ret}


def test_agent_reads_a_message_and_sends_it_again(
    page: Page, live_server: Any, sent: dict[str, Any], shoot: Any
) -> None:
    page.goto(f"{live_server.url}/staff/messages")
    page.get_by_label("Username").fill("carlos")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Messages")).to_be_visible()
    rows = page.locator("#message-log tbody tr")
    expect(rows).to_have_count(Message.objects.filter(store=sent["store"]).count())
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shoot(page, "messages-1-log-phone")
    rows.first.get_by_role("link").first.click()
    expect(page.locator("#message-body")).to_contain_text(sent["return"].rma)
    page.get_by_role("button", name="Send it again").click()
    expect(page.get_by_text("The message will be sent again in a moment.")).to_be_visible()
    expect(page.locator("#sent-again")).to_be_visible()
    assert Message.objects.filter(dedupe_key__startswith="again:").count() == 1
