"""Every portal page, phone and desktop, Spanish and English, checked by axe-core (no serious
or critical violation), through a whole exchange: store home, policy, order, options with the
exchange picker, shop now (the catalogue and a basket bought with the store credit) and the
return methods (drop-off points from the carrier simulator), review, confirmation, tracking
and its cancel step, the claim form and the not-found page. The options step, the exchange
picker, shop now, the return methods and the tracking page are saved to docs/screenshots/."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from retorno.integrations.carriers.simulator.config import DEFAULT_CARRIERS
from retorno.integrations.carriers.simulator.server import SimulatorServer
from retorno.logistics.demo import demo_carriers_ensure
from retorno.logistics.selectors import drop_off_points_forget
from retorno.orders.models import Order, Variant
from retorno.portal.tests.conftest import make_catalog, make_shop_order
from retorno.stores.tests.factories import StoreFactory
from tests.e2e.axe import serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def simulator() -> Iterator[SimulatorServer]:
    quiet = tuple(replace(c, error_rate=0.0, timeout_rate=0.0) for c in DEFAULT_CARRIERS)
    server = SimulatorServer(quiet, port=0, tick_seconds=None).start()
    yield server
    server.stop()


@pytest.fixture
def shop_order(
    transactional_db: None, settings: Any, tmp_path: Any, simulator: SimulatorServer
) -> Order:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    store = StoreFactory(
        slug="moda",
        name="Moda Norte",
        primary_colour="#0f4c5c",
        accent_colour="#e36414",
        support_email="ayuda@moda.example.com",
        timezone="Europe/Madrid",
        font="humanist",
        return_address={
            "name": "Moda Norte – Devoluciones",
            "line1": "Calle de la Logística 7",
            "postal_code": "28906",
            "city": "Getafe",
            "country": "ES",
        },
    )
    make_catalog(store)
    demo_carriers_ensure(store, base_url=simulator.url)
    drop_off_points_forget()
    Variant.objects.filter(sku="TEE-XL").update(stock=0)  # a sold-out card
    Variant.objects.filter(sku="TEE-S").update(stock=2)  # a "few left" card
    return make_shop_order(store, external_id="7001")


def _check(page: Page, where: str, found: list[str]) -> None:
    found.extend(f"{where}: {v}" for v in serious_violations(page))


def _walk(page: Page, base: str, lang: str, size: str, found: list[str]) -> None:
    shots = size == "desktop" or lang == "es"
    page.goto(f"{base}/s/moda/")
    _check(page, "home", found)
    page.goto(f"{base}/s/moda/policy/")
    _check(page, "policy", found)
    page.goto(f"{base}/s/moda/nothing-here/")
    _check(page, "not found", found)
    page.goto(f"{base}/s/moda/")
    page.locator("#id_number").fill("#7001")
    page.locator("#id_email").fill("ana@example.com")
    page.locator("form.card button[type=submit]").click()
    expect(page.locator("li.line").first).to_be_visible()
    _check(page, "order", found)
    tee = page.locator("li.line").filter(has_text="Organic T-shirt")
    tee.locator("input[name$=-selected]").check()
    tee.locator("select[name$=-reason]").select_option("too_small")
    page.locator("main form > button[type=submit]").click()

    expect(page.locator("#exchange-picker")).to_be_visible()
    # Exchange first, the suggested size chosen, the sold-out size not choosable.
    expect(page.locator("input[name=resolution]").first).to_have_value("exchange")
    expect(page.locator(".variant-card.suggested input")).to_be_checked()
    expect(page.locator(".variant-card.sold-out input")).to_be_disabled()
    _check(page, "options", found)
    if shots:
        page.screenshot(path=str(DOCS / f"portal-options-{size}-{lang}.png"), full_page=True)
        page.locator("#exchange-picker").screenshot(
            path=str(DOCS / f"portal-exchange-picker-{size}-{lang}.png")
        )
    # Shop now: the catalogue with pictures, sizes and stock; a basket against the credit.
    page.locator("#shop-now a").click()
    expect(page.locator(".product-card").first).to_be_visible()
    _check(page, "shop now", found)
    hoodie = page.locator(".product-card").filter(has_text="Hoodie")
    hoodie.locator("button[type=submit]").click()
    expect(page.locator("#basket-amounts")).to_be_visible()
    _check(page, "shop now basket", found)
    if shots:
        page.screenshot(path=str(DOCS / f"portal-shop-now-{size}-{lang}.png"), full_page=True)
    page.locator("#basket .actions a.button").click()
    expect(page.locator("#exchange-picker")).to_be_visible()
    # Every method with its price and when the money comes; the drop-off points near 28013.
    page.locator("input[name=method][value=drop_off]").check()
    expect(page.locator("#pickup-details")).to_be_hidden()  # the address is for a pickup only
    page.locator("#drop-off-points > summary").click()
    expect(page.locator("#drop-off-points li.point")).to_have_count(5)
    _check(page, "methods", found)
    if shots:
        page.locator("#methods").screenshot(path=str(DOCS / f"portal-methods-{size}-{lang}.png"))
    page.locator("input[name=method][value=pickup]").check()
    expect(page.locator("#pickup-details")).to_be_visible()
    page.locator("input[name=method][value=self_ship]").check()
    page.locator(".actions button[type=submit]").click()

    expect(page.locator("#exchange")).to_be_visible()
    _check(page, "review", found)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#rma")).to_be_visible()
    _check(page, "confirmation", found)
    page.locator("#tracking-link").click()
    expect(page.locator("#status")).to_be_visible()
    _check(page, "tracking", found)
    if shots:
        page.screenshot(path=str(DOCS / f"portal-tracking-{size}-{lang}.png"), full_page=True)
    # The tracking page's own step: cancelling (asked before it is done; kept here).
    tracking_url = page.url
    page.goto(f"{tracking_url.rstrip('/')}/cancel")
    expect(page.locator("button.danger")).to_be_visible()
    _check(page, "cancel", found)
    page.goto(f"{base}/s/moda/claim/")
    _check(page, "claim", found)


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_portal_page_passes_axe(
    browser: Browser, live_server: Any, shop_order: Order, lang: str, size: str
) -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        viewport=SIZES[size],
        is_mobile=size == "phone",
        has_touch=size == "phone",
        locale=lang,
        extra_http_headers={"Accept-Language": lang},
        bypass_csp=True,  # to inject axe-core; the pages' own CSP is tested elsewhere
    )
    page = context.new_page()
    found: list[str] = []
    try:
        _walk(page, live_server.url, lang, size, found)
    finally:
        context.close()
    assert found == []


def test_the_check_finds_what_it_should(browser: Browser) -> None:
    """A page with an unlabelled field and an image without text fails: the check is live."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_content('<html lang="en"><main><img src="x.png"><input type="text"></main></html>')
    found = " ".join(serious_violations(page))
    context.close()
    assert "image-alt" in found
    assert "label" in found
