"""The team in a real browser: an owner invites a manager by e-mail (real SMTP on 127.0.0.1),
the manager opens the link, chooses a password and is in; the owner deactivates an agent whose
open page stops at once; the audit log shows it all, filtered; tablet and phone sizes, Spanish."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from retorno.accounts.models import Membership
from retorno.accounts.services import membership_grant
from retorno.notifications.tests.conftest import SmtpServer, free_port
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "team-password-123"
TABLET = {"width": 800, "height": 1100}


@pytest.fixture
def mail(settings: Any) -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    server.start()
    yield server
    server.stop()


@pytest.fixture
def shop(transactional_db: None, live_server: Any, settings: Any) -> dict[str, Any]:
    settings.RETORNO_PUBLIC_URL = live_server.url
    store = StoreFactory(slug="moda", name="Moda Norte", timezone="Europe/Madrid")
    owner = membership_grant(
        store=store, username="marta", email="marta@moda.test", role="owner", password=PASSWORD
    ).user
    owner.first_name, owner.last_name = "Marta", "Gil"
    owner.save()
    agent = membership_grant(
        store=store, username="carlos", email="carlos@moda.test", role="agent", password=PASSWORD
    ).user
    return {"store": store, "owner": owner, "agent": agent}


def sign_in(page: Page, url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{url}/staff/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def fits(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_invite_join_deactivate_and_the_audit_log(
    page: Page, browser: Browser, live_server: Any, shop: dict[str, Any], mail: Any, shoot: Any
) -> None:
    page.set_viewport_size(TABLET)
    sign_in(page, live_server.url, "marta")
    page.get_by_role("link", name="Team").click()
    expect(page.get_by_role("heading", name="Team", exact=True)).to_be_visible()
    page.get_by_label("E-mail address").fill("lucia@moda.test")
    page.get_by_label("Role", exact=True).select_option("manager")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("Invitation sent to lucia@moda.test.")).to_be_visible()
    expect(page.locator("#team-invites tbody tr")).to_have_count(1)
    assert fits(page)
    shoot(page, "team-1-invited-tablet")

    (arrival,) = mail.arrivals
    link = re.search(r"(http://\S+/staff/invite/\S+)", arrival.text)
    assert link
    newcomer = browser.new_context(viewport={"width": 390, "height": 844})
    joining = newcomer.new_page()
    joining.goto(link.group(1))
    expect(joining.get_by_role("heading", name="Join Moda Norte")).to_be_visible()
    joining.get_by_label("First name").fill("Lucía")
    joining.get_by_label("User name").fill("lucia")
    joining.get_by_label("Password", exact=True).fill("a-long-pass-phrase-9")
    joining.get_by_label("The password again").fill("a-long-pass-phrase-9")
    shoot(joining, "team-2-accept-phone")
    joining.get_by_role("button", name="Create my account and join").click()
    expect(joining.get_by_text("Welcome to Moda Norte.")).to_be_visible()
    expect(joining.get_by_role("link", name="Audit log")).to_be_visible()
    assert Membership.objects.get(user__username="lucia").role == "manager"
    newcomer.close()

    agent_context = browser.new_context()
    agent_page = agent_context.new_page()
    sign_in(agent_page, live_server.url, "carlos")
    expect(agent_page.get_by_role("link", name="Returns", exact=True)).to_be_visible()

    page.reload()
    row = page.locator(f"#team-members tr[data-user='{shop['agent'].pk}']")
    row.get_by_role("button", name="Deactivate").click()
    expect(
        page.get_by_text("Deactivated: their pages and API keys stopped working.")
    ).to_be_visible()
    agent_page.reload()
    expect(agent_page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
    agent_context.close()

    page.get_by_role("link", name="Audit log").click()
    rows = page.locator("#audit-log tbody tr")
    expect(rows).to_have_count(3)  # invited, joined, deactivated
    page.get_by_label("What").select_option("staff.deactivated")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Deactivated someone")
    expect(rows.first).to_contain_text("carlos@moda.test")
    assert fits(page)
    shoot(page, "team-3-audit-tablet")

    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="ES").click()
    expect(page.get_by_role("heading", name="Registro de actividad")).to_be_visible()
    assert fits(page)
    shoot(page, "team-4-audit-phone-es")
    page.get_by_role("link", name="Equipo").click()
    expect(page.get_by_role("heading", name="Invitar a alguien")).to_be_visible()
    assert fits(page)
    shoot(page, "team-5-team-phone-es")


def test_forgot_password_by_email(
    page: Page, live_server: Any, shop: dict[str, Any], mail: Any, shoot: Any
) -> None:
    page.goto(f"{live_server.url}/staff/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail address").fill("carlos@moda.test")
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator("#reset-sent")).to_be_visible()
    (arrival,) = mail.arrivals
    link = re.search(r"(http://\S+/staff/password-reset/\S+)", arrival.text)
    assert link
    page.goto(link.group(1))
    page.get_by_label("New password").fill("brand-new-pass-77")
    page.get_by_label("The password again").fill("brand-new-pass-77")
    shoot(page, "team-6-new-password-phone")
    page.get_by_role("button", name="Save the password").click()
    expect(page.locator("#reset-complete")).to_be_visible()
    sign_in(page, live_server.url, "carlos", "brand-new-pass-77")
    expect(page.get_by_role("link", name="Returns", exact=True)).to_be_visible()
