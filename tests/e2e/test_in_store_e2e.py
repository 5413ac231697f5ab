"""A return handed in at one of the store's shops, with the store's price per return method, in
a real browser: the owner sets the prices and a shop on the return-methods page; the shopper
sees each method's price and what comes back with it, the shop's address and hours, chooses
the shop, and the review and the tracking page say where to bring the items. Phone and desktop,
Spanish and English, checked by axe-core; the pages are saved to docs/screenshots/."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from retorno.accounts.services import membership_grant
from retorno.orders.models import Order
from retorno.returns.models import Return
from tests.e2e.axe import serious_violations
from tests.e2e.test_portal_a11y import SIZES, shop_order, simulator  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "owner-password-123"
SHOTS = {("desktop", "en"), ("phone", "es")}  # saved to docs/screenshots/
WORDS = {
    "en": {"sign_in": "Sign in", "save": "Save the methods", "free": "Free"},
    "es": {"sign_in": "Entrar", "save": "Guardar los métodos", "free": "Gratis"},
}


@pytest.fixture
def owned(shop_order: Order) -> Order:  # noqa: F811
    """The portal's test store and order, with an owner to set the return methods."""
    membership_grant(
        store=shop_order.store,
        username="olga",
        email="olga@moda.test",
        role="owner",
        password=PASSWORD,
    )
    return shop_order


def _context(browser: Browser, lang: str, size: str) -> Any:
    return browser.new_context(
        viewport=SIZES[size],
        is_mobile=size == "phone",
        has_touch=size == "phone",
        locale=lang,
        extra_http_headers={"Accept-Language": lang},
        bypass_csp=True,  # to inject axe-core
    )


def _no_overflow(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def _owner_sets_prices_and_a_shop(page: Page, base: str, lang: str, size: str) -> None:
    page.goto(f"{base}/staff/login")
    page.locator("input[name=username]").fill("olga")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(f"{base}/staff/settings/return-methods")
    page.locator("input[name=methods][value=in_store]").check()
    page.locator("#id_price_drop_off").fill("0")
    page.locator("#id_price_self_ship").fill("4,95" if lang == "es" else "4.95")
    page.locator("#id_shop-0-name").fill("Moda Norte Gran Vía")
    page.locator("#id_shop-0-address").fill("Gran Vía 32")
    page.locator("#id_shop-0-postal_code").fill("28013")
    page.locator("#id_shop-0-city").fill("Madrid")
    page.locator("#shop-0 details > summary").click()  # the hours of a new shop are folded
    for day in ("mon", "tue", "wed", "thu", "fri"):
        page.locator(f"#id_shop-0-{day}").fill("10:00–21:00")
    page.locator("#id_shop-0-sat").fill("10:00–14:00")
    assert serious_violations(page) == []
    _no_overflow(page)
    if (size, lang) in SHOTS:
        page.screenshot(
            path=str(DOCS / f"backoffice-return-methods-{size}-{lang}.png"), full_page=True
        )
    page.get_by_role("button", name=WORDS[lang]["save"]).click()
    expect(page.locator("#id_shop-0-name")).to_have_value("Moda Norte Gran Vía")


def _shopper_returns_in_store(page: Page, base: str, lang: str, size: str) -> None:
    page.goto(f"{base}/s/moda/")
    page.locator("#id_number").fill("#7001")
    page.locator("#id_email").fill("ana@example.com")
    page.locator("form.card button[type=submit]").click()
    tee = page.locator("li.line").filter(has_text="Organic T-shirt")
    tee.locator("input[name$=-selected]").check()
    tee.locator("select[name$=-reason]").select_option("too_small")
    page.locator("main form > button[type=submit]").click()

    cards = page.locator(".method-card")
    expect(cards).to_have_count(4)
    expect(page.locator("#method-drop_off .method-price")).to_have_text(WORDS[lang]["free"])
    expect(page.locator("#method-self_ship .method-price")).to_contain_text(
        "4,95" if lang == "es" else "4.95"
    )
    expect(page.locator("#method-in_store .method-price")).to_have_text(WORDS[lang]["free"])
    page.locator("input[name=method][value=in_store]").check()
    expect(page.locator("#pickup-details")).to_be_hidden()
    page.locator("#in-store-locations > summary").click()
    expect(page.locator("#in-store-locations li.point")).to_contain_text(
        "Gran Vía 32, 28013, Madrid"
    )
    assert serious_violations(page) == []
    _no_overflow(page)
    if (size, lang) in SHOTS:
        page.locator("#methods").screenshot(
            path=str(DOCS / f"portal-methods-in-store-{size}-{lang}.png")
        )
    page.locator("input[name=resolution][value=refund]").check()
    page.locator(".actions button[type=submit]").click()

    expect(page.locator("#store-locations")).to_contain_text("Moda Norte Gran Vía")
    assert serious_violations(page) == []
    if (size, lang) in SHOTS:
        page.screenshot(
            path=str(DOCS / f"portal-review-in-store-{size}-{lang}.png"), full_page=True
        )
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#rma")).to_be_visible()
    page.locator("#tracking-link").click()
    expect(page.locator("#next-step")).to_have_attribute("data-step", "bring_to_store")
    expect(page.locator("#store-locations")).to_contain_text("Gran Vía 32")
    assert serious_violations(page) == []
    _no_overflow(page)
    if (size, lang) in SHOTS:
        page.screenshot(
            path=str(DOCS / f"portal-tracking-in-store-{size}-{lang}.png"), full_page=True
        )


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_return_in_store_at_the_stores_prices(
    browser: Browser, live_server: Any, owned: Order, lang: str, size: str
) -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    context = _context(browser, lang, size)
    page = context.new_page()
    try:
        _owner_sets_prices_and_a_shop(page, live_server.url, lang, size)
        _shopper_returns_in_store(page, live_server.url, lang, size)
    finally:
        context.close()
    made = Return.objects.get(order=owned)
    assert (made.method, made.return_shipping_fee_amount) == ("in_store", 0)
