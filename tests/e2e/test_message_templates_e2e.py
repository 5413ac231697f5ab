"""An owner writes the store's own words for the approval message in Spanish in a real
browser: the variables are listed, an unknown one is refused, the preview shows the whole
message about a sample return with the words filled in."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from retorno.accounts.services import membership_grant
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "owner-password-123"


@pytest.fixture
def shop(transactional_db: None) -> Any:
    store = StoreFactory(slug="moda", name="Moda Norte", timezone="Europe/Madrid")
    membership_grant(
        store=store, username="marta", email="marta@moda.test", role="owner", password=PASSWORD
    )
    return store


def test_the_approval_message_in_spanish(
    page: Page, live_server: Any, shop: Any, shoot: Any
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/staff/login")
    page.get_by_label("Username").fill("marta")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="ES", exact=True).click()
    page.goto(f"{live_server.url}/staff/settings/message-templates?kind=approved&language=es")
    expect(page.locator("#template-variables")).to_contain_text("{customer_name}")
    page.get_by_label("Asunto").fill("{store}: tu devolución {rma} está aprobada, {nombre}")
    page.get_by_role("button", name="Guardar", exact=True).click()
    expect(page.get_by_text("Usa solo las variables de la lista")).to_be_visible()
    page.get_by_label("Asunto").fill("{store}: tu devolución {rma} está aprobada")
    page.get_by_label("Titular").fill("¡Buenas noticias, {customer_name}!")
    page.get_by_label("Párrafo de apertura").fill("Gracias por comprar en {store}.")
    page.get_by_role("button", name="Guardar", exact=True).click()
    expect(page.locator("#preview-subject")).to_have_text(
        "Moda Norte: tu devolución R-000123 está aprobada"
    )
    expect(page.locator("#preview-text")).to_contain_text("¡Buenas noticias, Lucía!")
    expect(page.locator("#preview-text")).to_contain_text("Gracias por comprar en Moda Norte.")
    shoot(page, "message-templates-desktop-es")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shoot(page, "message-templates-phone-es")
