"""Supplier signals and the weekly digest in a real browser: an inspector confirms a shopper's
reason, an admin sets a supplier's threshold on the supplier panel and sees its alert, downloads
the evidence PDF, and reads the weekly digest's preview and stops it; on a phone and on a wide
screen, in English and Spanish."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from retorno.accounts.services import membership_grant
from retorno.analytics import supplier_alerts
from retorno.analytics.tests.factories import WAREHOUSE, give_back, sale
from retorno.returns.workflows import receiving
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "admin-password-1234"


@pytest.fixture
def world(transactional_db: None) -> dict[str, Any]:
    store = StoreFactory(slug="moda", name="Moda Norte", timezone="Europe/Madrid")
    membership_grant(
        store=store, username="ines", email="ines@moda.test", role="admin", password=PASSWORD
    )
    chargers = [
        sale(store, quantity=10, sku=f"CHG-{n}", title="Charger", vendor="Volt") for n in range(4)
    ]
    ret = give_back(store, chargers[0], quantity=2, reason="defective")
    line = ret.items.get().order_line.external_id
    receiving.return_receive(store=store, rma=ret.rma, quantities={line: 2}, actor=WAREHOUSE)
    give_back(store, chargers[1], quantity=1, reason="too_small")
    return {"store": store, "rma": ret.rma}


def sign_in(page: Page, live_server: Any, language: str, path: str) -> None:
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}{path}")
    page.locator("input[name=username]").fill("ines")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")


def test_confirm_threshold_alert_evidence(
    page: Page, live_server: Any, world: dict[str, Any], shoot: Any
) -> None:
    rma = world["rma"]
    sign_in(page, live_server, "en", f"/staff/inspection/{rma}")
    form = page.locator("form.inspect-form").first
    form.locator("select[name=grade]").select_option("used")
    form.get_by_label("Confirms the shopper's reason").check()
    shoot(page, "supplier-1-inspection-confirms-en-phone")
    form.get_by_role("button", name="Save inspection").click()
    expect(page.locator("#inspections")).to_contain_text("confirms the shopper's reason")

    page.goto(f"{live_server.url}/staff/analytics/suppliers?days=30")
    row = page.locator("#suppliers-table tr[data-key=Volt]")
    expect(row.locator("[data-col=defect-rate]")).to_contain_text("5.0%")
    page.locator("#threshold-return").fill("5")
    page.locator("#threshold-defect").fill("4")
    page.get_by_role("button", name="Save thresholds").click()
    expect(page.get_by_text("Thresholds of Volt saved.")).to_be_visible()
    supplier_alerts.supplier_alerts_check(store=world["store"], now=timezone.now())
    page.reload()
    expect(page.locator("#supplier-alerts li[data-kind=defect_rate]")).to_contain_text("Volt")
    expect(row.locator("th")).to_contain_text("over defect threshold")
    shoot(page, "supplier-2-panel-alert-en-phone")
    # On a phone each supplier is a card: the table is no wider than the box that holds it.
    assert page.evaluate(
        "(() => { const t = document.querySelector('#suppliers-table');"
        " return t.scrollWidth <= t.parentElement.clientWidth + 1; })()"
    )
    with page.expect_download() as download:
        row.get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename == "evidence-volt.pdf"

    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])
    page.goto(f"{live_server.url}/staff/analytics/suppliers?days=30")
    expect(
        page.get_by_role("heading", name="Proveedores por encima de sus umbrales")
    ).to_be_visible()
    shoot(page, "supplier-3-panel-alert-es-wide")


def test_the_digest_preview_and_opting_out(
    page: Page, live_server: Any, world: dict[str, Any], shoot: Any
) -> None:
    sign_in(page, live_server, "es", "/staff/analytics/digest")
    expect(page.get_by_role("heading", name="Quién lo recibe")).to_be_visible()
    expect(page.locator("#digest-recipients")).to_contain_text("ines@moda.test")
    expect(page.locator("#digest-subject")).to_contain_text("Moda Norte: devoluciones de la semana")
    shoot(page, "digest-1-preview-es-phone")
    page.get_by_role("button", name="Dejar de enviarme el resumen semanal").click()
    expect(page.get_by_text("Ya no recibirás el resumen semanal.")).to_be_visible()
    expect(page.locator("#digest-recipients")).not_to_contain_text("ines@moda.test")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/staff/analytics/digest")
    expect(page.get_by_role("button", name="Send me the weekly digest")).to_be_visible()
    shoot(page, "digest-2-preview-en-wide")
