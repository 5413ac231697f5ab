"""A shopper reports a damaged item with a photo, in a real browser on a phone-sized screen; and
the same report works with JavaScript switched off."""

from __future__ import annotations

import io
import pathlib
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from retorno.money.models import Claim
from retorno.orders.models import Order
from retorno.portal.tests.conftest import make_catalog, make_shop_order
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop_order(transactional_db: None, settings: Any, tmp_path: Any) -> Order:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    store = StoreFactory(slug="moda", name="Moda Norte", timezone="Europe/Madrid")
    make_catalog(store)
    return make_shop_order(store, external_id="7001")


@pytest.fixture
def photo(tmp_path: pathlib.Path) -> pathlib.Path:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 40, 40)).save(out, format="PNG")
    path = tmp_path / "crushed-box.png"
    path.write_bytes(out.getvalue())
    return path


def _find_order(page: Page, base: str, texts: dict[str, str]) -> None:
    page.goto(f"{base}/s/moda/")
    page.get_by_label(texts["number"]).fill("#7001")
    page.get_by_label(texts["contact"]).fill("ana@example.com")
    page.get_by_role("button", name=texts["find"]).click()


def test_shopper_reports_a_damaged_item_with_a_photo(
    page: Page, live_server: Any, shop_order: Order, photo: pathlib.Path, shoot: Any
) -> None:
    page.set_extra_http_headers({"Accept-Language": "en"})
    _find_order(
        page,
        live_server.url,
        {"number": "Order number", "contact": "Your email", "find": "Find my order"},
    )
    page.get_by_role(
        "link", name="Report a problem with an item (damaged, missing, wrong item)"
    ).click()

    expect(page.get_by_role("heading", name="Report a problem with an item")).to_be_visible()
    # Sending nothing explains itself and opens nothing.
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct what is marked below.")
    assert Claim.objects.count() == 0

    tee = page.locator("li.claim-line").filter(has_text="Organic T-shirt")
    tee.get_by_label("This item has a problem").check()
    tee.get_by_label("Units affected").fill("1")
    page.get_by_label("It arrived damaged").check()
    page.get_by_label("Tell us what happened (optional)").fill("The box was crushed.")
    page.get_by_label("Photos").set_input_files(str(photo))
    shoot(page, "en-claim-1-form")
    page.get_by_role("button", name="Send the report").click()

    expect(page.get_by_role("heading", name="We have your report")).to_be_visible()
    number = page.locator("#claim-number").inner_text()
    expect(page.get_by_text("You do not need to send anything back.")).to_be_visible()
    shoot(page, "en-claim-2-done")
    claim = Claim.objects.get(number=number)
    assert claim.reason == "damaged_in_transit"
    assert claim.photos.count() == 1
    assert list(claim.lines.values_list("order_line__external_id", "units")) == [("7001-1", 1)]

    # Reloading the confirmation opens nothing new.
    page.reload()
    expect(page.locator("#claim-number")).to_have_text(number)
    assert Claim.objects.count() == 1


def test_the_report_works_without_javascript_in_spanish(
    browser: Browser, live_server: Any, shop_order: Order, photo: pathlib.Path, shoot: Any
) -> None:
    context = browser.new_context(
        java_script_enabled=False,
        viewport={"width": 390, "height": 844},
        extra_http_headers={"Accept-Language": "es-ES,es;q=0.9"},
    )
    page = context.new_page()
    try:
        _find_order(
            page,
            live_server.url,
            {
                "number": "Número de pedido",
                "contact": "Tu email",
                "find": "Buscar mi pedido",
            },
        )
        page.get_by_role(
            "link", name="Informar de un problema con un artículo (dañado, que falta, equivocado)"
        ).click()
        card = page.locator("li.claim-line").filter(has_text="Gift card")
        card.get_by_label("Este artículo tiene un problema").check()
        page.get_by_label("Faltaba un artículo en el paquete").check()
        page.get_by_role("button", name="Enviar el aviso").click()
        expect(page.get_by_role("heading", name="Hemos recibido tu aviso")).to_be_visible()
        shoot(page, "es-claim-done-nojs")
        claim = Claim.objects.get()
        assert claim.reason == "missing_item"
    finally:
        context.close()
