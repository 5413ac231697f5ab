"""Receiving with a simulated barcode scanner (type the code, press Enter), then an inspection
and its disposition, in a real browser against the live server."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from retorno.accounts.services import membership_grant
from retorno.orders.models import Variant
from retorno.returns.models import Return
from retorno.stores.tests.factories import StoreFactory
from retorno.warehouse.services import document_publish
from retorno.warehouse.tests.factories import CHECKLISTS, STAFF, approved_return

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "scan-all-the-parcels"


@pytest.fixture
def parcel(transactional_db: None, settings: Any, tmp_path: Any) -> Return:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    store = StoreFactory(slug="bodega", name="Bodega Norte", timezone="Europe/Madrid")
    membership_grant(
        store=store,
        username="wendy",
        email="wendy@bodega.test",
        role="warehouse",
        password=PASSWORD,
    )
    document_publish(store=store, kind="checklists", document=CHECKLISTS, actor=STAFF)
    return approved_return(store, sku="TRAIL-42", quantity=2, stock=4)


def scan(page: Page, code: str) -> None:
    """What a scanner does: types into the focused field and presses Enter."""
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def test_receiving_with_a_scanner_then_inspecting(
    page: Page, live_server: Any, parcel: Return, shoot: Any
) -> None:
    base = live_server.url
    page.goto(f"{base}/staff/login")
    page.get_by_label("Username").fill("wendy")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{base}/staff/receiving")
    expect(page.locator("#scan-code")).to_be_focused()
    shoot(page, "warehouse-1-scan")
    scan(page, parcel.rma.lower())

    expect(page.get_by_role("heading", name=parcel.rma)).to_be_visible()
    expect(page.locator("#scan-code")).to_be_focused()
    scan(page, "TRAIL-42")
    expect(page.get_by_text("TRAIL-42 × 1 counted in; 1 still expected.")).to_be_visible()
    expect(page.locator("#scan-code")).to_be_focused()
    scan(page, "trail-42")
    expect(page.locator("#expected td.received")).to_have_text("2")
    scan(page, "TRAIL-42")  # one scan too many: refused, nothing changed
    expect(page.locator("#action-error")).to_contain_text("already counted in")
    expect(page.locator("#expected td.received")).to_have_text("2")
    scan(page, "MUG-1")
    expect(page.locator("#unexpected")).to_contain_text("MUG-1")
    shoot(page, "warehouse-2-received")

    page.locator("#to-inspection").click()
    item = page.locator(".inspect-item").first
    item.get_by_label("Grade").select_option("like_new")
    item.locator("input[name='check:box'][value='yes']").check()
    item.locator("input[name='check:soles'][value='yes']").check()
    item.get_by_label("Notes").fill("Tried on indoors, box intact.")
    shoot(page, "warehouse-3-inspect")
    item.get_by_role("button", name="Save inspection").click()

    expect(page.get_by_text("Inspection saved.")).to_be_visible()
    expect(page.locator("#status")).to_have_text("Inspected")
    row = page.locator("#inspections tbody tr").first
    expect(row).to_contain_text("Restock")
    row.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("2 unit(s) added to stock.")).to_be_visible()
    shoot(page, "warehouse-4-disposition")
    assert Variant.objects.get(sku="TRAIL-42").stock == 6
