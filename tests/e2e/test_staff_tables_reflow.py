"""Staff tables on a tablet held upright and on a phone: each list's rows become cards of
"label: value" lines (no sideways scrolling), the labels in the page's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from retorno.accounts.services import api_key_create, membership_grant
from retorno.backoffice.tests.conftest import make_return
from retorno.core.actors import SYSTEM
from retorno.domain.policies import default_policy_document
from retorno.logistics.models import Shipment
from retorno.logistics.tests.factories import make_carrier
from retorno.policies.services import policy_publish
from retorno.stores.tests.factories import StoreFactory
from retorno.webhooks.services import endpoint_create

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "admin-password-123"
PAGES = {
    "api-keys": "/staff/settings/api-keys",
    "carriers": "/staff/carriers",
    "policy-versions": "/staff/settings/policy",
    "webhook-endpoints": "/staff/settings/webhooks",
    "customer-returns": "/staff/customers/{customer}",
    "customers": "/staff/customers",
    "shipments": "/staff/shipments",
}


@pytest.fixture
def shop(transactional_db: None, settings: Any) -> dict[str, Any]:
    settings.RETORNO_ALLOW_PRIVATE_URLS = True
    store = StoreFactory(slug="moda", name="Moda Norte", timezone="Europe/Madrid")
    membership_grant(
        store=store, username="marta", email="marta@moda.test", role="owner", password=PASSWORD
    )
    api_key_create(store=store, name="ERP nightly export", scopes=["read", "write"])
    make_carrier(store, "demo")
    policy_publish(store=store, document=default_policy_document(), actor=SYSTEM, note="Spring")
    endpoint_create(
        store=store,
        url="https://erp.moda.test/hooks/retorno",
        description="ERP",
        event_types=["return.approved"],
    )
    ret = make_return(store, email="lola@example.com")
    now = timezone.now()
    Shipment.objects.create(  # a booking the carrier took (the job's own may be failing)
        store=store,
        return_id=ret.pk,
        rma=ret.rma,
        reference=f"{ret.rma}-9",
        attempt_number=9,
        method="pickup",
        booking_state="booked",
        tracking_number="1Z999AA10123456784",
        created_at=now,
        updated_at=now,
    )
    return {"store": store, "customer": ret.customer_id}


@pytest.mark.parametrize(("width", "name"), [(800, "tablet"), (390, "phone")])
def test_lists_reflow_into_cards(
    page: Page, live_server: Any, shop: dict[str, Any], shoot: Any, width: int, name: str
) -> None:
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(f"{live_server.url}/staff/login")
    page.get_by_label("Username").fill("marta")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Returns", exact=True)).to_be_visible()
    for table, path in PAGES.items():
        page.goto(live_server.url + path.format(customer=shop["customer"]))
        rows = page.locator(f"table#{table} tbody tr")
        expect(rows.first).to_be_visible()
        assert page.locator(f"table#{table}").evaluate("t => t.classList.contains('reflow')")
        # The header row is hidden and each cell says what it is.
        assert rows.first.locator("td").first.evaluate(
            "td => getComputedStyle(td, '::before').content"
        ) not in ("none", "normal", '""')
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        shoot(page, f"reflow-{table}-{name}")


def test_customers_and_shipments_are_searched_on_a_tablet_in_spanish(
    page: Page, live_server: Any, shop: dict[str, Any], shoot: Any
) -> None:
    page.set_viewport_size({"width": 800, "height": 1000})
    page.set_extra_http_headers({"Accept-Language": "es"})
    page.goto(f"{live_server.url}/staff/login")
    page.locator("#id_username").fill("marta")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("button.primary[type=submit]").click()
    page.get_by_role("link", name="Clientes", exact=True).click()
    expect(page.get_by_role("heading", name="Clientes")).to_be_visible()
    page.get_by_label("E-mail, nombre o id de cliente").fill("lola@")
    page.locator("#customer-filters button.primary").click()
    expect(page.locator("table#customers tbody tr")).to_have_count(1)
    page.get_by_label("E-mail, nombre o id de cliente").fill("nadie-asi")
    page.locator("#customer-filters button.primary").click()
    expect(page.locator("#no-customers")).to_have_text("Ningún cliente coincide.")
    page.get_by_role("link", name="Envíos", exact=True).click()
    page.get_by_label("RMA o número de seguimiento").fill("a10123")
    page.get_by_label("Reserva").select_option("booked")
    page.locator("#shipment-filters button.primary").click()
    expect(page.locator("table#shipments tbody tr")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shoot(page, "shipments-searched-tablet-es")
