"""An admin connects the store's WooCommerce store and its Stripe account in a real browser,
in English and in Spanish, against the local simulators on loopback: the forms, the check's
answer, the webhook URL to register, and what the store sent back (a WooCommerce order placed
in the simulator, then imported by a backfill; a Stripe event)."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from retorno.accounts.services import membership_grant
from retorno.connectors.stripe.models import StripeAccount
from retorno.connectors.stripe.sim.server import StripeSimulator
from retorno.connectors.woocommerce.models import WooConnection
from retorno.connectors.woocommerce.sim.server import WooSimulator
from retorno.orders.models import Order
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "admin-password-1234"
KEY, SECRET, HOOK_SECRET = "ck_e2e_page_key", "cs_e2e_page_secret", "woo-e2e-hook-secret"
STRIPE_KEY, WHSEC = "sk_test_e2e_page", "whsec_e2e_page"


@pytest.fixture
def store(transactional_db: None) -> Any:
    store = StoreFactory(slug="moda", name="Moda Norte", timezone="Europe/Madrid")
    membership_grant(
        store=store, username="ines", email="ines@moda.test", role="admin", password=PASSWORD
    )
    return store


@pytest.fixture
def woo(tmp_path: Any) -> Any:
    sim = WooSimulator(port=0, state_dir=str(tmp_path), consumer_key=KEY, consumer_secret=SECRET)
    threading.Thread(target=sim.httpd.serve_forever, daemon=True).start()
    yield sim
    sim.shutdown()


@pytest.fixture
def stripe_sim() -> Any:
    sim = StripeSimulator(port=0, secret_key=STRIPE_KEY, webhook_secret=WHSEC)
    sim.start_in_thread()
    yield sim
    sim.shutdown()


def sign_in(page: Page, live_server: Any, language: str, path: str) -> None:
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}{path}")
    page.locator("input[name=username]").fill("ines")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")


def test_woocommerce_connected_checked_and_backfilled_in_english(
    page: Page, live_server: Any, store: Any, woo: Any, shoot: Any
) -> None:
    woo.place_order({"email": "ana@example.com", "lines": [{"sku": "WOO-CAP", "quantity": 1}]})
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "en", "/staff/settings/woocommerce")
    expect(page.get_by_role("heading", name="WooCommerce", exact=True)).to_be_visible()
    form = page.locator("#woo-connect")
    form.get_by_label(re.compile("^" + re.escape("Store address (https://my-store.example)"))).fill(
        woo.url
    )
    form.get_by_label(re.compile("^" + re.escape("REST API consumer key (ck_…)"))).fill(KEY)
    form.get_by_label(re.compile("^" + re.escape("REST API consumer secret (cs_…)"))).fill(SECRET)
    form.get_by_label(re.compile("^" + re.escape("Secret of the store's webhooks"))).fill(
        HOOK_SECRET
    )
    form.get_by_role("button", name="Save the connection").click()

    expect(page.get_by_text("Connected. Check the connection below.")).to_be_visible()
    expect(page.locator("code")).to_contain_text("/api/v1/connectors/woocommerce/webhooks")
    page.get_by_role("button", name="Check the connection").click()
    expect(page.get_by_text("Connected to Tienda Woo de prueba")).to_be_visible()
    expect(page.locator("#woo-check-state")).to_contain_text("Answered on")
    assert SECRET not in page.content()

    page.locator("#woo-backfill").get_by_role("button", name="Import").click()
    expect(page.locator("#woo-backfill-progress")).to_have_attribute("value", "100", timeout=20_000)
    shoot(page, "woocommerce-page-en")
    connection = WooConnection.objects.get(store=store)
    assert connection.checked_at is not None
    assert Order.objects.filter(store=store).count() == 1


def test_woocommerce_refusal_and_stripe_connected_in_spanish_on_a_phone(
    page: Page, live_server: Any, store: Any, woo: Any, stripe_sim: Any, shoot: Any
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "es", "/staff/settings/woocommerce")
    form = page.locator("#woo-connect")
    form.get_by_label(
        re.compile("^" + re.escape("Dirección de la tienda (https://mi-tienda.example)"))
    ).fill(woo.url)
    form.get_by_label(
        re.compile("^" + re.escape("Clave de consumidor de la API REST (ck_…)"))
    ).fill(KEY)
    form.get_by_label(
        re.compile("^" + re.escape("Secreto de consumidor de la API REST (cs_…)"))
    ).fill("cs_not_the_secret")
    form.get_by_label(re.compile("^" + re.escape("Secreto de los webhooks de la tienda"))).fill(
        HOOK_SECRET
    )
    form.get_by_role("button", name="Guardar la conexión").click()
    page.get_by_role("button", name="Comprobar la conexión").click()
    expect(page.get_by_text("WooCommerce lo rechazó")).to_be_visible()
    expect(page.locator("#woo-check-state .bad")).to_be_visible()

    page.goto(f"{live_server.url}/staff/settings/stripe")
    expect(page.get_by_role("heading", name="Stripe", exact=True)).to_be_visible()
    form = page.locator("#stripe-connect")
    form.get_by_label(
        re.compile(
            "^"
            + re.escape(
                "Clave secreta (sk_…) o clave restringida (rk_…) que pueda crear reembolsos"
            )
        )
    ).fill(STRIPE_KEY)
    form.get_by_label(
        re.compile("^" + re.escape("Secreto de firma del endpoint de webhooks (whsec_…)"))
    ).fill(WHSEC)
    form.get_by_label(
        re.compile("^" + re.escape("Dirección de la API (solo si no es https://api.stripe.com)"))
    ).fill(stripe_sim.url)
    form.get_by_role("button", name="Guardar la conexión").click()
    expect(page.get_by_text("Conectada. Registra en Stripe")).to_be_visible()
    account = StripeAccount.objects.get(store=store)
    expect(page.locator("code")).to_contain_text(account.webhook_token)
    page.get_by_role("button", name="Comprobar la conexión").click()
    expect(page.get_by_text("Stripe respondió")).to_be_visible()
    expect(page.locator("#stripe-check-state")).to_contain_text("Respondió")
    # Nothing runs past the phone's width.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    shoot(page, "stripe-page-es-phone")


@pytest.mark.parametrize(
    ("language", "path", "heading", "not_connected", "connect"),
    [
        ("es", "shopify", "Shopify", "Sin conectar. Crea una app", "Conectar una tienda"),
        ("en", "shopify", "Shopify", "Not connected. Create a custom app", "Connect a shop"),
        ("es", "woocommerce", "WooCommerce", "Sin conectar. En WordPress", "Conectar una tienda"),
        ("en", "stripe", "Stripe", "Not connected. In the Stripe dashboard", "Connect an account"),
    ],
)
def test_each_connector_page_before_connecting_in_both_languages(
    page: Page,
    live_server: Any,
    store: Any,
    shoot: Any,
    language: str,
    path: str,
    heading: str,
    not_connected: str,
    connect: str,
) -> None:
    """The three pages share one template: each says it is not connected, in the page's own
    words and language, with its form open and no connection facts, on a phone's width."""
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, language, f"/staff/settings/{path}")
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.locator("#connection .empty")).to_contain_text(not_connected)
    expect(page.locator("#connection summary")).to_have_text(connect)
    expect(page.locator(f"#{'woo' if path == 'woocommerce' else path}-connect")).to_be_visible()
    expect(page.locator("#connection dl.facts")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, f"{path}-page-not-connected-{language}-phone")
