"""The queue of a daily team in a real browser: keyboard shortcuts, a bulk approval confirmed by
how many, assignment without JavaScript's help, timers, Spanish, and rows that reflow on a
phone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from retorno.accounts.services import membership_grant
from retorno.backoffice.tests.conftest import make_return
from retorno.returns.models import Return
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "team-password-123"


@pytest.fixture
def team(transactional_db: None) -> dict[str, Any]:
    store = StoreFactory(slug="moda", name="Moda Norte", timezone="Europe/Madrid")
    lead = membership_grant(
        store=store, username="marta", email="marta@moda.test", role="admin", password=PASSWORD
    ).user
    lead.first_name, lead.last_name = "Marta", "Gil"
    lead.save()
    agent = membership_grant(
        store=store, username="carlos", email="carlos@moda.test", role="agent", password=PASSWORD
    ).user
    agent.first_name, agent.last_name = "Carlos", "Ruiz"
    agent.save()
    waiting = [
        make_return(store, price="600.00", reason="defective", email=f"c{i}@example.com")
        for i in range(3)
    ]
    approved = [make_return(store, reason="too_small") for _ in range(2)]
    # The oldest review has waited more than a day: late.
    Return.objects.filter(pk=waiting[0].pk).update(
        status_since=timezone.now() - timedelta(hours=30),
        created_at=timezone.now() - timedelta(hours=31),
    )
    return {"store": store, "agent": agent, "waiting": waiting, "approved": approved}


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/staff/returns")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_shortcuts_pick_returns_and_a_confirmation_names_how_many(
    page: Page, live_server: Any, team: dict[str, Any], shoot: Any
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, "marta")
    expect(page.get_by_role("heading", name="Returns")).to_be_visible()
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(5)
    late = team["waiting"][0]
    expect(page.locator(f'tr[data-rma="{late.rma}"] .sla-late')).to_be_visible()
    shoot(page, "queue-1-team")

    # j moves down, x ticks: the first two rows (the reviews waiting longest).
    page.locator("body").press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("#bulk-count")).to_have_text("2 selected")
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_have_attribute("open", "")
    page.keyboard.press("a")
    expect(page.get_by_role("heading", name="Approve 2 returns?")).to_be_visible()
    shoot(page, "queue-2-confirm")
    page.get_by_role("button", name="Approve (2)").click()
    expect(page.get_by_text("2 returns approved.")).to_be_visible()
    first_two = [r.rma for r in team["waiting"][:2]]
    assert set(Return.objects.filter(rma__in=first_two).values_list("status", flat=True)) == {
        "approved"
    }
    assert Return.objects.get(pk=team["waiting"][2].pk).status == "pending_review"


def test_assigning_works_with_the_form_alone_in_spanish(
    page: Page, live_server: Any, team: dict[str, Any]
) -> None:
    page.set_viewport_size({"width": 1024, "height": 768})  # a tablet lying down
    sign_in(page, live_server.url, "marta")
    page.get_by_role("button", name="ES").click()
    expect(page.get_by_role("heading", name="Devoluciones")).to_be_visible()
    for ret in team["approved"]:
        page.locator(f'input[name=rma][value="{ret.rma}"]').check()
    page.get_by_label("Con las devoluciones seleccionadas").select_option("assign")
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("heading", name="Asignar 2 devoluciones")).to_be_visible()
    page.get_by_label("Asignarlas a").select_option(label="Carlos Ruiz")
    page.get_by_role("button", name="Asignar (2)").click()
    expect(page.get_by_text("2 devoluciones asignadas.")).to_be_visible()
    page.get_by_label("Asignada a").select_option(label="Carlos Ruiz")
    page.get_by_role("button", name="Filtro").click()
    expect(page.locator("#queue tbody tr")).to_have_count(2)
    assert Return.objects.filter(assignee=team["agent"]).count() == 2
    # A tablet reads every column: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path="/tmp/r15b_tablet.png", full_page=True)


def test_the_queue_reflows_on_a_phone(
    page: Page, live_server: Any, team: dict[str, Any], shoot: Any
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "carlos")
    expect(page.locator("#queue tbody tr")).to_have_count(5)
    # No sideways scrolling: each row is a card of labelled lines.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    expect(page.locator("#queue thead")).not_to_be_in_viewport()
    shoot(page, "queue-3-phone")
