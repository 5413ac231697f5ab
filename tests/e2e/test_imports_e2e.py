"""An admin imports orders from a CSV file in a real browser: the dry run names the bad row,
the import runs in the background and the page shows it done."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from retorno.accounts.services import membership_grant
from retorno.orders.models import Order
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "admin-password-123"
CSV = (
    "order_id,placed_at,currency,customer_email,order_discount,sku,title,quantity,unit_price\n"
    "1001,2026-11-01T10:00:00Z,EUR,ana@example.com,5.00,TEE-M,T-shirt,2,20.00\n"
    "1001,2026-11-01T10:00:00Z,EUR,ana@example.com,5.00,MUG,Mug,1,10.00\n"
    "1002,2026-11-02T10:00:00Z,EUR,bo@example.com,,SOCK,Socks,0,5.00\n"
)


def test_admin_checks_and_imports_a_file(
    page: Page, live_server: Any, transactional_db: None, shoot: Any, tmp_path: Any
) -> None:
    store = StoreFactory(slug="moda", name="Moda Norte", timezone="Europe/Madrid")
    membership_grant(
        store=store, username="ines", email="ines@moda.test", role="admin", password=PASSWORD
    )
    file = tmp_path / "orders.csv"
    file.write_text(CSV)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/staff/settings/imports")
    page.get_by_label("Username").fill("ines")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Import orders or the catalogue")).to_be_visible()
    page.get_by_label("CSV file (UTF-8)").set_input_files(str(file))
    page.get_by_role("button", name="Check the file").click()

    expect(page.locator("#import-problems tbody tr")).to_have_count(1)
    expect(page.locator("#import-problems tbody tr")).to_contain_text("quantity")
    expect(page.locator("#import-state")).to_contain_text("3 rows read: 1 to import, 1 refused.")
    shoot(page, "imports-1-dry-run")
    page.get_by_role("button", name="Import 1 record").click()

    expect(page.locator("#import-state h2")).to_have_text("Imported", timeout=15_000)
    expect(page.locator("#import-progress")).to_have_attribute("value", "100")
    shoot(page, "imports-2-done")
    order = Order.objects.get(store=store, external_id="1001")
    assert sorted(order.lines.values_list("order_discount_amount", flat=True)) == [
        pytest.approx(1),
        pytest.approx(4),
    ]
