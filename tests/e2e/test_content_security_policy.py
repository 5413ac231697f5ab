"""The main pages in Chromium under the Content-Security-Policy: the shopper's portal, the back
office, the admin and the API docs load and work, and the browser reports no violation."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import ConsoleMessage, Page, expect

from retorno.accounts.services import membership_grant
from retorno.backoffice.tests.conftest import make_return
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "admin-password-123"
# Every violation the page sees, whatever its source, reaches this list (the init script runs
# before the page's own code and is not subject to the page's policy).
LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile);
});
"""


@pytest.fixture
def world(transactional_db: None) -> dict[str, Any]:
    store = StoreFactory(slug="moda", name="Moda Norte", timezone="Europe/Madrid")
    membership_grant(
        store=store, username="ines", email="ines@moda.test", role="admin", password=PASSWORD
    )
    get_user_model().objects.create_superuser("root", "root@moda.test", PASSWORD)
    returned = make_return(store, price="600.00", reason="defective")
    return {"store": store, "return": returned}


def visit(page: Page, url: str, seen: dict[str, list[str]]) -> None:
    response = page.goto(url)
    assert response is not None, url
    assert response.ok, (url, response.status)
    assert "default-src 'self'" in (response.headers.get("content-security-policy") or ""), url
    page.wait_for_load_state("networkidle")
    seen[url] = page.evaluate("window.__violations")


def test_main_pages_report_no_policy_violation(
    page: Page, live_server: Any, world: dict[str, Any], shoot: Any
) -> None:
    base = live_server.url
    console: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            console.append(message.text)

    page.on("console", on_console)
    page.add_init_script(LISTEN)
    page.set_viewport_size({"width": 1280, "height": 900})
    seen: dict[str, list[str]] = {}
    returned = world["return"]

    # The shopper's portal, with the store's colours in its one inline style.
    visit(page, f"{base}/s/moda/", seen)
    primary = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--primary').trim()"
    )
    assert primary == world["store"].primary_colour, "the store's colours were blocked"
    visit(page, f"{base}/s/moda/policy/", seen)
    visit(page, f"{base}/r/{returned.tracking_token}", seen)
    shoot(page, "csp-portal-tracking")

    # The back office: sign in, queue, a return, carriers.
    visit(page, f"{base}/staff/login", seen)
    page.get_by_label("Username").fill("ines")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Returns").first).to_be_visible()
    for path in ["/staff/", "/staff/returns", f"/staff/returns/{returned.rma}", "/staff/carriers"]:
        visit(page, f"{base}{path}", seen)
    shoot(page, "csp-backoffice")

    # The admin (its own scripts and styles), signed in as a superuser.
    page.context.clear_cookies()
    visit(page, f"{base}/admin/login/", seen)
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    for path in ["/admin/", "/admin/auth/user/", "/admin/auth/user/add/"]:
        visit(page, f"{base}{path}", seen)
    shoot(page, "csp-admin")

    # The API docs: Swagger UI renders its operations.
    visit(page, f"{base}/api/v1/docs", seen)
    expect(page.locator(".opblock").first).to_be_visible()
    seen[f"{base}/api/v1/docs"] = page.evaluate("window.__violations")
    shoot(page, "csp-api-docs")

    assert {url: found for url, found in seen.items() if found} == {}
    assert console == []
